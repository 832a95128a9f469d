package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
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
			{Date: "2026-03-21", Summary: "利息", Income: ledger.MustMoney("12.34"), Balance: ledger.MustMoney("1000012.34"), Serial: "HT-1"},
			{Date: "2026-03-25", Summary: "手续费", Expense: ledger.MustMoney("2.00"), Balance: ledger.MustMoney("1000010.34"), Serial: "HT-2"},
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
		e.bankStatement()
		var r ledger.BankReconciliationReport
		res := e.expect(req{method: "GET", path: "/api/v1/books/V1/bank-reconciliation?account=102&period=2026-03", role: rolePreparer}, 200)
		if err := json.Unmarshal(res.body, &r); err != nil {
			t.Fatal(err)
		}
		if !r.Balanced || r.BookBalance.String() != "1000000.00" || r.AdjustedBook.String() != "1000010.34" ||
			len(r.BankReceivedNotBook) != 1 || r.BankPaidNotBook[0].Serial != "HT-2" {
			t.Fatalf("调节表 %+v", r)
		}
		bad := e.expect(req{method: "GET", path: "/api/v1/books/V1/bank-reconciliation?account=102", role: rolePreparer}, 400)
		if !strings.Contains(string(bad.body), "period") {
			t.Fatalf("missing period: %s", bad.body)
		}
	})
}
