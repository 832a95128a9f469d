package ledger

import (
	"context"
	"sort"

	"github.com/uptrace/bun"
)

// QuarterPayout is one agreement's money for one household in one quarter:
// what the terms entitle it to now, what approved runs accrued, what was paid.
type QuarterPayout struct {
	Quarter     string  `json:"quarter"`
	Agreement   string  `json:"agreement"`
	Kind        string  `json:"kind"`
	Entitled    Money   `json:"entitled"`
	Accrued     Money   `json:"accrued"`
	Paid        Money   `json:"paid"`
	Outstanding Money   `json:"outstanding"`
	Vouchers    []int64 `json:"vouchers"` // accrual and payment vouchers
	// VoucherLabels cite Vouchers as accountants do: 2026年9月记-0004.
	VoucherLabels []string `json:"voucher_labels"`
}

// quartersOf lists the quarters that overlap a range of months.
func quartersOf(r PeriodRange) []Quarter {
	var out []Quarter
	for p := r.From; p <= r.To && len(out) < 400; p = p.Next() {
		t, _ := ParseDate(string(p) + "-01")
		q := QuarterOf(t)
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	return out
}

func (s *Store) householdPayouts(ctx context.Context, db bun.IDB, b Book, household string, r PeriodRange) ([]QuarterPayout, error) {
	out := []QuarterPayout{}
	for _, q := range quartersOf(r) {
		rows := map[string]*QuarterPayout{}
		due, err := s.quarterEntitlements(ctx, db, b, q, func(string) bool { return true })
		if err != nil {
			return nil, err
		}
		for _, e := range due {
			if e.Household == household {
				row := payoutRow(rows, q, e.Agreement, e.Kind)
				row.Entitled = row.Entitled.Add(e.Amount)
			}
		}
		if err := addAccruedAndPaid(ctx, db, b.ID, q, household, rows); err != nil {
			return nil, err
		}
		out = append(out, sortedValues(rows, func(p *QuarterPayout) string { return p.Agreement })...)
	}
	return out, labelPayoutVouchers(ctx, db, b.ID, out)
}

// labelPayoutVouchers fills VoucherLabels, reading the book's voucher index
// only when some row cites a voucher.
func labelPayoutVouchers(ctx context.Context, db bun.IDB, bookID int64, rows []QuarterPayout) error {
	var ix voucherIndex
	for i := range rows {
		rows[i].VoucherLabels = make([]string, len(rows[i].Vouchers))
		for j, id := range rows[i].Vouchers {
			if ix == nil {
				var err error
				if ix, err = loadVoucherIndex(ctx, db, bookID); err != nil {
					return err
				}
			}
			rows[i].VoucherLabels[j] = ix.label(id)
		}
	}
	return nil
}

func payoutRow(rows map[string]*QuarterPayout, q Quarter, agreement, kind string) *QuarterPayout {
	row := rows[agreement]
	if row == nil {
		row = &QuarterPayout{Quarter: q.String(), Agreement: agreement, Kind: kind, Vouchers: []int64{}}
		rows[agreement] = row
	}
	return row
}

func addAccruedAndPaid(ctx context.Context, db bun.IDB, bookID int64, q Quarter, household string, rows map[string]*QuarterPayout) error {
	res, err := db.QueryContext(ctx, `SELECT l.agreement_code, l.kind, l.amount_fen, COALESCE(l.accrual_voucher_id, 0),
		COALESCE((SELECT SUM(pa.amount_fen) FROM payment_allocations pa JOIN payments py ON py.book_id = pa.book_id AND py.id = pa.payment_id
			WHERE pa.book_id = l.book_id AND pa.run_id = l.run_id AND pa.line_no = l.line_no AND py.reversal_voucher_id IS NULL), 0)
		FROM payout_lines l JOIN payout_runs r ON r.book_id = l.book_id AND r.id = l.run_id
		WHERE l.book_id = ? AND l.household_code = ? AND r.quarter = ? AND r.status = 'approved'`, bookID, household, q.String())
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		var agreement, kind string
		var amount, voucher, paid int64
		if err := res.Scan(&agreement, &kind, &amount, &voucher, &paid); err != nil {
			return err
		}
		row := payoutRow(rows, q, agreement, kind)
		row.Accrued, row.Paid = row.Accrued.Add(Fen(amount)), row.Paid.Add(Fen(paid))
		row.Outstanding = row.Accrued.Sub(row.Paid)
		row.Vouchers = appendUnique(row.Vouchers, voucher)
	}
	if err := res.Err(); err != nil {
		return err
	}
	return addPaymentVouchers(ctx, db, bookID, q, household, rows)
}

func addPaymentVouchers(ctx context.Context, db bun.IDB, bookID int64, q Quarter, household string, rows map[string]*QuarterPayout) error {
	res, err := db.QueryContext(ctx, `SELECT DISTINCT l.agreement_code, p.voucher_id, COALESCE(p.reversal_voucher_id, 0) FROM payments p
		JOIN payment_allocations pa ON pa.book_id = p.book_id AND pa.payment_id = p.id
		JOIN payout_lines l ON l.book_id = pa.book_id AND l.run_id = pa.run_id AND l.line_no = pa.line_no
		JOIN payout_runs r ON r.book_id = p.book_id AND r.id = p.run_id
		WHERE p.book_id = ? AND p.household_code = ? AND r.quarter = ?`, bookID, household, q.String())
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		var agreement string
		var voucher, reversal int64
		if err := res.Scan(&agreement, &voucher, &reversal); err != nil {
			return err
		}
		if row := rows[agreement]; row != nil {
			row.Vouchers = appendUnique(appendUnique(row.Vouchers, voucher), reversal)
		}
	}
	return res.Err()
}

func appendUnique(ids []int64, id int64) []int64 {
	if id == 0 {
		return ids
	}
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	ids = append(ids, id)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
