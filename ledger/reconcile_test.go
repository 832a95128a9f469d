package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// reconScenario is payoutFixture's quarter approved by the reviewer and
// partly paid: H001 1000.00 (B1), H004 in full (B2).
type reconScenario struct {
	f        ledgertest.Fixture
	run      ledger.PayoutRun
	payments []ledger.Payment
}

func newReconScenario(t *testing.T, s *ledger.Store) reconScenario {
	t.Helper()
	ctx := context.Background()
	f := payoutFixture(t, s)
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		t.Fatal(err)
	}
	if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	pays, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
		{Household: "H001", Amount: ledger.MustMoney("1000.00"), Date: "2026-10-08", Method: "bank", Reference: "B1"},
		{Household: "H004", Amount: ledger.MustMoney("3286.72"), Date: "2026-10-08", Method: "bank", Reference: "B2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return reconScenario{f: f, run: run, payments: pays}
}

// label cites a voucher by id the way findings do.
func label(t *testing.T, s *ledger.Store, f ledgertest.Fixture, id int64) string {
	t.Helper()
	v, err := s.Voucher(context.Background(), f.Auditor, f.Book.Code, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Label()
}

// accrualOf returns the accrual voucher of the run line of a household and agreement.
func (sc reconScenario) accrualOf(t *testing.T, household, agreement string) int64 {
	t.Helper()
	for _, l := range sc.run.Lines {
		if l.Household == household && l.Agreement == agreement {
			return l.AccrualVoucherID
		}
	}
	t.Fatalf("no run line %s/%s", household, agreement)
	return 0
}

func reconcile(t *testing.T, s *ledger.Store, f ledgertest.Fixture) ledger.Reconciliation {
	t.Helper()
	r, err := s.Reconcile(context.Background(), f.Auditor, f.Book.Code, "2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// requireFinding fails unless a finding (or review) of check names voucher.
func requireFinding(t *testing.T, list []ledger.Finding, check, voucher string) ledger.Finding {
	t.Helper()
	for _, f := range list {
		if f.Check != check {
			continue
		}
		for _, v := range f.Vouchers {
			if v == voucher && strings.Contains(f.Message, voucher) {
				return f
			}
		}
	}
	t.Fatalf("no %s naming %s in %s", check, voucher, dumpFindings(list))
	return ledger.Finding{}
}

func dumpFindings(list []ledger.Finding) string {
	var b strings.Builder
	for _, f := range list {
		b.WriteString("\n  " + f.Check + ": " + f.Message + " " + strings.Join(f.Vouchers, ","))
	}
	return b.String()
}

// dropTrigger removes the immutability trigger on voucher lines, as someone
// with direct database access would.
func dropTrigger(t *testing.T, s *ledger.Store, sqliteName string) {
	t.Helper()
	q := "DROP TRIGGER " + sqliteName
	if s.Dialect() == ledger.Postgres {
		q = "DROP TRIGGER voucher_lines_immutable ON voucher_lines"
	}
	if _, err := s.DB().ExecContext(context.Background(), q); err != nil {
		t.Fatal(err)
	}
}

func TestReconcileClean(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		sc := newReconScenario(t, s)
		r := reconcile(t, s, sc.f)
		if !r.OK || len(r.Findings) != 0 || len(r.Reviews) != 0 || !strings.HasPrefix(r.Verdict, ledger.VerdictReconciles) {
			t.Fatalf("clean scenario: %s%s%s", r.Verdict, dumpFindings(r.Findings), dumpFindings(r.Reviews))
		}
		c := r.Counts
		if c.Rows != 9 || c.Runs != 1 || c.Payments != 2 || c.Paid.String() != "4286.72" || c.Accrued != sc.run.Total ||
			c.Entitled != sc.run.Total || c.Outstanding != sc.run.Total.Sub(c.Paid) {
			t.Fatalf("counts %+v, run total %s", c, sc.run.Total)
		}
		for _, row := range r.Rows {
			if !row.OK || row.Accrued != row.Entitled || row.Outstanding != row.Accrued.Sub(row.Paid) || len(row.Vouchers) == 0 {
				t.Fatalf("row %+v", row)
			}
			if row.Household == "H004" && !row.Outstanding.IsZero() {
				t.Fatalf("H004 paid in full: %+v", row)
			}
		}
		if len(r.Controls) == 0 {
			t.Fatal("no control account checked")
		}
		for _, c := range r.Controls {
			if !c.OK {
				t.Fatalf("control %+v", c)
			}
		}
		if r.ChainHead.Seq == 0 || r.ChainHead.Label == "" {
			t.Fatalf("chain head %+v", r.ChainHead)
		}
		if !strings.Contains(r.Verdict, "差异 0 项") {
			t.Fatalf("verdict %q", r.Verdict)
		}
		// Each cited voucher names the path that posted it.
		vias := map[string]int{}
		for _, via := range r.VoucherPaths {
			vias[via]++
		}
		if vias[ledger.ViaPayoutApproval] == 0 || vias[ledger.ViaPayment] == 0 || len(vias) != 2 {
			t.Fatalf("voucher paths %v", r.VoucherPaths)
		}
	})
}

func TestReconcileFindsChangedAccrual(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newReconScenario(t, s)
		v := sc.accrualOf(t, "H002", "GJ")
		dropTrigger(t, s, "voucher_lines_immutable_update")
		if _, err := s.DB().ExecContext(ctx, "UPDATE voucher_lines SET credit_fen = credit_fen + 10000 WHERE book_id = ? AND voucher_id = ? AND household_code = 'H002'",
			sc.f.Book.ID, v); err != nil {
			t.Fatal(err)
		}
		want := label(t, s, sc.f, v)
		r := reconcile(t, s, sc.f)
		if r.OK || !strings.HasPrefix(r.Verdict, ledger.VerdictDoesNotMatch) {
			t.Fatalf("verdict %s", r.Verdict)
		}
		requireFinding(t, r.Findings, ledger.CheckAccrual, want)
		requireFinding(t, r.Findings, ledger.CheckEntitlement, want)
		requireFinding(t, r.Findings, ledger.CheckControl, want)
		rep, err := s.Verify(ctx, sc.f.Auditor, "P1")
		if err != nil || rep.OK || rep.FirstBad != verifyLabel(t, s, sc.f, v) {
			t.Fatalf("verify: first bad %q, want %q: %v %v", rep.FirstBad, want, rep.Problems, err)
		}
	})
}

