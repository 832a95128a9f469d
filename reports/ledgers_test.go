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

func TestTrialBalanceWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		d, err := reports.LoadTrialBalance(ctx, s, sc.F.Auditor, "P1", "2026-08", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := reports.WriteTrialBalance(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		wantSheetSetup(t, f, "科目余额表", 3, head16(ledger.Book{ChainHead: d.Book.ChainHead}))
		wantPackage(t, buf.Bytes(), "科目余额表")
		if v := cellValue(t, f, "科目余额表", "A2"); !strings.Contains(v, "2026年8月至2026年12月") {
			t.Errorf("subtitle %q", v)
		}
		tb := d.TB
		if !tb.Balanced || tb.Totals.OpeningDebit.IsZero() || tb.Totals.PeriodDebit.IsZero() {
			t.Fatalf("scenario should have opening and period amounts: %+v", tb.Totals)
		}
		for i, r := range tb.Rows {
			n := fmt.Sprint(4 + i)
			if cellValue(t, f, "科目余额表", "A"+n) != r.Code {
				t.Fatalf("row %s code %q, want %s", n, cellValue(t, f, "科目余额表", "A"+n), r.Code)
			}
			wantMoneyCell(t, f, "科目余额表", "D"+n, r.OpeningDebit)
			wantMoneyCell(t, f, "科目余额表", "G"+n, r.PeriodCredit)
			wantMoneyCell(t, f, "科目余额表", "I"+n, r.ClosingCredit)
		}
		tr := reports.TrialBalanceTotalRow(d)
		if got := cellFormula(t, f, "科目余额表", fmt.Sprint("D", tr)); !strings.HasPrefix(got, "SUM(D4,") {
			t.Errorf("total formula %q", got)
		}
		for c, want := range map[string]ledger.Money{"D": tb.Totals.OpeningDebit, "E": tb.Totals.OpeningCredit, "F": tb.Totals.PeriodDebit,
			"G": tb.Totals.PeriodCredit, "H": tb.Totals.ClosingDebit, "I": tb.Totals.ClosingCredit} {
			wantCalc(t, f, "科目余额表", fmt.Sprint(c, tr), want)
		}
		for _, c := range []string{"D", "F", "H"} {
			wantCalc(t, f, "科目余额表", fmt.Sprint(c, tr+1), ledger.Money{})
		}
	})
}

func TestAccountLedgerWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		d, err := reports.LoadAccountLedgers(ctx, s, sc.F.Auditor, "P1", nil, "", "2026-07", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Ledgers) < 4 {
			t.Fatalf("%d ledgers", len(d.Ledgers))
		}
		var buf bytes.Buffer
		if err := reports.WriteAccountLedgers(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		wantPackage(t, buf.Bytes(), "明细账")
		for i, lay := range reports.LedgerLayoutOf(d) {
			l := d.Ledgers[i]
			if f.GetSheetList()[i] != lay.Sheet || !strings.HasPrefix(lay.Sheet, l.Account.Code+" ") {
				t.Fatalf("sheet %d = %q, want %q", i, f.GetSheetList()[i], lay.Sheet)
			}
			wantSheetSetup(t, f, lay.Sheet, 3, d.Book.ChainHead[:16])
			wantCalc(t, f, lay.Sheet, fmt.Sprint("E", lay.TotalRow), l.Debit)
			wantCalc(t, f, lay.Sheet, fmt.Sprint("F", lay.TotalRow), l.Credit)
			wantMoneyCell(t, f, lay.Sheet, fmt.Sprint("H", lay.ClosingRow), l.Closing.Amount)
			if cellValue(t, f, lay.Sheet, fmt.Sprint("G", lay.ClosingRow)) != l.Closing.Side {
				t.Errorf("%s closing side", lay.Sheet)
			}
			for j, e := range l.Entries {
				wantMoneyCell(t, f, lay.Sheet, fmt.Sprint("H", lay.FirstEntry+j), e.Balance.Amount)
			}
		}
		// One household's sub-ledger of one account.
		d, err = reports.LoadAccountLedgers(ctx, s, sc.F.Auditor, "P1", []string{"21101"}, "H001", "2026-07", "2026-12")
		if err != nil || len(d.Ledgers) != 1 || d.Ledgers[0].Credit.String() != "665.00" ||
			d.Ledgers[0].Closing.Amount != d.Ledgers[0].Credit.Sub(d.Ledgers[0].Debit) {
			t.Fatalf("21101/H001: %+v %v", d.Ledgers, err)
		}
	})
}

func TestHouseholdStatementWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		d, err := reports.LoadHouseholdStatement(ctx, s, sc.F.Auditor, "P1", "H001", "2026-07", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := reports.WriteHouseholdStatement(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		wantPackage(t, buf.Bytes(), "农户收益明细")
		for _, sh := range []string{"收益明细", "往来明细"} {
			wantSheetSetup(t, f, sh, 3, d.Book.ChainHead[:16])
		}
		sub := cellValue(t, f, "收益明细", "A2")
		if strings.Contains(sub, d.Statement.Household.IDNumber) || !strings.Contains(sub, ledger.MaskIDNumber(d.Statement.Household.IDNumber)) {
			t.Errorf("subtitle shows the full ID number: %q", sub)
		}
		var entitled, accrued, paid, outstanding ledger.Money
		for _, p := range d.Statement.Payouts {
			entitled, accrued, paid, outstanding = entitled.Add(p.Entitled), accrued.Add(p.Accrued), paid.Add(p.Paid), outstanding.Add(p.Outstanding)
		}
		if paid.String() != "1000.00" || len(d.Statement.Payouts) < 4 {
			t.Fatalf("payouts %+v", d.Statement.Payouts)
		}
		tr := fmt.Sprint(reports.StatementTotalRow(d))
		wantCalc(t, f, "收益明细", "D"+tr, entitled)
		wantCalc(t, f, "收益明细", "E"+tr, accrued)
		wantCalc(t, f, "收益明细", "F"+tr, paid)
		wantCalc(t, f, "收益明细", "G"+tr, outstanding)
		rows, err := f.GetRows("往来明细")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(rows), "21101") || !strings.Contains(fmt.Sprint(rows), "期末余额") {
			t.Errorf("accounts sheet %v", rows)
		}
	})
}
