package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Reconciliation checks (Check in a Finding). A finding under Findings makes
// the verdict 对账不符; one under Reviews is listed for an auditor to look at.
const (
	CheckEntitlement    = "entitled_accrued"    // entitled now ≠ accrued by approved runs
	CheckAccrual        = "accrual_voucher"     // run line ≠ its posted accrual voucher line
	CheckOverpaid       = "overpaid"            // paid more than accrued
	CheckPaidTwice      = "paid_twice"          // one run line paid by several payments beyond its amount
	CheckUntraced       = "payment_untraced"    // a payment that traces to no run line
	CheckOutsideRun     = "payment_outside_run" // a payment to a household not in the run
	CheckPaymentVoucher = "payment_voucher"     // a payment ≠ its posted payment voucher
	CheckReference      = "bank_reference"      // a bank reference used twice, or missing
	CheckControl        = "control_account"     // control account ≠ sum of its sub-ledgers
	CheckSegregation    = "segregation"         // approved or posted by the preparer without an opt-out
	CheckManualPosting  = "manual_posting"      // review: household sub-ledger posting outside any run
	CheckSelfApproved   = "self_approved"       // review: approved or posted by the preparer under the opt-out
	CheckReopened       = "period_reopened"     // review: a month reopened, with its reason
)

// Verdicts.
const (
	VerdictReconciles   = "对账相符"
	VerdictDoesNotMatch = "对账不符"
)

// Finding is one thing reconciliation reports, naming the vouchers involved.
type Finding struct {
	Check     string   `json:"check"`
	Message   string   `json:"message"`
	Household string   `json:"household,omitempty"`
	Agreement string   `json:"agreement,omitempty"`
	Account   string   `json:"account,omitempty"`
	Period    string   `json:"period,omitempty"`
	RunID     int64    `json:"run_id,omitempty"`
	PaymentID int64    `json:"payment_id,omitempty"`
	Reason    string   `json:"reason,omitempty"` // the reason given (opt-out, reopening)
	Vouchers  []string `json:"vouchers"`         // "2026年3月记-0012"
}

// ReconciliationRow is one household × agreement of the quarter.
type ReconciliationRow struct {
	Household   string   `json:"household"`
	Agreement   string   `json:"agreement"`
	Kind        string   `json:"kind"`
	Entitled    Money    `json:"entitled"` // recomputed now from the agreement terms
	Accrued     Money    `json:"accrued"`  // posted accrual lines of the approved runs
	Paid        Money    `json:"paid"`
	Outstanding Money    `json:"outstanding"` // accrued − paid
	OK          bool     `json:"ok"`
	Vouchers    []string `json:"vouchers"`
}

// ControlCheck compares a control account (★) with its sub-ledgers at the end
// of one month. Balances are net debit (negative: net credit).
type ControlCheck struct {
	Account    string `json:"account"`
	Name       string `json:"name"`
	Period     string `json:"period"`
	Control    Money  `json:"control"`     // the maintained balance the ledgers print
	SubLedgers Money  `json:"sub_ledgers"` // the sum of every household's (party's) sub-ledger
	Difference Money  `json:"difference"`
	OK         bool   `json:"ok"`
}

// ReconciledRun is one payout run of the quarter.
type ReconciledRun struct {
	ID         int64    `json:"id"`
	Status     string   `json:"status"`
	Adjustment bool     `json:"adjustment"`
	PreparerID int64    `json:"preparer_id"`
	ApproverID int64    `json:"approver_id,omitempty"`
	ApprovedAt string   `json:"approved_at,omitempty"`
	Lines      int      `json:"lines"`
	Total      Money    `json:"total"`
	Paid       Money    `json:"paid"`
	Payments   int      `json:"payments"`
	Vouchers   []string `json:"vouchers"`
}

// ReconciliationCounts summarize a reconciliation.
type ReconciliationCounts struct {
	Households    int   `json:"households"`
	Rows          int   `json:"rows"`
	Runs          int   `json:"runs"`
	RunLines      int   `json:"run_lines"`
	Payments      int   `json:"payments"`
	ControlChecks int   `json:"control_checks"`
	Findings      int   `json:"findings"` // all of them, even beyond the listed maximum
	Reviews       int   `json:"reviews"`
	Entitled      Money `json:"entitled"`
	Accrued       Money `json:"accrued"`
	Paid          Money `json:"paid"`
	Outstanding   Money `json:"outstanding"`
}

// Reconciliation is the audit of one book's quarter of payouts.
type Reconciliation struct {
	Book      string               `json:"book"`
	BookName  string               `json:"book_name"`
	Township  string               `json:"township"`
	Quarter   string               `json:"quarter"`
	OK        bool                 `json:"ok"`
	Verdict   string               `json:"verdict"` // the one line: 对账相符/对账不符 and counts
	ChainHead ChainHead            `json:"chain_head"`
	Counts    ReconciliationCounts `json:"counts"`
	Runs      []ReconciledRun      `json:"runs"`
	Rows      []ReconciliationRow  `json:"rows"`
	Controls  []ControlCheck       `json:"controls"`
	Findings  []Finding            `json:"findings"`
	Reviews   []Finding            `json:"reviews"`
	Truncated bool                 `json:"truncated"` // more findings or reviews than listed
}

// maxListedFindings bounds each list; the counts stay exact.
const maxListedFindings = 1000

// maxVouchersPerFinding bounds the vouchers one finding names.
const maxVouchersPerFinding = 50

// TownshipReconciliation is the reconciliation of every book of a township.
type TownshipReconciliation struct {
	Township string           `json:"township"`
	Quarter  string           `json:"quarter"`
	OK       bool             `json:"ok"`
	Verdict  string           `json:"verdict"`
	Books    []Reconciliation `json:"books"`
}

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

// ReconcileBook reconciles a book by code, for the command line.
func (s *Store) ReconcileBook(ctx context.Context, bookCode, quarter string) (Reconciliation, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return Reconciliation{}, FieldError("quarter", "%s", err.Error())
	}
	b, err := s.bookByCode(ctx, s.db, bookCode)
	if err != nil {
		return Reconciliation{}, err
	}
	return s.reconcileBook(ctx, b, q)
}

