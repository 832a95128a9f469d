package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// maxHouseholdLinesPerVoucher keeps generated vouchers under maxLines with
// room for their counterpart lines.
const maxHouseholdLinesPerVoucher = 400

// ApproveInput dates the accrual vouchers ("" means the approval day, or the
// quarter's last day when that has passed).
type ApproveInput struct {
	Date string `json:"date"`
}

// ApprovePayoutRun approves a draft run: someone other than its preparer
// (unless the book opted out) approves it, the accrual vouchers are posted —
// one per agreement, one line per household — and the run is frozen.
func (s *Store) ApprovePayoutRun(ctx context.Context, a Actor, bookCode string, id int64, in ApproveInput) (PayoutRun, error) {
	var out PayoutRun
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, run, err := s.draftRun(ctx, tx, a, bookCode, id, permPost)
		if err != nil {
			return err
		}
		if run.PreparerID == a.UserID && !b.SegregationOptOut {
			return Errorf(ECodeSegregation, "收益分配的审批人不能是其编制人（不相容职务分离）")
		}
		q, _ := ParseQuarter(run.Quarter)
		date, err := s.accrualDate(q, in.Date)
		if err != nil {
			return err
		}
		if err := s.claimApprovals(ctx, tx, b, run); err != nil {
			return err
		}
		accruals, err := s.postAccruals(ctx, tx, a, b, run, date)
		if err != nil {
			return err
		}
		approvedAt := s.timestamp()
		res, err := tx.NewRaw("UPDATE payout_runs SET status = ?, approver_id = ?, approved_at = ? WHERE book_id = ? AND id = ? AND status = ?",
			string(RunApproved), a.UserID, approvedAt, b.ID, id, string(RunDraft)).Exec(ctx)
		if err := exactlyOneRow(res, err, "分配方案已不是草稿，不能审批"); err != nil {
			return err
		}
		// The run as payoutRunByID would read it back now, without reading
		// its lines (300,000 in a county) again: a draft has no payments, so
		// only the status, the approver and the accrual vouchers changed.
		out = run
		out.Status, out.ApproverID, out.ApprovedAt = RunApproved, a.UserID, approvedAt
		out.Lines = make([]PayoutLine, len(run.Lines))
		for i, l := range run.Lines {
			l.AccrualVoucherID = accruals[l.LineNo]
			out.Lines[i] = l
		}
		return s.audit(ctx, tx, a, b.ID, "approve", "payout_run", fmt.Sprint(id), "", runSummary(run), runSummary(out))
	})
	return out, err
}

