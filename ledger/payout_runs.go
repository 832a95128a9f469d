package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/uptrace/bun"
)

// Group payouts (payout_*.go): the money owed to households and its payment.
//
// Agreements with their versioned terms and participants
// (payout_agreements.go, payout_terms.go), declared amounts and work records
// (payout_declarations.go), entitlements with the rounding rule and
// largest-remainder split (payout_entitlement.go), quarterly runs
// (payout_runs.go: CreatePayoutRun, RecomputePayoutRun) and their approval,
// accrual vouchers and recorded payments (payout_post.go: ApprovePayoutRun,
// RecordPayments), the dates they may carry and the references as stored
// (payout_dates.go).
//
// Payouts use core only. Imports, reconciliation, statements and disclosure
// read payouts; payouts read none of them.

// RunStatus is where a payout run stands: computed (draft) or approved.
type RunStatus string

// Run statuses.
const (
	RunDraft    RunStatus = "draft"
	RunApproved RunStatus = "approved"
)

// PayoutRun is a quarter's computed distribution for a book.
type PayoutRun struct {
	ID           int64             `json:"id"`
	Book         string            `json:"book"`
	Quarter      string            `json:"quarter"`
	Status       RunStatus         `json:"status"`
	Adjustment   bool              `json:"adjustment"`
	RoundingRule string            `json:"rounding_rule"`
	PreparerID   int64             `json:"preparer_id"`
	ApproverID   int64             `json:"approver_id,omitempty"`
	ComputedAt   string            `json:"computed_at"`
	ApprovedAt   string            `json:"approved_at,omitempty"`
	CreatedAt    string            `json:"created_at"`
	Total        Money             `json:"total"`
	Paid         Money             `json:"paid"`
	Outstanding  Money             `json:"outstanding"`
	Lines        []PayoutLine      `json:"lines"`
	Households   []HouseholdPayout `json:"households"`
	ByAgreement  []PayoutTotal     `json:"by_agreement"`
	ByKind       []PayoutTotal     `json:"by_kind"`
}

// PayoutLine is one household × agreement (× account) of a run.
type PayoutLine struct {
	LineNo           int    `json:"line_no"`
	Agreement        string `json:"agreement"`
	Household        string `json:"household"`
	Kind             string `json:"kind"`
	CreditAccount    string `json:"credit_account"`
	Amount           Money  `json:"amount"`
	Fee              Money  `json:"fee"`
	Basis            string `json:"basis"`
	AccrualVoucherID int64  `json:"accrual_voucher_id,omitempty"`
	Paid             Money  `json:"paid"`
	Outstanding      Money  `json:"outstanding"`
}

// HouseholdPayout totals a run per household.
type HouseholdPayout struct {
	Household   string `json:"household"`
	Entitled    Money  `json:"entitled"`
	Paid        Money  `json:"paid"`
	Outstanding Money  `json:"outstanding"`
}

// PayoutTotal totals a run per agreement or per kind.
type PayoutTotal struct {
	Key    string `json:"key"`
	Amount Money  `json:"amount"`
	Fee    Money  `json:"fee"`
	Lines  int    `json:"lines"`
}

// RunInput starts a run. An adjustment run computes only the differences
// between what is due now and what approved runs already accrued.
type RunInput struct {
	Quarter    string `json:"quarter"`
	Adjustment bool   `json:"adjustment"`
}

