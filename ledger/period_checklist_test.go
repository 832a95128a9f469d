package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func checkOf(t *testing.T, cl ledger.MonthChecklist, key string) ledger.MonthCheck {
	t.Helper()
	for _, c := range cl.Checks {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", key, cl.Checks)
	return ledger.MonthCheck{}
}

// TestMonthChecklist: drafts and an open previous month block 结账 (as
// ClosePeriod refuses), a bank account without its statement is flagged, and
// a balanced 调节表 passes.
func TestMonthChecklist(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "MC", ledger.KindVillage, 0)
		f.Fund(t)
		f.Post(t, bankVoucher("2026-01-05", "收借款", "5000.00", true))
		if _, err := s.CreateVoucher(ctx, f.Preparer, "MC", bankVoucher("2026-01-20", "付货款", "300.00", false)); err != nil {
			t.Fatal(err)
		}
		cl, err := s.MonthChecklist(ctx, f.Auditor, "MC", "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		if cl.Closable || cl.Drafts != 1 || checkOf(t, cl, ledger.CheckDrafts).OK || !checkOf(t, cl, ledger.CheckPrevious).OK {
			t.Errorf("a month with a draft: %+v", cl)
		}
		if c := checkOf(t, cl, ledger.CheckBank); c.OK || !strings.Contains(c.Detail, "102 尚未导入银行对账单") {
			t.Errorf("bank without a statement: %+v", c)
		}
		if c := checkOf(t, cl, ledger.CheckTrialBalance); !c.OK || !strings.Contains(c.Detail, "本期借方 5000.00") {
			t.Errorf("trial balance: %+v", c)
		}
		if feb, err := s.MonthChecklist(ctx, f.Auditor, "MC", "2026-02"); err != nil || feb.Closable || checkOf(t, feb, ledger.CheckPrevious).OK {
			t.Errorf("February with January open: %+v %v", feb, err)
		}

		rows := []ledger.BankLine{bankRow("2026-01-05", "转账收入", "5000.00", "", "1005000.00", "MC-001")}
		file := ledger.FileImport{Book: "MC", SHA256: strings.Repeat("c", 64), FileName: "jan.csv"}
		if _, err := s.ImportFileBankStatement(ctx, f.Preparer, file, "102", rows); err != nil {
			t.Fatal(err)
		}
		drafts, err := s.Vouchers(ctx, f.Preparer, "MC", ledger.VoucherFilter{Status: ledger.StatusDraft})
		if err != nil || len(drafts) != 1 {
			t.Fatalf("drafts %v %v", drafts, err)
		}
		if err := s.DeleteVoucher(ctx, f.Preparer, "MC", drafts[0].ID); err != nil {
			t.Fatal(err)
		}
		cl, err = s.MonthChecklist(ctx, f.Auditor, "MC", "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		if c := checkOf(t, cl, ledger.CheckBank); !c.OK || !strings.Contains(c.Detail, "102 调节后余额相符") {
			t.Errorf("bank after its statement: %+v", c)
		}
		if !cl.Closable {
			t.Errorf("January not closable: %+v", cl.Checks)
		}
		if _, err := s.MonthChecklist(ctx, f.Auditor, "MC", "2025-12"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("a month before the book: %v", err)
		}
	})
}
