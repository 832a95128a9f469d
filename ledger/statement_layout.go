package ledger

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
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
	roleDistribution  = "distribution" // 32201 各项分配 / 332 盈余分配 (its leaves but 未分配盈余)
)

// stmtTerm is one term of a line: an account, maybe negated, maybe split by
// the side of each sub-ledger item's balance, maybe the balance before the
// statement's first month.
type stmtTerm struct {
	code  string
	neg   bool
	split bool   // CODE~
	open  bool   // open:CODE
	from  string // CODE<FROM: CODE's activity in vouchers that also use FROM
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
		if code, from, ok := strings.Cut(t, "<"); ok {
			if !allASCIIDigits(from) || term.split || term.open || line.section != sectionIncome {
				return line, fmt.Errorf("row %d: bad term %q", row, t)
			}
			term.from, t = from, code
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

// transferTerms lists the CODE<FROM terms of lines.
func transferTerms(lines []stmtLine) []stmtTerm {
	var out []stmtTerm
	for _, l := range lines {
		for _, t := range l.terms {
			if t.from != "" {
				out = append(out, t)
			}
		}
	}
	return out
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
	opening  accountSums // balances at the opening of the year, for open:CODE terms
	// transfers holds CODE<FROM activity, keyed "CODE<FROM".
	transfers accountSums
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
			case t.from != "":
				s := src.transfers[t.code+"<"+t.from]
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
// 本年金额 (First: the year to the statement's last month) and 上年金额
// (Second: the same months of the year before).
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