// CreatePayoutRun computes a draft run for a quarter.
func (s *Store) CreatePayoutRun(ctx context.Context, a Actor, bookCode string, in RunInput) (PayoutRun, error) {
	q, err := ParseQuarter(in.Quarter)
	if err != nil {
		return PayoutRun{}, FieldError("quarter", "%s", err.Error())
	}
	var out PayoutRun
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		lines, err := s.runLines(ctx, tx, b, q, in.Adjustment)
		if err != nil {
			return err
		}
		id, err := nextID(ctx, tx, b.ID, "payout_run")
		if err != nil {
			return err
		}
		now := s.timestamp()
		_, err = tx.NewRaw(`INSERT INTO payout_runs (book_id, id, quarter, status, adjustment, rounding_rule, preparer_id,
			computed_at, total_fen, created_at) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`,
			b.ID, id, q.String(), in.Adjustment, RoundingRule, a.UserID, now, sumLines(lines), now).Exec(ctx)
		if err != nil {
			return err
		}
		if err := s.insertPayoutLines(ctx, tx, b.ID, id, lines); err != nil {
			return err
		}
		// The run as payoutRunByID would read it back, built from what was
		// just written (a county run has 300,000 lines).
		out = PayoutRun{ID: id, Book: b.Code, Quarter: q.String(), Status: RunDraft, Adjustment: in.Adjustment,
			RoundingRule: RoundingRule, PreparerID: a.UserID, ComputedAt: now, CreatedAt: now, Total: Fen(sumLines(lines)),
			Lines: make([]PayoutLine, len(lines))}
		for i, l := range lines {
			out.Lines[i] = PayoutLine{LineNo: i + 1, Agreement: l.Agreement, Household: l.Household, Kind: l.Kind,
				CreditAccount: l.CreditAccount, Amount: Fen(l.Amount.Fen()), Fee: Fen(l.Fee.Fen()), Basis: l.Basis,
				Outstanding: Fen(l.Amount.Fen())}
		}
		out.totals()
		return s.audit(ctx, tx, a, b.ID, "create", "payout_run", fmt.Sprint(id), "", nil, runSummary(out))
	})
	return out, err
}

// runSummary is what the audit log keeps of a run (not every line).
func runSummary(r PayoutRun) map[string]any {
	return map[string]any{"quarter": r.Quarter, "status": r.Status, "adjustment": r.Adjustment, "total": r.Total, "lines": len(r.Lines)}
}

func sumLines(lines []Entitlement) int64 {
	var t int64
	for _, l := range lines {
		t += l.Amount.Fen()
	}
	return t
}

// runLines computes the lines of a new run: every agreement not yet approved
// for the quarter, or for an adjustment the differences on approved ones.
func (s *Store) runLines(ctx context.Context, tx bun.IDB, b Book, q Quarter, adjustment bool) ([]Entitlement, error) {
	approved, err := approvedAgreements(ctx, tx, b.ID, q)
	if err != nil {
		return nil, err
	}
	all, err := s.quarterEntitlements(ctx, tx, b, q, func(code string) bool { return approved[code] == adjustment })
	if err != nil {
		return nil, err
	}
	if adjustment {
		if all, err = adjustmentLines(ctx, tx, b.ID, q, all); err != nil {
			return nil, err
		}
	}
	if len(all) == 0 {
		if adjustment {
			return nil, Errorf(ECodeConflict, "%s 季度已审批的分配与协议一致，没有需要调整的金额", q)
		}
		return nil, Errorf(ECodeConflict, "%s 季度没有尚未审批且有应发金额的协议", q)
	}
	return all, nil
}

