package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"coopledger/httpapi/api"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestWebWithdrawDisclosure: 撤回 beside a published quarter on the payouts
// page takes it off the villagers' page as the API's DELETE does; a quarter
// not published is refused and changes nothing; an auditor sees no button.
func TestWebWithdrawDisclosure(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		e.fund()
		var d api.Disclosure
		e.decode(e.expect(req{method: "POST", path: "/api/v1/books/V1/disclosures", role: rolePreparer, body: `{"quarter": "2026Q3"}`}, 201), &d)
		public := strings.TrimPrefix(d.URL, e.srv.URL)
		if res := e.page(public); res.status != http.StatusOK {
			t.Fatalf("public page before: %d", res.status)
		}

		w := newWebClient(t, e.srv.URL)
		w.signIn(e.f.Tokens["preparer"])
		action := `action="/books/V1/disclosures/` + d.Quarter + `/withdraw"`
		if _, body, _ := w.do(http.MethodGet, "/books/V1/payouts", nil); !strings.Contains(body, action) {
			t.Fatalf("the payouts page offers no 撤回 (%s)", action)
		}
		auditor := newWebClient(t, e.srv.URL)
		auditor.signIn(e.f.Tokens["auditor"])
		if _, body, _ := auditor.do(http.MethodGet, "/books/V1/payouts", nil); strings.Contains(body, "/withdraw") {
			t.Error("the auditor sees 撤回")
		}

		before := ledgertest.Digest(t, s)
		if status, _, _ := auditor.do(http.MethodPost, "/books/V1/disclosures/"+d.Quarter+"/withdraw", url.Values{"csrf": {auditor.csrf}}); status != http.StatusForbidden {
			t.Errorf("auditor's 撤回: %d, want 403", status)
		}
		status, body, _ := w.do(http.MethodPost, "/books/V1/disclosures/2026Q9/withdraw", url.Values{"csrf": {w.csrf}})
		if status != http.StatusBadRequest || !strings.Contains(body, "季度") {
			t.Errorf("a quarter that is no quarter: %d", status)
		}
		if status, _, _ := w.do(http.MethodPost, "/books/V1/disclosures/2026Q2/withdraw", url.Values{"csrf": {w.csrf}}); status != http.StatusNotFound {
			t.Errorf("withdrawing a quarter never published: %d, want 404", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused 撤回 changed the database")
		}

		status, _, h := w.do(http.MethodPost, "/books/V1/disclosures/"+d.Quarter+"/withdraw", url.Values{"csrf": {w.csrf}})
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/books/V1/payouts?ok=withdrawn") {
			t.Fatalf("撤回: %d %s", status, h.Get("Location"))
		}
		ds, err := s.Disclosures(ctx, e.f.Auditor, "V1")
		if err != nil || len(ds) != 1 || ds[0].Published() || ds[0].WithdrawnBy == 0 {
			t.Fatalf("after 撤回: %+v (%v)", ds, err)
		}
		if res := e.page(public); res.status == http.StatusOK {
			t.Error("the villagers' page still shows the withdrawn quarter")
		}
		if _, body, _ := w.do(http.MethodGet, "/books/V1/payouts", nil); strings.Contains(body, action) || !strings.Contains(body, "已撤回") {
			t.Error("the withdrawn quarter still offers 撤回 or is not marked 已撤回")
		}
		// the API finds nothing left to withdraw: the page did what DELETE does
		res := e.do(req{method: "DELETE", path: "/api/v1/books/V1/disclosures/" + d.Quarter, role: rolePreparer})
		checkEnvelope(t, "API withdraw after the page's", res, 404, ledger.ECodeNotFound, "")
	})
}
