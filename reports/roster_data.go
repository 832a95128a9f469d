package reports

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"coopledger/ledger"
)

// RunInfo describes the payout run a roster or notice is made of.
type RunInfo struct {
	ID           int64
	Quarter      string // "2026Q3"
	Status       ledger.RunStatus
	Adjustment   bool
	RoundingRule string
	ApprovedAt   string
}

// RosterHousehold is one household's row of a roster: its money per column.
type RosterHousehold struct {
	Code        string
	Group       string // 村民小组
	HeadName    string
	IDNumber    string
	BankAccount string
	Members     int
	// The four money columns, named by the book's ledger.Words.Columns: for
	// a village as the field names say; for a cooperative Rent also holds
	// 包干, Dividend the 剩余盈余分配 and Other the 盈余返还.
	Rent        ledger.Money // 土地租金
	Dividend    ledger.Money // 股金分红
	Wage        ledger.Money // 务工薪金
	Other       ledger.Money // 包干、盈余返还、调整
	Total       ledger.Money // 应发合计 = Rent + Dividend + Wage + Other
	Paid        ledger.Money
	Outstanding ledger.Money // Total − Paid
}

// RosterLine is one household × agreement of a run, with its basis.
type RosterLine struct {
	Household      string
	HeadName       string
	Group          string
	Agreement      string
	AgreementTitle string
	Kind           string // 租金 / 股金 / 薪金 / 包干 / 盈余返还 / 调整
	Account        string // credited sub-ledger account
	Amount         ledger.Money
	Fee            ledger.Money // village service fee withheld
	Paid           ledger.Money
	Outstanding    ledger.Money
	Basis          string
}

// RosterTotal totals a run per agreement (Key = agreement code) or per kind.
type RosterTotal struct {
	Key    string
	Title  string // agreement title, or the kind's column name
	Kind   string
	Lines  int
	Amount ledger.Money
	Fee    ledger.Money
}

// RosterData is everything a roster or public notice prints: plain data, so
// it can come from the ledger (LoadRoster) or be built directly.
type RosterData struct {
	Book        BookInfo
	Run         RunInfo
	Households  []RosterHousehold // in print order
	Lines       []RosterLine      // in print order
	ByAgreement []RosterTotal
	ByKind      []RosterTotal
	Total       ledger.Money
	Paid        ledger.Money
	Outstanding ledger.Money
	// Links holds the current public link of each household that has one
	// (household code → absolute URL), printed as a QR code on the roster.
	// Nil for the notice and for rosters without links.
	Links map[string]string
}

// Roster columns for the kinds of money.
const (
	ColumnRent     = "土地租金"
	ColumnDividend = "股金分红"
	ColumnWage     = "务工薪金"
	ColumnOther    = "包干/其他"
)

// Words are the printed names of the roster's book kind.
func (d RosterData) Words() ledger.Words { return ledger.WordsFor(d.Book.Kind) }

// Columns are the names of the four money columns.
func (d RosterData) Columns() [4]string { return d.Words().Columns }

// PayoutTitle names what the run pays (土地租金, 股金分红, …) for titles.
func (d RosterData) PayoutTitle() string {
	kinds := make([]string, len(d.ByKind))
	for i, t := range d.ByKind {
		kinds[i] = t.Kind
	}
	return ledger.PayoutTitle(kinds)
}

// KindColumn is the village roster column a kind of money is printed in.
func KindColumn(kind string) string {
	switch kind {
	case ledger.LandRent.Label():
		return ColumnRent
	case ledger.ShareDividend.Label():
		return ColumnDividend
	case ledger.Wage.Label():
		return ColumnWage
	}
	return ColumnOther
}

// maxHouseholdPage is the page size used to read a book's household roster.
const maxHouseholdPage = 1000

// LoadRoster gathers a payout run's roster from the ledger. Whether the actor
// may see full ID numbers and bank accounts is for the caller to decide; the
// public notice masks them itself.
func LoadRoster(ctx context.Context, s *ledger.Store, a ledger.Actor, book string, runID int64) (RosterData, error) {
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return RosterData{}, err
	}
	run, err := s.PayoutRun(ctx, a, book, runID)
	if err != nil {
		return RosterData{}, err
	}
	households, err := loadHouseholds(ctx, s, a, book)
	if err != nil {
		return RosterData{}, err
	}
	agreements, err := s.AgreementHeaders(ctx, a, book)
	if err != nil {
		return RosterData{}, err
	}
	titles := map[string]string{}
	for _, ag := range agreements {
		titles[ag.Code] = ag.Title
	}
	return RosterFromRun(BookInfoOf(b), run, households, titles)
}