func TestReconcileFindsChangedRunLine(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newReconScenario(t, s)
		v := sc.accrualOf(t, "H003", "ZJ")
		if _, err := s.DB().ExecContext(ctx, "UPDATE payout_lines SET amount_fen = amount_fen + 1 WHERE book_id = ? AND household_code = 'H003' AND agreement_code = 'ZJ'",
			sc.f.Book.ID); err != nil {
			t.Fatal(err)
		}
		r := reconcile(t, s, sc.f)
		requireFinding(t, r.Findings, ledger.CheckAccrual, label(t, s, sc.f, v))
	})
}

func TestReconcileFindsDeletedLine(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newReconScenario(t, s)
		v := sc.accrualOf(t, "H001", "ZJ")
		dropTrigger(t, s, "voucher_lines_immutable_delete")
		if _, err := s.DB().ExecContext(ctx, "DELETE FROM voucher_lines WHERE book_id = ? AND voucher_id = ? AND household_code = 'H001'", sc.f.Book.ID, v); err != nil {
			t.Fatal(err)
		}
		want := label(t, s, sc.f, v)
		r := reconcile(t, s, sc.f)
		requireFinding(t, r.Findings, ledger.CheckAccrual, want)
		requireFinding(t, r.Findings, ledger.CheckControl, want)
		rep, err := s.Verify(ctx, sc.f.Auditor, "P1")
		if err != nil || rep.OK || rep.FirstBad != verifyLabel(t, s, sc.f, v) {
			t.Fatalf("verify: first bad %q, want %q: %v %v", rep.FirstBad, want, rep.Problems, err)
		}
	})
}

