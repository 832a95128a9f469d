package reports_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

const bankHeader = "日期,摘要,收入,支出,余额,对方户名,流水号\n"

// TestBankStatementCSV: a csv statement with bad rows is refused naming
// every bad cell at once and stores nothing; the good one is stored, matched,
// and its 调节表 workbook balances.
func TestBankStatementCSV(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "BC", ledger.KindVillage, 0)
		f.Post(t, ledger.VoucherInput{Date: "2026-03-02", Summary: "收借款", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("5000.00")}, {Account: "201", Credit: ledgertest.Amount("5000.00")}}})
		imp := func(body string) (reports.ImportResult, error) {
			return reports.Import(ctx, s, f.Preparer, reports.ImportRequest{Book: "BC", Kind: ledger.ImportBankStatement, Account: "102",
				FileName: "流水.csv", File: strings.NewReader(body)})
		}
		bad := bankHeader +
			"2026-03-01,期初,0.01,,0.01,,S0\n" +
			"2026-03-03,转账,5000.00,,\"5,000.01\",公司,S1\n" +
			"2026-03-33,日期错,1,,5001.01,,S2\n" +
			"2026-03-05,金额错,一千,,5001.01,,S3\n" +
			"2026-03-06,余额断,1.00,,9.99,,S4\n"
		_, err := imp(bad)
		e, ok := err.(*ledger.Error)
		if !ok || e.Code != ledger.ECodeInvalid {
			t.Fatalf("bad file: %v", err)
		}
		cells := map[string]bool{}
		for _, d := range e.Details {
			cells[d.Field] = true
		}
		for _, want := range []string{"A4", "C5", "E6"} {
			if !cells[want] {
				t.Errorf("no problem at %s: %+v", want, e.Details)
			}
		}
		if ls, _ := s.BankLines(ctx, f.Auditor, "BC", "102", ""); len(ls) != 0 {
			t.Fatalf("a refused file stored %d rows", len(ls))
		}
		good := bankHeader +
			"2026-03-03,转账,5000.00,,\"5,000.00\",公司,S1\n" +
			"2026-03-20,手续费,,2.50,4997.50,,S2\n"
		if res, err := imp(good); err != nil || res.Rows != 2 {
			t.Fatalf("good file: %+v %v", res, err)
		}
		d, err := reports.LoadBankReconciliation(ctx, s, f.Auditor, "BC", "102", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if !d.R.Balanced || d.R.BankBalance.String() != "4997.50" || len(d.R.BankPaidNotBook) != 1 {
			t.Fatalf("调节表 %+v", d.R)
		}
		var buf bytes.Buffer
		if err := reports.WriteBankReconciliation(&buf, d, reports.Options{}); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows(reports.SheetBankReconciliation)
		if err != nil {
			t.Fatal(err)
		}
		text := ""
		for _, r := range rows {
			text += strings.Join(r, "|") + "\n"
		}
		for _, want := range []string{"减：银行已付、企业未付|||2.50", "手续费　S2|2.50", "调节后的企业账面余额|||4,997.50", "调节后余额相等"} {
			if !strings.Contains(text, want) {
				t.Errorf("workbook lacks %q:\n%s", want, text)
			}
		}
		if layout, _ := x.GetPageLayout(reports.SheetBankReconciliation); layout.Size == nil || *layout.Size != 9 {
			t.Errorf("not A4: %+v", layout)
		}
	})
}
