package ledger

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/uptrace/bun"
)

// Group statements and year end (statement*.go, yearend.go).
//
// Balance sheet and income statement (statements.go), their line formulas
// read from charts/*_statements.tsv (statement_layout.go), a cooperative's
// 成员权益变动表 (statement_equity.go), the township
// roll-up (statement_township.go), a household's statement with its payouts
// (statement_household.go, statement_payouts.go) and closing the year
// (yearend.go: PrepareYearEnd, CloseYear, ReopenYear).
//
// Statements use core and payouts. Disclosure uses statements.

// BalanceSheet is the 资产负债表 of a book at a month end. Each line's First is
// the 年初余额 (the balances before YearStart) and Second the 期末余额.
type BalanceSheet struct {
	Book      string          `json:"book"`
	BookName  string          `json:"book_name"`
	Kind      BookKind        `json:"kind"`
	Title     string          `json:"title"`
	Month     string          `json:"month"`
	YearStart string          `json:"year_start"`
	Assets    []StatementLine `json:"assets"`
	Claims    []StatementLine `json:"claims"` // 负债和所有者权益
	// TotalAssets and TotalClaims are the 资产总计 and 负债和所有者权益总计 rows.
	TotalAssets StatementLine `json:"total_assets"`
	TotalClaims StatementLine `json:"total_claims"`
	Balanced    bool          `json:"balanced"`
	YearClosed  bool          `json:"year_closed"`
}

// IncomeStatement is the 收益及收益分配表 (cooperatives: 盈余及盈余分配表) as
// the regulation prints it, with 本年金额 and 上年金额: each line's First is
// the year to the range's last month, Second the same months of the year
// before (zero before the book began). So 年末未分配收益 equals the balance
// sheet's 未分配收益 on the same date. From only chooses the months whose
// income and expense are shown apart (PeriodIncome, PeriodExpense): a
// quarter of a disclosure. Year-end closing vouchers are left out, so the
// statement reads the same before and after the year is closed.
type IncomeStatement struct {
	Book      string          `json:"book"`
	BookName  string          `json:"book_name"`
	Kind      BookKind        `json:"kind"`
	Title     string          `json:"title"`
	From      string          `json:"from"`
	To        string          `json:"to"`
	YearStart string          `json:"year_start"`
	Columns   []string        `json:"columns"` // the names of First and Second
	Lines     []StatementLine `json:"lines"`
	// NetIncome is the 净收益 (本年盈余) row; Undistributed the 年末未分配收益 row.
	NetIncome     StatementLine `json:"net_income"`
	Undistributed StatementLine `json:"undistributed"`
	// PeriodIncome and PeriodExpense are the income and the expense (所得税
	// included) of the months From..To alone; PeriodNet their difference.
	PeriodIncome  Money `json:"period_income"`
	PeriodExpense Money `json:"period_expense"`
	PeriodNet     Money `json:"period_net"`
	YearClosed    bool  `json:"year_closed"`
}

// BalanceSheetTitle and IncomeStatementTitle name a kind's statements.
func BalanceSheetTitle(BookKind) string { return "资产负债表" }

// IncomeStatementTitle is 收益及收益分配表, or 盈余及盈余分配表 for a cooperative.
func IncomeStatementTitle(k BookKind) string {
	if k == KindCooperative {
		return "盈余及盈余分配表"
	}
	return "收益及收益分配表"
}

// yearStart is January of p's year.
func yearStart(p Period) Period { return Period(string(p)[:4] + "-01") }