// manualPayment posts Dr 21102—household / Cr 102 through the API: money
// paid to a household without any run.
func manualPayment(t *testing.T, f ledgertest.Fixture, date, household, amount string) ledger.Voucher {
	t.Helper()
	return f.Post(t, ledger.VoucherInput{Date: date, Summary: "付农户分红", Lines: []ledger.LineInput{
		{Account: "21102", Household: household, Debit: ledgertest.Amount(amount)},
		{Account: "102", Credit: ledgertest.Amount(amount)},
	}})
}

func TestReconcileFindsPaymentWithoutRun(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		sc := newReconScenario(t, s)
		// A voucher paying a household outside any run, and a payment row
		// inserted behind the ledger's back that names a run that does not exist.
		manual := manualPayment(t, sc.f, "2026-09-20", "H002", "50.00")
		forged := manualPayment(t, sc.f, "2026-09-21", "H003", "60.00")
		withoutForeignKeys(t, s, func(exec func(string, ...any)) {
			exec(`INSERT INTO payments (book_id, id, run_id, household_code, amount_fen, date, method, reference, voucher_id, created_at, created_by)
				VALUES (?, 900, 999, 'H003', 6000, '2026-09-21', 'bank', 'FORGED', ?, '2026-09-21T00:00:00Z', 0)`, sc.f.Book.ID, forged.ID)
		})
		r := reconcile(t, s, sc.f)
		requireFinding(t, r.Findings, ledger.CheckUntraced, manual.Label())
		requireFinding(t, r.Findings, ledger.CheckUntraced, forged.Label())
		if r.OK {
			t.Fatal("reconciles with untraced payments")
		}
	})
}

// withoutForeignKeys runs statements on one connection with foreign keys
// (SQLite) or all triggers and constraints (PostgreSQL) switched off.
func withoutForeignKeys(t *testing.T, s *ledger.Store, fn func(exec func(string, ...any))) {
	t.Helper()
	ctx := context.Background()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	off, on := "PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"
	if s.Dialect() == ledger.Postgres {
		off, on = "SET session_replication_role = replica", "RESET session_replication_role"
	}
	if _, err := conn.ExecContext(ctx, off); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, on)
	fn(func(q string, args ...any) {
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	})
}

func TestReconcileFindsPaymentTampering(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newReconScenario(t, s)
		p := sc.payments[0] // H001, B1
		db := s.DB()
		// The same run line paid again by a second payment row, and a bank
		// reference reused, behind the ledger's back (references are unique
		// among unreversed payments by the ledger's check, not an index).
		if _, err := db.ExecContext(ctx, `INSERT INTO payments (book_id, id, run_id, household_code, amount_fen, date, method, reference, reference_key,
			voucher_id, created_at, created_by) SELECT book_id, 901, run_id, household_code, amount_fen, date, method, reference, reference_key,
			voucher_id, created_at, created_by FROM payments WHERE book_id = ? AND id = ?`,
			sc.f.Book.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO payment_allocations (book_id, payment_id, run_id, line_no, amount_fen)
			SELECT book_id, 901, run_id, line_no, amount_fen FROM payment_allocations WHERE book_id = ? AND payment_id = ?`, sc.f.Book.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		// A payment to a household outside the run (H002 has lines; use one without).
		if _, err := s.CreateHousehold(ctx, sc.f.Preparer, "P1", ledger.Household{Code: "H009", HeadName: "外户", IDNumber: ledgertest.IDNumber(9009),
			Members: 1, Status: ledger.StatusOrdinary}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO payments (book_id, id, run_id, household_code, amount_fen, date, method, reference, voucher_id, created_at, created_by)
			VALUES (?, 902, ?, 'H009', 100, '2026-10-08', 'cash', '', ?, '2026-10-08T00:00:00Z', 0)`, sc.f.Book.ID, sc.run.ID, p.VoucherID); err != nil {
			t.Fatal(err)
		}
		want := label(t, s, sc.f, p.VoucherID)
		r := reconcile(t, s, sc.f)
		requireFinding(t, r.Findings, ledger.CheckReference, want)
		requireFinding(t, r.Findings, ledger.CheckOutsideRun, want)
		requireFinding(t, r.Findings, ledger.CheckPaymentVoucher, want)
		if !hasCheck(r.Findings, ledger.CheckPaidTwice) && !hasCheck(r.Findings, ledger.CheckOverpaid) {
			t.Fatalf("double payment not found:%s", dumpFindings(r.Findings))
		}
	})
}

