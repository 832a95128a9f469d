package ledger

import (
	"context"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// Cash controls (库存现金 and 银行存款 never show a credit balance). Every
// posting path — review posting, payout approvals and payments, year-end,
// reversals, batch imports and opening balances — calls checkCash in its
// transaction after writing, so the lines just posted are counted with every
// voucher posted before or after their date; a refusal rolls the write back.

// isCashAccount says whether code is 库存现金 (101) or a bank account (102 and
// its sub-accounts), each checked on its own.
func isCashAccount(code string) bool {
	return strings.HasPrefix(code, "101") || strings.HasPrefix(code, "102")
}

// cashCredits returns, per cash account the lines move towards credit, the
// earliest date they do so on: only those can make a balance negative.
func cashCredits(dated []datedLines) map[string]string {
	net := map[string]map[string]int64{} // account → date → debit − credit
	for _, d := range dated {
		for _, l := range d.lines {
			if !isCashAccount(l.Account) {
				continue
			}
			if net[l.Account] == nil {
				net[l.Account] = map[string]int64{}
			}
			net[l.Account][d.date] += l.Debit.Fen() - l.Credit.Fen()
		}
	}
	out := map[string]string{}
	for acct, byDate := range net {
		for date, n := range byDate {
			if n < 0 && (out[acct] == "" || date < out[acct]) {
				out[acct] = date
			}
		}
	}
	return out
}

// datedLines are the lines of one voucher with its date.
type datedLines struct {
	date  string
	lines []Line
}

// checkCash refuses the posting when a cash account the lines credit shows a
// credit balance at the end of any day from their date on. It reads the
// maintained monthly totals before the month and the day-level lines of that
// month and later ones only.
func (s *Store) checkCash(ctx context.Context, tx bun.IDB, bookID int64, dated []datedLines) error {
	credits := cashCredits(dated)
	accts := make([]string, 0, len(credits))
	for a := range credits {
		accts = append(accts, a)
	}
	sort.Strings(accts)
	for _, acct := range accts {
		if err := s.checkCashAccount(ctx, tx, bookID, acct, credits[acct]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) checkCashAccount(ctx context.Context, tx bun.IDB, bookID int64, acct, from string) error {
	var bal int64
	if err := s.scanRow(ctx, tx, "SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM account_balances WHERE book_id = ? AND account_code = ? AND period < ?",
		[]any{bookID, acct, from[:7]}, &bal); err != nil {
		return err
	}
	rows, err := rawQuery(ctx, tx, `SELECT v.date, SUM(l.debit_fen - l.credit_fen) FROM voucher_lines l
		JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND l.account_code = ? AND v.status = 'posted' AND v.period >= ?
		GROUP BY v.date ORDER BY v.date`, bookID, acct, from[:7])
	if err != nil {
		return err
	}
	defer rows.Close()
	day, low := "", int64(0)
	for rows.Next() {
		var date string
		var n int64
		if err := rows.Scan(&date, &n); err != nil {
			return err
		}
		bal += n
		if date >= from && bal < 0 && day == "" {
			day, low = date, bal
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if day == "" {
		return nil
	}
	var name string
	if err := s.scanRow(ctx, tx, "SELECT name FROM accounts WHERE book_id = ? AND code = ?", []any{bookID, acct}, &name); err != nil {
		return err
	}
	return &Error{Code: ECodeConflict,
		Message: "过账后" + name + "（" + acct + "）在 " + day + " 的余额为贷方 " + Fen(-low).String() + " 元：现金和银行存款不能出现贷方余额，请先核对收款或调整付款日期",
		Details: []Detail{{Field: "lines", Message: name + "（" + acct + "）" + day + " 余额 " + Fen(low).String()}}}
}
