package ledger

import (
	"context"
	"fmt"
	"strings"

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
