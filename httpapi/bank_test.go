package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// bankStatement stores a two-row statement of 102 in V1 once (an interest
// credit and a fee, neither in the books) and returns the fee row's ID.
func (e *env) bankStatement() int64 {
	e.t.Helper()
	ctx := context.Background()
	ls, err := e.store.BankLines(ctx, e.f.Auditor, "V1", "102", "")
	if err != nil {
		e.t.Fatal(err)
	}
	if len(ls) == 0 {
		rows := []ledger.BankLine{
			{Date: "2026-03-21", Summary: "利息", Income: ledger.MustMoney("12.34"), Balance: ledger.MustMoney("100000012.34"), Serial: "HT-1"},
			{Date: "2026-03-25", Summary: "手续费", Expense: ledger.MustMoney("2.00"), Balance: ledger.MustMoney("100000010.34"), Serial: "HT-2"},
		}
		file := ledger.FileImport{Book: "V1", SHA256: strings.Repeat("c", 64), FileName: "route.csv"}
		if _, err := e.store.ImportFileBankStatement(ctx, e.f.Preparer, file, "102", rows); err != nil {
			e.t.Fatal(err)
		}
		if ls, err = e.store.BankLines(ctx, e.f.Auditor, "V1", "102", ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return ls[1].ID
}

func bankRouteCases() []routeCase {
	writes := with(accountantWrites, statuses{rolePreparer: 200, roleReviewer: 200})
	// Matching a voucher line that does not exist and unmatching a row that is
	// not matched reach the ledger only for the roles that may write.
	refused := func(code int) statuses { return with(writes, statuses{rolePreparer: code, roleReviewer: code}) }
	return []routeCase{
		{"GET", "/api/v1/books/:book/bank-lines", inBook, func(e *env, _ string, _ int) (string, any) {
			e.bankStatement()
			return "/api/v1/books/V1/bank-lines?account=102&period=2026-03", nil
		}},
		{"POST", "/api/v1/books/:book/bank-lines/auto-match", writes, func(e *env, _ string, _ int) (string, any) {
			e.bankStatement()
			return "/api/v1/books/V1/bank-lines/auto-match?account=102", nil
		}},
		{"POST", "/api/v1/books/:book/bank-lines/:id/match", refused(400), func(e *env, _ string, _ int) (string, any) {
			return fmt.Sprintf("/api/v1/books/V1/bank-lines/%d/match", e.bankStatement()), ledger.MatchInput{VoucherID: 999999, LineNo: 1}
		}},
		{"DELETE", "/api/v1/books/:book/bank-lines/:id/match", refused(409), func(e *env, _ string, _ int) (string, any) {
			return fmt.Sprintf("/api/v1/books/V1/bank-lines/%d/match", e.bankStatement()), nil
		}},
		{"GET", "/api/v1/books/:book/bank-reconciliation", inBook, func(e *env, _ string, _ int) (string, any) {
			e.bankStatement()
			return "/api/v1/books/V1/bank-reconciliation?account=102&period=2026-03", nil
		}},
		{"GET", "/api/v1/books/:book/bank-reconciliation.xlsx", inBook, func(e *env, _ string, _ int) (string, any) {
			e.bankStatement()
			return "/api/v1/books/V1/bank-reconciliation.xlsx?account=102&period=2026-03", nil
		}},
	}
}

// TestBankReconciliationOverHTTP: the 调节表 over JSON balances, names its
// unmatched items, and refuses a missing period naming the field.
func TestBankReconciliationOverHTTP(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.fund() // 102 opens at 100,000,000.00
		e.bankStatement()
		var r ledger.BankReconciliationReport
		res := e.expect(req{method: "GET", path: "/api/v1/books/V1/bank-reconciliation?account=102&period=2026-03", role: rolePreparer}, 200)
		if err := json.Unmarshal(res.body, &r); err != nil {
			t.Fatal(err)
		}
		if !r.Balanced || r.BookBalance.String() != "100000000.00" || r.AdjustedBook.String() != "100000010.34" ||
			len(r.BankReceivedNotBook) != 1 || r.BankPaidNotBook[0].Serial != "HT-2" {
			t.Fatalf("调节表 %+v", r)
		}
		bad := e.expect(req{method: "GET", path: "/api/v1/books/V1/bank-reconciliation?account=102", role: rolePreparer}, 400)
		if !strings.Contains(string(bad.body), "period") {
			t.Fatalf("missing period: %s", bad.body)
		}
	})
}

// TestBankReconciliationPage: the accountants' page shows the 调节表 with its
// items and the workbook link, and says so when there is no statement yet.
func TestBankReconciliationPage(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	c := newWebClient(t, w.srv.URL)
	c.signIn(w.f.Tokens["preparer"])
	status, body, _ := c.do(http.MethodGet, "/books/V1/bank-reconciliation?account=102&period=2026-03", nil)
	if status != http.StatusOK || !strings.Contains(body, "还没有") {
		t.Fatalf("before any statement: %d %.300s", status, body)
	}
	rows := []ledger.BankLine{{Date: "2026-03-21", Summary: "利息", Income: ledger.MustMoney("12.34"), Balance: ledger.MustMoney("512.34"), Serial: "WP-1"}}
	file := ledger.FileImport{Book: "V1", SHA256: strings.Repeat("d", 64), FileName: "web.csv"}
	if _, err := s.ImportFileBankStatement(context.Background(), w.f.Preparer, file, "102", rows); err != nil {
		t.Fatal(err)
	}
	status, body, _ = c.do(http.MethodGet, "/books/V1/bank-reconciliation?account=102&period=2026-03", nil)
	for _, want := range []string{"加：银行已收、企业未收", "利息 WP-1", "12.34", "调节后余额相等", "bank-reconciliation.xlsx?account=102&amp;period=2026-03"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("page lacks %q: %d %.2000s", want, status, body)
		}
	}
	if status, _, h := c.do(http.MethodGet, "/books/V1/bank-reconciliation.xlsx?account=102&period=2026-03", nil); status != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "spreadsheet") {
		t.Fatalf("workbook: %d %v", status, h)
	}
	if status, body, _ = c.do(http.MethodGet, "/books/V1/bank-reconciliation?account=102&period=2026-13", nil); status != http.StatusBadRequest || !strings.Contains(body, "月份") {
		t.Fatalf("bad month: %d %.300s", status, body)
	}
}
