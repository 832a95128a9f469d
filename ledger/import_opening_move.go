package ledger

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Books made by earlier releases opened with an ordinary voucher of their
// first month ("期初建账"), so their 年初 columns read zero and January's
// activity includes the whole opening. MoveOpening moves such an opening into
// the opening-balances facility: the same lines posted as opening balances
// (the month before the first month) and a red reversal of the old voucher,
// dated as it was, left as a draft for a reviewer to post. Both are audited.

// OpeningToMove returns the voucher that opened a book the old way: when the
// book has no opening balances, the first posted voucher of its first month
// that is no reversal, is not reversed and carries equity (an account 3…).
// ok is false when there is none.
func (s *Store) OpeningToMove(ctx context.Context, a Actor, bookCode string) (v Voucher, ok bool, err error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Voucher{}, false, err
	}
	id, err := openingCandidate(ctx, s.db, b)
	if err != nil || id == 0 {
		return Voucher{}, false, err
	}
	v, err = s.voucherByID(ctx, s.db, b, id)
	return v, err == nil, err
}

func openingCandidate(ctx context.Context, db bun.IDB, b Book) (int64, error) {
	var n int
	if err := db.NewRaw("SELECT COUNT(*) FROM vouchers WHERE book_id = ? AND period < ? AND status = 'posted'", b.ID, b.StartPeriod).Scan(ctx, &n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	var ids []int64
	err := db.NewRaw(`SELECT v.id FROM vouchers v WHERE v.book_id = ? AND v.period = ? AND v.status = 'posted'
		AND v.reverses_id IS NULL AND v.reversed_by_id IS NULL
		AND EXISTS (SELECT 1 FROM voucher_lines l WHERE l.book_id = v.book_id AND l.voucher_id = v.id AND l.account_code LIKE '3%')
		ORDER BY v.date, v.id LIMIT 1`, b.ID, b.StartPeriod).Scan(ctx, &ids)
	if err != nil && !isNoRows(err) {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// MovedOpening is what MoveOpening made.
type MovedOpening struct {
	Opening  Voucher `json:"opening"`  // posted opening balances
	Reversal Voucher `json:"reversal"` // the old voucher's red reversal, a draft for a reviewer
}

// MoveOpening moves the old-style opening voucher id into the opening-balances
// facility, in one transaction. It is refused once a month of the book is
// closed (the township reopens back to the first month first), when the book
// already has opening balances, or for any voucher but the one OpeningToMove
// names.
func (s *Store) MoveOpening(ctx context.Context, a Actor, bookCode string, id int64) (MovedOpening, error) {
	var out MovedOpening
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if b, err = s.bookByCode(ctx, tx, b.Code); err != nil {
			return err
		}
		want, err := openingCandidate(ctx, tx, b)
		if err != nil {
			return err
		}
		if want == 0 || want != id {
			return &Error{Code: ECodeConflict, Message: fmt.Sprintf("凭证 %d 不是本账套以普通凭证录入的期初建账凭证（或账套已有期初余额），不能迁移", id),
				Details: []Detail{{Field: "voucher_id", Message: "应为启用期间 " + b.StartPeriod + " 第一张含所有者权益科目的已记账凭证"}}}
		}
		if err := s.checkOpeningAllowed(ctx, tx, b); err != nil {
			return Errorf(ECodeConflict, "账套已有结账的期间：请乡镇财政所先逐月反结账至 %s，再迁移期初余额", b.StartPeriod)
		}
		orig, err := s.voucherByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		rin, err := reversalInput(ctx, tx, b, orig, ReverseInput{Date: orig.Date,
			Summary: truncate(fmt.Sprintf("冲销%s月%s号期初建账凭证：期初余额改由期初余额功能录入", orig.Period, orig.Number), maxSummary-1)})
		if err != nil {
			return err
		}
		lines, total, err := rin.checkShape(true)
		if err != nil {
			return err
		}
		if out.Reversal, err = s.insertDraft(ctx, tx, a, b, rin, lines, total, orig.ID); err != nil {
			return err
		}
		opening := make([]Line, len(orig.Lines))
		for i, l := range orig.Lines {
			opening[i] = Line{LineNo: i + 1, Account: l.Account, Household: l.Household, Party: l.Party,
				Debit: l.Debit, Credit: l.Credit, Summary: l.Summary}
		}
		if out.Opening, err = s.postOpening(ctx, tx, a, b, opening, orig.Total); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "move_opening", "voucher", fmt.Sprint(orig.ID), "期初建账凭证改由期初余额功能录入", nil,
			map[string]any{"opening_id": out.Opening.ID, "reversal_id": out.Reversal.ID})
	})
	return out, err
}
