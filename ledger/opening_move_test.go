package ledger_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestMoveOpening opens a book the previous release's way (an ordinary
// January voucher), then moves that opening into the opening-balances
// facility: refused while a month is closed, done after the township reopens,
// and afterwards the 年初 columns carry the opening and January does not.
func TestMoveOpening(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "MOVE", ledger.KindVillage, 2)
		code := f.Book.Code
		old := f.Post(t, voucher("2026-01-01", line("101", "", "1000.00", ""), line("151", "", "5000.00", ""),
			line("301", "", "", "5500.00"), line("32202", "", "", "500.00")))
		f.Post(t, voucher("2026-01-09", line("513", "", "80.00", ""), line("101", "", "", "80.00")))

		got, ok, err := s.OpeningToMove(ctx, f.Auditor, code)
		if err != nil || !ok || got.ID != old.ID {
			t.Fatalf("OpeningToMove: %v %v %d, want voucher %d", err, ok, got.ID, old.ID)
		}
		if _, err := s.ClosePeriod(ctx, f.Reviewer, code, "2026-01"); err != nil {
			t.Fatal(err)
		}
		wantRefusal(t, s, "move with a closed month", ledger.ECodeConflict, func() error { _, err := s.MoveOpening(ctx, f.Preparer, code, old.ID); return err })
		if _, err := s.ReopenPeriod(ctx, f.Township, code, "2026-01", "迁移期初余额"); err != nil {
			t.Fatal(err)
		}
		wantRefusal(t, s, "move another voucher", ledger.ECodeConflict, func() error { _, err := s.MoveOpening(ctx, f.Preparer, code, old.ID+1); return err })
		wantRefusal(t, s, "move by the auditor", ledger.ECodeForbidden, func() error { _, err := s.MoveOpening(ctx, f.Auditor, code, old.ID); return err })

		moved, err := s.MoveOpening(ctx, f.Preparer, code, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.Opening.Period != "2025-12" || moved.Opening.Status != ledger.StatusPosted || moved.Reversal.Status != ledger.StatusDraft ||
			moved.Reversal.ReversesID != old.ID || moved.Reversal.Date != old.Date {
			t.Fatalf("moved: opening %s %s, reversal %s of %d dated %s", moved.Opening.Period, moved.Opening.Status,
				moved.Reversal.Status, moved.Reversal.ReversesID, moved.Reversal.Date)
		}
		if _, err := s.PostVoucher(ctx, f.Reviewer, code, moved.Reversal.ID); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.OpeningToMove(ctx, f.Auditor, code); ok {
			t.Error("after the move OpeningToMove still names a voucher")
		}
		wantRefusal(t, s, "move twice", ledger.ECodeConflict, func() error { _, err := s.MoveOpening(ctx, f.Preparer, code, old.ID); return err })

		bs, err := s.BalanceSheet(ctx, f.Auditor, code, "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		rows := lineMap(bs.Assets, bs.Claims)
		if rows[1].First.String() != "1000.00" || rows[1].Second.String() != "920.00" || rows[37].First.String() != "500.00" {
			t.Errorf("balance sheet 货币资金 %s→%s, 未分配收益 年初 %s; want 1000.00→920.00, 500.00", rows[1].First, rows[1].Second, rows[37].First)
		}
		is, err := s.IncomeStatement(ctx, f.Auditor, code, "2026-01", "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		irows := lineMap(is.Lines)
		if irows[14].First.String() != "500.00" || irows[15].First.String() != "0.00" || is.Undistributed.First.String() != "420.00" ||
			is.Undistributed.First != rows[37].Second {
			t.Errorf("年初未分配 %s, 其他转入 %s, 年末未分配 %s (balance sheet %s)", irows[14].First, irows[15].First, is.Undistributed.First, rows[37].Second)
		}
		tb, err := s.TrialBalance(ctx, f.Auditor, code, "2026-01", "2026-01")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tb.Rows {
			if r.Code == "301" && (r.OpeningCredit.String() != "5500.00" || !r.PeriodCredit.IsZero() || !r.PeriodDebit.IsZero()) {
				t.Errorf("301 opening %s, January %s/%s", r.OpeningCredit, r.PeriodDebit, r.PeriodCredit)
			}
		}
		rep, err := s.Verify(ctx, f.Auditor, code)
		if err != nil || !rep.OK {
			t.Errorf("verify after the move: %v %v", err, rep.Problems)
		}
		if reasons := auditReasons(t, s, f, "move_opening", "voucher"); len(reasons) != 1 {
			t.Errorf("audit of the move: %v", reasons)
		}
	})
}
