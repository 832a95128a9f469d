package ledger

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// PeriodRange is an inclusive range of months.
type PeriodRange struct{ From, To Period }

// ParseRange checks from ≤ to, both "YYYY-MM"; the range is at most 50 years.
func ParseRange(from, to string) (PeriodRange, error) {
	var v validation
	f, err := ParsePeriod(from)
	if err != nil {
		v.Add("from", "%s", err.Error())
	}
	t, err := ParsePeriod(to)
	if err != nil {
		v.Add("to", "%s", err.Error())
	}
	if err := v.Err(); err != nil {
		return PeriodRange{}, err
	}
	if f > t {
		return PeriodRange{}, FieldError("to", "结束期间 %s 早于开始期间 %s", t, f)
	}
	return PeriodRange{From: f, To: t}, nil
}

// TrialBalanceRow is one account in a trial balance (科目余额表). Opening and
// closing balances are netted onto one side.
type TrialBalanceRow struct {
	Code          string   `json:"code"`
	Name          string   `json:"name"`
	Level         int      `json:"level"`
	Leaf          bool     `json:"leaf"`
	Category      Category `json:"category"`
	OpeningDebit  Money    `json:"opening_debit"`
	OpeningCredit Money    `json:"opening_credit"`
	PeriodDebit   Money    `json:"period_debit"`
	PeriodCredit  Money    `json:"period_credit"`
	ClosingDebit  Money    `json:"closing_debit"`
	ClosingCredit Money    `json:"closing_credit"`
	YearDebit     Money    `json:"year_debit"`  // 本年累计: January of the range's last year to its end
	YearCredit    Money    `json:"year_credit"` //
}

