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
		settles    []payItem // the payout-account items it debits
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
			if net > 0 {
				m.settles = append(m.settles, payItem{account, household})
			}
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
	owed, err := r.ownBusinessOwed(list2items(len(list), func(i int) []payItem {
		if list[i].paid > 0 && cash[list[i].id] > 0 {
			return list[i].settles
		}
		return nil
	}))
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
		if m.paid > 0 && cash[m.id] > 0 && settlesOwnBusiness(m.settles, owed) {
			r.review(Finding{Check: CheckManualPosting, Household: strings.Join(hs, ","), Vouchers: v,
				Message: fmt.Sprintf("凭证 %s 向成员 %s 付款 %s，结算的是合作社与成员的交易或工资（在收益分配以外记入的应付款），不是收益分配，请复核", v[0], who, Fen(m.paid))})
			continue
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

// payItem is an account × household sub-ledger item.
type payItem struct{ account, household string }

func list2items(n int, at func(int) []payItem) map[payItem]bool {
	out := map[payItem]bool{}
	for i := range n {
		for _, k := range at(i) {
			out[k] = true
		}
	}
	return out
}

// settlesOwnBusiness reports whether every item a payment debits stays
// covered by what the cooperative owed outside payout runs.
func settlesOwnBusiness(items []payItem, owed map[payItem]bool) bool {
	for _, k := range items {
		if !owed[k] {
			return false
		}
	}
	return len(items) > 0
}

// ownBusinessOwed tells, for a cooperative, which of the items were paid no
// more than was credited to them outside payout runs through the quarter's
// end: buying members' produce (Cr 114 成员往来) or accruing wages (Cr 213)
// and paying that is the cooperative's trade and payroll, not a payout. A
// payment beyond those credits — money for which no posting owes it — stays
// an untraced payment. Villages keep the strict rule.
func (r *reconciler) ownBusinessOwed(items map[payItem]bool) (map[payItem]bool, error) {
	out := map[payItem]bool{}
	if r.b.Kind != KindCooperative || len(items) == 0 {
		return out, nil
	}
	rows, err := r.db.QueryContext(r.ctx, `SELECT l.voucher_id, l.account_code, l.household_code, SUM(l.credit_fen - l.debit_fen)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period <= ? AND l.household_code IS NOT NULL
		GROUP BY l.voucher_id, l.account_code, l.household_code`, r.b.ID, string(r.q.Periods()[2]))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	net := map[payItem]int64{}
	for rows.Next() {
		var id, n int64
		var k payItem
		if err := rows.Scan(&id, &k.account, &k.household, &n); err != nil {
			return nil, err
		}
		if items[k] && !r.runVouch[id] {
			net[k] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k := range items {
		out[k] = net[k] >= 0
	}
	return out, nil
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
