package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// PostVoucher posts a draft: the reviewer (not its preparer, unless the book
// opted out) checks it, it gets the next gapless number of its month, joins the
// book's hash chain and moves the maintained balances — all in one transaction.
func (s *Store) PostVoucher(ctx context.Context, a Actor, bookCode string, id int64) (Voucher, error) {
	var out Voucher
	err := s.writeGrouped(ctx, a.Write, func(ctx context.Context, tx bun.Tx) error {
		b, err := s.authorizeAny(ctx, tx, a, bookCode, permPost, permCashBank)
		if err != nil {
			return err
		}
		out, err = s.post(ctx, tx, a, b, id)
		return err
	})
	return out, err
}

func (s *Store) post(ctx context.Context, tx bun.Tx, a Actor, b Book, id int64) (Voucher, error) {
	// On PostgreSQL authorize read the book before locking it: re-read the
	// chain head under the lock. A SQLite write transaction holds the one
	// writer lock from its start, so what authorize read is current.
	var err error
	if s.dialect == Postgres {
		if b, err = s.lockedBook(ctx, tx, b.ID); err != nil {
			return Voucher{}, err
		}
	}
	v, err := s.voucherByID(ctx, tx, b, id)
	if err != nil {
		return Voucher{}, err
	}
	if err := s.checkPostable(ctx, tx, a, b, v); err != nil {
		return Voucher{}, err
	}
	return s.postChecked(ctx, tx, a, b, v)
}

// postChecked numbers a checked draft, chains it after b's head (read under
// the book's lock) and writes the posting.
func (s *Store) postChecked(ctx context.Context, tx bun.Tx, a Actor, b Book, v Voucher) (Voucher, error) {
	var err error
	if v.number, err = s.nextVoucherNumber(ctx, tx, b.ID, v.Period); err != nil {
		return Voucher{}, err
	}
	v.Status, v.Number, v.ReviewerID, v.PostedAt = StatusPosted, FormatNumber(v.number), a.UserID, s.timestamp()
	if v.PostedVia == "" {
		v.PostedVia = ViaReview
	}
	v.ChainSeq, v.PrevHash, v.ChainVersion = b.ChainSeq+1, b.ChainHead, currentChainVersion
	v.Hash = VoucherHash(v)
	if err := s.writePosting(ctx, tx, b, v); err != nil {
		return Voucher{}, err
	}
	if err := s.checkCash(ctx, tx, b.ID, []datedLines{{v.Date, v.Lines}}); err != nil {
		return Voucher{}, err
	}
	return v, s.audit(ctx, tx, a, b.ID, "post", "voucher", strconv.FormatInt(v.ID, 10), "", nil,
		map[string]any{"number": v.Number, "period": v.Period, "hash": v.Hash, "posted_via": v.PostedVia})
}

func (s *Store) checkPostable(ctx context.Context, tx bun.Tx, a Actor, b Book, v Voucher) error {
	if err := cashBankOnly(a, b, permPost, v.Lines); err != nil {
		return err
	}
	if v.Status != StatusDraft {
		return Errorf(ECodeConflict, "凭证已过账（%s %s），不能重复过账", v.Period, v.Number)
	}
	if v.PreparerID == a.UserID && !b.SegregationOptOut {
		return Errorf(ECodeSegregation, "审核过账人不能是制单人本人（不相容职务分离）")
	}
	if err := s.checkAgainstBook(ctx, tx, b, v.Date, v.Lines); err != nil {
		return err
	}
	if v.ReversesID != 0 {
		orig, err := s.voucherByID(ctx, tx, b, v.ReversesID)
		if err != nil {
			return err
		}
		if orig.ReversedBy != 0 {
			return Errorf(ECodeConflict, "原凭证 %s %s 已被冲销，不能重复冲销", orig.Period, orig.Number)
		}
	}
	return nil
}

// nextVoucherNumber takes the next number of the month. It runs in the posting
// transaction, so a rolled-back posting leaves no gap.
func (s *Store) nextVoucherNumber(ctx context.Context, tx bun.Tx, bookID int64, period string) (int, error) {
	var n int
	err := s.scanRow(ctx, tx, `INSERT INTO voucher_numbers (book_id, period, last_number) VALUES (?, ?, 1)
		ON CONFLICT (book_id, period) DO UPDATE SET last_number = voucher_numbers.last_number + 1
		RETURNING last_number`, []any{bookID, period}, &n)
	return n, err
}