// loadHouseholds reads a book's whole household roster a page at a time.
func loadHouseholds(ctx context.Context, s *ledger.Store, a ledger.Actor, book string) (map[string]ledger.Household, error) {
	out := map[string]ledger.Household{}
	after := ""
	for {
		page, err := s.Households(ctx, a, book, ledger.HouseholdFilter{After: after, Limit: maxHouseholdPage})
		if err != nil {
			return nil, err
		}
		for _, h := range page {
			out[h.Code] = h
		}
		if len(page) == 0 || page[len(page)-1].Code <= after {
			return out, nil
		}
		after = page[len(page)-1].Code
	}
}

// RosterFromRun arranges a run for printing: households by 村民小组 and code,
// their lines by agreement. Every household of the run must be on the roster.
func RosterFromRun(b BookInfo, run ledger.PayoutRun, households map[string]ledger.Household, titles map[string]string) (RosterData, error) {
	d := RosterData{Book: b, Run: RunInfo{ID: run.ID, Quarter: run.Quarter, Status: run.Status, Adjustment: run.Adjustment,
		RoundingRule: run.RoundingRule, ApprovedAt: run.ApprovedAt}}
	if d.Run.RoundingRule == "" {
		d.Run.RoundingRule = ledger.RoundingRule
	}
	w := d.Words()
	rows := map[string]*RosterHousehold{}
	lines := make([]ledger.PayoutLine, len(run.Lines))
	for i, l := range run.Lines {
		l.Kind = ledger.LineKind(l.Kind, l.CreditAccount)
		lines[i] = l
		h, ok := households[l.Household]
		if !ok {
			return RosterData{}, fmt.Errorf("收益分配 %d 的%s %s 不在名册中", run.ID, w.Person, l.Household)
		}
		r := rows[l.Household]
		if r == nil {
			r = &RosterHousehold{Code: h.Code, Group: h.Group, HeadName: h.HeadName, IDNumber: h.IDNumber,
				BankAccount: h.BankAccount, Members: h.Members}
			rows[l.Household] = r
		}
		addToColumn(r, w.Column(l.Kind), l.Amount)
		r.Paid = r.Paid.Add(l.Paid)
	}
	for _, r := range rows {
		r.Outstanding = r.Total.Sub(r.Paid)
		d.Households = append(d.Households, *r)
	}
	SortHouseholds(d.Households)
	d.Lines = linesInPrintOrder(lines, d.Households, titles)
	for _, t := range run.ByAgreement {
		kind := ""
		for _, l := range lines {
			if l.Agreement == t.Key {
				kind = l.Kind
				break
			}
		}
		d.ByAgreement = append(d.ByAgreement, RosterTotal{Key: t.Key, Title: titles[t.Key], Kind: kind, Lines: t.Lines, Amount: t.Amount, Fee: t.Fee})
	}
	d.ByKind = totalsByKind(lines, w)
	d.Total, d.Paid, d.Outstanding = run.Total, run.Paid, run.Outstanding
	return d, d.Check()
}

// linesInPrintOrder makes the roster lines of a run's lines, ordered as
// their households are printed and, within a household, by agreement, the
// run's order kept otherwise. It is a stable bucket sort that writes each
// line once in its place: a county run has 300,000 lines.
func linesInPrintOrder(lines []ledger.PayoutLine, households []RosterHousehold, titles map[string]string) []RosterLine {
	if len(lines) == 0 {
		return nil
	}
	order := make(map[string]int, len(households))
	for i, h := range households {
		order[h.Code] = i
	}
	start := make([]int, len(households)+1)
	for _, l := range lines {
		start[order[l.Household]+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]RosterLine, len(lines))
	next := append([]int(nil), start[:len(households)]...)
	for _, l := range lines {
		i := order[l.Household]
		h := households[i]
		out[next[i]] = RosterLine{Household: h.Code, HeadName: h.HeadName, Group: h.Group, Agreement: l.Agreement,
			AgreementTitle: titles[l.Agreement], Kind: l.Kind, Account: l.CreditAccount, Amount: l.Amount, Fee: l.Fee,
			Paid: l.Paid, Outstanding: l.Outstanding, Basis: l.Basis}
		next[i]++
	}
	for i := range households {
		bucket := out[start[i]:start[i+1]]
		sort.SliceStable(bucket, func(i, j int) bool { return bucket[i].Agreement < bucket[j].Agreement })
	}
	return out
}

func addToColumn(r *RosterHousehold, column int, m ledger.Money) {
	switch column {
	case 0:
		r.Rent = r.Rent.Add(m)
	case 1:
		r.Dividend = r.Dividend.Add(m)
	case 2:
		r.Wage = r.Wage.Add(m)
	default:
		r.Other = r.Other.Add(m)
	}
	r.Total = r.Total.Add(m)
}

