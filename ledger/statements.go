package ledger

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// The financial statements (资产负债表, 收益及收益分配表) group accounts into the
// regulation's line items by a data file beside each chart, so a correction to
// a transcribed layout is a one-line change reviewed on its own.
var statementFile = map[BookKind]string{
	KindVillage:     "charts/village_statements.tsv",
	KindCooperative: "charts/cooperative_statements.tsv",
}

// Statement sections of the data file.
const (
	sectionAssets = "bs.asset"
	sectionClaims = "bs.claim"
	sectionIncome = "is"
	sectionRole   = "role"
)

// Roles the data file names.
const (
	roleTotalAssets   = "total_assets"
	roleTotalClaims   = "total_claims"
	roleNetIncome     = "net_income"
	roleUndistributed = "undistributed"
	roleProfit        = "profit"       // 321 本年收益 / 331 本年盈余
	roleRetained      = "retained"     // 32202 未分配收益 / 33202 未分配盈余
	roleDistribution  = "distribution" // 32201 各项分配 / 33201 各项分配
)

// stmtTerm is one term of a line: an account, maybe negated, maybe split by
// the side of each sub-ledger item's balance, maybe the balance before the
// statement's first month.
type stmtTerm struct {
	code  string
	neg   bool
	split bool // CODE~
	open  bool // open:CODE
}

// stmtRef is one row of a subtotal, maybe subtracted.
type stmtRef struct {
	row int
	neg bool
}

// stmtLine is one parsed line of a statement layout.
type stmtLine struct {
	section string
	row     int // 行次; 0 for a heading
	name    string
	side    Side // "" for headings and subtotals
	terms   []stmtTerm
	refs    []stmtRef // subtotal of earlier rows
	text    string    // the terms as written
}

func (l stmtLine) heading() bool  { return l.row == 0 }
func (l stmtLine) subtotal() bool { return len(l.refs) > 0 }

// StatementLayout is a chart's statement line items.
type StatementLayout struct {
	kind   BookKind
	assets []stmtLine
	claims []stmtLine
	income []stmtLine
	roles  map[string]string
	label  map[string]string
}

var (
	layoutOnce  sync.Once
	layoutCache map[BookKind]StatementLayout
	layoutErr   error
)

// statementLayout returns the parsed layout of a book kind; the files ship
// with the binary, so a parse error is a bug the tests catch.
func statementLayout(kind BookKind) (StatementLayout, error) {
	layoutOnce.Do(func() {
		layoutCache = map[BookKind]StatementLayout{}
		for k, name := range statementFile {
			data, err := chartFiles.ReadFile(name)
			if err != nil {
				layoutErr = fmt.Errorf("statement layout: %w", err)
				return
			}
			l, err := parseStatementLayout(name, data)
			if err != nil {
				layoutErr = err
				return
			}
			l.kind = k
			layoutCache[k] = l
		}
	})
	if layoutErr != nil {
		return StatementLayout{}, layoutErr
	}
	l, ok := layoutCache[kind]
	if !ok {
		return StatementLayout{}, fmt.Errorf("statement layout: unknown book kind %q", kind)
	}
	return l, nil
}

// StatementLayoutOf is the layout of a book kind, for tests and tools.
func StatementLayoutOf(kind BookKind) (StatementLayout, error) { return statementLayout(kind) }

