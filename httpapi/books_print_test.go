package httpapi

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// printRouteCases call the printed vouchers and account books.
func printRouteCases() []routeCase {
	withPosted := func(path string) func(*env, string, int) (string, any) {
		return func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return path, nil
		}
	}
	return []routeCase{
		{"GET", "/api/v1/books/:book/vouchers/print", inBook, withPosted("/api/v1/books/V1/vouchers/print?period=2026-06&layout=full")},
		{"GET", "/api/v1/books/:book/vouchers/print.json", inBook, withPosted("/api/v1/books/V1/vouchers/print.json?period=2026-06")},
		{"GET", "/api/v1/books/:book/general-ledger", inBook, withPosted("/api/v1/books/V1/general-ledger?from=2026-01&to=2026-12")},
		{"GET", "/api/v1/books/:book/general-ledger.xlsx", inBook, withPosted("/api/v1/books/V1/general-ledger.xlsx?from=2026-01&to=2026-12")},
		{"GET", "/api/v1/books/:book/detail-ledger", inBook, withPosted("/api/v1/books/V1/detail-ledger?account=211&from=2026-01&to=2026-12")},
		{"GET", "/api/v1/books/:book/detail-ledger.xlsx", inBook, withPosted("/api/v1/books/V1/detail-ledger.xlsx?account=211&household=H002&from=2026-01&to=2026-12")},
		{"GET", "/api/v1/books/:book/cash-journal", inBook, fixed("/api/v1/books/V1/cash-journal?from=2026-01&to=2026-12", nil)},
		{"GET", "/api/v1/books/:book/cash-journal.xlsx", inBook, withPosted("/api/v1/books/V1/cash-journal.xlsx?from=2026-01&to=2026-12")},
		{"GET", "/api/v1/books/:book/bank-journal", inBook, withPosted("/api/v1/books/V1/bank-journal?from=2026-01&to=2026-12")},
		{"GET", "/api/v1/books/:book/bank-journal.xlsx", inBook, withPosted("/api/v1/books/V1/bank-journal.xlsx?from=2026-01&to=2026-12")},
	}
}

// TestPrintRoutes: the JSON figures the pages show, refusals naming their
// field, and a month of vouchers as PDF through the API.
func TestPrintRoutes(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.posted()
		res := e.do(req{method: "GET", path: "/api/v1/books/V1/bank-journal?from=2026-06&to=2026-06", role: roleAuditor})
		var ab ledger.AccountBook
		if res.status != http.StatusOK || json.Unmarshal(res.body, &ab) != nil {
			t.Fatalf("bank journal: %d %s", res.status, res.body)
		}
		if len(ab.Months) != 1 || len(ab.Months[0].Days) != 1 || ab.Months[0].Days[0].Debit != ledger.MustMoney("50.00") {
			t.Errorf("bank journal June: %s", res.body)
		}
		for path, field := range map[string]string{
			"/api/v1/books/V1/vouchers/print?layout=half":                    "period",
			"/api/v1/books/V1/vouchers/print?period=2026-06&layout=a5":       "layout",
			"/api/v1/books/V1/vouchers/print?period=2026-06&format=doc":      "format",
			"/api/v1/books/V1/general-ledger?from=2026-01&to=2027-06":        "to",
			"/api/v1/books/V1/detail-ledger?from=2026-01&to=2026-02":         "account",
			"/api/v1/books/V1/cash-journal.xlsx?from=2026-01&to=2026-02&x=1": "x",
		} {
			res := e.do(req{method: "GET", path: path, role: roleAuditor})
			if res.status != http.StatusBadRequest && res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"`+field+`"`) {
				t.Errorf("%s: %d %s, want a refusal naming %s", path, res.status, res.body, field)
			}
		}
		if t.Name() != "TestPrintRoutes/sqlite" {
			return
		}
		if _, err := exec.LookPath("soffice"); err != nil {
			t.Skip("soffice is not installed")
		}
		pdftotext, err := exec.LookPath("pdftotext")
		if err != nil {
			t.Skip("pdftotext is not installed")
		}
		res = e.do(req{method: "GET", path: "/api/v1/books/V1/vouchers/print?period=2026-06&format=pdf", role: roleAuditor})
		if res.status != http.StatusOK || !strings.HasPrefix(string(res.body), "%PDF") {
			t.Fatalf("voucher PDF: %d %.200s", res.status, res.body)
		}
		cmd := exec.Command(pdftotext, "-", "-")
		cmd.Stdin = strings.NewReader(string(res.body))
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{"记账凭证", "102银行存款", "211应付款", "50.00", "审核：", "制单：", "附单据1张"} {
			if !strings.Contains(text, want) {
				t.Errorf("voucher PDF lacks %q:\n%s", want, out)
			}
		}
	})
}