func hasCheck(list []ledger.Finding, check string) bool {
	for _, f := range list {
		if f.Check == check {
			return true
		}
	}
	return false
}

func TestReconcileListsSelfApprovalAndReopening(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		const why = "本村只有一名报账员"
		if _, err := s.SetSegregationOptOut(ctx, f.Township, "P1", true, why); err != nil {
			t.Fatal(err)
		}
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		if run, err = s.ApprovePayoutRun(ctx, f.Preparer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetSegregationOptOut(ctx, f.Township, "P1", false, ""); err != nil {
			t.Fatal(err)
		}
		for p := ledger.Period("2026-01"); p <= "2026-09"; p = p.Add(1) {
			if _, err := s.ClosePeriod(ctx, f.Township, "P1", string(p)); err != nil {
				t.Fatal(err)
			}
		}
		const reopenWhy = "补记九月漏记的收入"
		if _, err := s.ReopenPeriod(ctx, f.Township, "P1", "2026-09", reopenWhy); err != nil {
			t.Fatal(err)
		}
		late := f.Post(t, rentVoucher("2026-09-28", "H001", "12.00"))

		r := reconcile(t, s, f)
		accrual := label(t, s, f, run.Lines[0].AccrualVoucherID)
		got := requireFinding(t, r.Reviews, ledger.CheckSelfApproved, accrual)
		if got.Reason != why || !strings.Contains(got.Message, why) || got.RunID != run.ID {
			t.Fatalf("self-approval review %+v", got)
		}
		got = requireFinding(t, r.Reviews, ledger.CheckReopened, late.Label())
		if got.Reason != reopenWhy || got.Period != "2026-09" || !strings.Contains(got.Message, reopenWhy) {
			t.Fatalf("reopening review %+v", got)
		}
		requireFinding(t, r.Reviews, ledger.CheckManualPosting, late.Label())
		if !r.OK || hasCheck(r.Findings, ledger.CheckSegregation) {
			t.Fatalf("reviews only expected:%s", dumpFindings(r.Findings))
		}
		if !strings.Contains(r.Verdict, "需复核 3 项") && r.Counts.Reviews < 3 {
			t.Fatalf("verdict %s", r.Verdict)
		}
	})
}

func TestReconcileFindsSelfApprovalWithoutOptOut(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newReconScenario(t, s)
		// Rewrite the approver behind the ledger's back.
		if _, err := s.DB().ExecContext(ctx, "UPDATE payout_runs SET approver_id = preparer_id WHERE book_id = ? AND id = ?", sc.f.Book.ID, sc.run.ID); err != nil {
			t.Fatal(err)
		}
		r := reconcile(t, s, sc.f)
		got := requireFinding(t, r.Findings, ledger.CheckSegregation, label(t, s, sc.f, sc.run.Lines[0].AccrualVoucherID))
		if got.RunID != sc.run.ID || r.OK {
			t.Fatalf("finding %+v", got)
		}
	})
}

func TestReconcileTownship(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		sc := newReconScenario(t, s)
		tr, err := s.ReconcileTownship(context.Background(), sc.f.Township, "T01", "2026Q3")
		if err != nil || !tr.OK || len(tr.Books) != 1 || !strings.HasPrefix(tr.Verdict, ledger.VerdictReconciles) {
			t.Fatalf("township %+v %v", tr, err)
		}
		if _, err := s.Reconcile(context.Background(), sc.f.Auditor, "P1", "2026Q5"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("bad quarter: %v", err)
		}
	})
}

// verifyLabel cites a voucher the way Verify does: "2026-09 记-0002".
func verifyLabel(t *testing.T, s *ledger.Store, f ledgertest.Fixture, id int64) string {
	t.Helper()
	v, err := s.Voucher(context.Background(), f.Auditor, f.Book.Code, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Period + " " + v.Number
}
