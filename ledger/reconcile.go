package ledger

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Group reconciliation (reconcile*.go): does every household's money add up?
//
// Entry points and the order of the checks are here (Reconcile,
// ReconcileTownship). The findings, their check codes and the
// reconciler's state live in reconcile_findings.go; the checks themselves in
// reconcile_payments.go (runs, accruals, entitlements, payments),
// reconcile_controls.go (control accounts against their sub-ledgers) and
// reconcile_reviews.go (manual postings, segregation opt-outs, reopened
// months).
//
// Reconciliation uses core and payouts; nothing in ledger uses it.

// Reconcile audits a book's quarter: entitled = accrued ≥ paid per household
// and agreement, control accounts = their sub-ledgers, every payment traced to
// a run line, plus what an auditor should review.
func (s *Store) Reconcile(ctx context.Context, a Actor, bookCode, quarter string) (Reconciliation, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return Reconciliation{}, FieldError("quarter", "%s", err.Error())
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Reconciliation{}, err
	}
	return s.reconcileBook(ctx, b, q)
}

// ReconcileTownship reconciles every book of a township the actor can read.
func (s *Store) ReconcileTownship(ctx context.Context, a Actor, township, quarter string) (TownshipReconciliation, error) {
	return s.reconcileTownship(ctx, a, township, quarter)
}

func (s *Store) reconcileTownship(ctx context.Context, a Actor, township, quarter string) (TownshipReconciliation, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return TownshipReconciliation{}, FieldError("quarter", "%s", err.Error())
	}
	books, err := s.Books(ctx, a)
	if err != nil {
		return TownshipReconciliation{}, err
	}
	out := TownshipReconciliation{Township: township, Quarter: q.String(), OK: true, Books: []Reconciliation{}}
	var findings, reviews int
	for _, b := range books {
		if b.Township.Code != township {
			continue
		}
		r, err := s.reconcileBook(ctx, b, q)
		if err != nil {
			return out, err
		}
		out.OK = out.OK && r.OK
		findings, reviews = findings+r.Counts.Findings, reviews+r.Counts.Reviews
		out.Books = append(out.Books, r)
	}
	if len(out.Books) == 0 {
		return out, notFound("乡镇", township)
	}
	verdict := VerdictReconciles
	if !out.OK {
		verdict = VerdictDoesNotMatch
	}
	out.Verdict = fmt.Sprintf("%s：乡镇 %s %s 季度，账套 %d 个；差异 %d 项，需复核 %d 项", verdict, township, q, len(out.Books), findings, reviews)
	return out, nil
}

func (s *Store) reconcileBook(ctx context.Context, b Book, q Quarter) (Reconciliation, error) {
	out := Reconciliation{Book: b.Code, BookName: b.Name, Township: b.Township.Code, Quarter: q.String(),
		Runs: []ReconciledRun{}, Rows: []ReconciliationRow{}, Controls: []ControlCheck{}, Findings: []Finding{}, Reviews: []Finding{}}
	if s.dialect == SQLite {
		// As in verifyBook: the snapshot transaction takes SQLite's write lock.
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r := &reconciler{ctx: ctx, s: s, db: tx, b: b, q: q, out: &out, lineByNo: map[runLineKey]*runLine{},
			rows: map[rowKey]*ReconciliationRow{}, rowVouch: map[rowKey][]int64{}, runs: map[int64]*ReconciledRun{},
			allocs: map[int64][]paymentAlloc{}, runVouch: map[int64]bool{}}
		return r.run()
	})
	if err != nil {
		return Reconciliation{}, err
	}
	out.OK = out.Counts.Findings == 0
	verdict := VerdictReconciles
	if !out.OK {
		verdict = VerdictDoesNotMatch
	}
	c := out.Counts
	out.Verdict = fmt.Sprintf("%s：%s %s，农户×协议 %d 行，收益分配 %d 次，付款 %d 笔，控制科目核对 %d 项；差异 %d 项，需复核 %d 项",
		verdict, b.Code, QuarterName(q.String()), c.Rows, c.Runs, c.Payments, c.ControlChecks, c.Findings, c.Reviews)
	return out, nil
}

func (r *reconciler) run() error {
	var err error
	if r.out.ChainHead, err = chainHeadOf(r.ctx, r.db, r.b); err != nil {
		return err
	}
	if r.vx, err = loadVoucherIndex(r.ctx, r.db, r.b.ID); err != nil {
		return err
	}
	if r.optOuts, err = loadOptOutChanges(r.ctx, r.db, r.b.ID); err != nil {
		return err
	}
	steps := []func() error{r.startControls, r.startEntitlements, r.loadRuns, r.loadRunLines, r.checkAccruals, r.addEntitlements, r.loadPayments,
		r.checkPayments, r.checkPaymentVouchers, r.checkReferences, r.finishRows, r.checkControls,
		r.checkManualPostings, r.checkSegregation, r.checkReopened}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	r.finishRuns()
	r.citePaths()
	return nil
}