func approvedAgreements(ctx context.Context, db bun.IDB, bookID int64, q Quarter) (map[string]bool, error) {
	var codes []string
	err := db.NewRaw("SELECT agreement_code FROM payout_approvals WHERE book_id = ? AND quarter = ?", bookID, q.String()).Scan(ctx, &codes)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// quarterEntitlements computes the quarter for every agreement that include accepts.
func (s *Store) quarterEntitlements(ctx context.Context, db bun.IDB, b Book, q Quarter, include func(string) bool) ([]Entitlement, error) {
	job, err := loadQuarterJob(ctx, db, b, q, include)
	if err != nil {
		return nil, err
	}
	return job.compute()
}

// quarterJob is everything computing a quarter needs, read from the
// database; compute then needs no database and uses every core.
type quarterJob struct {
	q          Quarter
	agreements []Agreement
	raw        []rawVersions // the agreements' terms, not yet decoded
	inputs     []computeInputs
}

func loadQuarterJob(ctx context.Context, db bun.IDB, b Book, q Quarter, include func(string) bool) (quarterJob, error) {
	job := quarterJob{q: q}
	agreements, raw, err := bookAgreementsRaw(ctx, db, b.ID)
	if err != nil || len(agreements) == 0 {
		return job, err
	}
	members, err := householdMembers(ctx, db, b.ID)
	if err != nil {
		return job, err
	}
	for i, ag := range agreements {
		if !include(ag.Code) {
			continue
		}
		in := computeInputs{members: members}
		if ds, err := declarations(ctx, db, b.ID, ag.Code, q.String()); err != nil {
			return job, err
		} else if len(ds) == 1 {
			in.declaration = &ds[0].Amount
		}
		if ag.Kind == Wage {
			if in.work, err = workRecords(ctx, db, b.ID, ag.Code, &q); err != nil {
				return job, err
			}
		}
		job.agreements, job.raw, job.inputs = append(job.agreements, ag), append(job.raw, raw[i]), append(job.inputs, in)
	}
	return job, nil
}

// compute decodes each agreement's terms and computes its entitlements, the
// agreements in parallel, the result in agreement order.
func (job quarterJob) compute() ([]Entitlement, error) {
	per := make([][]Entitlement, len(job.agreements))
	err := parallel("compute", len(job.agreements), func(i int) error {
		ag := job.agreements[i]
		var err error
		if ag.Versions, err = job.raw[i].decode(); err != nil {
			return err
		}
		per[i], err = computeEntitlements(ag, job.q, job.inputs[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, p := range per {
		n += len(p)
	}
	all := make([]Entitlement, 0, n)
	for _, p := range per {
		all = append(all, p...)
	}
	return all, nil
}

func householdMembers(ctx context.Context, db bun.IDB, bookID int64) (map[string]int, error) {
	rows, err := db.QueryContext(ctx, "SELECT code, members FROM households WHERE book_id = ?", bookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

type accrualKey struct{ agreement, household, account string }

// adjustmentLines keeps only the differences between what is due now and
// what approved runs of the quarter accrued.
func adjustmentLines(ctx context.Context, db bun.IDB, bookID int64, q Quarter, due []Entitlement) ([]Entitlement, error) {
	accrued, err := accruedByKey(ctx, db, bookID, q)
	if err != nil {
		return nil, err
	}
	var out []Entitlement
	seen := map[accrualKey]bool{}
	for _, e := range due {
		k := accrualKey{e.Agreement, e.Household, e.CreditAccount}
		seen[k] = true
		if diff := e.Amount.Fen() - accrued[k][0]; diff != 0 {
			e.Basis = fmt.Sprintf("调整：现应发 %s − 已计提 %s = %s（%s）", e.Amount, Fen(accrued[k][0]), Fen(diff), e.Basis)
			e.Amount, e.Fee = Fen(diff), Fen(e.Fee.Fen()-accrued[k][1])
			out = append(out, e)
		}
	}
	for k, v := range accrued {
		if !seen[k] && v[0] != 0 {
			out = append(out, Entitlement{Agreement: k.agreement, Household: k.household, CreditAccount: k.account,
				Kind: "调整", Amount: Fen(-v[0]), Fee: Fen(-v[1]), Basis: fmt.Sprintf("调整：现已无应发，冲回已计提 %s", Fen(v[0]))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Agreement != out[j].Agreement {
			return out[i].Agreement < out[j].Agreement
		}
		return out[i].Household < out[j].Household
	})
	return out, nil
}

func accruedByKey(ctx context.Context, db bun.IDB, bookID int64, q Quarter) (map[accrualKey][2]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT l.agreement_code, l.household_code, l.credit_account, SUM(l.amount_fen), SUM(l.fee_fen)
		FROM payout_lines l JOIN payout_runs r ON r.book_id = l.book_id AND r.id = l.run_id
		WHERE l.book_id = ? AND r.quarter = ? AND r.status = 'approved'
		GROUP BY l.agreement_code, l.household_code, l.credit_account`, bookID, q.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[accrualKey][2]int64{}
	for rows.Next() {
		var k accrualKey
		var amt, fee int64
		if err := rows.Scan(&k.agreement, &k.household, &k.account, &amt, &fee); err != nil {
			return nil, err
		}
		out[k] = [2]int64{amt, fee}
	}
	return out, rows.Err()
}

var insertPayoutLinesSQL = multiInsert{head: `INSERT INTO payout_lines (book_id, run_id, line_no, agreement_code, household_code, kind, credit_account,
			amount_fen, fee_fen, basis) VALUES `, cols: 10, perStmt: 200}

// insertPayoutLines writes lines with multi-row INSERTs, 200 rows a statement.
func (s *Store) insertPayoutLines(ctx context.Context, tx bun.Tx, bookID, runID int64, lines []Entitlement) error {
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{bookID, runID, i + 1, l.Agreement, l.Household, l.Kind, l.CreditAccount, l.Amount.Fen(), l.Fee.Fen(), l.Basis}
	}
	return insertPayoutLinesSQL.exec(ctx, s, tx, rows)
}

// RecomputePayoutRun computes a draft again from the current terms; the
// recomputing user becomes its preparer.
func (s *Store) RecomputePayoutRun(ctx context.Context, a Actor, bookCode string, id int64) (PayoutRun, error) {
	var out PayoutRun
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, run, err := s.draftRun(ctx, tx, a, bookCode, id, permWrite)
		if err != nil {
			return err
		}
		q, _ := ParseQuarter(run.Quarter)
		lines, err := s.runLines(ctx, tx, b, q, run.Adjustment)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM payout_lines WHERE book_id = ? AND run_id = ?", b.ID, id).Exec(ctx); err != nil {
			return err
		}
		if err := s.insertPayoutLines(ctx, tx, b.ID, id, lines); err != nil {
			return err
		}
		_, err = tx.NewRaw("UPDATE payout_runs SET computed_at = ?, total_fen = ?, preparer_id = ? WHERE book_id = ? AND id = ?",
			s.timestamp(), sumLines(lines), a.UserID, b.ID, id).Exec(ctx)
		if err != nil {
			return err
		}
		if out, err = payoutRunByID(ctx, tx, b, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "recompute", "payout_run", fmt.Sprint(id), "", runSummary(run), runSummary(out))
	})
	return out, err
}

// draftRun loads a draft run under the book lock.
func (s *Store) draftRun(ctx context.Context, tx bun.Tx, a Actor, bookCode string, id int64, p permission) (Book, PayoutRun, error) {
	b, err := s.authorizeLocked(ctx, tx, a, bookCode, p)
	if err != nil {
		return Book{}, PayoutRun{}, err
	}
	run, err := payoutRunByID(ctx, tx, b, id)
	if err != nil {
		return Book{}, PayoutRun{}, err
	}
	if run.Status != RunDraft {
		return Book{}, PayoutRun{}, Errorf(ECodeConflict, "收益分配 %d 已审批，不能再修改或审批", id)
	}
	return b, run, nil
}

// PayoutRun returns a run with its lines, payments and totals.
func (s *Store) PayoutRun(ctx context.Context, a Actor, bookCode string, id int64) (PayoutRun, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return PayoutRun{}, err
	}
	return payoutRunByID(ctx, s.db, b, id)
}

// PayoutRuns lists a book's runs (without lines), newest first.
func (s *Store) PayoutRuns(ctx context.Context, a Actor, bookCode, quarter string) ([]PayoutRun, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	q := "SELECT id FROM payout_runs WHERE book_id = ?"
	args := []any{b.ID}
	if quarter != "" {
		q, args = q+" AND quarter = ?", append(args, quarter)
	}
	var ids []int64
	if err := s.db.NewRaw(q+" ORDER BY id DESC LIMIT 1000", args...).Scan(ctx, &ids); err != nil && !isNoRows(err) {
		return nil, err
	}
	out := []PayoutRun{}
	for _, id := range ids {
		r, err := payoutRunByID(ctx, s.db, b, id)
		if err != nil {
			return nil, err
		}
		r.Lines = nil
		out = append(out, r)
	}
	return out, nil
}

func payoutRunByID(ctx context.Context, db bun.IDB, b Book, id int64) (PayoutRun, error) {
	r, err := payoutRunHeader(ctx, db, b, id)
	if err != nil {
		return r, err
	}
	if r.Lines, err = payoutLines(ctx, db, b.ID, id, nil); err != nil {
		return r, err
	}
	r.totals()
	return r, nil
}

// payoutRunHeader loads a run without its lines.
func payoutRunHeader(ctx context.Context, db bun.IDB, b Book, id int64) (PayoutRun, error) {
	r := PayoutRun{Book: b.Code}
	var approver *int64
	var approvedAt *string
	var total int64
	err := db.QueryRowContext(ctx, `SELECT id, quarter, status, adjustment, rounding_rule, preparer_id, approver_id, computed_at,
		approved_at, total_fen, created_at FROM payout_runs WHERE book_id = ? AND id = ?`, b.ID, id).Scan(&r.ID, &r.Quarter, &r.Status,
		&r.Adjustment, &r.RoundingRule, &r.PreparerID, &approver, &r.ComputedAt, &approvedAt, &total, &r.CreatedAt)
	if isNoRows(err) {
		return r, notFound("收益分配", id)
	}
	if err != nil {
		return r, err
	}
	r.ApproverID, r.ApprovedAt, r.Total = deref(approver), derefStr(approvedAt), Fen(total)
	return r, nil
}

// householdsPerQuery bounds the IN list of one query.
const householdsPerQuery = 500

// payoutLines loads a run's lines with what has been paid on each: all of
// them, or only the given households' (a payment batch needs no more).
func payoutLines(ctx context.Context, db bun.IDB, bookID, runID int64, households []string) ([]PayoutLine, error) {
	const query = `SELECT l.line_no, l.agreement_code, l.household_code, l.kind, l.credit_account, l.amount_fen,
		l.fee_fen, l.basis, COALESCE(l.accrual_voucher_id, 0), COALESCE(p.paid, 0)
		FROM payout_lines l LEFT JOIN (SELECT pa.line_no, SUM(pa.amount_fen) AS paid FROM payment_allocations pa
			JOIN payments py ON py.book_id = pa.book_id AND py.id = pa.payment_id AND py.reversal_voucher_id IS NULL
			WHERE pa.book_id = ? AND pa.run_id = ? GROUP BY pa.line_no) p ON p.line_no = l.line_no
		WHERE l.book_id = ? AND l.run_id = ?`
	if households == nil {
		rows, err := rawQuery(ctx, db, query+" ORDER BY l.line_no", bookID, runID, bookID, runID)
		if err != nil {
			return nil, err
		}
		return scanPayoutRows(rows)
	}
	var out []PayoutLine
	for start := 0; start < len(households); start += householdsPerQuery {
		chunk := households[start:min(start+householdsPerQuery, len(households))]
		lines, err := scanPayoutLines(ctx, db, query+" AND l.household_code IN (?) ORDER BY l.line_no", bookID, runID, bookID, runID, bun.In(chunk))
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LineNo < out[j].LineNo })
	return out, nil
}

func scanPayoutLines(ctx context.Context, db bun.IDB, query string, args ...any) ([]PayoutLine, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanPayoutRows(rows)
}

func scanPayoutRows(rows *sql.Rows) ([]PayoutLine, error) {
	return scanAll(rows, func(rows *sql.Rows, l *PayoutLine) error {
		var amt, fee, paid int64
		err := rows.Scan(&l.LineNo, &l.Agreement, &l.Household, &l.Kind, &l.CreditAccount, &amt, &fee, &l.Basis, &l.AccrualVoucherID, &paid)
		l.Amount, l.Fee, l.Paid, l.Outstanding = Fen(amt), Fen(fee), Fen(paid), Fen(amt-paid)
		return err
	})
}

// totals fills the per-household, per-agreement and per-kind totals.
func (r *PayoutRun) totals() {
	byHousehold := map[string]*HouseholdPayout{}
	byAgreement := map[string]*PayoutTotal{}
	byKind := map[string]*PayoutTotal{}
	r.Paid = Money{}
	for _, l := range r.Lines {
		h := byHousehold[l.Household]
		if h == nil {
			h = &HouseholdPayout{Household: l.Household}
			byHousehold[l.Household] = h
		}
		h.Entitled, h.Paid, h.Outstanding = h.Entitled.Add(l.Amount), h.Paid.Add(l.Paid), h.Outstanding.Add(l.Outstanding)
		addTotal(byAgreement, l.Agreement, l)
		addTotal(byKind, l.Kind, l)
		r.Paid = r.Paid.Add(l.Paid)
	}
	r.Outstanding = r.Total.Sub(r.Paid)
	r.Households = sortedValues(byHousehold, func(h *HouseholdPayout) string { return h.Household })
	r.ByAgreement = sortedValues(byAgreement, func(t *PayoutTotal) string { return t.Key })
	r.ByKind = sortedValues(byKind, func(t *PayoutTotal) string { return t.Key })
}

func addTotal(m map[string]*PayoutTotal, key string, l PayoutLine) {
	t := m[key]
	if t == nil {
		t = &PayoutTotal{Key: key}
		m[key] = t
	}
	t.Amount, t.Fee, t.Lines = t.Amount.Add(l.Amount), t.Fee.Add(l.Fee), t.Lines+1
}

func sortedValues[T any](m map[string]*T, key func(*T) string) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return key(&out[i]) < key(&out[j]) })
	return out
}