func parseStatementLayout(name string, data []byte) (StatementLayout, error) {
	l := StatementLayout{roles: map[string]string{}, label: map[string]string{}}
	seen := map[string]map[int]bool{"bs": {}, sectionIncome: {}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 5 {
			return l, fmt.Errorf("%s:%d: want 5 tab-separated columns, got %d", name, n, len(f))
		}
		if f[0] == sectionRole {
			l.roles[f[1]], l.label[f[1]] = f[4], f[2]
			continue
		}
		line, err := parseStmtLine(f)
		if err != nil {
			return l, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		group := line.section
		if group != sectionIncome {
			group = "bs"
		}
		if line.row != 0 {
			if seen[group][line.row] {
				return l, fmt.Errorf("%s:%d: row %d appears twice", name, n, line.row)
			}
			for _, r := range line.refs {
				if !seen[group][r.row] {
					return l, fmt.Errorf("%s:%d: row %d adds row %d, which is not an earlier row", name, n, line.row, r.row)
				}
			}
			seen[group][line.row] = true
		}
		switch line.section {
		case sectionAssets:
			l.assets = append(l.assets, line)
		case sectionClaims:
			l.claims = append(l.claims, line)
		default:
			l.income = append(l.income, line)
		}
	}
	if err := sc.Err(); err != nil {
		return l, fmt.Errorf("%s: %w", name, err)
	}
	for _, r := range []string{roleTotalAssets, roleTotalClaims, roleNetIncome, roleUndistributed} {
		row, err := strconv.Atoi(l.roles[r])
		group := "bs"
		if r == roleNetIncome || r == roleUndistributed {
			group = sectionIncome
		}
		if err != nil || !seen[group][row] {
			return l, fmt.Errorf("%s: role %s must name a row, got %q", name, r, l.roles[r])
		}
	}
	for _, r := range []string{roleProfit, roleRetained, roleDistribution} {
		if !allASCIIDigits(l.roles[r]) {
			return l, fmt.Errorf("%s: role %s must name an account, got %q", name, r, l.roles[r])
		}
	}
	return l, nil
}

func parseStmtLine(f []string) (stmtLine, error) {
	line := stmtLine{section: f[0], name: f[2], text: f[4]}
	switch line.section {
	case sectionAssets, sectionClaims, sectionIncome:
	default:
		return line, fmt.Errorf("unknown statement %q", f[0])
	}
	if line.name == "" {
		return line, fmt.Errorf("line without a name")
	}
	if f[1] == "-" {
		if f[3] != "-" || f[4] != "" {
			return line, fmt.Errorf("heading %s takes no side and no terms", line.name)
		}
		return line, nil
	}
	row, err := strconv.Atoi(f[1])
	if err != nil || row <= 0 {
		return line, fmt.Errorf("row %q is not a positive number", f[1])
	}
	line.row = row
	if strings.HasPrefix(f[4], "=") {
		if f[3] != "-" {
			return line, fmt.Errorf("subtotal row %d takes side -", row)
		}
		line.refs, err = parseRefs(f[4][1:])
		return line, err
	}
	line.side = Side(f[3])
	if !line.side.Valid() {
		return line, fmt.Errorf("row %d: side must be debit or credit, got %q", row, f[3])
	}
	for _, t := range strings.Fields(f[4]) {
		term := stmtTerm{}
		if strings.HasPrefix(t, "-") {
			term.neg, t = true, t[1:]
		}
		if strings.HasPrefix(t, "open:") {
			term.open, t = true, strings.TrimPrefix(t, "open:")
		}
		if strings.HasSuffix(t, "~") {
			term.split, t = true, strings.TrimSuffix(t, "~")
		}
		if !allASCIIDigits(t) || (term.split && (term.neg || term.open || line.section == sectionIncome)) {
			return line, fmt.Errorf("row %d: bad term %q", row, t)
		}
		term.code = t
		line.terms = append(line.terms, term)
	}
	if len(line.terms) == 0 {
		return line, fmt.Errorf("row %d has no terms", row)
	}
	return line, nil
}

// parseRefs parses "1+2-3".
func parseRefs(s string) ([]stmtRef, error) {
	var refs []stmtRef
	neg := false
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '+' && s[i] != '-' {
			continue
		}
		n, err := strconv.Atoi(s[start:i])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad subtotal %q", s)
		}
		refs = append(refs, stmtRef{row: n, neg: neg})
		if i < len(s) {
			neg = s[i] == '-'
		}
		start = i + 1
	}
	return refs, nil
}

// Role returns what the data file names for a role ("" when unknown): a row
// number for total_assets, total_claims, net_income and undistributed; an
// account code for profit, retained and distribution.
func (l StatementLayout) Role(role string) string { return l.roles[role] }

// itemSum is the debit and credit fen of one sub-ledger item (account ×
// household × party).
type itemSum struct {
	account, household, party string
	debit, credit             int64
}

// stmtSource is where one column of a statement takes its amounts from.
type stmtSource struct {
	accounts accountSums // balances (balance sheet) or activity (income statement)
	items    []itemSum   // balances per sub-ledger item, for CODE~ terms
	opening  accountSums // balances before the first month, for open:CODE terms
}

func sided(side Side, d, c int64) int64 {
	if side == Credit {
		return c - d
	}
	return d - c
}

