package ledger

import (
	"fmt"
	"sort"
	"strings"
)

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
		UNION SELECT DISTINCT voucher_id FROM payments WHERE book_id = ?
		UNION SELECT DISTINCT reversal_voucher_id FROM payments WHERE book_id = ? AND reversal_voucher_id IS NOT NULL`, r.b.ID, r.b.ID, r.b.ID).Scan(r.ctx, &ids)
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
		COALESCE(p.reversal_voucher_id, 0), CASE WHEN r.id IS NULL THEN 0 ELSE 1 END
		FROM payments p LEFT JOIN payout_runs r ON r.book_id = p.book_id AND r.id = p.run_id
		WHERE p.book_id = ? AND (r.quarter = ? OR r.id IS NULL) ORDER BY p.id`, r.b.ID, r.q.String())
	if err != nil {
		return err
	}
	for rows.Next() {
		var p payment
		var found int
		if err := rows.Scan(&p.id, &p.run, &p.household, &p.amount, &p.date, &p.method, &p.reference, &p.voucher, &p.reversal, &found); err != nil {
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
		if p.reversal == 0 {
			run.Paid = run.Paid.Add(Fen(p.amount))
		}
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
		k := rowKey{l.household, l.agreement}
		if p.reversal != 0 {
			// Undone: not paid, but both vouchers stay cited on the row.
			r.rowVouch[k] = append(r.rowVouch[k], p.voucher, p.reversal)
			continue
		}
		l.paid += a.amount
		if l.payers == nil {
			l.payers = map[int64]bool{}
		}
		l.payers[p.id] = true
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
			mine[ReferenceKey(p.reference)] = true
		} else if p.method == MethodBank {
			r.finding(Finding{Check: CheckReference, Household: p.household, PaymentID: p.id, RunID: p.run, Vouchers: r.vx.labels(p.voucher),
				Message: fmt.Sprintf("银行付款 %d（农户 %s，%s，凭证 %s）没有银行流水号", p.id, p.household, Fen(p.amount), r.vx.label(p.voucher))})
		}
	}
	// Compared by reference_key among payments not reversed: a reversed
	// payment's reference may be used again.
	rows, err := r.db.QueryContext(r.ctx, `SELECT reference_key, id, voucher_id, household_code FROM payments
		WHERE book_id = ? AND reversal_voucher_id IS NULL AND reference_key IN (
		SELECT reference_key FROM payments WHERE book_id = ? AND reference_key <> '' AND reversal_voucher_id IS NULL
		GROUP BY reference_key HAVING COUNT(*) > 1) ORDER BY reference_key, id`, r.b.ID, r.b.ID)
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
