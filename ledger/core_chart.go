package ledger

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
)

// The chart templates live in data files so that a correction to a transcribed regulation is a
// one-line change reviewed on its own, not an edit buried in Go code.
//
//go:embed charts/*.tsv
var chartFiles embed.FS

// ChartAccount is one account of a chart template.
type ChartAccount struct {
	Code       string
	Name       string
	Category   Category
	NormalSide Side
	Aux        Aux
	Parent     string // empty for a first-level account
	Leaf       bool   // derived: no other account names this one as parent
}

// chartFile maps a book kind to its template file inside chartFiles.
var chartFile = map[BookKind]string{
	KindVillage:     "charts/village.tsv",
	KindCooperative: "charts/cooperative.tsv",
}

// ChartTemplate returns the chart of accounts a new book of the given kind starts with, ordered by
// code, which puts every parent before its children.
func ChartTemplate(kind BookKind) ([]ChartAccount, error) {
	name, ok := chartFile[kind]
	if !ok {
		return nil, fmt.Errorf("chart template: unknown book kind %q", kind)
	}
	data, err := chartFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("chart template: %w", err)
	}
	return parseChart(name, data)
}

// chartLine is an account with the line it came from, so that checks made after the whole file is
// read can still point at the offending line.
type chartLine struct {
	ChartAccount
	line int
}

// parseChart parses a chart template strictly: the file ships with the binary, so any oddity is a
// bug to be caught by the tests, never something to guess around at run time.
func parseChart(name string, data []byte) ([]ChartAccount, error) {
	lines, err := readChartLines(name, data)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]*chartLine, len(lines))
	for i := range lines {
		l := &lines[i]
		if prev, dup := byCode[l.Code]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate code %s (first on line %d)", name, l.line, l.Code, prev.line)
		}
		byCode[l.Code] = l
	}
	for _, l := range lines {
		if err := checkParent(l, byCode); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, l.line, err)
		}
	}
	return chartAccounts(lines), nil
}

// readChartLines splits the file into accounts, skipping blank and # comment lines.
func readChartLines(name string, data []byte) ([]chartLine, error) {
	var lines []chartLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		acct, err := parseChartLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		lines = append(lines, chartLine{ChartAccount: acct, line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return lines, nil
}

// parseChartLine parses "code	name	category	normal_side	aux	parent".
func parseChartLine(text string) (ChartAccount, error) {
	f := strings.Split(text, "\t")
	if len(f) != 6 {
		return ChartAccount{}, fmt.Errorf("want 6 tab-separated columns, got %d", len(f))
	}
	a := ChartAccount{Code: f[0], Name: f[1], Category: Category(f[2]), NormalSide: Side(f[3]), Aux: Aux(f[4]), Parent: f[5]}
	switch {
	case !allASCIIDigits(a.Code):
		return a, fmt.Errorf("code %q is not all digits", a.Code)
	case a.Name == "":
		return a, fmt.Errorf("account %s has no name", a.Code)
	case !a.Category.Valid():
		return a, fmt.Errorf("account %s: unknown category %q", a.Code, f[2])
	case !a.NormalSide.Valid():
		return a, fmt.Errorf("account %s: unknown normal side %q", a.Code, f[3])
	case !a.Aux.Valid():
		return a, fmt.Errorf("account %s: unknown aux %q", a.Code, f[4])
	}
	return a, nil
}

// checkParent enforces the code scheme of both regulations: first-level codes have 3 digits and
// each level below adds 2 digits to its parent's code, within the parent's category.
func checkParent(l chartLine, byCode map[string]*chartLine) error {
	if l.Parent == "" {
		if len(l.Code) != 3 {
			return fmt.Errorf("first-level code %s must have 3 digits", l.Code)
		}
		return nil
	}
	p, ok := byCode[l.Parent]
	switch {
	case !ok:
		return fmt.Errorf("account %s: parent %s does not exist", l.Code, l.Parent)
	case !strings.HasPrefix(l.Code, l.Parent) || len(l.Code) != len(l.Parent)+2:
		return fmt.Errorf("account %s: code must be parent code %s plus 2 digits", l.Code, l.Parent)
	case p.Category != l.Category:
		return fmt.Errorf("account %s: category %s differs from parent %s (%s)", l.Code, l.Category, p.Code, p.Category)
	}
	return nil
}

// chartAccounts derives Leaf and sorts by code; since a parent's code is a proper prefix of its
// children's codes, code order is also parents-before-children order.
func chartAccounts(lines []chartLine) []ChartAccount {
	hasChild := make(map[string]bool, len(lines))
	for _, l := range lines {
		hasChild[l.Parent] = true
	}
	out := make([]ChartAccount, 0, len(lines))
	for _, l := range lines {
		a := l.ChartAccount
		a.Leaf = !hasChild[a.Code]
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