// evaluate computes every numbered line of lines into values (row → fen),
// subtotals from the rows already in values.
func evaluate(lines []stmtLine, src stmtSource, values map[int]int64) {
	for _, l := range lines {
		if l.heading() {
			continue
		}
		var v int64
		for _, r := range l.refs {
			if r.neg {
				v -= values[r.row]
			} else {
				v += values[r.row]
			}
		}
		for _, t := range l.terms {
			var x int64
			switch {
			case t.split:
				for _, it := range src.items {
					if strings.HasPrefix(it.account, t.code) {
						x += max(0, sided(l.side, it.debit, it.credit))
					}
				}
			case t.open:
				s := rollUp(src.opening, t.code)
				x = sided(l.side, s[0], s[1])
			default:
				s := rollUp(src.accounts, t.code)
				x = sided(l.side, s[0], s[1])
			}
			if t.neg {
				x = -x
			}
			v += x
		}
		values[l.row] = v
	}
}

// StatementLine is one line item of a statement with its two columns: on the
// balance sheet 年初余额 (First) and 期末余额 (Second); on the income statement
// 本期金额 (First) and 本年累计金额 (Second).
type StatementLine struct {
	Row      int    `json:"row,omitempty"` // 行次; 0 for a heading
	Name     string `json:"name"`
	Heading  bool   `json:"heading,omitempty"`
	Subtotal bool   `json:"subtotal,omitempty"`
	Terms    string `json:"terms,omitempty"` // how the line is made, as in the data file
	First    Money  `json:"first"`
	Second   Money  `json:"second"`
}

func statementLines(lines []stmtLine, first, second map[int]int64) []StatementLine {
	out := make([]StatementLine, 0, len(lines))
	for _, l := range lines {
		sl := StatementLine{Row: l.row, Name: l.name, Heading: l.heading(), Subtotal: l.subtotal(), Terms: l.text}
		if !sl.Heading {
			sl.First, sl.Second = Fen(first[l.row]), Fen(second[l.row])
		}
		out = append(out, sl)
	}
	return out
}

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

// IncomeStatement is the 收益及收益分配表 (cooperatives: 盈余及盈余分配表) for a
// range of months within one year. Each line's First is the range (本期金额),
// Second the year to the range's last month (本年累计金额). Year-end closing
// vouchers are left out, so the statement reads the same before and after
// the year is closed.
type IncomeStatement struct {
	Book      string          `json:"book"`
	BookName  string          `json:"book_name"`
	Kind      BookKind        `json:"kind"`
	Title     string          `json:"title"`
	From      string          `json:"from"`
	To        string          `json:"to"`
	YearStart string          `json:"year_start"`
	Lines     []StatementLine `json:"lines"`
	// NetIncome is the 净收益 (本年盈余) row; Undistributed the 年末未分配收益 row.
	NetIncome     StatementLine `json:"net_income"`
	Undistributed StatementLine `json:"undistributed"`
	YearClosed    bool          `json:"year_closed"`
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
	ys := yearStart(r.From)
	var cols [2]map[int]int64
	for i, from := range []Period{r.From, ys} {
		act, err := activityExcludingClosing(ctx, db, b.ID, from, r.To)
		if err != nil {
			return IncomeStatement{}, err
		}
		open, err := sumBalances(ctx, db, b.ID, beforeAll, from.Prev(), "")
		if err != nil {
			return IncomeStatement{}, err
		}
		cols[i] = map[int]int64{}
		evaluate(lay.income, stmtSource{accounts: act, opening: open}, cols[i])
	}
	st := IncomeStatement{Book: b.Code, BookName: b.Name, Kind: b.Kind, Title: IncomeStatementTitle(b.Kind), From: string(r.From), To: string(r.To),
		YearStart: string(ys), Lines: statementLines(lay.income, cols[0], cols[1])}
	st.NetIncome = roleLine(lay, roleNetIncome, st.Lines)
	st.Undistributed = roleLine(lay, roleUndistributed, st.Lines)
	st.YearClosed, err = yearClosed(ctx, db, b.ID, r.To)
	return st, err
}

// TownshipGroup is the statements of a township's books of one kind, side by
// side, and their sum (book code "合计").
type TownshipGroup struct {
	Kind             BookKind          `json:"kind"`
	BalanceSheets    []BalanceSheet    `json:"balance_sheets"`
	IncomeStatements []IncomeStatement `json:"income_statements"`
	SumBalance       BalanceSheet      `json:"sum_balance"`
	SumIncome        IncomeStatement   `json:"sum_income"`
}

// TownshipStatements is every book of a township the actor can see: balance
// sheets at the end of Month and income statements from January to Month,
// grouped by chart (villages and cooperatives lay their statements out
// differently), with the sum of each group.
type TownshipStatements struct {
	Township Township        `json:"township"`
	Month    string          `json:"month"`
	Groups   []TownshipGroup `json:"groups"`
}

