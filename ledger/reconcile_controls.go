package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

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