// totalsByKind totals lines per printed kind, in the order of the roster's
// columns: a cooperative's 剩余盈余分配 apart from its 盈余返还.
func totalsByKind(lines []ledger.PayoutLine, w ledger.Words) []RosterTotal {
	at := map[string]int{}
	var out []RosterTotal
	for _, l := range lines {
		i, ok := at[l.Kind]
		if !ok {
			i = len(out)
			at[l.Kind] = i
			out = append(out, RosterTotal{Key: l.Kind, Title: w.Columns[w.Column(l.Kind)], Kind: l.Kind})
		}
		out[i].Lines++
		out[i].Amount, out[i].Fee = out[i].Amount.Add(l.Amount), out[i].Fee.Add(l.Fee)
	}
	sort.SliceStable(out, func(i, j int) bool { return w.Column(out[i].Kind) < w.Column(out[j].Kind) })
	return out
}

// Check asserts that the figures add up: every household's columns to its
// total, households to the run total, lines to households, agreements and
// kinds to the run. A roster people sign must never disagree with itself.
func (d RosterData) Check() error {
	var total, paid, lines, byAgreement, byKind, linePaid int64
	for _, h := range d.Households {
		if h.Rent.Add(h.Dividend).Add(h.Wage).Add(h.Other) != h.Total || h.Total.Sub(h.Paid) != h.Outstanding {
			return fmt.Errorf("农户 %s 的金额不平：各列之和应等于应发合计，应发减已发应等于未发", h.Code)
		}
		total, paid = total+h.Total.Fen(), paid+h.Paid.Fen()
	}
	for _, l := range d.Lines {
		lines, linePaid = lines+l.Amount.Fen(), linePaid+l.Paid.Fen()
	}
	for _, t := range d.ByAgreement {
		byAgreement += t.Amount.Fen()
	}
	for _, t := range d.ByKind {
		byKind += t.Amount.Fen()
	}
	if total != d.Total.Fen() || paid != d.Paid.Fen() || d.Total.Sub(d.Paid) != d.Outstanding {
		return fmt.Errorf("花名册合计不平：各户应发 %s、已发 %s，批次应发 %s、已发 %s", ledger.Fen(total), ledger.Fen(paid), d.Total, d.Paid)
	}
	if len(d.Lines) > 0 && (lines != total || linePaid != paid) {
		return fmt.Errorf("分户明细合计 %s 与花名册合计 %s 不符", ledger.Fen(lines), d.Total)
	}
	if (len(d.ByAgreement) > 0 && byAgreement != total) || (len(d.ByKind) > 0 && byKind != total) {
		return fmt.Errorf("按协议或类别汇总与花名册合计 %s 不符", d.Total)
	}
	return nil
}

// SortHouseholds orders households by 村民小组 as a number (第二 before 第十,
// 2组 before 10组: ledger.GroupSortKey, the key the ledger stores) and then
// by code (numbers inside compared as numbers). Keys are computed once: a
// county's 100,000 households are compared millions of times.
func SortHouseholds(hs []RosterHousehold) {
	keys := make(map[string]string)
	for _, h := range hs {
		if _, ok := keys[h.Group]; !ok {
			keys[h.Group] = ledger.GroupSortKey(h.Group)
		}
	}
	sort.SliceStable(hs, func(i, j int) bool {
		if ki, kj := keys[hs[i].Group], keys[hs[j].Group]; ki != kj {
			return ki < kj
		}
		return naturalCompare(hs[i].Code, hs[j].Code) < 0
	})
}

// naturalCompare compares strings with runs of digits compared by value. It
// walks the strings in place: sorting a county's 100,000 households calls it
// millions of times.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, wa := utf8.DecodeRuneInString(a[i:])
		cb, wb := utf8.DecodeRuneInString(b[j:])
		if unicode.IsDigit(ca) && unicode.IsDigit(cb) {
			si, sj := i, j
			i, j = digitsEnd(a, i), digitsEnd(b, j)
			na, ea := strconv.ParseUint(a[si:i], 10, 64)
			nb, eb := strconv.ParseUint(b[sj:j], 10, 64)
			if ea == nil && eb == nil && na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
			if c := compareStrings(a[si:i], b[sj:j]); c != 0 {
				return c
			}
			continue
		}
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
		i, j = i+wa, j+wb
	}
	return utf8.RuneCountInString(a[i:]) - utf8.RuneCountInString(b[j:])
}

// digitsEnd returns where the run of digits starting at i ends.
func digitsEnd(s string, i int) int {
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsDigit(r) {
			break
		}
		i += w
	}
	return i
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
