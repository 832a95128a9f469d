package ledger_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// approvedQ3 approves the fixture's 2026Q3 run with the clock on 2026-10-10.
func approvedQ3(t *testing.T, s *ledger.Store) (ledgertest.Fixture, ledger.PayoutRun) {
	t.Helper()
	ctx := context.Background()
	s.SetClock(func() time.Time { return time.Date(2026, 10, 10, 9, 0, 0, 0, time.UTC) })
	f := payoutFixture(t, s)
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		t.Fatal(err)
	}
	if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	return f, run
}

func householdPaid(t *testing.T, s *ledger.Store, a ledger.Actor, runID int64, household string) ledger.HouseholdPayout {
	t.Helper()
	run, err := s.PayoutRun(context.Background(), a, "P1", runID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range run.Households {
		if h.Household == household {
			return h
		}
	}
	t.Fatalf("household %s not in run %d", household, runID)
	return ledger.HouseholdPayout{}
}

func TestReversedPaymentVoucherUndoesPayment(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, run := approvedQ3(t, s)
		pays, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H004", Amount: ledger.MustMoney("3286.72"), Date: "2026-10-08", Method: "bank", Reference: "REV-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if h := householdPaid(t, s, f.Auditor, run.ID, "H004"); h.Paid.String() != "3286.72" || !h.Outstanding.IsZero() {
			t.Fatalf("after payment: %+v", h)
		}
		draft, err := s.ReverseVoucher(ctx, f.Preparer, "P1", pays[0].VoucherID, ledger.ReverseInput{Date: "2026-10-09"})
		if err != nil {
			t.Fatal(err)
		}
		// A reversal still in draft undoes nothing.
		if h := householdPaid(t, s, f.Auditor, run.ID, "H004"); h.Paid.String() != "3286.72" {
			t.Fatalf("draft reversal changed paid: %+v", h)
		}
		rev, err := s.PostVoucher(ctx, f.Reviewer, "P1", draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h := householdPaid(t, s, f.Auditor, run.ID, "H004"); !h.Paid.IsZero() || h.Outstanding.String() != "3286.72" {
			t.Fatalf("after reversal the run says %+v, want unpaid", h)
		}
		list, err := s.Payments(ctx, f.Auditor, "P1", run.ID)
		if err != nil || len(list) != 1 || list[0].ReversalVoucherID != rev.ID {
			t.Fatalf("payments %+v %v, want reversal %d named", list, err, rev.ID)
		}
		st, err := s.HouseholdStatement(ctx, f.Auditor, "P1", "H004", "2026-07", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		var paid ledger.Money
		named := false
		for _, p := range st.Payouts {
			paid = paid.Add(p.Paid)
			for _, v := range p.Vouchers {
				named = named || v == rev.ID
			}
		}
		if !paid.IsZero() || !named {
			t.Fatalf("statement paid %s, reversal %d named %v: %+v", paid, rev.ID, named, st.Payouts)
		}
		link, err := s.CreateHouseholdLink(ctx, f.Township, "P1", "H004")
		if err != nil {
			t.Fatal(err)
		}
		view, err := s.PublicHousehold(ctx, "P1", link.Token)
		if err != nil {
			t.Fatal(err)
		}
		label := rev.Period[:4] + "年" + strings.TrimLeft(rev.Period[5:], "0") + "月" + rev.Number
		if !view.Paid.IsZero() || !strings.Contains(strings.Join(publicVouchers(view), " "), label) {
			t.Fatalf("public page paid %s vouchers %v, want 0 and %s", view.Paid, publicVouchers(view), label)
		}
		rec, err := s.Reconcile(ctx, f.Auditor, "P1", "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		if !rec.OK {
			t.Fatalf("reconciliation after a reversed payment: %s %+v", rec.Verdict, rec.Findings)
		}
		for _, row := range rec.Rows {
			if row.Household == "H004" && !row.Paid.IsZero() {
				t.Fatalf("reconciliation row still paid: %+v", row)
			}
		}
		// The reference of a reversed payment may be used again; once only.
		if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H004", Amount: ledger.MustMoney("3286.72"), Date: "2026-10-09", Method: "bank", Reference: "rev-1"}}); err != nil {
			t.Fatalf("paying again with the reversed payment's reference: %v", err)
		}
		if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-09", Method: "bank", Reference: "REV-1"}}); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("reference reused while its payment stands: %v", err)
		}
		if h := householdPaid(t, s, f.Auditor, run.ID, "H004"); h.Paid.String() != "3286.72" {
			t.Fatalf("paid again: %+v", h)
		}
		if rep, err := s.Verify(ctx, f.Auditor, "P1"); err != nil || !rep.OK {
			t.Fatalf("verify %+v %v", rep, err)
		}
	})
}

