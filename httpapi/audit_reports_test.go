package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func auditRouteCases() []routeCase {
	township := statuses{roleAdmin: 403, rolePreparer: 403, roleReviewer: 403, roleTownship: 200, roleAuditor: 200, roleOutsider: 403}
	conflictFor := func(base statuses, roles ...string) statuses {
		out := with(base, nil)
		for _, r := range roles {
			out[r] = 409
		}
		return out
	}
	return []routeCase{
		{"GET", "/api/v1/books/:book/reconciliation", inBook, func(e *env, _ string, _ int) (string, any) {
			e.approvedRun("2026Q3")
			return "/api/v1/books/V1/reconciliation?quarter=2026Q3", nil
		}},
		{"GET", "/api/v1/books/:book/reconciliation.xlsx", inBook, fixed("/api/v1/books/V1/reconciliation.xlsx?quarter=2026Q3", nil)},
		{"GET", "/api/v1/townships/:township/reconciliation", township, func(e *env, _ string, _ int) (string, any) {
			return "/api/v1/townships/" + e.f.Book.Township.Code + "/reconciliation?quarter=2026Q3", nil
		}},
		{"GET", "/api/v1/books/:book/chain-head", inBook, fixed("/api/v1/books/V1/chain-head", nil)},
		{"GET", "/api/v1/books/:book/journal", inBook, func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return "/api/v1/books/V1/journal?format=beancount&from=2026-01&to=2026-12", nil
		}},
		{"GET", "/api/v1/books/:book/balance-sheet", inBook, fixed("/api/v1/books/V1/balance-sheet?month=2026-06", nil)},
		{"GET", "/api/v1/books/:book/income-statement", inBook, fixed("/api/v1/books/V1/income-statement?from=2026-01&to=2026-06", nil)},
		// V1 is a village: readers reach the ledger and get its refusal (成员权益变动表 is a cooperative's).
		{"GET", "/api/v1/books/:book/equity-changes", with(inBook, statuses{rolePreparer: 400, roleReviewer: 400, roleTownship: 400, roleAuditor: 400}),
			fixed("/api/v1/books/V1/equity-changes?month=2026-06", nil)},
		{"GET", "/api/v1/books/:book/statements.xlsx", inBook, fixed("/api/v1/books/V1/statements.xlsx?month=2026-06", nil)},
		{"GET", "/api/v1/townships/:township/statements", township, func(e *env, _ string, _ int) (string, any) {
			return "/api/v1/townships/" + e.f.Book.Township.Code + "/statements?month=2026-06", nil
		}},
		{"GET", "/api/v1/townships/:township/statements.xlsx", township, func(e *env, _ string, _ int) (string, any) {
			return "/api/v1/townships/" + e.f.Book.Township.Code + "/statements.xlsx?month=2026-06", nil
		}},
		{"GET", "/api/v1/books/:book/years/:year", inBook, fixed("/api/v1/books/V1/years/2026", nil)},
		// Closing needs a year without drafts; the route table's book has
		// drafts, so allowed roles reach the ledger and get its 409.
		{"POST", "/api/v1/books/:book/years/:year/prepare-closing", accountantCreates, func(_ *env, _ string, n int) (string, any) {
			return fmt.Sprintf("/api/v1/books/V1/years/%d/prepare-closing", 2030+n%100), nil // a year without drafts per attempt
		}},
		{"POST", "/api/v1/books/:book/years/:year/close", conflictFor(with(inBook, statuses{roleAuditor: 403}), rolePreparer, roleReviewer, roleTownship),
			func(e *env, _ string, _ int) (string, any) {
				e.draft()
				return "/api/v1/books/V1/years/2026/close", nil
			}},
		{"POST", "/api/v1/books/:book/years/:year/reopen", conflictFor(with(inBook, statuses{rolePreparer: 403, roleReviewer: 403, roleAuditor: 403}), roleTownship),
			fixed("/api/v1/books/V1/years/2026/reopen", map[string]string{"reason": "补记漏记的收入"})},
	}
}