// ReconcileTownship reconciles every book of a township the actor can read.
func (s *Store) ReconcileTownship(ctx context.Context, a Actor, township, quarter string) (TownshipReconciliation, error) {
	return s.reconcileTownship(ctx, a, township, quarter)
}

// ReconcileTownshipBooks reconciles every book of a township, for the command line.
func (s *Store) ReconcileTownshipBooks(ctx context.Context, township, quarter string) (TownshipReconciliation, error) {
	return s.reconcileTownship(ctx, Actor{Role: RoleAdmin}, township, quarter)
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

// reconciler holds one reconciliation while it is computed.
type reconciler struct {
	ctx context.Context
	s   *Store
	db  bun.IDB
	b   Book
	q   Quarter
	vx  voucherIndex
	out *Reconciliation

	lines    []runLine
	lineByNo map[runLineKey]*runLine
	rows     map[rowKey]*ReconciliationRow
	rowVouch map[rowKey][]int64
	runs     map[int64]*ReconciledRun
	payments []payment
	allocs   map[int64][]paymentAlloc // by payment
	runVouch map[int64]bool           // every voucher of every run of the book
	optOuts  []optOutChange
	due      chan dueResult   // the quarter recomputed from the terms, in the background
	controls chan controlSums // the control sums read on a second connection (SQLite)
}

// controlSums are the sub-ledgers of the control accounts up to the
// quarter's last month, from the maintained balances and from the lines.
type controlSums struct {
	aux               map[string]Account
	maintained, lines map[ctlKey]int64
	err               error
}

type dueResult struct {
	lines []Entitlement
	err   error
}

type runLineKey struct {
	run  int64
	line int
}

type runLine struct {
	run       int64
	line      int
	agreement string
	household string
	kind      string
	account   string
	amount    int64
	voucher   int64
	paid      int64
	payers    map[int64]bool
}

type rowKey struct{ household, agreement string }

type payment struct {
	id        int64
	run       int64
	household string
	amount    int64
	date      string
	method    string
	reference string
	voucher   int64
	runFound  bool
}

type paymentAlloc struct {
	run    int64
	line   int
	amount int64
}

// subKey is a voucher's lines on one account and household.
type subKey struct {
	voucher   int64
	account   string
	household string
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
	out.Verdict = fmt.Sprintf("%s：%s %s 季度，农户×协议 %d 行，收益分配 %d 次，付款 %d 笔，控制科目核对 %d 项；差异 %d 项，需复核 %d 项",
		verdict, b.Code, q, c.Rows, c.Runs, c.Payments, c.ControlChecks, c.Findings, c.Reviews)
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
	return nil
}

// finding records a discrepancy; review records an item for review.
func (r *reconciler) finding(f Finding) {
	r.out.Counts.Findings++
	if len(r.out.Findings) < maxListedFindings {
		r.out.Findings = append(r.out.Findings, capVouchers(f))
	} else {
		r.out.Truncated = true
	}
}

func (r *reconciler) review(f Finding) {
	r.out.Counts.Reviews++
	if len(r.out.Reviews) < maxListedFindings {
		r.out.Reviews = append(r.out.Reviews, capVouchers(f))
	} else {
		r.out.Truncated = true
	}
}

func capVouchers(f Finding) Finding {
	if f.Vouchers == nil {
		f.Vouchers = []string{}
	}
	if len(f.Vouchers) > maxVouchersPerFinding {
		n := len(f.Vouchers)
		f.Vouchers = append(f.Vouchers[:maxVouchersPerFinding:maxVouchersPerFinding], fmt.Sprintf("……共 %d 张", n))
	}
	return f
}

// cite joins voucher labels for a message.
func cite(labels []string) string {
	if len(labels) == 0 {
		return "（无凭证）"
	}
	if len(labels) > 5 {
		return strings.Join(labels[:5], "、") + fmt.Sprintf(" 等 %d 张", len(labels))
	}
	return strings.Join(labels, "、")
}

func (r *reconciler) loadRuns() error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT id, status, adjustment, preparer_id, COALESCE(approver_id, 0), COALESCE(approved_at, ''),
		total_fen FROM payout_runs WHERE book_id = ? AND quarter = ? ORDER BY id`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var run ReconciledRun
		var total int64
		if err := rows.Scan(&run.ID, &run.Status, &run.Adjustment, &run.PreparerID, &run.ApproverID, &run.ApprovedAt, &total); err != nil {
			return err
		}
		run.Total, run.Vouchers = Fen(total), []string{}
		r.runs[run.ID] = &run
	}
	return rows.Err()
}

// loadRunLines loads the lines of the quarter's approved runs and the set of
// every run voucher of the book (for telling manual postings apart).
func (r *reconciler) loadRunLines() error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT l.run_id, l.line_no, l.agreement_code, l.household_code, l.kind, l.credit_account,
		l.amount_fen, COALESCE(l.accrual_voucher_id, 0)
		FROM payout_lines l JOIN payout_runs r ON r.book_id = l.book_id AND r.id = l.run_id
		WHERE l.book_id = ? AND r.quarter = ? AND r.status = 'approved' ORDER BY l.run_id, l.line_no`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	for rows.Next() {
		var l runLine
		if err := rows.Scan(&l.run, &l.line, &l.agreement, &l.household, &l.kind, &l.account, &l.amount, &l.voucher); err != nil {
			rows.Close()
			return err
		}
		r.lines = append(r.lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Sized once: a county quarter has 300,000 lines, and growing these maps
	// step by step cost a tenth of the reconciliation.
	r.lineByNo = make(map[runLineKey]*runLine, len(r.lines))
	r.rows = make(map[rowKey]*ReconciliationRow, len(r.lines))
	r.rowVouch = make(map[rowKey][]int64, len(r.lines))
	for i := range r.lines {
		l := &r.lines[i]
		r.lineByNo[runLineKey{l.run, l.line}] = l
		r.row(l.household, l.agreement, l.kind)
	}
	r.out.Counts.RunLines = len(r.lines)
	var ids []int64
	err = r.db.NewRaw(`SELECT DISTINCT accrual_voucher_id FROM payout_lines WHERE book_id = ? AND accrual_voucher_id IS NOT NULL
		UNION SELECT DISTINCT voucher_id FROM payments WHERE book_id = ?`, r.b.ID, r.b.ID).Scan(r.ctx, &ids)
	if err != nil && !isNoRows(err) {
		return err
	}
	for _, id := range ids {
		r.runVouch[id] = true
	}
	return nil
}

func (r *reconciler) row(household, agreement, kind string) *ReconciliationRow {
	k := rowKey{household, agreement}
	row := r.rows[k]
	if row == nil {
		row = &ReconciliationRow{Household: household, Agreement: agreement, Kind: kind}
		r.rows[k] = row
	}
	if row.Kind == "" || row.Kind == "调整" {
		row.Kind = kind
	}
	return row
}

// householdLines sums the household lines of the vouchers the subquery
// selects, per voucher, account and household: debit − credit.
func (r *reconciler) householdLines(subquery string, args ...any) (map[subKey]int64, error) {
	rows, err := r.db.QueryContext(r.ctx, `SELECT voucher_id, account_code, household_code, SUM(debit_fen) - SUM(credit_fen)
		FROM voucher_lines WHERE book_id = ? AND household_code IS NOT NULL AND voucher_id IN (`+subquery+`)
		GROUP BY voucher_id, account_code, household_code`, append([]any{r.b.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[subKey]int64, len(r.lines))
	for rows.Next() {
		var k subKey
		var net int64
		if err := rows.Scan(&k.voucher, &k.account, &k.household, &net); err != nil {
			return nil, err
		}
		out[k] = net
	}
	return out, rows.Err()
}

// checkAccruals compares every approved run line with the posted accrual
// voucher that credited the household, and counts what was posted as accrued.
func (r *reconciler) checkAccruals() error {
	posted, err := r.householdLines(`SELECT l.accrual_voucher_id FROM payout_lines l JOIN payout_runs r
		ON r.book_id = l.book_id AND r.id = l.run_id WHERE l.book_id = ? AND r.quarter = ? AND r.status = 'approved'`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	want := make(map[subKey]int64, len(r.lines)) // credit as a positive amount
	agreementOf := make(map[subKey]string, len(r.lines))
	for i := range r.lines {
		l := &r.lines[i]
		k := rowKey{l.household, l.agreement}
		r.rowVouch[k] = append(r.rowVouch[k], l.voucher)
		if run := r.runs[l.run]; run != nil {
			run.Lines++
		}
		if l.voucher == 0 || !r.vx.posted(l.voucher) {
			if l.amount != 0 {
				r.finding(Finding{Check: CheckAccrual, Household: l.household, Agreement: l.agreement, RunID: l.run,
					Message: fmt.Sprintf("收益分配 %d 第 %d 行（农户 %s，协议 %s，%s）没有已过账的计提凭证：%s",
						l.run, l.line, l.household, l.agreement, Fen(l.amount), r.vx.label(l.voucher)),
					Vouchers: r.vx.labels(l.voucher)})
			}
			continue
		}
		sk := subKey{l.voucher, l.account, l.household}
		want[sk] += l.amount
		agreementOf[sk] = l.agreement
	}
	for sk, w := range want {
		got := -posted[sk]
		r.rows[rowKey{sk.household, agreementOf[sk]}].Accrued = r.rows[rowKey{sk.household, agreementOf[sk]}].Accrued.Add(Fen(got))
		if got != w {
			r.finding(Finding{Check: CheckAccrual, Household: sk.household, Agreement: agreementOf[sk], Account: sk.account,
				Message: fmt.Sprintf("计提凭证 %s 中农户 %s 科目 %s 的贷方为 %s，收益分配明细为 %s",
					r.vx.label(sk.voucher), sk.household, sk.account, Fen(got), Fen(w)),
				Vouchers: r.vx.labels(sk.voucher)})
		}
	}
	for sk, net := range posted {
		if _, ok := want[sk]; !ok && net != 0 {
			r.finding(Finding{Check: CheckAccrual, Household: sk.household, Account: sk.account,
				Message: fmt.Sprintf("计提凭证 %s 中农户 %s 科目 %s 的 %s 不属于任何收益分配明细",
					r.vx.label(sk.voucher), sk.household, sk.account, Fen(-net)),
				Vouchers: r.vx.labels(sk.voucher)})
		}
	}
	return nil
}

// startEntitlements reads the agreements and starts recomputing every
// agreement's quarter from its terms now, on the other cores, while the
// next steps read the ledger.
func (r *reconciler) startEntitlements() error {
	job, err := loadQuarterJob(r.ctx, r.db, r.b, r.q, func(string) bool { return true })
	if err != nil {
		return err
	}
	r.due = make(chan dueResult, 1)
	go func() {
		var lines []Entitlement
		err := recovered("reconcile", func() (err error) {
			lines, err = job.compute()
			return err
		})
		r.due <- dueResult{lines, err}
	}()
	return nil
}

// addEntitlements adds the recomputed quarter to the rows.
func (r *reconciler) addEntitlements() error {
	due := <-r.due
	if due.err != nil {
		return due.err
	}
	for _, e := range due.lines {
		row := r.row(e.Household, e.Agreement, e.Kind)
		row.Entitled = row.Entitled.Add(e.Amount)
	}
	return nil
}

func (r *reconciler) loadPayments() error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT p.id, p.run_id, p.household_code, p.amount_fen, p.date, p.method, p.reference, p.voucher_id,
		CASE WHEN r.id IS NULL THEN 0 ELSE 1 END
		FROM payments p LEFT JOIN payout_runs r ON r.book_id = p.book_id AND r.id = p.run_id
		WHERE p.book_id = ? AND (r.quarter = ? OR r.id IS NULL) ORDER BY p.id`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	for rows.Next() {
		var p payment
		var found int
		if err := rows.Scan(&p.id, &p.run, &p.household, &p.amount, &p.date, &p.method, &p.reference, &p.voucher, &found); err != nil {
			rows.Close()
			return err
		}
		p.runFound = found == 1
		r.payments = append(r.payments, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = r.db.QueryContext(r.ctx, `SELECT pa.payment_id, pa.run_id, pa.line_no, pa.amount_fen
		FROM payment_allocations pa JOIN payments p ON p.book_id = pa.book_id AND p.id = pa.payment_id
		LEFT JOIN payout_runs r ON r.book_id = p.book_id AND r.id = p.run_id
		WHERE pa.book_id = ? AND (r.quarter = ? OR r.id IS NULL) ORDER BY pa.payment_id, pa.line_no`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a paymentAlloc
		if err := rows.Scan(&id, &a.run, &a.line, &a.amount); err != nil {
			return err
		}
		r.allocs[id] = append(r.allocs[id], a)
	}
	return rows.Err()
}

// checkPayments traces every payment to lines of its run and household.
func (r *reconciler) checkPayments() error {
	inRun := map[int64]map[string]bool{}
	for _, l := range r.lines {
		if inRun[l.run] == nil {
			inRun[l.run] = map[string]bool{}
		}
		inRun[l.run][l.household] = true
	}
	for _, p := range r.payments {
		r.out.Counts.Payments++
		v := r.vx.labels(p.voucher)
		f := Finding{Household: p.household, RunID: p.run, PaymentID: p.id, Vouchers: v}
		run := r.runs[p.run]
		switch {
		case !p.runFound:
			f.Check, f.Message = CheckUntraced, fmt.Sprintf("付款 %d（农户 %s，%s，凭证 %s）登记的收益分配 %d 不存在", p.id, p.household, Fen(p.amount), cite(v), p.run)
			r.finding(f)
			continue
		case run == nil || run.Status != RunApproved:
			f.Check, f.Message = CheckUntraced, fmt.Sprintf("付款 %d（农户 %s，%s，凭证 %s）所属的收益分配 %d 未审批", p.id, p.household, Fen(p.amount), cite(v), p.run)
			r.finding(f)
			continue
		}
		run.Payments++
		run.Paid = run.Paid.Add(Fen(p.amount))
		if !inRun[p.run][p.household] {
			f.Check, f.Message = CheckOutsideRun, fmt.Sprintf("付款 %d 付给农户 %s %s（凭证 %s），该户不在收益分配 %d 的名单中", p.id, p.household, Fen(p.amount), cite(v), p.run)
			r.finding(f)
		}
		r.applyAllocations(p, f)
	}
	for i := range r.lines {
		l := &r.lines[i]
		if l.paid <= max(l.amount, 0) {
			continue
		}
		f := Finding{Household: l.household, Agreement: l.agreement, RunID: l.run, Vouchers: r.vx.labels(append([]int64{l.voucher}, r.paymentVouchers(l)...)...)}
		if len(l.payers) > 1 {
			f.Check, f.Message = CheckPaidTwice, fmt.Sprintf("农户 %s 协议 %s 的收益分配 %d 第 %d 行应发 %s，被 %d 笔付款重复支付共 %s（凭证 %s）",
				l.household, l.agreement, l.run, l.line, Fen(l.amount), len(l.payers), Fen(l.paid), cite(f.Vouchers))
		} else {
			f.Check, f.Message = CheckOverpaid, fmt.Sprintf("农户 %s 协议 %s 的收益分配 %d 第 %d 行应发 %s，已付 %s（凭证 %s）",
				l.household, l.agreement, l.run, l.line, Fen(l.amount), Fen(l.paid), cite(f.Vouchers))
		}
		r.finding(f)
	}
	return nil
}

// applyAllocations adds a payment's allocations to its run lines.
func (r *reconciler) applyAllocations(p payment, f Finding) {
	var total int64
	for _, a := range r.allocs[p.id] {
		total += a.amount
		l := r.lineByNo[runLineKey{a.run, a.line}]
		if l == nil || a.run != p.run || l.household != p.household {
			f.Check, f.Message = CheckUntraced, fmt.Sprintf("付款 %d（农户 %s，凭证 %s）分配到收益分配 %d 第 %d 行 %s，该行不存在或不属于该户",
				p.id, p.household, cite(f.Vouchers), a.run, a.line, Fen(a.amount))
			r.finding(f)
			continue
		}
		l.paid += a.amount
		if l.payers == nil {
			l.payers = map[int64]bool{}
		}
		l.payers[p.id] = true
		k := rowKey{l.household, l.agreement}
		row := r.rows[k]
		row.Paid = row.Paid.Add(Fen(a.amount))
		r.rowVouch[k] = append(r.rowVouch[k], p.voucher)
	}
	if total != p.amount {
		f.Check, f.Message = CheckUntraced, fmt.Sprintf("付款 %d（农户 %s，%s，凭证 %s）只有 %s 对应到收益分配明细",
			p.id, p.household, Fen(p.amount), cite(f.Vouchers), Fen(total))
		r.finding(f)
	}
}

func (r *reconciler) paymentVouchers(l *runLine) []int64 {
	var out []int64
	for _, p := range r.payments {
		if l.payers[p.id] {
			out = append(out, p.voucher)
		}
	}
	return out
}

// checkPaymentVouchers compares each payment voucher's household debits with
// the allocations of the payments it books.
func (r *reconciler) checkPaymentVouchers() error {
	posted, err := r.householdLines(`SELECT p.voucher_id FROM payments p LEFT JOIN payout_runs r ON r.book_id = p.book_id AND r.id = p.run_id
		WHERE p.book_id = ? AND (r.quarter = ? OR r.id IS NULL)`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	want := map[subKey]int64{}
	for _, p := range r.payments {
		if !r.vx.posted(p.voucher) {
			r.finding(Finding{Check: CheckPaymentVoucher, Household: p.household, RunID: p.run, PaymentID: p.id, Vouchers: r.vx.labels(p.voucher),
				Message: fmt.Sprintf("付款 %d（农户 %s，%s）的付款凭证 %s 未过账", p.id, p.household, Fen(p.amount), r.vx.label(p.voucher))})
			continue
		}
		for _, a := range r.allocs[p.id] {
			account := ""
			if l := r.lineByNo[runLineKey{a.run, a.line}]; l != nil {
				account = l.account
			}
			want[subKey{p.voucher, account, p.household}] += a.amount
		}
		if len(r.allocs[p.id]) == 0 {
			want[subKey{p.voucher, "", p.household}] += p.amount
		}
	}
	for sk, w := range want {
		if sk.account == "" {
			continue // untraced payments are reported already
		}
		if got := posted[sk]; got != w {
			r.finding(Finding{Check: CheckPaymentVoucher, Household: sk.household, Account: sk.account, Vouchers: r.vx.labels(sk.voucher),
				Message: fmt.Sprintf("付款凭证 %s 中农户 %s 科目 %s 的借方为 %s，付款登记为 %s", r.vx.label(sk.voucher), sk.household, sk.account, Fen(got), Fen(w))})
		}
	}
	for sk, net := range posted {
		if _, ok := want[sk]; ok || net == 0 {
			continue
		}
		if _, ok := want[subKey{sk.voucher, "", sk.household}]; ok {
			continue
		}
		r.finding(Finding{Check: CheckPaymentVoucher, Household: sk.household, Account: sk.account, Vouchers: r.vx.labels(sk.voucher),
			Message: fmt.Sprintf("付款凭证 %s 中农户 %s 科目 %s 的 %s 没有对应的付款登记", r.vx.label(sk.voucher), sk.household, sk.account, Fen(net))})
	}
	return nil
}

// checkReferences requires a reference on every bank payment and no
// reference used twice anywhere in the book.
func (r *reconciler) checkReferences() error {
	mine := map[string]bool{}
	for _, p := range r.payments {
		if p.reference != "" {
			mine[p.reference] = true
		} else if p.method == MethodBank {
			r.finding(Finding{Check: CheckReference, Household: p.household, PaymentID: p.id, RunID: p.run, Vouchers: r.vx.labels(p.voucher),
				Message: fmt.Sprintf("银行付款 %d（农户 %s，%s，凭证 %s）没有银行流水号", p.id, p.household, Fen(p.amount), r.vx.label(p.voucher))})
		}
	}
	rows, err := r.db.QueryContext(r.ctx, `SELECT reference, id, voucher_id, household_code FROM payments WHERE book_id = ? AND reference IN (
		SELECT reference FROM payments WHERE book_id = ? AND reference <> '' GROUP BY reference HAVING COUNT(*) > 1) ORDER BY reference, id`, r.b.ID, r.b.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	type dup struct {
		payments   []string
		vouchers   []int64
		households []string
	}
	dups := map[string]*dup{}
	var order []string
	for rows.Next() {
		var ref, household string
		var id, voucher int64
		if err := rows.Scan(&ref, &id, &voucher, &household); err != nil {
			return err
		}
		d := dups[ref]
		if d == nil {
			d = &dup{}
			dups[ref] = d
			order = append(order, ref)
		}
		d.payments = append(d.payments, fmt.Sprint(id))
		d.vouchers = append(d.vouchers, voucher)
		d.households = append(d.households, household)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ref := range order {
		if !mine[ref] {
			continue
		}
		d := dups[ref]
		v := r.vx.labels(d.vouchers...)
		r.finding(Finding{Check: CheckReference, Household: strings.Join(distinct(d.households), ","), Vouchers: v,
			Message: fmt.Sprintf("银行流水号 %s 被 %d 笔付款（%s，农户 %s）重复使用，凭证 %s", ref, len(d.payments),
				strings.Join(d.payments, "、"), strings.Join(distinct(d.households), "、"), cite(v))})
	}
	return nil
}

// finishRows settles every household × agreement row.
func (r *reconciler) finishRows() error {
	keys := make([]rowKey, 0, len(r.rows))
	for k := range r.rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].agreement != keys[j].agreement {
			return keys[i].agreement < keys[j].agreement
		}
		return keys[i].household < keys[j].household
	})
	households := map[string]bool{}
	c := &r.out.Counts
	for _, k := range keys {
		row := r.rows[k]
		row.Outstanding = row.Accrued.Sub(row.Paid)
		row.Vouchers = r.vx.labels(nonZero(r.rowVouch[k])...)
		row.OK = row.Entitled == row.Accrued && row.Paid.Fen() <= max(row.Accrued.Fen(), 0) && !row.Paid.IsNegative()
		if row.Entitled != row.Accrued {
			r.finding(Finding{Check: CheckEntitlement, Household: k.household, Agreement: k.agreement, Vouchers: row.Vouchers,
				Message: fmt.Sprintf("农户 %s 协议 %s：按协议条款现应发 %s，已审批计提 %s，相差 %s（凭证 %s）",
					k.household, k.agreement, row.Entitled, row.Accrued, row.Entitled.Sub(row.Accrued), cite(row.Vouchers))})
		}
		if row.Paid.Fen() > max(row.Accrued.Fen(), 0) {
			r.finding(Finding{Check: CheckOverpaid, Household: k.household, Agreement: k.agreement, Vouchers: row.Vouchers,
				Message: fmt.Sprintf("农户 %s 协议 %s：已付 %s 超过已计提 %s（凭证 %s）", k.household, k.agreement, row.Paid, row.Accrued, cite(row.Vouchers))})
		}
		households[k.household] = true
		c.Entitled, c.Accrued, c.Paid, c.Outstanding = c.Entitled.Add(row.Entitled), c.Accrued.Add(row.Accrued), c.Paid.Add(row.Paid), c.Outstanding.Add(row.Outstanding)
		r.out.Rows = append(r.out.Rows, *row)
	}
	c.Rows, c.Households = len(r.out.Rows), len(households)
	return nil
}

func nonZero(ids []int64) []int64 {
	out := ids[:0:0]
	for _, id := range ids {
		if id != 0 {
			out = append(out, id)
		}
	}
	return out
}

// finishRuns lists the quarter's runs with their vouchers.
func (r *reconciler) finishRuns() {
	vouchers := map[int64][]int64{}
	for _, l := range r.lines {
		vouchers[l.run] = append(vouchers[l.run], l.voucher)
	}
	for _, p := range r.payments {
		vouchers[p.run] = append(vouchers[p.run], p.voucher)
	}
	ids := make([]int64, 0, len(r.runs))
	for id := range r.runs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		run := r.runs[id]
		run.Vouchers = r.vx.labels(nonZero(vouchers[id])...)
		r.out.Runs = append(r.out.Runs, *run)
	}
	r.out.Counts.Runs = len(r.out.Runs)
}

// ctlKey is one sub-ledger (household or party; "" for none) of an account in a month.
type ctlKey struct{ account, sub, period string }

// checkControls compares, for each control account and month of the quarter,
// the maintained balance (what the ledgers print) with the sum of the
// sub-ledgers recomputed from the posted lines, and names the vouchers where
// they part.
func (r *reconciler) checkControls() error {
	var sums controlSums
	if r.controls != nil {
		sums = <-r.controls
	} else {
		sums = r.sumControls(r.db)
	}
	if sums.err != nil {
		return sums.err
	}
	aux, maintained, lines := sums.aux, sums.maintained, sums.lines
	// Where the two part: a sub-ledger whose maintained balance differs from
	// its lines, or lines on a control account that name no sub-ledger.
	bad := map[ctlKey]bool{}
	for k, v := range lines {
		if maintained[k] != v || (k.sub == "" && v != 0) {
			bad[k] = true
		}
	}
	for k, v := range maintained {
		if lines[k] != v {
			bad[k] = true
		}
	}
	// Per account and month: the control balance and the sum of sub-ledgers.
	control, subs := map[string]map[string]int64{}, map[string]map[string]int64{}
	add := func(m map[string]map[string]int64, k ctlKey, v int64) {
		if m[k.account] == nil {
			m[k.account] = map[string]int64{}
		}
		m[k.account][k.period] += v
	}
	for k, v := range maintained {
		add(control, k, v)
	}
	for k, v := range lines {
		if k.sub != "" {
			add(subs, k, v)
		}
	}
	codes := make([]string, 0, len(aux))
	for c := range aux {
		if control[c] != nil || subs[c] != nil {
			codes = append(codes, c)
		}
	}
	sort.Strings(codes)
	first := string(r.q.Periods()[0])
	for _, code := range codes {
		var ctl, sub int64
		for p, v := range control[code] {
			if p < first {
				ctl += v
			}
		}
		for p, v := range subs[code] {
			if p < first {
				sub += v
			}
		}
		for _, p := range r.q.Periods() {
			ctl, sub = ctl+control[code][string(p)], sub+subs[code][string(p)]
			c := ControlCheck{Account: code, Name: aux[code].Name, Period: string(p), Control: Fen(ctl), SubLedgers: Fen(sub),
				Difference: Fen(ctl - sub), OK: ctl == sub}
			r.out.Controls = append(r.out.Controls, c)
			if !c.OK {
				if err := r.controlFinding(c, bad); err != nil {
					return err
				}
			}
		}
	}
	r.out.Counts.ControlChecks = len(r.out.Controls)
	return nil
}

// startControls starts summing the control accounts' sub-ledgers (whole
// aggregations of the book's balances and lines) on a second connection, on
// the other core, while the transaction goes on with the other checks. On
// SQLite that connection reads what the transaction reads: the transaction
// holds the database's write lock from its start, so nothing can be
// committed in between. On PostgreSQL another connection would read another
// snapshot, so the sums are read in the transaction when needed.
func (r *reconciler) startControls() error {
	if r.s.dialect != SQLite {
		return nil
	}
	r.controls = make(chan controlSums, 1)
	go func() {
		var sums controlSums
		if err := recovered("reconcile", func() error {
			sums = r.sumControls(r.s.db)
			return nil
		}); err != nil {
			sums = controlSums{err: err}
		}
		r.controls <- sums
	}()
	return nil
}

func (r *reconciler) sumControls(db bun.IDB) controlSums {
	accounts, err := loadAccounts(r.ctx, db, r.b.ID)
	if err != nil {
		return controlSums{err: err}
	}
	out := controlSums{aux: map[string]Account{}}
	for _, a := range accounts {
		if a.Aux != AuxNone {
			out.aux[a.Code] = a
		}
	}
	last := string(r.q.Periods()[2])
	out.maintained, out.err = r.sumControl(db, `SELECT account_code, CASE WHEN household_code <> '' THEN household_code ELSE party_code END, period,
		SUM(debit_fen) - SUM(credit_fen) FROM balances WHERE book_id = ? AND period <= ? GROUP BY 1, 2, 3`, out.aux, last)
	if out.err != nil {
		return out
	}
	out.lines, out.err = r.sumControl(db, `SELECT l.account_code, COALESCE(l.household_code, l.party_code, ''), v.period, SUM(l.debit_fen) - SUM(l.credit_fen)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period <= ? GROUP BY 1, 2, 3`, out.aux, last)
	return out
}

func (r *reconciler) sumControl(db bun.IDB, q string, aux map[string]Account, last string) (map[ctlKey]int64, error) {
	rows, err := db.QueryContext(r.ctx, q, r.b.ID, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[ctlKey]int64{}
	for rows.Next() {
		var k ctlKey
		var net int64
		if err := rows.Scan(&k.account, &k.sub, &k.period, &net); err != nil {
			return nil, err
		}
		if _, ok := aux[k.account]; ok {
			out[k] += net
		}
	}
	return out, rows.Err()
}

// controlFinding reports a control account that differs from its
// sub-ledgers, naming the vouchers on the sub-ledgers where they part.
func (r *reconciler) controlFinding(c ControlCheck, bad map[ctlKey]bool) error {
	var keys []ctlKey
	for k := range bad {
		if k.account == c.Account && k.period <= c.Period {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].period+keys[i].sub < keys[j].period+keys[j].sub })
	var ids []int64
	var subs []string
	for i, k := range keys {
		if i == 20 {
			break
		}
		found, err := r.vouchersOn(k)
		if err != nil {
			return err
		}
		ids = append(ids, found...)
		name := k.sub
		if name == "" {
			name = "未指定农户/单位"
		}
		subs = append(subs, k.period+" "+name)
	}
	v := r.vx.labels(ids...)
	r.finding(Finding{Check: CheckControl, Account: c.Account, Period: c.Period, Vouchers: v,
		Message: fmt.Sprintf("控制科目 %s %s 在 %s 末余额为 %s，各明细账合计为 %s，相差 %s；不符的明细：%s；涉及凭证 %s",
			c.Account, c.Name, c.Period, c.Control, c.SubLedgers, c.Difference, strings.Join(subs, "、"), cite(v))})
	return nil
}

// vouchersOn lists the posted vouchers with lines on one sub-ledger in one month.
func (r *reconciler) vouchersOn(k ctlKey) ([]int64, error) {
	q := `SELECT DISTINCT l.voucher_id FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND l.account_code = ? AND v.period = ? AND v.status = 'posted'`
	args := []any{r.b.ID, k.account, k.period}
	if k.sub == "" {
		q += " AND l.household_code IS NULL AND l.party_code IS NULL"
	} else {
		q, args = q+" AND (l.household_code = ? OR l.party_code = ?)", append(args, k.sub, k.sub)
	}
	var ids []int64
	err := r.db.NewRaw(q+" LIMIT 20", args...).Scan(r.ctx, &ids)
	if isNoRows(err) {
		err = nil
	}
	if len(ids) > 0 || err != nil || k.sub == "" {
		return ids, err
	}
	// No line left there (deleted): name the run vouchers that booked it.
	for _, l := range r.lines {
		if l.account == k.account && l.household == k.sub && r.vx[l.voucher].period == k.period {
			ids = append(ids, l.voucher)
		}
	}
	for _, p := range r.payments {
		if p.household == k.sub && r.vx[p.voucher].period == k.period {
			ids = append(ids, p.voucher)
		}
	}
	return ids, nil
}

// checkManualPostings lists postings to household sub-ledgers in the quarter
// that belong to no run. One that pays a household (debits a payout account,
// credits cash or bank) is a payment outside any run: a discrepancy.
func (r *reconciler) checkManualPostings() error {
	ps := r.q.Periods()
	payout, err := r.payoutAccounts()
	if err != nil {
		return err
	}
	rows, err := r.db.QueryContext(r.ctx, `SELECT l.voucher_id, l.account_code, l.household_code, l.debit_fen - l.credit_fen
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period >= ? AND v.period <= ? AND l.household_code IS NOT NULL
		ORDER BY l.voucher_id, l.line_no`, r.b.ID, string(ps[0]), string(ps[2]))
	if err != nil {
		return err
	}
	type manual struct {
		id         int64
		households []string
		paid       int64 // net debit on payout accounts
		net        int64
	}
	var list []*manual
	byID := map[int64]*manual{}
	for rows.Next() {
		var id, net int64
		var account, household string
		if err := rows.Scan(&id, &account, &household, &net); err != nil {
			rows.Close()
			return err
		}
		if r.runVouch[id] {
			continue
		}
		m := byID[id]
		if m == nil {
			m = &manual{id: id}
			byID[id] = m
			list = append(list, m)
		}
		m.households = append(m.households, household)
		m.net += net
		if payout[account] {
			m.paid += net
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cash, err := r.cashCredits(list2ids(len(list), func(i int) int64 { return list[i].id }))
	if err != nil {
		return err
	}
	for _, m := range list {
		hs := distinct(m.households)
		v := r.vx.labels(m.id)
		who := strings.Join(hs, "、")
		if len(hs) > 10 {
			who = strings.Join(hs[:10], "、") + fmt.Sprintf(" 等 %d 户", len(hs))
		}
		if m.paid > 0 && cash[m.id] > 0 {
			r.finding(Finding{Check: CheckUntraced, Household: strings.Join(hs, ","), Vouchers: v,
				Message: fmt.Sprintf("凭证 %s 从库存现金/银行存款向农户 %s 付款 %s，不属于任何收益分配（付款未对应收益分配明细）", v[0], who, Fen(m.paid))})
			continue
		}
		r.review(Finding{Check: CheckManualPosting, Household: strings.Join(hs, ","), Vouchers: v,
			Message: fmt.Sprintf("凭证 %s 手工记入农户 %s 的明细账（借方净额 %s），不属于任何收益分配，请复核", v[0], who, Fen(m.net))})
	}
	return nil
}

func list2ids(n int, at func(int) int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = at(i)
	}
	return out
}

// payoutAccounts are the accounts agreements and runs credit households on.
func (r *reconciler) payoutAccounts() (map[string]bool, error) {
	var codes []string
	err := r.db.NewRaw(`SELECT credit_account FROM agreements WHERE book_id = ? UNION SELECT DISTINCT credit_account FROM payout_lines WHERE book_id = ?`,
		r.b.ID, r.b.ID).Scan(r.ctx, &codes)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// cashCredits is each voucher's net credit to cash (101…) and bank (102…).
func (r *reconciler) cashCredits(ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	for start := 0; start < len(ids); start += maxLines {
		chunk := ids[start:min(start+maxLines, len(ids))]
		rows, err := r.db.QueryContext(r.ctx, `SELECT voucher_id, SUM(credit_fen) - SUM(debit_fen) FROM voucher_lines
			WHERE book_id = ? AND voucher_id IN (?) AND (account_code LIKE '101%' OR account_code LIKE '102%') GROUP BY voucher_id`,
			r.b.ID, bun.In(chunk))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, net int64
			if err := rows.Scan(&id, &net); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = net
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// optOutChange is a recorded change of the book's segregation opt-out.
type optOutChange struct {
	at     time.Time
	optOut bool
	reason string
}

func loadOptOutChanges(ctx context.Context, db bun.IDB, bookID int64) ([]optOutChange, error) {
	rows, err := db.QueryContext(ctx, `SELECT at, reason, after_json FROM audit_log WHERE book_id = ? AND action = 'segregation' AND entity = 'book' ORDER BY id`, bookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []optOutChange
	for rows.Next() {
		var at, reason, after string
		if err := rows.Scan(&at, &reason, &after); err != nil {
			return nil, err
		}
		var b struct {
			OptOut bool `json:"segregation_opt_out"`
		}
		_ = json.Unmarshal([]byte(after), &b)
		t, _ := time.Parse(time.RFC3339Nano, at)
		out = append(out, optOutChange{at: t, optOut: b.OptOut, reason: reason})
	}
	return out, rows.Err()
}

// optOutAt says whether the book had opted out of segregation at a moment
// (RFC 3339), and the reason recorded for it.
func (r *reconciler) optOutAt(moment string) (bool, string) {
	t, err := time.Parse(time.RFC3339Nano, moment)
	if err != nil {
		return r.b.SegregationOptOut, r.b.OptOutReason
	}
	on, reason := false, ""
	for _, c := range r.optOuts {
		if c.at.After(t) {
			break
		}
		on, reason = c.optOut, c.reason
	}
	return on, reason
}

// checkSegregation lists runs approved, and vouchers of the quarter posted,
// by their own preparer: under a recorded opt-out for review with its reason,
// otherwise as a discrepancy.
func (r *reconciler) checkSegregation() error {
	for _, run := range r.sortedRuns() {
		if run.Status != RunApproved || run.ApproverID != run.PreparerID {
			continue
		}
		var ids []int64
		for _, l := range r.lines {
			if l.run == run.ID {
				ids = append(ids, l.voucher)
			}
		}
		v := r.vx.labels(nonZero(ids)...)
		on, reason := r.optOutAt(run.ApprovedAt)
		f := Finding{RunID: run.ID, Reason: reason, Vouchers: v}
		if on {
			f.Check, f.Message = CheckSelfApproved, fmt.Sprintf("收益分配 %d 由编制人（用户 %d）自行审批，账套已豁免不相容职务分离，理由：%s；计提凭证 %s",
				run.ID, run.PreparerID, reason, cite(v))
			r.review(f)
		} else {
			f.Check, f.Message = CheckSegregation, fmt.Sprintf("收益分配 %d 由编制人（用户 %d）自行审批，而账套当时未豁免不相容职务分离；计提凭证 %s",
				run.ID, run.PreparerID, cite(v))
			r.finding(f)
		}
	}
	ps := r.q.Periods()
	var allowed, refused []int64
	reasons := []string{}
	for id, v := range r.vx {
		if v.status != StatusPosted || v.preparer != v.reviewer || v.period < string(ps[0]) || v.period > string(ps[2]) {
			continue
		}
		if on, reason := r.optOutAt(v.postedAt); on {
			allowed = append(allowed, id)
			reasons = append(reasons, reason)
		} else {
			refused = append(refused, id)
		}
	}
	if len(refused) > 0 {
		v := r.vx.labels(refused...)
		r.finding(Finding{Check: CheckSegregation, Vouchers: v,
			Message: fmt.Sprintf("%d 张凭证由制单人本人审核过账，而账套当时未豁免不相容职务分离：%s", len(refused), cite(v))})
	}
	if len(allowed) > 0 {
		v := r.vx.labels(allowed...)
		reason := strings.Join(distinct(reasons), "；")
		r.review(Finding{Check: CheckSelfApproved, Reason: reason, Vouchers: v,
			Message: fmt.Sprintf("%d 张凭证由制单人本人审核过账（账套已豁免不相容职务分离，理由：%s）：%s", len(allowed), reason, cite(v))})
	}
	return nil
}

func (r *reconciler) sortedRuns() []*ReconciledRun {
	out := make([]*ReconciledRun, 0, len(r.runs))
	for _, run := range r.runs {
		out = append(out, run)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// checkReopened lists months of the quarter (and months the quarter's
// payments were booked in) that were reopened, with the reason given and the
// vouchers posted into them after the reopening.
func (r *reconciler) checkReopened() error {
	months := map[string]bool{}
	for _, p := range r.q.Periods() {
		months[string(p)] = true
	}
	for _, p := range r.payments {
		if v, ok := r.vx[p.voucher]; ok {
			months[v.period] = true
		}
	}
	rows, err := r.db.QueryContext(r.ctx, `SELECT a.entity_key, a.at, a.user_id, a.reason, COALESCE(u.name, '')
		FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.book_id = ? AND a.action = 'reopen' AND a.entity = 'period' ORDER BY a.id`, r.b.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var period, at, reason, name string
		var user int64
		if err := rows.Scan(&period, &at, &user, &reason, &name); err != nil {
			return err
		}
		if !months[period] {
			continue
		}
		since, _ := time.Parse(time.RFC3339Nano, at)
		var after []int64
		for id, v := range r.vx {
			if v.status != StatusPosted || v.period != period {
				continue
			}
			if t, err := time.Parse(time.RFC3339Nano, v.postedAt); err == nil && t.After(since) {
				after = append(after, id)
			}
		}
		v := r.vx.labels(after...)
		r.review(Finding{Check: CheckReopened, Period: period, Reason: reason, Vouchers: v,
			Message: fmt.Sprintf("%s 期间于 %s 由 %s（用户 %d）反结账，理由：%s；此后记入该期间的凭证 %s", period, at, name, user, reason, cite(v))})
	}
	return rows.Err()
}