// claimApprovals records the one approved regular run per quarter and agreement.
func (s *Store) claimApprovals(ctx context.Context, tx bun.Tx, b Book, run PayoutRun) error {
	if run.Adjustment {
		return nil
	}
	for _, t := range run.ByAgreement {
		var other int64
		err := tx.NewRaw("SELECT run_id FROM payout_approvals WHERE book_id = ? AND quarter = ? AND agreement_code = ?",
			b.ID, run.Quarter, t.Key).Scan(ctx, &other)
		if err == nil {
			return Errorf(ECodeConflict, "协议 %s 的 %s 季度已由收益分配 %d 审批，更正请用调整分配", t.Key, run.Quarter, other)
		} else if !isNoRows(err) {
			return err
		}
		if _, err := tx.NewRaw("INSERT INTO payout_approvals (book_id, quarter, agreement_code, run_id) VALUES (?, ?, ?, ?)",
			b.ID, run.Quarter, t.Key, run.ID).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// postAccruals posts one voucher per agreement (split every 400 households)
// and returns the accrual voucher of each run line.
func (s *Store) postAccruals(ctx context.Context, tx bun.Tx, a Actor, b Book, run PayoutRun, date string) (map[int]int64, error) {
	byAgreement := map[string][]PayoutLine{}
	for _, l := range run.Lines {
		byAgreement[l.Agreement] = append(byAgreement[l.Agreement], l)
	}
	accruals := make(map[int]int64, len(run.Lines))
	for _, t := range run.ByAgreement {
		ag, err := agreementHeader(ctx, tx, b.ID, t.Key)
		if err != nil {
			return nil, err
		}
		lines := byAgreement[t.Key]
		for start := 0; start < len(lines); start += maxHouseholdLinesPerVoucher {
			chunk := lines[start:min(start+maxHouseholdLinesPerVoucher, len(lines))]
			in := accrualVoucher(ag, run, chunk, date)
			v, err := s.postGenerated(ctx, tx, b, run.PreparerID, a.UserID, ViaPayoutApproval, in)
			if err != nil {
				return nil, err
			}
			args := make([]any, 0, 3+len(chunk))
			args = append(args, v.ID, b.ID, run.ID)
			for _, l := range chunk {
				args = append(args, l.LineNo)
				accruals[l.LineNo] = v.ID
			}
			q := "UPDATE payout_lines SET accrual_voucher_id = ? WHERE book_id = ? AND run_id = ? AND line_no IN (?" +
				strings.Repeat(", ?", len(chunk)-1) + ")"
			if _, err := s.execSQL(ctx, tx, q, args...); err != nil {
				return nil, err
			}
		}
	}
	return accruals, nil
}

// accrualVoucher credits each household's sub-ledger and debits the
// counterpart (the company's receivable, the distribution, the wage cost);
// a land-rent service fee is credited to the village's income.
func accrualVoucher(ag Agreement, run PayoutRun, lines []PayoutLine, date string) VoucherInput {
	in := VoucherInput{Date: date, Summary: truncate(fmt.Sprintf("计提%s %s（第 %d 号分配）", QuarterName(run.Quarter), ag.Title, run.ID), maxSummary-1)}
	var gross, fee int64
	for _, l := range lines {
		in.Lines = append(in.Lines, sidedLine(l.CreditAccount, l.Household, "", -l.Amount.Fen(), l.Kind))
		gross += l.Amount.Fen() + l.Fee.Fen()
		fee += l.Fee.Fen()
	}
	if fee != 0 {
		in.Lines = append(in.Lines, sidedLine(ag.Accounts.Extra, "", "", -fee, "村服务费"))
	}
	if gross != 0 {
		in.Lines = append(in.Lines, sidedLine(ag.Accounts.Debit, "", ag.Party, gross, ag.Title))
	}
	return in
}

// sidedLine puts a signed amount (positive debit, negative credit) on its side
// with a positive amount, so adjustments downwards need no red figures.
func sidedLine(account, household, party string, signedFen int64, summary string) LineInput {
	l := LineInput{Account: account, Household: household, Party: party, Summary: summary}
	if signedFen >= 0 {
		m := Fen(signedFen)
		l.Debit = &m
	} else {
		m := Fen(-signedFen)
		l.Credit = &m
	}
	return l
}

// postGenerated prepares a voucher as preparerID and posts it as reviewerID
// within tx. The party is dropped for accounts that do not carry one.
func (s *Store) postGenerated(ctx context.Context, tx bun.Tx, b Book, preparerID, reviewerID int64, via string, in VoucherInput) (Voucher, error) {
	if err := dropUnusedParties(ctx, tx, b.ID, in.Lines); err != nil {
		return Voucher{}, err
	}
	in.Lines = dropZeroLines(in.Lines)
	lines, total, err := in.checkShape(false)
	if err != nil {
		return Voucher{}, err
	}
	v, err := s.insertDraft(ctx, tx, Actor{UserID: preparerID}, b, in, lines, total, 0)
	if err != nil {
		return Voucher{}, err
	}
	// The draft was checked against the book a moment ago in this very
	// transaction and is held in memory: post it without reading it back or
	// checking it again (post would; checkPostable's other checks are about
	// drafts made earlier, except segregation, checked here).
	if b, err = s.lockedBook(ctx, tx, b.ID); err != nil {
		return Voucher{}, err
	}
	if v.PreparerID == reviewerID && !b.SegregationOptOut {
		return Voucher{}, Errorf(ECodeSegregation, "审核过账人不能是制单人本人（不相容职务分离）")
	}
	v.PostedVia = via
	return s.postChecked(ctx, tx, Actor{UserID: reviewerID}, b, v)
}

func dropUnusedParties(ctx context.Context, tx bun.IDB, bookID int64, lines []LineInput) error {
	for i := range lines {
		if lines[i].Party == "" {
			continue
		}
		acc, err := accountByCode(ctx, tx, bookID, lines[i].Account)
		if err != nil {
			return err
		}
		if acc.Aux != AuxParty {
			lines[i].Party = ""
		}
	}
	return nil
}

func dropZeroLines(lines []LineInput) []LineInput {
	out := lines[:0]
	for _, l := range lines {
		if (l.Debit != nil && !l.Debit.IsZero()) || (l.Credit != nil && !l.Credit.IsZero()) {
			out = append(out, l)
		}
	}
	return out
}

// Payment methods.
const (
	MethodBank = "bank" // 一卡通 batch
	MethodCash = "cash"
)

// PaymentInput pays a household against an approved run.
type PaymentInput struct {
	Household string `json:"household"`
	Amount    Money  `json:"amount"`
	Date      string `json:"date"`
	Method    string `json:"method"`
	Reference string `json:"reference"`
}

// Payment is a recorded payment and the voucher that booked it.
type Payment struct {
	ID        int64  `json:"id"`
	RunID     int64  `json:"run_id"`
	Household string `json:"household"`
	Amount    Money  `json:"amount"`
	Date      string `json:"date"`
	Method    string `json:"method"`
	Reference string `json:"reference,omitempty"`
	VoucherID int64  `json:"voucher_id"`
	// ReversalVoucherID is the posted red reversal that undid the payment.
	ReversalVoucherID int64 `json:"reversal_voucher_id,omitempty"`
}

// maxPaymentsPerBatch bounds one request.
const maxPaymentsPerBatch = 5000

// RecordPayments records a batch of payments against an approved run, all or
// none: each is allocated over the household's lines and posted as payment
// vouchers (Dr sub-ledger / Cr bank or cash). Overpaying, paying a household
// outside the run and reusing a bank reference are refused.
func (s *Store) RecordPayments(ctx context.Context, a Actor, bookCode string, runID int64, in []PaymentInput) ([]Payment, error) {
	if len(in) == 0 || len(in) > maxPaymentsPerBatch {
		return nil, FieldError("payments", "每批应有 1 到 %d 笔付款", maxPaymentsPerBatch)
	}
	var out []Payment
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permPay)
		if err != nil {
			return err
		}
		run, err := payoutRunHeader(ctx, tx, b, runID)
		if err != nil {
			return err
		}
		// Only the batch's households' lines: a county run has 300,000.
		if run.Lines, err = payoutLines(ctx, tx, b.ID, runID, batchHouseholds(in)); err != nil {
			return err
		}
		in = normalizedPayments(in)
		window, err := s.paymentWindow(ctx, tx, b, run)
		if err != nil {
			return err
		}
		allocs, err := checkPayments(ctx, tx, b, run, in, window)
		if err != nil {
			return err
		}
		if out, err = s.postPayments(ctx, tx, a, b, run, in, allocs); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "pay", "payout_run", fmt.Sprint(runID), "", nil, map[string]any{"payments": len(out)})
	})
	return out, err
}