func publicVouchers(v ledger.HouseholdView) []string {
	var out []string
	for _, q := range v.Quarters {
		for _, p := range q.Payouts {
			out = append(out, p.Vouchers...)
		}
	}
	return out
}

func TestBankReferencesAreNormalised(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, run := approvedQ3(t, s)
		if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-08", Method: "bank", Reference: "DUPREF-1"}}); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{"dupref-1", " DUPREF-1", "DUPREF-1 ", "ＤＵＰＲＥＦ-1", "ｄｕｐｒｅｆ－１"} {
			before := ledgertest.Digest(t, s)
			_, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
				{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-08", Method: "bank", Reference: ref}})
			if ledger.ErrorCode(err) != ledger.ECodeConflict || !strings.Contains(err.Error(), "DUPREF-1") || ledgertest.Digest(t, s) != before {
				t.Errorf("reference %q: %v", ref, err)
			}
		}
		for _, ref := range []string{"DUPREF\u200b-1", "DUPREF-1\u202e", "\u2066DUPREF-1", "DUP\tREF"} {
			_, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
				{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-08", Method: "cash", Reference: ref}})
			if ledger.ErrorCode(err) != ledger.ECodeInvalid || !strings.Contains(err.Error(), "payments[0].reference") || !strings.Contains(err.Error(), "控制") {
				t.Errorf("reference %q: %v", ref, err)
			}
		}
		// Full-width input is stored in its NFKC form.
		pays, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-08", Method: "bank", Reference: " ＮＥＷ-２ "}})
		if err != nil || pays[0].Reference != "NEW-2" {
			t.Fatalf("stored %+v %v", pays, err)
		}
		// A reference stored raw by the previous release gets its key when the
		// store migrates, and collides like a new one.
		if _, err := s.DB().ExecContext(ctx, "UPDATE payments SET reference = ?, reference_key = NULL WHERE book_id = ? AND id = ?",
			"ＯＬＤ​-３", f.Book.ID, pays[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-08", Method: "bank", Reference: "old-3"}})
		if ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("old raw reference: %v", err)
		}
		// Two references colliding in one batch are refused.
		_, err = s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-10-08", Method: "bank", Reference: "X-9"},
			{Household: "H002", Amount: ledger.MustMoney("0.01"), Date: "2026-10-08", Method: "bank", Reference: "x-9"}})
		if ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("batch duplicate: %v", err)
		}
	})
}

func TestReferenceKey(t *testing.T) {
	want := "dupref-1"
	for _, in := range []string{"DUPREF-1", "dupref-1", " DUPREF-1", "DUPREF\u200b-1", "ＤＵＰＲＥＦ-1", "\u202eDUPREF-1\u202c", "\ufeffDupRef-1"} {
		if got := ledger.ReferenceKey(in); got != want {
			t.Errorf("ReferenceKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPaymentDateWindow(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, run := approvedQ3(t, s) // accrued on 2026-09-30, today 2026-10-10
		for date, want := range map[string]string{
			"2026-09-29": "早于本次分配的计提日期 2026-09-30",
			"2026-10-14": "晚于今天后 3 天（2026-10-13）",
			"2029-01-01": "晚于今天后 3 天",
		} {
			before := ledgertest.Digest(t, s)
			_, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
				{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: date, Method: "cash"}})
			if ledger.ErrorCode(err) != ledger.ECodeInvalid || !strings.Contains(err.Error(), "payments[0].date") ||
				!strings.Contains(err.Error(), want) || ledgertest.Digest(t, s) != before {
				t.Errorf("payment dated %s: %v, want %q", date, err, want)
			}
		}
		for _, date := range []string{"2026-09-30", "2026-10-13"} {
			if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
				{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: date, Method: "cash"}}); err != nil {
				t.Errorf("payment dated %s: %v", date, err)
			}
		}
	})
}

func TestApprovalDatesAccrualsOnTheApprovalDay(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		s.SetClock(func() time.Time { return time.Date(2026, 8, 20, 2, 0, 0, 0, time.UTC) })
		f := payoutFixture(t, s)
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		before := ledgertest.Digest(t, s)
		_, err = s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{Date: "2026-09-30"})
		if ledger.ErrorCode(err) != ledger.ECodeInvalid || !strings.Contains(err.Error(), "date") || ledgertest.Digest(t, s) != before {
			t.Fatalf("accrual dated in the future: %v", err)
		}
		if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		v, err := s.Voucher(ctx, f.Auditor, "P1", run.Lines[0].AccrualVoucherID)
		if err != nil || v.Date != "2026-08-20" {
			t.Fatalf("accrual voucher dated %s (%v), want the approval day 2026-08-20", v.Date, err)
		}
		// And a payment the next day is accepted at once.
		if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-08-21", Method: "cash"}}); err != nil {
			t.Fatal(err)
		}
	})
}
