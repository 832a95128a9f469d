package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func bankRow(date, summary, income, expense, balance, serial string) ledger.BankLine {
	m := func(s string) ledger.Money {
		if s == "" {
			return ledger.Money{}
		}
		return ledger.MustMoney(s)
	}
	return ledger.BankLine{Date: date, Summary: summary, Income: m(income), Expense: m(expense), Balance: m(balance), Serial: serial, Counterparty: "对方"}
}

// bankVoucher moves amount between 102 and 201 (receive) or 121 (pay).
func bankVoucher(date, summary, amount string, receive bool) ledger.VoucherInput {
	a := ledgertest.Amount(amount)
	if receive {
		return ledger.VoucherInput{Date: date, Summary: summary, Lines: []ledger.LineInput{
			{Account: "102", Debit: a}, {Account: "201", Credit: a}}}
	}
	return ledger.VoucherInput{Date: date, Summary: summary, Lines: []ledger.LineInput{
		{Account: "121", Debit: a}, {Account: "102", Credit: a}}}
}

func itemsOf(items []ledger.BankItem) string {
	var parts []string
	for _, it := range items {
		parts = append(parts, it.Date+" "+it.Amount.String())
	}
	return strings.Join(parts, "; ")
}

// TestBankReconciliation builds a March with each kind of unmatched item and
// a reference that beats the nearer date, and checks the 调节表 balances.
func TestBankReconciliation(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "BK", ledger.KindVillage, 0)
		f.Fund(t) // 102 opens at 1,000,000.00
		f.Post(t, bankVoucher("2026-03-02", "收借款", "5000.00", true))
		byRef := f.Post(t, bankVoucher("2026-03-08", "付货款 HX-002", "1200.00", false))
		nearer := f.Post(t, bankVoucher("2026-03-10", "付货款", "1200.00", false))
		f.Post(t, bankVoucher("2026-03-28", "收押金", "800.00", true))  // 企业已收银行未收
		f.Post(t, bankVoucher("2026-03-30", "付运费", "300.00", false)) // 企业已付银行未付
		fee := f.Post(t, bankVoucher("2026-04-02", "补记3月手续费", "20.00", false))

		rows := []ledger.BankLine{
			bankRow("2026-03-03", "转账收入", "5000.00", "", "1005000.00", "HX-001"),
			bankRow("2026-03-10", "转账支出", "", "1200.00", "1003800.00", "hx-002"),
			bankRow("2026-03-21", "利息", "12.34", "", "1003812.34", "HX-003"),  // 银行已收企业未收
			bankRow("2026-03-25", "手续费", "", "20.00", "1003792.34", "HX-004"), // 银行已付企业未付
		}
		file := ledger.FileImport{Book: "BK", SHA256: strings.Repeat("a", 64), FileName: "march.csv"}
		if n, err := s.ImportFileBankStatement(ctx, f.Preparer, file, "102", rows); err != nil || n != 4 {
			t.Fatalf("import: %d %v", n, err)
		}
		lines, err := s.BankLines(ctx, f.Auditor, "BK", "102", "2026-03")
		if err != nil || len(lines) != 4 {
			t.Fatalf("lines %v %v", lines, err)
		}
		if lines[1].VoucherID != byRef.ID || lines[1].MatchKind != "auto" {
			t.Fatalf("HX-002 matched to voucher %d, want %d (named by reference) not %d", lines[1].VoucherID, byRef.ID, nearer.ID)
		}
		if lines[0].VoucherID == 0 || lines[2].VoucherID != 0 || lines[3].VoucherID != 0 {
			t.Fatalf("matches %+v", lines)
		}

		r, err := s.BankReconciliation(ctx, f.Auditor, "BK", "102", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"book":           r.BookBalance.String() + "=1003100.00",
			"bank received":  itemsOf(r.BankReceivedNotBook) + "=2026-03-21 12.34",
			"bank paid":      itemsOf(r.BankPaidNotBook) + "=2026-03-25 20.00",
			"bank":           r.BankBalance.String() + "=1003792.34",
			"book received":  itemsOf(r.BookReceivedNotBank) + "=2026-03-28 800.00",
			"book paid":      itemsOf(r.BookPaidNotBank) + "=2026-03-10 1200.00; 2026-03-30 300.00",
			"adjusted book":  r.AdjustedBook.String() + "=1003092.34",
			"adjusted bank":  r.AdjustedBank.String() + "=1003092.34",
			"balanced, diff": map[bool]string{true: "yes", false: "no"}[r.Balanced] + " " + r.Difference.String() + "=yes 0.00",
		}
		for k, v := range want {
			if got, exp, _ := strings.Cut(v, "="); got != exp {
				t.Errorf("%s: got %s, want %s", k, got, exp)
			}
		}

		// The fee booked in April, matched by hand, is still 银行已付企业未付 at
		// the end of March and gone at the end of April.
		line := fee.Lines[1]
		if _, err := s.MatchBankLine(ctx, f.Preparer, "BK", lines[3].ID, ledger.MatchInput{VoucherID: fee.ID, LineNo: 1}); err == nil {
			t.Fatal("matched a 121 line")
		}
		if _, err := s.MatchBankLine(ctx, f.Preparer, "BK", lines[2].ID, ledger.MatchInput{VoucherID: fee.ID, LineNo: line.LineNo}); err == nil {
			t.Fatal("matched an expense line to an income row")
		}
		if m, err := s.MatchBankLine(ctx, f.Preparer, "BK", lines[3].ID, ledger.MatchInput{VoucherID: fee.ID, LineNo: line.LineNo}); err != nil || m.MatchKind != "manual" {
			t.Fatalf("manual match %+v %v", m, err)
		}
		if r, _ = s.BankReconciliation(ctx, f.Auditor, "BK", "102", "2026-03"); itemsOf(r.BankPaidNotBook) != "2026-03-25 20.00" || !r.Balanced {
			t.Fatalf("March after the match: %+v", r)
		}
		april, err := s.BankReconciliation(ctx, f.Auditor, "BK", "102", "2026-04")
		if err != nil {
			t.Fatal(err)
		}
		if len(april.BankPaidNotBook) != 0 || april.BookBalance.String() != "1003080.00" || !april.Balanced {
			t.Fatalf("April: %+v", april)
		}
		// Unmatching the reference match leaves both sides unmatched, still balanced.
		if _, err := s.UnmatchBankLine(ctx, f.Preparer, "BK", lines[1].ID); err != nil {
			t.Fatal(err)
		}
		if r, _ = s.BankReconciliation(ctx, f.Auditor, "BK", "102", "2026-03"); len(r.BookPaidNotBank) != 3 || len(r.BankPaidNotBook) != 2 || !r.Balanced {
			t.Fatalf("after unmatch: %+v", r)
		}
		if p := ledgertest.Invariants(ctx, s, "BK"); len(p) > 0 {
			t.Fatal(p)
		}
	})
}