// TestReconciliationAndJournalOverHTTP reconciles a paid quarter, downloads
// its workbook, and exports the journal in both formats.
func TestReconciliationAndJournalOverHTTP(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.fund()
		id := e.approvedRun("2026Q3")
		e.expect(req{method: "POST", path: runPath(id, "/payments"), role: rolePreparer, body: api.PaymentsRequest{Payments: []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-09-30", Method: ledger.MethodBank, Reference: "HTTP-REC-1"}}}}, http.StatusCreated)
		var r ledger.Reconciliation
		e.decode(e.expect(req{method: "GET", path: "/api/v1/books/V1/reconciliation?quarter=2026Q3", role: roleAuditor}, http.StatusOK), &r)
		if !r.OK || r.Verdict == "" || !strings.HasPrefix(r.Verdict, ledger.VerdictReconciles) || r.Counts.Payments != 1 || r.Counts.Paid.String() != "1.00" {
			t.Fatalf("reconciliation: %+v", r)
		}
		res := e.expect(req{method: "GET", path: "/api/v1/books/V1/reconciliation.xlsx?quarter=2026Q3", role: roleAuditor}, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil || len(f.GetSheetList()) != 5 {
			t.Fatalf("reconciliation workbook: %v", err)
		}
		f.Close()
		var head ledger.ChainHead
		e.decode(e.expect(req{method: "GET", path: "/api/v1/books/V1/chain-head", role: roleAuditor}, http.StatusOK), &head)
		if head.Seq == 0 || len(head.Hash) != 64 || head.Label == "" {
			t.Fatalf("chain head %+v", head)
		}
		for _, format := range []string{"hledger", "beancount"} {
			res := e.expect(req{method: "GET", path: "/api/v1/books/V1/journal?format=" + format, role: roleAuditor}, http.StatusOK)
			if !strings.Contains(string(res.body), head.Hash) || !strings.Contains(res.header.Get("Content-Type"), "text/plain") {
				t.Errorf("%s journal lacks the chain head or is not text: %.200s", format, res.body)
			}
		}
		for _, bad := range []struct{ path, field string }{
			{"/api/v1/books/V1/reconciliation", "quarter"},
			{"/api/v1/books/V1/reconciliation?quarter=2026Q5", "quarter"},
			{"/api/v1/books/V1/journal?format=ledger", "format"},
			{"/api/v1/books/V1/balance-sheet?month=2026-13", "month"},
			{"/api/v1/books/V1/income-statement?from=2026-01", "to"},
			{"/api/v1/books/V1/years/26", "year"},
		} {
			checkEnvelope(t, bad.path, e.do(req{method: "GET", path: bad.path, role: roleAuditor}), 400, ledger.ECodeInvalid, bad.field)
		}
	})
}

// TestYearEndOverHTTP closes a year: the closing vouchers are prepared by the
// accountant and posted by the reviewer, the year is closed, nothing more can
// be dated in it, and the township reopens it with a reason.
func TestYearEndOverHTTP(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		const book = "/api/v1/books/V1"
		income := ledger.VoucherInput{Date: "2026-05-10", Summary: "收到资源发包收入", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("8000.00")}, {Account: "501", Credit: ledgertest.Amount("8000.00")}}}
		e.f.Post(t, income)
		var bs ledger.BalanceSheet
		e.decode(e.expect(req{method: "GET", path: book + "/balance-sheet?month=2026-12", role: roleAuditor}, http.StatusOK), &bs)
		if !bs.Balanced || bs.TotalAssets.Second != bs.TotalClaims.Second {
			t.Fatalf("balance sheet: %+v", bs)
		}
		var is ledger.IncomeStatement
		e.decode(e.expect(req{method: "GET", path: book + "/income-statement?from=2026-01&to=2026-12", role: roleAuditor}, http.StatusOK), &is)
		if is.NetIncome.First.String() != "8000.00" {
			t.Fatalf("net income %s", is.NetIncome.First)
		}
		var drafts httpx.List[ledger.Voucher]
		e.decode(e.expect(req{method: "POST", path: book + "/years/2026/prepare-closing", role: rolePreparer}, http.StatusCreated), &drafts)
		if len(drafts.Items) == 0 {
			t.Fatal("no closing vouchers")
		}
		before := ledgertest.Digest(t, s)
		checkEnvelope(t, "closing with drafts", e.do(req{method: "POST", path: book + "/years/2026/close", role: roleTownship}), 409, "", "")
		if ledgertest.Digest(t, s) != before {
			t.Fatal("refused close changed the database")
		}
		for _, v := range drafts.Items {
			e.expect(req{method: "POST", path: fmt.Sprintf("%s/vouchers/%d/post", book, v.ID), role: roleReviewer}, http.StatusOK)
		}
		var ye ledger.YearEnd
		e.decode(e.expect(req{method: "POST", path: book + "/years/2026/close", role: roleTownship}, http.StatusOK), &ye)
		if !ye.Closed || len(ye.Vouchers) != len(drafts.Items) {
			t.Fatalf("year end: %+v", ye)
		}
		before = ledgertest.Digest(t, s)
		res := e.do(req{method: "POST", path: book + "/vouchers", role: rolePreparer, body: ledger.VoucherInput{Date: "2026-12-20", Summary: "补记",
			Lines: []ledger.LineInput{{Account: "102", Debit: ledgertest.Amount("1.00")}, {Account: "501", Credit: ledgertest.Amount("1.00")}}}})
		if res.status < 400 || ledgertest.Digest(t, s) != before {
			t.Fatalf("voucher in a closed year: %d %s", res.status, res.body)
		}
		checkEnvelope(t, "closing twice", e.do(req{method: "POST", path: book + "/years/2026/close", role: roleTownship}), 409, "", "")
		checkEnvelope(t, "reopen without reason", e.do(req{method: "POST", path: book + "/years/2026/reopen", role: roleTownship, body: `{"reason": ""}`}), 400, ledger.ECodeInvalid, "reason")
		e.decode(e.expect(req{method: "POST", path: book + "/years/2026/reopen", role: roleTownship, body: `{"reason": "审计调整"}`}, http.StatusOK), &ye)
		if ye.Closed {
			t.Fatalf("reopened year still closed: %+v", ye)
		}
		entries, err := s.AuditLog(context.Background(), e.f.Auditor, "V1", ledger.AuditFilter{Action: "reopen"})
		if err != nil || len(entries) == 0 || entries[len(entries)-1].Reason != "审计调整" {
			raw, _ := json.Marshal(entries)
			t.Fatalf("audit of the reopening: %s %v", raw, err)
		}
	})
}