// itemBalances sums the maintained balances per sub-ledger item through a month.
func itemBalances(ctx context.Context, db bun.IDB, bookID int64, through Period) ([]itemSum, error) {
	rows, err := db.QueryContext(ctx, `SELECT account_code, household_code, party_code, SUM(debit_fen), SUM(credit_fen)
		FROM balances WHERE book_id = ? AND period <= ? GROUP BY account_code, household_code, party_code
		ORDER BY account_code, household_code, party_code`, bookID, string(through))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []itemSum
	for rows.Next() {
		var it itemSum
		if err := rows.Scan(&it.account, &it.household, &it.party, &it.debit, &it.credit); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func accountsOf(items []itemSum) accountSums {
	out := accountSums{}
	for _, it := range items {
		s := out[it.account]
		s[0] += it.debit
		s[1] += it.credit
		out[it.account] = s
	}
	return out
}

// closingActivity sums the lines of posted year-end closing vouchers (and
// their reversals) per account over a range of months.
func closingActivity(ctx context.Context, db bun.IDB, bookID int64, from, to Period) (accountSums, error) {
	return scanAccountSums(db.QueryContext(ctx, `SELECT l.account_code, SUM(l.debit_fen), SUM(l.credit_fen)
		FROM year_end_vouchers y
		JOIN vouchers v ON v.book_id = y.book_id AND v.id = y.voucher_id
		JOIN voucher_lines l ON l.book_id = v.book_id AND l.voucher_id = v.id
		WHERE y.book_id = ? AND v.status = 'posted' AND v.period >= ? AND v.period <= ?
		GROUP BY l.account_code`, bookID, string(from), string(to)))
}

// activityExcludingClosing is the activity over [from, to] without the
// year-end closing vouchers.
func activityExcludingClosing(ctx context.Context, db bun.IDB, bookID int64, from, to Period) (accountSums, error) {
	act, err := sumBalances(ctx, db, bookID, from, to, "")
	if err != nil {
		return nil, err
	}
	closing, err := closingActivity(ctx, db, bookID, from, to)
	if err != nil {
		return nil, err
	}
	for code, c := range closing {
		a := act[code]
		act[code] = [2]int64{a[0] - c[0], a[1] - c[1]}
	}
	return act, nil
}

// BalanceSheet returns the 资产负债表 of a book at the end of month.
func (s *Store) BalanceSheet(ctx context.Context, a Actor, bookCode, month string) (BalanceSheet, error) {
	p, err := ParsePeriod(month)
	if err != nil {
		return BalanceSheet{}, FieldError("month", "%s", err.Error())
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return BalanceSheet{}, err
	}
	return balanceSheet(ctx, s.db, b, p)
}

func balanceSheet(ctx context.Context, db bun.IDB, b Book, p Period) (BalanceSheet, error) {
	lay, err := statementLayout(b.Kind)
	if err != nil {
		return BalanceSheet{}, err
	}
	ys := yearStart(p)
	endItems, err := itemBalances(ctx, db, b.ID, p)
	if err != nil {
		return BalanceSheet{}, err
	}
	startItems, err := itemBalances(ctx, db, b.ID, ys.Prev())
	if err != nil {
		return BalanceSheet{}, err
	}
	start, end := map[int]int64{}, map[int]int64{}
	for _, part := range [][]stmtLine{lay.assets, lay.claims} {
		evaluate(part, stmtSource{accounts: accountsOf(startItems), items: startItems}, start)
		evaluate(part, stmtSource{accounts: accountsOf(endItems), items: endItems}, end)
	}
	bs := BalanceSheet{Book: b.Code, BookName: b.Name, Kind: b.Kind, Title: BalanceSheetTitle(b.Kind), Month: string(p), YearStart: string(ys),
		Assets: statementLines(lay.assets, start, end), Claims: statementLines(lay.claims, start, end)}
	bs.TotalAssets = roleLine(lay, roleTotalAssets, append(bs.Assets, bs.Claims...))
	bs.TotalClaims = roleLine(lay, roleTotalClaims, append(bs.Assets, bs.Claims...))
	bs.Balanced = bs.TotalAssets.First == bs.TotalClaims.First && bs.TotalAssets.Second == bs.TotalClaims.Second
	bs.YearClosed, err = yearClosed(ctx, db, b.ID, p)
	return bs, err
}

func roleLine(lay StatementLayout, role string, lines []StatementLine) StatementLine {
	row, _ := strconv.Atoi(lay.roles[role])
	for _, l := range lines {
		if l.Row == row {
			return l
		}
	}
	return StatementLine{}
}

// IncomeStatement returns the 收益及收益分配表 of a book for months from..to of
// one year.
func (s *Store) IncomeStatement(ctx context.Context, a Actor, bookCode, from, to string) (IncomeStatement, error) {
	r, err := ParseRange(from, to)
	if err != nil {
		return IncomeStatement{}, err
	}
	if string(r.From)[:4] != string(r.To)[:4] {
		return IncomeStatement{}, FieldError("to", "收益表的期间不能跨年度：%s 至 %s", r.From, r.To)
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return IncomeStatement{}, err
	}
	return incomeStatement(ctx, s.db, b, r)
}

func incomeStatement(ctx context.Context, db bun.IDB, b Book, r PeriodRange) (IncomeStatement, error) {
	lay, err := statementLayout(b.Kind)
	if err != nil {
		return IncomeStatement{}, err
	}
	ys := yearStart(r.To)
	var cols [2]map[int]int64
	for i, to := range []Period{r.To, r.To.Add(-12)} {
		cols[i] = map[int]int64{}
		if string(to) < b.StartPeriod {
			continue // the book did not exist: nothing to show
		}
		src, err := incomeSource(ctx, db, b, lay, yearStart(to), to)
		if err != nil {
			return IncomeStatement{}, err
		}
		evaluate(lay.income, src, cols[i])
	}
	st := IncomeStatement{Book: b.Code, BookName: b.Name, Kind: b.Kind, Title: IncomeStatementTitle(b.Kind), From: string(r.From), To: string(r.To),
		YearStart: string(ys), Columns: []string{"本年金额", "上年金额"}, Lines: statementLines(lay.income, cols[0], cols[1])}
	st.NetIncome = roleLine(lay, roleNetIncome, st.Lines)
	st.Undistributed = roleLine(lay, roleUndistributed, st.Lines)
	if st.PeriodIncome, st.PeriodExpense, err = periodResult(ctx, db, b, lay, r); err != nil {
		return IncomeStatement{}, err
	}
	st.PeriodNet = st.PeriodIncome.Sub(st.PeriodExpense)
	st.YearClosed, err = yearClosed(ctx, db, b.ID, r.To)
	return st, err
}

// incomeSource is one column of the income statement: the activity of the
// year ys..to, the balances at the year's opening (last year's closing, or
// the opening balances of a book begun in this year) and the transfers.
func incomeSource(ctx context.Context, db bun.IDB, b Book, lay StatementLayout, ys, to Period) (stmtSource, error) {
	act, err := activityExcludingClosing(ctx, db, b.ID, ys, to)
	if err != nil {
		return stmtSource{}, err
	}
	openThrough := ys.Prev()
	if first := Period(b.StartPeriod).Prev(); first > openThrough && first <= to {
		openThrough = first // a book begun mid-year opens with its opening balances
	}
	open, err := sumBalances(ctx, db, b.ID, beforeAll, openThrough, "")
	if err != nil {
		return stmtSource{}, err
	}
	src := stmtSource{accounts: act, opening: open, transfers: accountSums{}}
	from := ys
	if Period(b.StartPeriod) > from {
		from = Period(b.StartPeriod) // opening balances are not transfers
	}
	for _, t := range transferTerms(lay.income) {
		sum, err := transferActivity(ctx, db, b.ID, t.code, t.from, from, to)
		if err != nil {
			return stmtSource{}, err
		}
		src.transfers[t.code+"<"+t.from] = sum
	}
	return src, nil
}

// transferActivity sums code's lines over [from, to] in posted vouchers that
// also have a line on other, leaving out year-end closing vouchers.
func transferActivity(ctx context.Context, db bun.IDB, bookID int64, code, other string, from, to Period) ([2]int64, error) {
	var d, c sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT SUM(l.debit_fen), SUM(l.credit_fen)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period >= ? AND v.period <= ?
		AND (l.account_code = ? OR l.account_code LIKE ?)
		AND NOT EXISTS (SELECT 1 FROM year_end_vouchers y WHERE y.book_id = v.book_id AND y.voucher_id = v.id)
		AND EXISTS (SELECT 1 FROM voucher_lines o WHERE o.book_id = v.book_id AND o.voucher_id = v.id
			AND (o.account_code = ? OR o.account_code LIKE ?))`,
		bookID, string(from), string(to), code, code+"%", other, other+"%").Scan(&d, &c)
	return [2]int64{d.Int64, c.Int64}, err
}

// periodResult is the income and the expense of the months of r alone: the
// lines above the net-income row, income on the credit side, expense on the
// debit side.
func periodResult(ctx context.Context, db bun.IDB, b Book, lay StatementLayout, r PeriodRange) (Money, Money, error) {
	act, err := activityExcludingClosing(ctx, db, b.ID, r.From, r.To)
	if err != nil {
		return Money{}, Money{}, err
	}
	net, _ := strconv.Atoi(lay.roles[roleNetIncome])
	var income, expense int64
	for _, l := range lay.income {
		if l.heading() || l.subtotal() || l.row >= net {
			continue
		}
		for _, t := range l.terms {
			s := rollUp(act, t.code)
			if l.side == Credit {
				income += s[1] - s[0]
			} else {
				expense += s[0] - s[1]
			}
		}
	}
	return Fen(income), Fen(expense), nil
}
