package ledger

import (
	"context"
	"fmt"
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
	ID         int64     `json:"id"`
	Status     RunStatus `json:"status"`
	Adjustment bool      `json:"adjustment"`
	PreparerID int64     `json:"preparer_id"`
	ApproverID int64     `json:"approver_id,omitempty"`
	ApprovedAt string    `json:"approved_at,omitempty"`
	Lines      int       `json:"lines"`
	Total      Money     `json:"total"`
	Paid       Money     `json:"paid"`
	Payments   int       `json:"payments"`
	Vouchers   []string  `json:"vouchers"`
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
	// VoucherPaths names the path that posted each voucher cited above
	// (label → review, payout_approval, payment, batch_import, …).
	VoucherPaths map[string]string `json:"voucher_paths"`
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
	reversal  int64 // the posted red reversal that undid the payment
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

// ctlKey is one sub-ledger (household or party; "" for none) of an account in a month.
type ctlKey struct{ account, sub, period string }

// optOutChange is a recorded change of the book's segregation opt-out.
type optOutChange struct {
	at     time.Time
	optOut bool
	reason string
}

// citePaths fills VoucherPaths for every voucher the reconciliation cites.
func (r *reconciler) citePaths() {
	byLabel := make(map[string]string, len(r.vx))
	for _, v := range r.vx {
		if v.status == StatusPosted {
			byLabel[VoucherLabel(v.period, v.number)] = v.via
		}
	}
	r.out.VoucherPaths = map[string]string{}
	cite := func(labels []string) {
		for _, l := range labels {
			if via, ok := byLabel[l]; ok {
				r.out.VoucherPaths[l] = via
			}
		}
	}
	for _, run := range r.out.Runs {
		cite(run.Vouchers)
	}
	for _, row := range r.out.Rows {
		cite(row.Vouchers)
	}
	for _, f := range r.out.Findings {
		cite(f.Vouchers)
	}
	for _, f := range r.out.Reviews {
		cite(f.Vouchers)
	}
}