// maxStatementBooks bounds one township's statements.
const maxStatementBooks = 500

// TownshipStatements returns the statements of every book of a township.
func (s *Store) TownshipStatements(ctx context.Context, a Actor, township, month string) (TownshipStatements, error) {
	p, err := ParsePeriod(month)
	if err != nil {
		return TownshipStatements{}, FieldError("month", "%s", err.Error())
	}
	books, err := s.Books(ctx, a)
	if err != nil {
		return TownshipStatements{}, err
	}
	out := TownshipStatements{Township: Township{Code: township}, Month: string(p), Groups: []TownshipGroup{}}
	groups := map[BookKind]*TownshipGroup{}
	n := 0
	for _, b := range books {
		if b.Township.Code != township {
			continue
		}
		if n++; n > maxStatementBooks {
			return TownshipStatements{}, Errorf(ECodeInvalid, "乡镇 %s 的账套超过 %d 个，请分批查询", township, maxStatementBooks)
		}
		if _, err := s.authorize(ctx, s.db, a, b.Code, permRead); err != nil {
			return TownshipStatements{}, err
		}
		out.Township = b.Township
		g := groups[b.Kind]
		if g == nil {
			g = &TownshipGroup{Kind: b.Kind}
			groups[b.Kind] = g
		}
		bs, err := balanceSheet(ctx, s.db, b, p)
		if err != nil {
			return TownshipStatements{}, err
		}
		is, err := incomeStatement(ctx, s.db, b, PeriodRange{From: yearStart(p), To: p})
		if err != nil {
			return TownshipStatements{}, err
		}
		g.BalanceSheets, g.IncomeStatements = append(g.BalanceSheets, bs), append(g.IncomeStatements, is)
	}
	if n == 0 {
		return TownshipStatements{}, Errorf(ECodeNotFound, "乡镇 %s 没有可查看的账套", township)
	}
	for _, k := range []BookKind{KindVillage, KindCooperative} {
		if g := groups[k]; g != nil {
			g.SumBalance, g.SumIncome = sumBalanceSheets(g.BalanceSheets), sumIncomeStatements(g.IncomeStatements)
			out.Groups = append(out.Groups, *g)
		}
	}
	return out, nil
}

func addLines(sum, l []StatementLine) []StatementLine {
	if sum == nil {
		sum = append([]StatementLine(nil), l...)
		for i := range sum {
			sum[i].First, sum[i].Second = Money{}, Money{}
		}
	}
	for i := range sum {
		sum[i].First, sum[i].Second = sum[i].First.Add(l[i].First), sum[i].Second.Add(l[i].Second)
	}
	return sum
}

func addLine(sum, l StatementLine) StatementLine {
	sum.Row, sum.Name, sum.Terms, sum.Subtotal = l.Row, l.Name, l.Terms, l.Subtotal
	sum.First, sum.Second = sum.First.Add(l.First), sum.Second.Add(l.Second)
	return sum
}

func sumBalanceSheets(sheets []BalanceSheet) BalanceSheet {
	out := BalanceSheet{Book: "合计", BookName: "合计", Kind: sheets[0].Kind, Title: sheets[0].Title, Month: sheets[0].Month,
		YearStart: sheets[0].YearStart, YearClosed: true}
	for _, b := range sheets {
		out.Assets, out.Claims = addLines(out.Assets, b.Assets), addLines(out.Claims, b.Claims)
		out.TotalAssets, out.TotalClaims = addLine(out.TotalAssets, b.TotalAssets), addLine(out.TotalClaims, b.TotalClaims)
		out.YearClosed = out.YearClosed && b.YearClosed
	}
	out.Balanced = out.TotalAssets.First == out.TotalClaims.First && out.TotalAssets.Second == out.TotalClaims.Second
	return out
}

func sumIncomeStatements(sts []IncomeStatement) IncomeStatement {
	out := IncomeStatement{Book: "合计", BookName: "合计", Kind: sts[0].Kind, Title: sts[0].Title, From: sts[0].From, To: sts[0].To,
		YearStart: sts[0].YearStart, YearClosed: true}
	for _, s := range sts {
		out.Lines = addLines(out.Lines, s.Lines)
		out.NetIncome, out.Undistributed = addLine(out.NetIncome, s.NetIncome), addLine(out.Undistributed, s.Undistributed)
		out.YearClosed = out.YearClosed && s.YearClosed
	}
	return out
}