// TrialBalance is the 科目余额表 for a range of months.
type TrialBalance struct {
	Book     string            `json:"book"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Rows     []TrialBalanceRow `json:"rows"`
	Totals   TrialBalanceRow   `json:"totals"`
	Balanced bool              `json:"balanced"`
}

// accountSums is debit and credit fen per leaf account.
type accountSums map[string][2]int64

// sumBalances adds up maintained balances per account over [from, to]; its
// cost depends on accounts × months, not on the number of vouchers.
func sumBalances(ctx context.Context, db bun.IDB, bookID int64, from, to Period, household string) (accountSums, error) {
	// The whole book's sums come from the per-account totals (accounts ×
	// months rows); one household's from its own balance rows (covering index).
	q := "SELECT account_code, SUM(debit_fen), SUM(credit_fen) FROM account_balances WHERE book_id = ? AND period >= ? AND period <= ?"
	args := []any{bookID, string(from), string(to)}
	if household != "" {
		q = "SELECT account_code, SUM(debit_fen), SUM(credit_fen) FROM balances WHERE book_id = ? AND household_code = ? AND period >= ? AND period <= ?"
		args = []any{bookID, household, string(from), string(to)}
	}
	return scanAccountSums(rawQuery(ctx, db, q+" GROUP BY account_code", args...))
}

// scanAccountSums reads rows of (account, debit, credit) sums.
func scanAccountSums(rows *sql.Rows, err error) (accountSums, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := accountSums{}
	for rows.Next() {
		var code string
		var d, c int64
		if err := rows.Scan(&code, &d, &c); err != nil {
			return nil, err
		}
		out[code] = [2]int64{d, c}
	}
	return out, rows.Err()
}

// beforeAll is a period earlier than any book's first month.
const beforeAll Period = "0000-00"

// TrialBalance computes the trial balance of a book for a range of months.
func (s *Store) TrialBalance(ctx context.Context, a Actor, bookCode, from, to string) (TrialBalance, error) {
	r, err := ParseRange(from, to)
	if err != nil {
		return TrialBalance{}, err
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return TrialBalance{}, err
	}
	accounts, err := loadAccounts(ctx, s.db, b.ID)
	if err != nil {
		return TrialBalance{}, err
	}
	opening, err := sumBalances(ctx, s.db, b.ID, beforeAll, r.From.Prev(), "")
	if err != nil {
		return TrialBalance{}, err
	}
	activity, err := sumBalances(ctx, s.db, b.ID, r.From, r.To, "")
	if err != nil {
		return TrialBalance{}, err
	}
	year, err := sumBalances(ctx, s.db, b.ID, Period(string(r.To)[:4]+"-01"), r.To, "")
	if err != nil {
		return TrialBalance{}, err
	}
	tb := TrialBalance{Book: b.Code, From: string(r.From), To: string(r.To), Rows: []TrialBalanceRow{}}
	for _, acc := range accounts {
		row := trialRow(acc, rollUp(opening, acc.Code), rollUp(activity, acc.Code))
		y := rollUp(year, acc.Code)
		row.YearDebit, row.YearCredit = Fen(y[0]), Fen(y[1])
		tb.Rows = append(tb.Rows, row)
		if acc.Parent == "" {
			tb.Totals = addTrialRows(tb.Totals, row)
		}
	}
	t := tb.Totals
	tb.Totals.Name = "合计"
	tb.Balanced = t.OpeningDebit == t.OpeningCredit && t.PeriodDebit == t.PeriodCredit && t.ClosingDebit == t.ClosingCredit
	return tb, nil
}

// rollUp sums an account and all its sub-accounts (codes extend the parent's).
func rollUp(sums accountSums, code string) [2]int64 {
	var out [2]int64
	for c, v := range sums {
		if strings.HasPrefix(c, code) {
			out[0] += v[0]
			out[1] += v[1]
		}
	}
	return out
}

func trialRow(acc Account, opening, activity [2]int64) TrialBalanceRow {
	row := TrialBalanceRow{Code: acc.Code, Name: acc.Name, Level: accountLevel(acc.Code), Leaf: acc.Leaf, Category: acc.Category,
		PeriodDebit: Fen(activity[0]), PeriodCredit: Fen(activity[1])}
	row.OpeningDebit, row.OpeningCredit = netSides(opening[0] - opening[1])
	row.ClosingDebit, row.ClosingCredit = netSides(opening[0] - opening[1] + activity[0] - activity[1])
	return row
}

func accountLevel(code string) int {
	if len(code) <= 3 {
		return 1
	}
	return 1 + (len(code)-3+1)/2
}

// netSides puts a net debit-minus-credit balance on its side.
func netSides(net int64) (debit, credit Money) {
	if net >= 0 {
		return Fen(net), Money{}
	}
	return Money{}, Fen(-net)
}

func addTrialRows(t, r TrialBalanceRow) TrialBalanceRow {
	t.OpeningDebit, t.OpeningCredit = t.OpeningDebit.Add(r.OpeningDebit), t.OpeningCredit.Add(r.OpeningCredit)
	t.PeriodDebit, t.PeriodCredit = t.PeriodDebit.Add(r.PeriodDebit), t.PeriodCredit.Add(r.PeriodCredit)
	t.ClosingDebit, t.ClosingCredit = t.ClosingDebit.Add(r.ClosingDebit), t.ClosingCredit.Add(r.ClosingCredit)
	t.YearDebit, t.YearCredit = t.YearDebit.Add(r.YearDebit), t.YearCredit.Add(r.YearCredit)
	return t
}

// WithoutZeroRows drops the accounts with neither a balance nor a movement in
// the range or the year (the hide-zero option); totals are unchanged.
func (tb TrialBalance) WithoutZeroRows() TrialBalance {
	rows := []TrialBalanceRow{}
	for _, r := range tb.Rows {
		if !(r.OpeningDebit.IsZero() && r.OpeningCredit.IsZero() && r.PeriodDebit.IsZero() && r.PeriodCredit.IsZero() &&
			r.ClosingDebit.IsZero() && r.ClosingCredit.IsZero() && r.YearDebit.IsZero() && r.YearCredit.IsZero()) {
			rows = append(rows, r)
		}
	}
	tb.Rows = rows
	return tb
}

// Balance is an amount with its direction (借/贷/平), as ledgers print it.
type Balance struct {
	Side   string `json:"side"` // 借, 贷 or 平
	Amount Money  `json:"amount"`
}

// balanceOf expresses net debit-minus-credit fen with its direction.
func balanceOf(net int64) Balance {
	switch {
	case net > 0:
		return Balance{Side: "借", Amount: Fen(net)}
	case net < 0:
		return Balance{Side: "贷", Amount: Fen(-net)}
	}
	return Balance{Side: "平", Amount: Money{}}
}

// LedgerEntry is one line of an account detail ledger (明细账).
type LedgerEntry struct {
	Date      string  `json:"date"`
	Period    string  `json:"period"`
	Number    string  `json:"number"`
	VoucherID int64   `json:"voucher_id"`
	Account   string  `json:"account"`
	Household string  `json:"household,omitempty"`
	Party     string  `json:"party,omitempty"`
	Summary   string  `json:"summary"`
	Debit     Money   `json:"debit"`
	Credit    Money   `json:"credit"`
	Balance   Balance `json:"balance"`
}

// AccountLedger is the detail ledger of one account (with its sub-accounts).
type AccountLedger struct {
	Book      string        `json:"book"`
	Account   Account       `json:"account"`
	Household string        `json:"household,omitempty"`
	From      string        `json:"from"`
	To        string        `json:"to"`
	Opening   Balance       `json:"opening"`
	Entries   []LedgerEntry `json:"entries"`
	Debit     Money         `json:"debit"`
	Credit    Money         `json:"credit"`
	Closing   Balance       `json:"closing"`
	Truncated bool          `json:"truncated"`
}

// maxLedgerEntries bounds one ledger response; narrow the range for more.
const maxLedgerEntries = 20000

// LedgerQuery selects an account detail ledger.
type LedgerQuery struct {
	Account   string
	Household string // optional: one household's sub-ledger
	From, To  string
}

// AccountLedger returns the 明细账 of an account over a range of months.
func (s *Store) AccountLedger(ctx context.Context, a Actor, bookCode string, q LedgerQuery) (AccountLedger, error) {
	r, err := ParseRange(q.From, q.To)
	if err != nil {
		return AccountLedger{}, err
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return AccountLedger{}, err
	}
	acc, err := accountByCode(ctx, s.db, b.ID, q.Account)
	if err != nil {
		return AccountLedger{}, FieldError("account", "科目不存在：%s", truncate(q.Account, 16))
	}
	opening, err := sumBalances(ctx, s.db, b.ID, beforeAll, r.From.Prev(), q.Household)
	if err != nil {
		return AccountLedger{}, err
	}
	o := rollUp(opening, acc.Code)
	out := AccountLedger{Book: b.Code, Account: acc, Household: q.Household, From: string(r.From), To: string(r.To), Opening: balanceOf(o[0] - o[1])}
	ids, err := householdScope(ctx, s.db, b.ID, q.Household, r)
	if err != nil {
		return AccountLedger{}, err
	}
	entries, net, truncated, err := ledgerEntries(ctx, s.db, b.ID, acc.Code, ids, r, o[0]-o[1])
	if err != nil {
		return AccountLedger{}, err
	}
	out.Entries, out.Truncated, out.Closing = entries, truncated, balanceOf(net)
	for _, e := range entries {
		out.Debit, out.Credit = out.Debit.Add(e.Debit), out.Credit.Add(e.Credit)
	}
	return out, nil
}

// lineScope narrows a detail ledger to one household's lines; lo and hi bound
// the ids of the vouchers posted in the range of months, so the household's
// index reaches the range's lines without walking the household's history
// (vouchers are numbered as they are written, so a range's ids lie close
// together in a book kept month after month).
type lineScope struct {
	household string
	lo, hi    int64
}

// householdScope returns the scope of one household's lines in r; none for
// the whole book.
func householdScope(ctx context.Context, db bun.IDB, bookID int64, household string, r PeriodRange) (lineScope, error) {
	if household == "" {
		return lineScope{}, nil
	}
	var lo, hi sql.NullInt64
	rows, err := rawQuery(ctx, db, "SELECT MIN(id), MAX(id) FROM vouchers WHERE book_id = ? AND status = 'posted' AND period >= ? AND period <= ?",
		bookID, string(r.From), string(r.To))
	if err != nil {
		return lineScope{}, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&lo, &hi); err != nil {
			return lineScope{}, err
		}
	}
	if !lo.Valid { // nothing posted in the range: an empty id range
		return lineScope{household: household, lo: 1, hi: 0}, rows.Err()
	}
	return lineScope{household: household, lo: lo.Int64, hi: hi.Int64}, rows.Err()
}

func ledgerEntries(ctx context.Context, db bun.IDB, bookID int64, account string, scope lineScope, r PeriodRange, net int64) ([]LedgerEntry, int64, bool, error) {
	from := "voucher_lines l"
	if scope.household != "" && db.Dialect().Name() == dialect.SQLite {
		// Without statistics SQLite prefers walking every line in the id
		// range through the primary key to the household's index.
		from += " INDEXED BY voucher_lines_household"
	}
	q := `SELECT v.date, v.period, v.number, v.id, l.account_code, COALESCE(l.household_code, ''), COALESCE(l.party_code, ''),
		CASE WHEN l.summary = '' THEN v.summary ELSE l.summary END, l.debit_fen, l.credit_fen
		FROM ` + from + ` JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period >= ? AND v.period <= ? AND l.account_code LIKE ? ESCAPE '\'`
	args := []any{bookID, string(r.From), string(r.To), escapeLike(account) + "%"}
	if scope.household != "" {
		q, args = q+" AND l.household_code = ? AND l.voucher_id >= ? AND l.voucher_id <= ?", append(args, scope.household, scope.lo, scope.hi)
	}
	rows, err := db.QueryContext(ctx, q+" ORDER BY v.period, v.number, l.line_no LIMIT ?", append(args, maxLedgerEntries+1)...)
	if err != nil {
		return nil, 0, false, err
	}
	defer rows.Close()
	entries := []LedgerEntry{}
	for rows.Next() {
		var e LedgerEntry
		var number int
		var d, c int64
		if err := rows.Scan(&e.Date, &e.Period, &number, &e.VoucherID, &e.Account, &e.Household, &e.Party, &e.Summary, &d, &c); err != nil {
			return nil, 0, false, err
		}
		if len(entries) == maxLedgerEntries {
			return entries, net, true, nil
		}
		e.Number, e.Debit, e.Credit = FormatNumber(number), Fen(d), Fen(c)
		net += d - c
		e.Balance = balanceOf(net)
		entries = append(entries, e)
	}
	return entries, net, false, rows.Err()
}
