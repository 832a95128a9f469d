package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestWebTownshipSettings: the township sets the segregation opt-out and the
// go-live month on the settings page, through the ledger functions the API
// calls; refusals come back beside the field in Chinese and change nothing;
// an accountant sees neither form and is refused.
func TestWebTownshipSettings(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		w := newWebClient(t, e.srv.URL)
		w.signIn(e.f.Tokens["township"])
		status, body, _ := w.do(http.MethodGet, "/books/V1/settings", nil)
		mustContain(t, "township's settings page", body, `action="/books/V1/settings/segregation"`, `action="/books/V1/settings/go-live"`)
		if status != http.StatusOK {
			t.Fatalf("settings page: %d", status)
		}
		book := func() ledger.Book {
			b, err := s.Book(ctx, e.f.Auditor, "V1")
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		refused := func(what string, form url.Values, wantStatus int, wants ...string) {
			t.Helper()
			before := ledgertest.Digest(t, s)
			status, body, _ := w.do(http.MethodPost, form.Get("path"), form)
			if status != wantStatus {
				t.Errorf("%s: %d, want %d", what, status, wantStatus)
			}
			mustContain(t, what, body, wants...)
			if ledgertest.Digest(t, s) != before {
				t.Errorf("%s changed the database", what)
			}
		}
		saved := func(what string, form url.Values) {
			t.Helper()
			status, _, h := w.do(http.MethodPost, form.Get("path"), form)
			if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/books/V1/settings") {
				t.Fatalf("%s: %d %s", what, status, h.Get("Location"))
			}
		}
		seg := func(optOut, reason string) url.Values {
			return url.Values{"csrf": {w.csrf}, "path": {"/books/V1/settings/segregation"}, "opt_out": {optOut}, "reason": {reason}}
		}
		goLive := func(p string) url.Values {
			return url.Values{"csrf": {w.csrf}, "path": {"/books/V1/settings/go-live"}, "go_live_period": {p}}
		}

		refused("opt-out without a reason", seg("true", " "), http.StatusBadRequest, `id="e-s-reason"`, "必须说明理由")
		saved("opt-out", seg("true", "一人村，只有一名会计"))
		if b := book(); !b.SegregationOptOut || b.OptOutReason != "一人村，只有一名会计" {
			t.Errorf("after the page's opt-out: %v %q", b.SegregationOptOut, b.OptOutReason)
		}
		pageBook := book()
		if _, body, _ := w.do(http.MethodGet, "/books/V1/settings", nil); !strings.Contains(body, "恢复不相容职务分离") {
			t.Error("an opted-out book offers no 恢复")
		}
		saved("restore", seg("false", ""))
		if b := book(); b.SegregationOptOut || b.OptOutReason != "" {
			t.Errorf("after the page's restore: %v %q", b.SegregationOptOut, b.OptOutReason)
		}
		// the API's opt-out with the same reason leaves the same book
		e.expect(req{method: "PUT", path: "/api/v1/books/V1/segregation", role: roleTownship,
			body: map[string]any{"opt_out": true, "reason": "一人村，只有一名会计"}}, 200)
		if b := book(); b != pageBook {
			t.Errorf("API opt-out %+v, page opt-out %+v", b, pageBook)
		}

		refused("a month that is no month", goLive("2026-13"), http.StatusBadRequest, `id="e-g-period"`, `value="2026-13"`)
		refused("go-live before the book's start", goLive("1999-01"), http.StatusBadRequest, `id="e-g-period"`, "不能早于账套启用期间")
		saved("go-live", goLive("2026-11"))
		if b := book(); b.GoLivePeriod != "2026-11" {
			t.Errorf("go-live after the page: %s", b.GoLivePeriod)
		}
		if _, body, _ := w.do(http.MethodGet, "/books/V1/settings", nil); !strings.Contains(body, `value="2026-11"`) {
			t.Error("the settings page does not show the go-live month")
		}

		acc := newWebClient(t, e.srv.URL)
		acc.signIn(e.f.Tokens["preparer"])
		if _, body, _ := acc.do(http.MethodGet, "/books/V1/settings", nil); strings.Contains(body, "settings/segregation") || strings.Contains(body, "settings/go-live") {
			t.Error("the accountant sees the township's forms")
		}
		before := ledgertest.Digest(t, s)
		if status, _, _ := acc.do(http.MethodPost, "/books/V1/settings/go-live", url.Values{"csrf": {acc.csrf}, "go_live_period": {"2026-10"}}); status != http.StatusForbidden {
			t.Errorf("accountant's go-live: %d, want 403", status)
		}
		if status, _, _ := acc.do(http.MethodPost, "/books/V1/settings/segregation", url.Values{"csrf": {acc.csrf}, "opt_out": {"false"}}); status != http.StatusForbidden {
			t.Errorf("accountant's restore: %d, want 403", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Error("the accountant's refused forms changed the database")
		}
	})
}
