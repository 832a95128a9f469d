package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// Month end and year end in the pages: the checklist, 结账 refused with
// drafts left, 反结账 only by township finance and only with a reason, and
// the year's prepare → review → close → reopen.

// apiJSON reads a JSON API answer with a token, for comparing the pages'
// figures with the API's.
func apiJSON(t *testing.T, base, token, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// money formats an amount as the pages show it.
func pageMoney(t *testing.T, s string) string {
	t.Helper()
	m, err := ledger.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return httpx.FormatMoney(m)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestWebMonthEnd(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		w := newWebFixture(t, s)
		draft, err := s.CreateVoucher(ctx, w.f.Preparer, "V1", ledger.VoucherInput{Date: "2026-01-20", Summary: "购买办公用品",
			Lines: []ledger.LineInput{{Account: "513", Debit: ledgertest.Amount("80.00")}, {Account: "201", Credit: ledgertest.Amount("80.00")}}})
		if err != nil {
			t.Fatal(err)
		}
		acc := newWebClient(t, w.srv.URL)
		acc.signIn(w.f.Tokens["preparer"])

		status, body, _ := acc.do(http.MethodGet, "/books/V1/periods", nil)
		if status != http.StatusOK {
			t.Fatalf("periods page: %d", status)
		}
		var tb ledger.TrialBalance
		apiJSON(t, w.srv.URL, w.f.Tokens["preparer"], "/books/V1/trial-balance?from=2026-01&to=2026-01", &tb)
		mustContain(t, "the checklist of 2026-01", body, "2026-01 结账检查", "还有 1 张草稿凭证", `id="close-period"`,
			"本期借方 "+tb.Totals.PeriodDebit.String()+"，贷方 "+tb.Totals.PeriodCredit.String())
		if strings.Contains(body, `id="reopen-period"`) {
			t.Errorf("an accountant is offered 反结账")
		}

		// 结账 with a draft left: refused in Chinese, nothing changes.
		before := ledgertest.Digest(t, s)
		status, body, _ = acc.do(http.MethodPost, "/books/V1/periods/2026-01/close", url.Values{"csrf": {acc.csrf}})
		if status != http.StatusConflict || !strings.Contains(body, "2026-01 期间还有 1 张未过账的草稿凭证") {
			t.Errorf("closing with a draft left: %d, want 409 with the reason", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("a refused close changed the books")
		}

		if _, err := s.PostVoucher(ctx, w.f.Reviewer, "V1", draft.ID); err != nil {
			t.Fatal(err)
		}
		status, _, h := acc.do(http.MethodPost, "/books/V1/periods/2026-01/close", url.Values{"csrf": {acc.csrf}})
		if status != http.StatusSeeOther {
			t.Fatalf("close 2026-01: %d", status)
		}
		_, body, _ = acc.do(http.MethodGet, h.Get("Location"), nil)
		mustContain(t, "the periods page after closing", body, "已结账", "2026-02 结账检查")
		_, body, _ = acc.do(http.MethodGet, "/books/V1", nil)
		mustContain(t, "the home page after closing 2026-01", body, "<strong>2026-02</strong>（未结账）")

		// 反结账: not by an accountant, not without a reason.
		before = ledgertest.Digest(t, s)
		status, body, _ = acc.do(http.MethodPost, "/books/V1/periods/2026-01/reopen", url.Values{"csrf": {acc.csrf}, "reason": {"更正"}})
		if status != http.StatusForbidden || !hasHan(body) {
			t.Errorf("an accountant's 反结账: %d, want 403", status)
		}
		town := newWebClient(t, w.srv.URL)
		town.signIn(w.f.Tokens["township"])
		status, body, _ = town.do(http.MethodPost, "/books/V1/periods/2026-01/reopen", url.Values{"csrf": {town.csrf}, "reason": {"  "}})
		if status != http.StatusBadRequest || !strings.Contains(body, "反结账必须填写理由") || !strings.Contains(body, `id="e-reopen-reason"`) {
			t.Errorf("反结账 without a reason: %d, want 400 with the reason beside the field", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("a refused reopen changed the books")
		}
		_, body, _ = town.do(http.MethodGet, "/books/V1/periods?month=2026-01", nil)
		mustContain(t, "the township's view of a closed month", body, `id="reopen-period"`)
		status, _, _ = town.do(http.MethodPost, "/books/V1/periods/2026-01/reopen", url.Values{"csrf": {town.csrf}, "reason": {"补记一月份漏记的发票"}})
		if status != http.StatusSeeOther {
			t.Fatalf("township 反结账: %d", status)
		}
		_, body, _ = acc.do(http.MethodGet, "/books/V1", nil)
		mustContain(t, "the home page after reopening", body, "<strong>2026-01</strong>（未结账）")
		log, err := s.AuditLog(ctx, w.f.Township, "V1", ledger.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			found = found || e.Action == "reopen" && e.Reason == "补记一月份漏记的发票"
		}
		if !found {
			t.Errorf("the reason of 反结账 is not in the audit log")
		}
	})
}

func TestWebYearEnd(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		w.f.Post(t, ledger.VoucherInput{Date: "2026-03-15", Summary: "出租鱼塘收入", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("3000.00")}, {Account: "501", Credit: ledgertest.Amount("3000.00")}}})
		acc := newWebClient(t, w.srv.URL)
		acc.signIn(w.f.Tokens["preparer"])
		rev := newWebClient(t, w.srv.URL)
		rev.signIn(w.f.Tokens["reviewer"])

		status, body, _ := acc.do(http.MethodGet, "/books/V1/year-end?year=2026", nil)
		if status != http.StatusOK {
			t.Fatalf("year-end page: %d", status)
		}
		mustContain(t, "the year-end page", body, "尚未生成结转凭证", `id="prepare-year"`)

		// Closing before the closing vouchers: refused, nothing changes.
		before := ledgertest.Digest(t, s)
		status, body, _ = acc.do(http.MethodPost, "/books/V1/year-end/2026/close", url.Values{"csrf": {acc.csrf}})
		if status != http.StatusConflict || !strings.Contains(body, "请先生成年终结转凭证并审核过账") {
			t.Errorf("closing an unclosed year: %d, want 409 with the reason", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("a refused year close changed the books")
		}

		status, _, h := acc.do(http.MethodPost, "/books/V1/year-end/2026/prepare", url.Values{"csrf": {acc.csrf}})
		if status != http.StatusSeeOther {
			t.Fatalf("prepare: %d", status)
		}
		_, body, _ = acc.do(http.MethodGet, h.Get("Location"), nil)
		var ye ledger.YearEnd
		apiJSON(t, w.srv.URL, w.f.Tokens["preparer"], "/books/V1/years/2026", &ye)
		if len(ye.Vouchers) == 0 {
			t.Fatal("no closing vouchers prepared")
		}
		mustContain(t, "the year-end page after preparing", body, "损益结转本年收益", "年终结转凭证草稿已生成")
		for _, v := range ye.Vouchers {
			mustContain(t, "the year-end page", body, "/books/V1/vouchers/"+itoa(v.VoucherID), pageMoney(t, v.Total.String()))
			if status, _, _ := rev.do(http.MethodPost, "/books/V1/vouchers/"+itoa(v.VoucherID)+"/post", url.Values{"csrf": {rev.csrf}}); status != http.StatusSeeOther {
				t.Fatalf("review closing voucher %d: %d", v.VoucherID, status)
			}
		}
		if status, _, _ := acc.do(http.MethodPost, "/books/V1/year-end/2026/close", url.Values{"csrf": {acc.csrf}}); status != http.StatusSeeOther {
			t.Fatalf("close the year: %d", status)
		}
		apiJSON(t, w.srv.URL, w.f.Tokens["preparer"], "/books/V1/years/2026", &ye)
		if !ye.Closed {
			t.Fatal("the year is not closed")
		}
		_, body, _ = acc.do(http.MethodGet, "/books/V1/year-end?year=2026", nil)
		mustContain(t, "the closed year", body, "已年终结账")

		// Reopening: township only, with a reason.
		before = ledgertest.Digest(t, s)
		if status, _, _ := acc.do(http.MethodPost, "/books/V1/year-end/2026/reopen", url.Values{"csrf": {acc.csrf}, "reason": {"更正"}}); status != http.StatusForbidden {
			t.Errorf("an accountant reopening the year: %d, want 403", status)
		}
		town := newWebClient(t, w.srv.URL)
		town.signIn(w.f.Tokens["township"])
		status, body, _ = town.do(http.MethodPost, "/books/V1/year-end/2026/reopen", url.Values{"csrf": {town.csrf}})
		if status != http.StatusBadRequest || !strings.Contains(body, "年度反结账必须填写理由") {
			t.Errorf("reopening the year without a reason: %d, want 400", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Errorf("a refused year reopen changed the books")
		}
		if status, _, _ := town.do(http.MethodPost, "/books/V1/year-end/2026/reopen", url.Values{"csrf": {town.csrf}, "reason": {"审计调整"}}); status != http.StatusSeeOther {
			t.Errorf("township reopening the year: %d", status)
		}
		apiJSON(t, w.srv.URL, w.f.Tokens["preparer"], "/books/V1/years/2026", &ye)
		if ye.Closed {
			t.Error("the year is still closed after reopening")
		}
	})
}
