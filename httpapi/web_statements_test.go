package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// The statements and account books in the pages show the API's figures, and
// every figure of the trial balance leads to its entries and their vouchers.

func TestWebStatementsAndBooks(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		w.f.Post(t, ledger.VoucherInput{Date: "2026-03-15", Summary: "出租鱼塘收入", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("3000.00")}, {Account: "501", Credit: ledgertest.Amount("3000.00")}}})
		tok := w.f.Tokens["preparer"]
		c := newWebClient(t, w.srv.URL)
		c.signIn(tok)
		get := func(path string) string {
			t.Helper()
			status, body, _ := c.do(http.MethodGet, path, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, status)
			}
			return body
		}

		body := get("/books/V1/reports")
		mustContain(t, "账簿与报表", body, "/books/V1/statements?month=", "/books/V1/general-ledger?", "/books/V1/detail-ledger?",
			"/books/V1/cash-journal?", "/books/V1/bank-journal?", "/books/V1/periods", "/books/V1/year-end")

		var bs ledger.BalanceSheet
		apiJSON(t, w.srv.URL, tok, "/books/V1/balance-sheet?month=2026-03", &bs)
		var is ledger.IncomeStatement
		apiJSON(t, w.srv.URL, tok, "/books/V1/income-statement?from=2026-01&to=2026-03", &is)
		if bs.TotalAssets.Second.IsZero() || is.NetIncome.First.IsZero() {
			t.Fatalf("the fixture's statements are empty: %s, %s", bs.TotalAssets.Second, is.NetIncome.First)
		}
		body = get("/books/V1/statements?month=2026-03")
		mustContain(t, "the statements page", body, "资产负债表", "收益及收益分配表", httpx.FormatMoney(bs.TotalAssets.Second),
			httpx.FormatMoney(bs.TotalClaims.Second), httpx.FormatMoney(is.NetIncome.First), httpx.FormatMoney(is.Undistributed.First),
			"/books/V1/statements.xlsx?month=2026-03")

		// Trial balance → 明细账 → voucher.
		body = get("/books/V1/trial-balance?from=2026-02&to=2026-02")
		link := "/books/V1/detail-ledger?account=102&amp;from=2026-02&amp;to=2026-02"
		if n := strings.Count(body, `href="`+link+`"`); n < 3 { // the code, the period debit and the closing debit
			t.Errorf("trial balance: %d links to the 明细账 of 102, want the code and each figure", n)
		}
		var ab ledger.AccountBook
		apiJSON(t, w.srv.URL, tok, "/books/V1/detail-ledger?account=102&from=2026-02&to=2026-02", &ab)
		body = get(strings.ReplaceAll(link, "&amp;", "&"))
		mustContain(t, "the 明细账 of 102", body, `href="/books/V1/vouchers/`+itoa(w.voucher)+`"`, "500.00",
			httpx.FormatMoney(ab.Closing.Amount), "本月合计", "本年累计")

		var gl ledger.GeneralLedger
		apiJSON(t, w.srv.URL, tok, "/books/V1/general-ledger?from=2026-01&to=2026-03", &gl)
		body = get("/books/V1/general-ledger?from=2026-01&to=2026-03")
		for _, a := range gl.Accounts {
			mustContain(t, "the 总账", body, "/books/V1/detail-ledger?account="+a.Account.Code+"&amp;from=2026-01&amp;to=2026-03",
				httpx.FormatMoney(a.Months[len(a.Months)-1].Closing.Amount))
		}
		body = get("/books/V1/bank-journal?from=2026-02&to=2026-02")
		mustContain(t, "the 银行存款日记账", body, "2026-02-10 本日合计", "/books/V1/vouchers/"+itoa(w.voucher))
		get("/books/V1/cash-journal")

		// The downloads: the API's workbooks to the session.
		for _, path := range []string{"/books/V1/statements.xlsx?month=2026-03", "/books/V1/general-ledger.xlsx?from=2026-01&to=2026-03",
			"/books/V1/detail-ledger.xlsx?account=102&from=2026-02&to=2026-02", "/books/V1/bank-journal.xlsx"} {
			status, body, h := c.do(http.MethodGet, path, nil)
			if status != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(body, "PK") {
				t.Errorf("GET %s: %d %s", path, status, h.Get("Content-Type"))
			}
		}
		if status, body, _ := c.do(http.MethodGet, "/books/V1/detail-ledger.xlsx", nil); status != http.StatusOK || !strings.Contains(body, "请选择科目") {
			t.Errorf("a 明细账 download without its account: %d, want the page with the account picker", status)
		}
		if status, body, _ := c.do(http.MethodGet, "/books/V1/statements?month=2026-13", nil); status != http.StatusBadRequest || !strings.Contains(body, `id="e-st-month"`) {
			t.Errorf("a bad month: %d, want 400 with the error beside the field", status)
		}
	})
}

// TestWebCooperativeStatements: a cooperative's pages show 会农社01/02/03表.
func TestWebCooperativeStatements(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	coop := ledgertest.NewFixture(t, s, "C1", ledger.KindCooperative, 1)
	coop.Fund(t)
	c := newWebClient(t, w.srv.URL)
	c.signIn(coop.Tokens["preparer"])
	status, body, _ := c.do(http.MethodGet, "/books/C1/statements?month=2026-03", nil)
	if status != http.StatusOK {
		t.Fatalf("statements: %d", status)
	}
	var ec ledger.EquityChanges
	apiJSON(t, w.srv.URL, coop.Tokens["preparer"], "/books/C1/equity-changes?month=2026-03", &ec)
	last := ec.Lines[len(ec.Lines)-1]
	mustContain(t, "a cooperative's statements", body, "会农社01表", "会农社02表", "会农社03表", "盈余及盈余分配表", ec.Title,
		last.Name, httpx.FormatMoney(last.Values[len(last.Values)-1]))
}

// TestWebHomeOutstanding: the home page's 应付未付 total is the sum of what
// the book's approved runs still owe (it said 没有未付金额 while the runs
// listed below it were unpaid).
func TestWebHomeOutstanding(t *testing.T) {
	ctx := context.Background()
	s := ledgertest.Open(t, "sqlite")
	res, err := demo.Load(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(s, nil, Options{}))
	t.Cleanup(ts.Close)
	w := ts.URL
	var token string
	for _, u := range res.Users {
		if u.Role == ledger.RoleTownship {
			token = u.Token
		}
	}
	c := newWebClient(t, w)
	c.signIn(token)
	total := regexp.MustCompile(`id="out-total">([^<]+)<`)
	owed := 0
	for _, b := range res.Books {
		var runs struct {
			Items []struct {
				Status      ledger.RunStatus
				Outstanding ledger.Money
			}
		}
		apiJSON(t, w, token, "/books/"+b.Code+"/payout-runs", &runs)
		var want ledger.Money
		for _, r := range runs.Items {
			if r.Status == ledger.RunApproved {
				want = want.Add(r.Outstanding)
			}
		}
		_, body, _ := c.do(http.MethodGet, "/books/"+b.Code, nil)
		got := "没有未付金额"
		if m := total.FindStringSubmatch(body); m != nil {
			got = m[1]
		}
		if want.IsPositive() {
			owed++
			if got != httpx.FormatMoney(want) {
				t.Errorf("%s home page: 应付未付合计 %s, the runs owe %s", b.Code, got, httpx.FormatMoney(want))
			}
		} else if got != "没有未付金额" {
			t.Errorf("%s home page: 应付未付合计 %s, the runs owe nothing", b.Code, got)
		}
	}
	if owed == 0 {
		t.Fatal("the demo has no unpaid runs: the test checks nothing")
	}
}
