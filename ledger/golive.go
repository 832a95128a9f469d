package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// A book has two dates: StartPeriod, where its books begin (the first month
// the ledger holds; the opening balances sit in the month before), and
// GoLivePeriod, the first month kept in coopledger. Months from StartPeriod
// up to go-live hold the old paper books and come in only as imports a
// township officer approves; from go-live on every voucher is entered and
// reviewed on its own.

// SetGoLive moves a book's go-live month. A township officer of the book's
// township or an admin may; the month lies between the book's start and next
// month, and go-live cannot move once anything is posted on or after it (nor
// onto or before a posted month: those vouchers would then count as kept in
// coopledger, or as history, after the fact).
func (s *Store) SetGoLive(ctx context.Context, a Actor, bookCode, period string) (Book, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return Book{}, FieldError("go_live_period", "%s", err.Error())
	}
	var out Book
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.goLiveBook(ctx, tx, a, bookCode)
		if err != nil {
			return err
		}
		if err := s.checkGoLiveMove(ctx, tx, b, string(p)); err != nil {
			return err
		}
		if string(p) == b.GoLivePeriod {
			out = b
			return nil
		}
		if _, err := tx.NewRaw("UPDATE books SET go_live_period = ? WHERE id = ?", string(p), b.ID).Exec(ctx); err != nil {
			return err
		}
		before := map[string]string{"go_live_period": b.GoLivePeriod}
		b.GoLivePeriod = string(p)
		out = b
		return s.audit(ctx, tx, a, b.ID, "go_live", "book", b.Code, "", before, map[string]string{"go_live_period": b.GoLivePeriod})
	})
	return out, err
}

// goLiveBook locks the book for a change of go-live: admins for any book,
// township officers for their township's (out of scope reads as not found).
func (s *Store) goLiveBook(ctx context.Context, tx bun.Tx, a Actor, bookCode string) (Book, error) {
	if a.Role != RoleAdmin {
		b, err := s.authorize(ctx, tx, a, bookCode, permRead)
		if err != nil {
			return b, err
		}
		if !a.holds(b, RoleTownship) {
			return b, Errorf(ECodeForbidden, "只有本镇财政所或管理员可以设置上线月份，当前角色（%s）不能", a.roleLabel(b))
		}
	}
	b, err := s.bookByCode(ctx, tx, bookCode)
	if err != nil {
		return b, err
	}
	if err := s.lockBook(ctx, tx, b.ID); err != nil {
		return b, err
	}
	return s.bookByCode(ctx, tx, bookCode)
}

// checkGoLiveMove refuses a go-live month out of the book's range, or a move
// across posted vouchers: none may lie in a month from the earlier of the
// two go-lives on.
func (s *Store) checkGoLiveMove(ctx context.Context, tx bun.Tx, b Book, to string) error {
	if to < b.StartPeriod {
		return FieldError("go_live_period", "上线月份 %s 不能早于账套启用期间 %s", to, b.StartPeriod)
	}
	if next := string(Period(s.now().Format("2006-01")).Next()); to > next {
		return FieldError("go_live_period", "上线月份 %s 不能晚于下个月（%s）", to, next)
	}
	if to == b.GoLivePeriod {
		return nil
	}
	from := min(to, b.GoLivePeriod)
	var period, number string
	var n int64
	err := tx.NewRaw(`SELECT period, number FROM vouchers WHERE book_id = ? AND status = 'posted' AND period >= ?
		ORDER BY period, number LIMIT 1`, b.ID, from).Scan(ctx, &period, &n)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	number = FormatNumber(int(n))
	return FieldError("go_live_period", "账套已有 %s 月及以后的已记账凭证（如 %s %s），上线月份 %s 不能再改为 %s",
		from, period, number, b.GoLivePeriod, to)
}