func (s *Store) writePosting(ctx context.Context, tx bun.Tx, b Book, v Voucher) error {
	res, err := s.execSQL(ctx, tx, `UPDATE vouchers SET status = 'posted', number = ?, reviewer_id = ?, posted_at = ?,
		chain_seq = ?, prev_hash = ?, hash = ?, updated_at = ?, posted_via = ?, chain_version = ? WHERE book_id = ? AND id = ? AND status = 'draft'`,
		v.number, v.ReviewerID, v.PostedAt, v.ChainSeq, v.PrevHash, v.Hash, v.PostedAt, v.PostedVia, v.ChainVersion, b.ID, v.ID)
	if err := exactlyOneRow(res, err, "凭证已不是草稿，不能记账"); err != nil {
		return err
	}
	if _, err := s.execSQL(ctx, tx, "UPDATE books SET chain_seq = ?, chain_head = ? WHERE id = ?", v.ChainSeq, v.Hash, b.ID); err != nil {
		return err
	}
	if v.ReversesID != 0 {
		_, err := tx.NewRaw("UPDATE vouchers SET reversed_by_id = ? WHERE book_id = ? AND id = ? AND reversed_by_id IS NULL",
			v.ID, b.ID, v.ReversesID).Exec(ctx)
		if err != nil {
			return err
		}
		// Reversing a payment voucher undoes its payments: they no longer
		// count as paid, and the reversal is named against each.
		_, err = s.execSQL(ctx, tx, "UPDATE payments SET reversal_voucher_id = ? WHERE book_id = ? AND voucher_id = ? AND reversal_voucher_id IS NULL",
			v.ID, b.ID, v.ReversesID)
		if err != nil {
			return err
		}
	}
	return s.addBalances(ctx, tx, b.ID, v.Period, v.Lines)
}

// balanceKey is one account, household and party (a balances row without its month).
type balanceKey struct{ account, household, party string }

// addBalances adds one voucher's lines to the maintained balances of its month.
func (s *Store) addBalances(ctx context.Context, tx bun.IDB, bookID int64, period string, lines []Line) error {
	d := make(balanceDeltas, len(lines))
	d.add(period, lines)
	return s.addBalanceDeltas(ctx, tx, bookID, d, balanceRowsPerUpsert)
}

// ReverseInput dates and describes a red reversal.
type ReverseInput struct {
	Date    string `json:"date"`
	Summary string `json:"summary"`
}

// ReverseVoucher prepares a red reversal (红字冲销) of a posted voucher: a new
// draft with the same lines and negated amounts that names the original. It is
// posted like any voucher; posting links the original to it. A voucher is
// reversed at most once, and a reversal is never itself reversed.
func (s *Store) ReverseVoucher(ctx context.Context, a Actor, bookCode string, id int64, in ReverseInput) (Voucher, error) {
	var out Voucher
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		orig, err := s.voucherByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		rin, err := reversalInput(ctx, tx, b, orig, in)
		if err != nil {
			return err
		}
		lines, total, err := rin.checkShape(true)
		if err != nil {
			return err
		}
		out, err = s.insertDraft(ctx, tx, a, b, rin, lines, total, orig.ID)
		return err
	})
	return out, err
}

func reversalInput(ctx context.Context, tx bun.Tx, b Book, orig Voucher, in ReverseInput) (VoucherInput, error) {
	switch {
	case orig.Status != StatusPosted:
		return VoucherInput{}, Errorf(ECodeConflict, "草稿凭证不需要冲销，可直接修改或删除")
	case orig.ReversesID != 0:
		return VoucherInput{}, Errorf(ECodeConflict, "红字冲销凭证不能再被冲销，请另制正确凭证")
	case orig.ReversedBy != 0:
		return VoucherInput{}, Errorf(ECodeConflict, "凭证 %s %s 已被冲销，不能重复冲销", orig.Period, orig.Number)
	}
	var pending int64
	err := tx.NewRaw("SELECT id FROM vouchers WHERE book_id = ? AND reverses_id = ?", b.ID, orig.ID).Scan(ctx, &pending)
	if err == nil {
		return VoucherInput{}, Errorf(ECodeConflict, "凭证 %s %s 已有冲销凭证（草稿 %d），不能重复冲销", orig.Period, orig.Number, pending)
	} else if !isNoRows(err) {
		return VoucherInput{}, err
	}
	summary := strings.TrimSpace(in.Summary)
	if summary == "" {
		summary = truncate(fmt.Sprintf("冲销%s年%s月%s号凭证：%s", orig.Period[:4], strings.TrimLeft(orig.Period[5:], "0"), orig.Number, orig.Summary), maxSummary-1)
	}
	rin := VoucherInput{Date: in.Date, Summary: summary}
	for _, l := range orig.Lines {
		li := LineInput{Account: l.Account, Household: l.Household, Party: l.Party, Summary: l.Summary, Trade: l.Trade}
		if !l.Debit.IsZero() {
			d := l.Debit.Neg()
			li.Debit = &d
		} else {
			c := l.Credit.Neg()
			li.Credit = &c
		}
		rin.Lines = append(rin.Lines, li)
	}
	return rin, nil
}