// allocation is part of a payment applied to one run line.
type allocation struct {
	line   PayoutLine
	amount int64
}

func checkPayments(ctx context.Context, tx bun.IDB, b Book, run PayoutRun, in []PaymentInput, window dateWindow) ([][]allocation, error) {
	if run.Status != RunApproved {
		return nil, Errorf(ECodeConflict, "收益分配 %d 尚未审批，不能付款", run.ID)
	}
	outstanding := map[string][]PayoutLine{}
	for _, l := range run.Lines {
		if l.Outstanding.IsPositive() {
			outstanding[l.Household] = append(outstanding[l.Household], l)
		}
	}
	inRun := map[string]bool{}
	for _, l := range run.Lines {
		inRun[l.Household] = true
	}
	var v validation
	refs := map[string]bool{}
	allocs := make([][]allocation, len(in))
	for i, p := range in {
		f := fmt.Sprintf("payments[%d]", i)
		checkPaymentFields(&v, f, p, inRun, refs)
		window.check(&v, f+".date", p.Date)
		if !inRun[p.Household] || !p.Amount.IsPositive() {
			continue
		}
		var short int64
		allocs[i], short = allocate(outstanding, p.Household, p.Amount.Fen())
		if short > 0 {
			v.Add(f+".amount", "超额付款：农户 %s 在本次分配中未发金额不足，多付 %s", p.Household, Fen(short))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return allocs, checkReferencesUnused(ctx, tx, b.ID, refs)
}

func checkPaymentFields(v *validation, f string, p PaymentInput, inRun, refs map[string]bool) {
	if !inRun[p.Household] {
		v.Add(f+".household", "农户 %s 不在本次收益分配名单中", truncate(p.Household, 32))
	}
	if !p.Amount.IsPositive() {
		v.Add(f+".amount", "付款金额必须大于零")
	}
	if _, err := ParseDate(p.Date); err != nil {
		v.Add(f+".date", "%s", err.Error())
	}
	switch p.Method {
	case MethodBank:
		if !v.text(f+".reference", p.Reference) && !validName(p.Reference, 64) {
			v.Add(f+".reference", "银行付款必须填写流水号（不超过 64 个字符）")
		}
	case MethodCash:
		if !v.text(f+".reference", p.Reference) && len([]rune(p.Reference)) > 64 {
			v.Add(f+".reference", "流水号不超过 64 个字符")
		}
	default:
		v.Add(f+".method", "付款方式应为 bank（银行/一卡通）或 cash（现金）")
	}
	if key := ReferenceKey(p.Reference); key != "" {
		if refs[key] {
			v.Add(f+".reference", "流水号 %s 在本批中重复（不区分大小写和全角半角）", p.Reference)
		}
		refs[key] = true
	}
}

// allocate applies amount to the household's outstanding lines in order and
// returns what could not be applied.
func allocate(outstanding map[string][]PayoutLine, household string, amount int64) ([]allocation, int64) {
	var out []allocation
	lines := outstanding[household]
	for i := range lines {
		if amount == 0 {
			break
		}
		take := min(amount, lines[i].Outstanding.Fen())
		if take <= 0 {
			continue
		}
		out = append(out, allocation{line: lines[i], amount: take})
		lines[i].Outstanding = lines[i].Outstanding.Sub(Fen(take))
		amount -= take
	}
	return out, amount
}

// batchHouseholds lists the distinct households of a payment batch.
func batchHouseholds(in []PaymentInput) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, p := range in {
		if !seen[p.Household] {
			seen[p.Household] = true
			out = append(out, p.Household)
		}
	}
	return out
}

func checkReferencesUnused(ctx context.Context, tx bun.IDB, bookID int64, refs map[string]bool) error {
	list := make([]string, 0, len(refs))
	for ref := range refs {
		list = append(list, ref)
	}
	sort.Strings(list)
	var v validation
	for start := 0; start < len(list); start += householdsPerQuery {
		chunk := list[start:min(start+householdsPerQuery, len(list))]
		// A reversed payment's reference is free again: the money did not go.
		rows, err := tx.QueryContext(ctx, `SELECT reference, id FROM payments WHERE book_id = ? AND reference_key IN (?)
			AND reversal_voucher_id IS NULL ORDER BY reference_key, id`,
			bookID, bun.In(chunk))
		if err != nil {
			return err
		}
		for rows.Next() {
			var ref string
			var other int64
			if err := rows.Scan(&ref, &other); err != nil {
				rows.Close()
				return err
			}
			v.Add("payments", "流水号 %s 已用于付款 %d，不能重复付款", ref, other)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	if e, ok := AsError(v.Err()); ok {
		return &Error{Code: ECodeConflict, Message: strings.TrimPrefix(e.Message, "payments："), Details: e.Details}
	}
	return nil
}

// paymentReviewer is who countersigns payment vouchers: the run's approver,
// or its preparer when the approver records the payments.
func paymentReviewer(run PayoutRun, a Actor, b Book) (int64, error) {
	switch {
	case run.ApproverID != a.UserID:
		return run.ApproverID, nil
	case run.PreparerID != a.UserID || b.SegregationOptOut:
		return run.PreparerID, nil
	}
	return 0, Errorf(ECodeSegregation, "付款登记人不能同时是该收益分配的编制人和审批人")
}

func (s *Store) postPayments(ctx context.Context, tx bun.Tx, a Actor, b Book, run PayoutRun, in []PaymentInput, allocs [][]allocation) ([]Payment, error) {
	reviewer, err := paymentReviewer(run, a, b)
	if err != nil {
		return nil, err
	}
	out := make([]Payment, len(in))
	for _, group := range paymentGroups(in, allocs) {
		v, err := s.postGenerated(ctx, tx, b, a.UserID, reviewer, ViaPayment, paymentVoucher(b.Kind, run, in, allocs, group))
		if err != nil {
			return nil, err
		}
		for _, i := range group {
			if out[i], err = s.insertPayment(ctx, tx, a, b, run.ID, in[i], allocs[i], v.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// paymentGroups batches payments of one date and method into vouchers of at
// most maxHouseholdLinesPerVoucher allocation lines, keeping input order.
func paymentGroups(in []PaymentInput, allocs [][]allocation) [][]int {
	var groups [][]int
	open := map[string]int{} // date|method → index of the group being filled
	size := map[int]int{}
	for i, p := range in {
		key := p.Date + "|" + p.Method
		g, ok := open[key]
		if !ok || size[g]+len(allocs[i]) > maxHouseholdLinesPerVoucher {
			groups = append(groups, nil)
			g = len(groups) - 1
			open[key] = g
		}
		groups[g] = append(groups[g], i)
		size[g] += len(allocs[i])
	}
	return groups
}

func paymentVoucher(kind BookKind, run PayoutRun, in []PaymentInput, allocs [][]allocation, group []int) VoucherInput {
	first := in[group[0]]
	method, cash := "银行代发", AccountFor(kind, AccountRoleBank)
	if first.Method == MethodCash {
		method, cash = "现金", AccountFor(kind, AccountRoleCash)
	}
	v := VoucherInput{Date: first.Date, Summary: fmt.Sprintf("发放%s%s（%s，第 %d 号分配）", QuarterName(run.Quarter), paidTitle(allocs, group), method, run.ID)}
	var total int64
	for _, i := range group {
		for _, al := range allocs[i] {
			v.Lines = append(v.Lines, sidedLine(al.line.CreditAccount, al.line.Household, "", al.amount, al.line.Kind+" "+in[i].Reference))
			total += al.amount
		}
	}
	v.Lines = append(v.Lines, sidedLine(cash, "", "", -total, method))
	return v
}

func (s *Store) insertPayment(ctx context.Context, tx bun.Tx, a Actor, b Book, runID int64, p PaymentInput, allocs []allocation, voucherID int64) (Payment, error) {
	id, err := nextID(ctx, tx, b.ID, "payment")
	if err != nil {
		return Payment{}, err
	}
	_, err = tx.NewRaw(`INSERT INTO payments (book_id, id, run_id, household_code, amount_fen, date, method, reference, reference_key,
		voucher_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, id, runID, p.Household, p.Amount.Fen(),
		p.Date, p.Method, p.Reference, ReferenceKey(p.Reference),
		voucherID, s.timestamp(), a.UserID).Exec(ctx)
	if err != nil {
		return Payment{}, err
	}
	for _, al := range allocs {
		_, err := tx.NewRaw(`INSERT INTO payment_allocations (book_id, payment_id, run_id, line_no, amount_fen) VALUES (?, ?, ?, ?, ?)`,
			b.ID, id, runID, al.line.LineNo, al.amount).Exec(ctx)
		if err != nil {
			return Payment{}, err
		}
	}
	return Payment{ID: id, RunID: runID, Household: p.Household, Amount: p.Amount, Date: p.Date, Method: p.Method,
		Reference: p.Reference, VoucherID: voucherID}, nil
}

// Payments lists the payments of a run.
func (s *Store) Payments(ctx context.Context, a Actor, bookCode string, runID int64) ([]Payment, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	if exists, err := s.db.NewSelect().Table("payout_runs").Where("book_id = ? AND id = ?", b.ID, runID).Exists(ctx); err != nil {
		return nil, err
	} else if !exists {
		return nil, notFound("收益分配", runID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, run_id, household_code, amount_fen, date, method, reference, voucher_id,
		COALESCE(reversal_voucher_id, 0) FROM payments WHERE book_id = ? AND run_id = ? ORDER BY id`, b.ID, runID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, p *Payment) error {
		var fen int64
		err := rows.Scan(&p.ID, &p.RunID, &p.Household, &fen, &p.Date, &p.Method, &p.Reference, &p.VoucherID, &p.ReversalVoucherID)
		p.Amount = Fen(fen)
		return err
	})
}

// paidTitle names what a payment voucher pays (土地租金, 股金分红、薪金).
func paidTitle(allocs [][]allocation, group []int) string {
	var kinds []string
	for _, i := range group {
		for _, al := range allocs[i] {
			kinds = append(kinds, LineKind(al.line.Kind, al.line.CreditAccount))
		}
	}
	return PayoutTitle(kinds)
}
