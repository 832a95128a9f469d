package ledger

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"
)

// paymentDateTolerance is how far past today a payment may be dated: a bank
// batch handed in on Friday is booked with Monday's value date.
const paymentDateTolerance = 3 * 24 * time.Hour

// today is the store clock's calendar day in China (UTC+8), where the books
// are kept, whatever the server's zone.
func (s *Store) today() time.Time {
	t := s.now().In(chinaTime)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

var chinaTime = time.FixedZone("CST", 8*3600)

// accrualDate is the date of a run's accrual vouchers: the one asked for, or
// by default the approval day — the quarter's last day once that has passed —
// and never a day after today, so payments are not blocked until the quarter
// ends and voucher numbers follow their dates.
func (s *Store) accrualDate(q Quarter, asked string) (string, error) {
	today := s.today()
	if asked == "" {
		if last := q.Last(); last.Before(today) {
			return last.Format(time.DateOnly), nil
		}
		return today.Format(time.DateOnly), nil
	}
	d, err := ParseDate(asked)
	if err != nil {
		return "", FieldError("date", "%s", err.Error())
	}
	if d.After(today) {
		return "", FieldError("date", "计提日期 %s 晚于今天 %s，不能预先计提", asked, today.Format(time.DateOnly))
	}
	return asked, nil
}

// dateWindow is the span a payment's date must lie in: not before the run
// was accrued, not after today plus the tolerance.
type dateWindow struct{ from, to string }

func (w dateWindow) check(v *validation, field, date string) {
	if _, err := ParseDate(date); err != nil {
		return // reported with the other fields
	}
	switch {
	case w.from != "" && date < w.from:
		v.Add(field, "付款日期 %s 早于本次分配的计提日期 %s", date, w.from)
	case date > w.to:
		v.Add(field, "付款日期 %s 晚于今天后 %d 天（%s），请填写实际付款日期", date, int(paymentDateTolerance/(24*time.Hour)), w.to)
	}
}

// paymentWindow reads the latest accrual date of the run's lines at hand.
func (s *Store) paymentWindow(ctx context.Context, tx bun.IDB, b Book, run PayoutRun) (dateWindow, error) {
	w := dateWindow{to: s.today().Add(paymentDateTolerance).Format(time.DateOnly)}
	seen := map[int64]bool{}
	var ids []int64
	for _, l := range run.Lines {
		if l.AccrualVoucherID != 0 && !seen[l.AccrualVoucherID] {
			seen[l.AccrualVoucherID] = true
			ids = append(ids, l.AccrualVoucherID)
		}
	}
	if len(ids) == 0 {
		return w, nil
	}
	var from *string
	err := tx.NewRaw("SELECT MAX(date) FROM vouchers WHERE book_id = ? AND id IN (?)", b.ID, bun.In(ids)).Scan(ctx, &from)
	if err != nil && !isNoRows(err) {
		return w, err
	}
	w.from = derefStr(from)
	return w, nil
}

// normalizedPayments stores references in NFKC with surrounding spaces
// trimmed (the case as typed); they are compared by ReferenceKey.
func normalizedPayments(in []PaymentInput) []PaymentInput {
	out := make([]PaymentInput, len(in))
	for i, p := range in {
		if _, bad := invisibleIn(p.Reference); !bad {
			p.Reference = strings.TrimSpace(norm.NFKC.String(p.Reference))
		}
		out[i] = p
	}
	return out
}
