package ledgertest

import (
	"context"
	"fmt"

	"coopledger/ledger"
)

// Invariants checks what must hold for a book after anything at all — a
// crash, a storm of concurrent clients, a restore — and returns the problems
// found (none when the book is sound):
//   - nothing half-written: every voucher, draft or posted, has at least two
//     lines, its debits equal its credits and its stored total;
//   - numbers gapless: each month's posted numbers are 1..n and the counter is n;
//   - the trial balance over every posted line balances;
//   - every control account (★ household accounts) equals the sum of its
//     households' sub-ledgers;
//   - Verify is clean (chain, numbering, maintained balances).
func Invariants(ctx context.Context, s *ledger.Store, book string) []string {
	var p problems
	p.add(halfWritten(ctx, s, book))
	p.add(numbering(ctx, s, book))
	p.add(trialBalance(ctx, s, book))
	p.add(controls(ctx, s, book))
	r, err := s.Verify(ctx, ledger.System, book)
	switch {
	case err != nil:
		p.add([]string{"verify: " + err.Error()}, nil)
	case !r.OK:
		p.add([]string{fmt.Sprintf("verify: first bad %s: %v", r.FirstBad, r.Problems)}, nil)
	}
	return p.list
}

// problems collects findings, at most maxInvariantProblems.
type problems struct{ list []string }

const maxInvariantProblems = 20

func (p *problems) add(found []string, err error) {
	if err != nil {
		found = append(found, "query: "+err.Error())
	}
	for _, f := range found {
		if len(p.list) < maxInvariantProblems {
			p.list = append(p.list, f)
		}
	}
}

func halfWritten(ctx context.Context, s *ledger.Store, book string) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT v.id, v.total_fen, COUNT(l.line_no),
		COALESCE(SUM(l.debit_fen), 0), COALESCE(SUM(l.credit_fen), 0)
		FROM vouchers v JOIN books b ON b.id = v.book_id
		LEFT JOIN voucher_lines l ON l.book_id = v.book_id AND l.voucher_id = v.id
		WHERE b.code = ? GROUP BY v.id, v.total_fen ORDER BY v.id`, book)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, total, n, debit, credit int64
		if err := rows.Scan(&id, &total, &n, &debit, &credit); err != nil {
			return out, err
		}
		if n < 2 || debit != credit || debit != total {
			out = append(out, fmt.Sprintf("voucher %d half-written: %d lines, debit %d, credit %d, total %d", id, n, debit, credit, total))
		}
	}
	return out, rows.Err()
}

func numbering(ctx context.Context, s *ledger.Store, book string) ([]string, error) {
	rows, err := s.DB().QueryContext(ctx, `SELECT v.period, COUNT(*), MAX(v.number), COUNT(DISTINCT v.number),
		COALESCE(MAX(n.last_number), 0)
		FROM vouchers v JOIN books b ON b.id = v.book_id
		LEFT JOIN voucher_numbers n ON n.book_id = v.book_id AND n.period = v.period
		WHERE b.code = ? AND v.status = 'posted' GROUP BY v.period ORDER BY v.period`, book)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var period string
		var count, maxNo, distinct, last int64
		if err := rows.Scan(&period, &count, &maxNo, &distinct, &last); err != nil {
			return out, err
		}
		if count != maxNo || distinct != count || last != maxNo {
			out = append(out, fmt.Sprintf("%s numbers not gapless: %d posted, highest %d, %d distinct, counter %d", period, count, maxNo, distinct, last))
		}
	}
	return out, rows.Err()
}

func trialBalance(ctx context.Context, s *ledger.Store, book string) ([]string, error) {
	var debit, credit int64
	err := s.DB().QueryRowContext(ctx, `SELECT COALESCE(SUM(l.debit_fen), 0), COALESCE(SUM(l.credit_fen), 0)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		JOIN books b ON b.id = v.book_id WHERE b.code = ? AND v.status = 'posted'`, book).Scan(&debit, &credit)
	if err != nil {
		return nil, err
	}
	if debit != credit {
		return []string{fmt.Sprintf("trial balance: debits %d ≠ credits %d", debit, credit)}, nil
	}
	b, from, to, err := postedRange(ctx, s, book)
	if err != nil || from == "" {
		return nil, err
	}
	tb, err := s.TrialBalance(ctx, reader(b), book, from, to)
	if err != nil {
		return nil, err
	}
	if !tb.Balanced || tb.Totals.PeriodDebit.Fen() != debit {
		return []string{fmt.Sprintf("trial balance report: balanced %v, period debit %s, lines %d fen", tb.Balanced, tb.Totals.PeriodDebit, debit)}, nil
	}
	return nil, nil
}

// controls compares each household control account of the trial balance
// with the sum of the households' statements.
func controls(ctx context.Context, s *ledger.Store, book string) ([]string, error) {
	b, from, to, err := postedRange(ctx, s, book)
	if err != nil || from == "" {
		return nil, err
	}
	a := reader(b)
	tb, err := s.TrialBalance(ctx, a, book, from, to)
	if err != nil {
		return nil, err
	}
	aux, err := householdAccounts(ctx, s, b)
	if err != nil {
		return nil, err
	}
	hs, err := s.Households(ctx, a, book, ledger.HouseholdFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	sub := map[string]int64{}
	for _, h := range hs {
		st, err := s.HouseholdStatement(ctx, a, book, h.Code, from, to)
		if err != nil {
			return nil, err
		}
		for _, acc := range st.Accounts {
			sub[acc.Account] += acc.Closing.Fen() * sign(acc.NormalSide)
		}
	}
	var out []string
	for _, row := range tb.Rows {
		if !row.Leaf || !aux[row.Code] {
			continue
		}
		if got := row.ClosingDebit.Fen() - row.ClosingCredit.Fen(); got != sub[row.Code] {
			out = append(out, fmt.Sprintf("control account %s: %d fen, sub-ledgers %d fen", row.Code, got, sub[row.Code]))
		}
	}
	return out, nil
}

// postedRange finds the book and the first and last month with posted
// vouchers ("" when there are none).
func postedRange(ctx context.Context, s *ledger.Store, book string) (b ledger.Book, from, to string, err error) {
	books, err := s.Books(ctx, ledger.Actor{Role: ledger.RoleAdmin})
	if err != nil {
		return b, "", "", err
	}
	for _, x := range books {
		if x.Code == book {
			b = x
		}
	}
	if b.Code == "" {
		return b, "", "", fmt.Errorf("book %s not found", book)
	}
	err = s.DB().QueryRowContext(ctx, `SELECT COALESCE(MIN(period), ''), COALESCE(MAX(period), '') FROM vouchers
		WHERE book_id = ? AND status = 'posted'`, b.ID).Scan(&from, &to)
	return b, from, to, err
}

// householdAccounts is the set of the book's accounts kept per household.
func householdAccounts(ctx context.Context, s *ledger.Store, b ledger.Book) (map[string]bool, error) {
	var codes []string
	if err := s.DB().NewRaw("SELECT code FROM accounts WHERE book_id = ? AND aux = 'household'", b.ID).Scan(ctx, &codes); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

func sign(side ledger.Side) int64 {
	if side == ledger.Credit {
		return -1
	}
	return 1
}

// reader is an auditor of the book's township, for the read-only reports.
func reader(b ledger.Book) ledger.Actor {
	return ledger.Actor{UserID: 0, Name: "invariants", Role: ledger.RoleAuditor, Township: b.Township.Code}
}