// TestBankStatementRefusals: every bad row is reported at once and nothing is stored.
func TestBankStatementRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "BR", ledger.KindVillage, 0)
		rows := []ledger.BankLine{
			bankRow("2026-03-03", "转账收入", "5000.00", "", "5000.00", "A1"),
			bankRow("2026-03-32", "日期错", "1.00", "", "5001.00", "A2"),
			bankRow("2026-03-05", "两项都有", "1.00", "1.00", "5001.00", "A3"),
			bankRow("2026-03-06", "余额断", "1.00", "", "9999.00", "A4"),
			bankRow("2026-03-07", "流水号重复", "1.00", "", "10000.00", "a1"),
		}
		file := ledger.FileImport{Book: "BR", SHA256: strings.Repeat("b", 64), FileName: "bad.csv"}
		_, err := s.ImportFileBankStatement(ctx, f.Preparer, file, "102", rows)
		e, ok := err.(*ledger.Error)
		if !ok || e.Code != ledger.ECodeInvalid {
			t.Fatalf("err %v", err)
		}
		fields := map[string]bool{}
		for _, d := range e.Details {
			fields[d.Field] = true
		}
		for _, want := range []string{"rows[1].date", "rows[2].income", "rows[3].balance", "rows[4].serial"} {
			if !fields[want] {
				t.Errorf("no problem named %s in %+v", want, e.Details)
			}
		}
		if _, err := s.ImportFileBankStatement(ctx, f.Preparer, file, "121", rows[:1]); ledger.ErrorCode(err) != ledger.ECodeInvalid || !strings.Contains(err.Error(), "银行存款") {
			t.Fatalf("121 accepted: %v", err)
		}
		if ls, err := s.BankLines(ctx, f.Auditor, "BR", "102", ""); err != nil || len(ls) != 0 {
			t.Fatalf("stored %v %v", ls, err)
		}
	})
}
