package ledger

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
)

// Figures per member read from the books, the ground of member accounts
// (成员账户), quantification and the surplus distribution plan. Every figure
// counts posted vouchers only, opening balances included (they are vouchers
// dated before the book's first month).
//
// Files of the cooperative's year: coop_figures.go (this), coop_charter.go
// (the charter's rate and the quantification of 公积金 and 补助/捐赠),
// coop_accounts.go (成员账户), coop_plan.go and coop_plan_post.go (盈余分配方案).
// They use core only.

func yearEndDate(year int) string { return fmt.Sprintf("%04d-12-31", year) }

// perMember runs q (household, amount) and returns the amounts by household.
func perMember(ctx context.Context, db bun.IDB, q string, args ...any) (map[string]int64, error) {
	rows, err := rawQuery(ctx, db, q, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	_, err = scanAll(rows, func(rows *sql.Rows, _ *struct{}) error {
		var h string
		var fen int64
		if err := rows.Scan(&h, &fen); err != nil {
			return err
		}
		out[h] += fen
		return nil
	})
	return out, err
}

// memberCapital is each household's 股金 (301 and its sub-accounts, credit
// balance) at the end of day.
func memberCapital(ctx context.Context, db bun.IDB, bookID int64, day string) (map[string]int64, error) {
	return perMember(ctx, db, `SELECT l.household_code, SUM(l.credit_fen - l.debit_fen)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.date <= ? AND l.account_code LIKE '301%' AND l.household_code IS NOT NULL
		GROUP BY l.household_code`, bookID, day)
}

// memberVolume is each member's 交易量（额） in year: the amounts of the
// posted lines marked trade (both its sales to the cooperative and its
// purchases from it; a red reversal counts negative).
func memberVolume(ctx context.Context, db bun.IDB, bookID int64, year int) (map[string]int64, error) {
	return perMember(ctx, db, `SELECT l.household_code, SUM(l.debit_fen + l.credit_fen)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.date >= ? AND v.date <= ? AND l.trade = ? AND l.household_code IS NOT NULL
		GROUP BY l.household_code`, bookID, fmt.Sprintf("%04d-01-01", year), yearEndDate(year), true)
}

// memberDistributed is what the distributions dated in year credited to each
// member on account (221 盈余返还 or 222 剩余盈余): the lines of vouchers that
// also debit 332 盈余分配.
func memberDistributed(ctx context.Context, db bun.IDB, bookID int64, year int, account string) (map[string]int64, error) {
	return perMember(ctx, db, `SELECT l.household_code, SUM(l.credit_fen - l.debit_fen)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.date >= ? AND v.date <= ? AND l.account_code LIKE ? AND l.household_code IS NOT NULL
		AND EXISTS (SELECT 1 FROM voucher_lines o WHERE o.book_id = l.book_id AND o.voucher_id = l.voucher_id AND o.account_code LIKE '332%')
		GROUP BY l.household_code`, bookID, fmt.Sprintf("%04d-01-01", year), yearEndDate(year), account+"%")
}

// accountBalance is the balance of an account and its sub-accounts at the end
// of day, on its normal side when credit is true.
func accountBalance(ctx context.Context, db bun.IDB, bookID int64, code, day string, credit bool) (int64, error) {
	var fen int64
	err := db.QueryRowContext(ctx, `SELECT COALESCE(SUM(l.debit_fen - l.credit_fen), 0)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.date <= ? AND l.account_code LIKE ?`, bookID, day, code+"%").Scan(&fen)
	if credit {
		fen = -fen
	}
	return fen, err
}

// quantShares are one member's quantified shares: 公积金, 财政补助, 捐赠.
type quantShares struct{ reserve, subsidy, donation int64 }

// quantifiedAsOf returns the shares of the latest quantification of a year
// up to year (shares stand until quantified again) and that year (0: none).
func quantifiedAsOf(ctx context.Context, db bun.IDB, bookID int64, year int) (map[string]quantShares, int, error) {
	var at int
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(year), 0) FROM member_quantifications WHERE book_id = ? AND year <= ?`,
		bookID, year).Scan(&at)
	if err != nil || at == 0 {
		return map[string]quantShares{}, 0, err
	}
	rows, err := rawQuery(ctx, db, `SELECT member_code, reserve_fen, subsidy_fen, donation_fen FROM member_quantified_shares
		WHERE book_id = ? AND year = ?`, bookID, at)
	if err != nil {
		return nil, 0, err
	}
	out := map[string]quantShares{}
	_, err = scanAll(rows, func(rows *sql.Rows, _ *struct{}) error {
		var code string
		var q quantShares
		if err := rows.Scan(&code, &q.reserve, &q.subsidy, &q.donation); err != nil {
			return err
		}
		out[code] = q
		return nil
	})
	return out, at, err
}
