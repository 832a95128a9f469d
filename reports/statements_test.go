package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// checkStatementsWorkbook writes the statements and reads every line back:
// line items as numbers, subtotals as formulas that evaluate to the ledger's amounts.
func checkStatementsWorkbook(t *testing.T, d reports.StatementsData) {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteStatements(&buf, d, testOptions()); err != nil {
		t.Fatal(err)
	}
	f := openWorkbook(t, buf.Bytes())
	head := d.Book.ChainHead
	if len(head) > 16 {
		head = head[:16]
	}
	income := reports.SheetIncome(d.Book.Kind)
	for _, sh := range []string{reports.SheetBalance, income} {
		wantSheetSetup(t, f, sh, 3, head)
	}
	wantPackage(t, buf.Bytes(), d.Book.Name+"会计报表")
	if got := cellValue(t, f, reports.SheetBalance, "A1"); got != "资产负债表" {
		t.Errorf("title %q", got)
	}
	lay := reports.BalanceLayoutOf(d.Balance)
	sums := 0
	for _, l := range append(append([]ledger.StatementLine{}, d.Balance.Assets...), d.Balance.Claims...) {
		if l.Heading {
			continue
		}
		end, start := "C", "D"
		if lay.Right[l.Row] {
			end, start = "G", "H"
		}
		r := lay.Rows[l.Row]
		if !l.Subtotal {
			wantMoneyCell(t, f, reports.SheetBalance, fmt.Sprint(end, r), l.Second)
			wantMoneyCell(t, f, reports.SheetBalance, fmt.Sprint(start, r), l.First)
			continue
		}
		if strings.HasPrefix(cellFormula(t, f, reports.SheetBalance, fmt.Sprint(end, r)), "SUM(") {
			sums++
		}
		wantCalc(t, f, reports.SheetBalance, fmt.Sprint(end, r), l.Second)
		wantCalc(t, f, reports.SheetBalance, fmt.Sprint(start, r), l.First)
	}
	if sums == 0 {
		t.Error("no subtotal is a SUM formula")
	}
	wantCalc(t, f, reports.SheetBalance, fmt.Sprint("C", lay.Last), d.Balance.TotalAssets.Second)
	wantCalc(t, f, reports.SheetBalance, fmt.Sprint("G", lay.Last), d.Balance.TotalClaims.Second)
	for i, l := range d.Income.Lines {
		r := 4 + i
		if l.Heading {
			continue
		}
		if v := cellValue(t, f, income, fmt.Sprint("A", r)); v != l.Name {
			t.Errorf("income row %d: %q, want %q", r, v, l.Name)
		}
		if !l.Subtotal {
			wantMoneyCell(t, f, income, fmt.Sprint("C", r), l.First)
			wantMoneyCell(t, f, income, fmt.Sprint("D", r), l.Second)
			continue
		}
		wantCalc(t, f, income, fmt.Sprint("C", r), l.First)
		wantCalc(t, f, income, fmt.Sprint("D", r), l.Second)
	}
}

func TestStatementsWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		f := sc.F
		amt := ledgertest.Amount
		f.Post(t, ledger.VoucherInput{Date: "2026-11-20", Summary: "经营收入与支出", Lines: []ledger.LineInput{
			{Account: "102", Debit: amt("8800.50")}, {Account: "501", Credit: amt("8800.50")},
		}})
		f.Post(t, ledger.VoucherInput{Date: "2026-11-21", Summary: "管理费用", Lines: []ledger.LineInput{
			{Account: "513", Debit: amt("1200.00")}, {Account: "102", Credit: amt("1200.00")},
		}})
		f.Post(t, ledger.VoucherInput{Date: "2026-11-22", Summary: "内部往来：借出与暂收", Lines: []ledger.LineInput{
			{Account: "113", Household: "H001", Debit: amt("300.00")}, {Account: "113", Household: "H002", Credit: amt("500.00")},
			{Account: "102", Debit: amt("200.00")},
		}})
		d, err := reports.LoadStatements(ctx, s, f.Auditor, "P1", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		if !d.Balance.Balanced || d.Income.NetIncome.First.IsZero() {
			t.Fatalf("scenario statements: balanced %v, net income %s", d.Balance.Balanced, d.Income.NetIncome.First)
		}
		checkStatementsWorkbook(t, d)

		// After year-end closing the statements read the same income and still balance.
		vs, err := s.PrepareYearEnd(ctx, f.Preparer, "P1", 2026)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if _, err := s.PostVoucher(ctx, f.Reviewer, "P1", v.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CloseYear(ctx, f.Township, "P1", 2026); err != nil {
			t.Fatal(err)
		}
		closed, err := reports.LoadStatements(ctx, s, f.Auditor, "P1", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		if !closed.Balance.Balanced || closed.Income.NetIncome.First != d.Income.NetIncome.First {
			t.Errorf("after closing: balanced %v, net income %s (was %s)", closed.Balance.Balanced, closed.Income.NetIncome.First, d.Income.NetIncome.First)
		}
		checkStatementsWorkbook(t, closed)

		coop := ledgertest.NewFixture(t, s, "HZ1", ledger.KindCooperative, 3)
		coop.Post(t, ledger.VoucherInput{Date: "2026-03-02", Summary: "成员入股", Lines: []ledger.LineInput{
			{Account: "102", Debit: amt("30000.00")}, {Account: "301", Household: "H001", Credit: amt("30000.00")},
		}})
		coop.Post(t, ledger.VoucherInput{Date: "2026-05-02", Summary: "销售产品", Lines: []ledger.LineInput{
			{Account: "114", Household: "H002", Debit: amt("4500.00")}, {Account: "501", Credit: amt("4500.00")},
		}})
		cd, err := reports.LoadStatements(ctx, s, coop.Auditor, "HZ1", "2026-06")
		if err != nil {
			t.Fatal(err)
		}
		if cd.Income.Title != "盈余及盈余分配表" || !cd.Balance.Balanced {
			t.Errorf("cooperative: %s balanced %v", cd.Income.Title, cd.Balance.Balanced)
		}
		checkStatementsWorkbook(t, cd)
	})
}

func TestTownshipStatementsWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		d, err := reports.LoadTownshipStatements(ctx, s, sc.G.Township, "T01", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := reports.WriteTownshipStatements(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		g := d.Statements.Groups[0]
		if len(d.Statements.Groups) != 1 || len(g.BalanceSheets) != 2 {
			t.Fatalf("groups %+v", d.Statements.Groups)
		}
		sheet := reports.TownshipBalanceSheet(ledger.KindVillage)
		wantSheetSetup(t, f, sheet, 3, "")
		sum := reports.TownshipStatementColumn(2)
		lines := append(append([]ledger.StatementLine{}, g.SumBalance.Assets...), g.SumBalance.Claims...)
		for i, l := range lines {
			if l.Heading {
				continue
			}
			r := 4 + i
			wantCalc(t, f, sheet, fmt.Sprint(sum, r), l.Second)
			if !l.Subtotal {
				wantMoneyCell(t, f, sheet, fmt.Sprint("C", r), bookLine(g.BalanceSheets[0], l.Row).Second)
			}
		}
		income := reports.TownshipIncomeSheet(ledger.KindVillage)
		for i, l := range g.SumIncome.Lines {
			wantCalc(t, f, income, fmt.Sprint(sum, 4+i), l.First) // 本年金额
		}
	})
}

func bookLine(bs ledger.BalanceSheet, row int) ledger.StatementLine {
	for _, l := range append(append([]ledger.StatementLine{}, bs.Assets...), bs.Claims...) {
		if l.Row == row {
			return l
		}
	}
	return ledger.StatementLine{}
}
