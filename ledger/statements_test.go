package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// The test keeps its own description of every statement line (independent of
// the data files) and recomputes each line from the trial balance and from the
// sub-ledger balances the random book generator kept itself.

// specLine: terms as "101 102", "-152", "~112" (sub-ledger items on the line's
// side), "open:32202", "32202<311" (32202 in vouchers that also use 311: 其他转入
// is only 公积公益金 moved in to cover a loss), or a subtotal "=1+2-3".
type specLine struct {
	row   int
	side  string // "d" or "c" or "" for subtotals
	terms string
}

var villageBS = []specLine{
	{1, "d", "101 102"}, {2, "d", "111"}, {3, "d", "~112 ~113 ~211"}, {4, "d", "121 401"}, {5, "d", "131"},
	{6, "", "=1+2+3+4+5"}, {7, "d", "141"}, {8, "d", "132"}, {9, "c", "133"}, {10, "", "=8-9"}, {11, "d", "151"},
	{12, "c", "152"}, {13, "", "=11-12"}, {14, "d", "154"}, {15, "d", "153"}, {16, "d", "161"}, {17, "c", "162"},
	{18, "", "=16-17"}, {19, "d", "134"}, {20, "d", "171"}, {21, "d", "181"}, {22, "", "=7+10+13+14+15+18+19+20+21"},
	{23, "", "=6+22"},
	{24, "c", "201"}, {25, "c", "~211 ~112 ~113"}, {26, "c", "212"}, {27, "c", "213"}, {28, "c", "214"},
	{29, "", "=24+25+26+27+28"}, {30, "c", "221"}, {31, "c", "231"}, {32, "c", "241"}, {33, "", "=30+31+32"},
	{34, "", "=29+33"}, {35, "c", "301"}, {36, "c", "311"}, {37, "c", "321 322 501 502 503 504 511 512 513 514 515 521"},
	{38, "", "=35+36+37"}, {39, "", "=34+38"},
}

var villageIS = []specLine{
	{1, "c", "501"}, {2, "d", "511"}, {3, "d", "512"}, {4, "d", "513"}, {5, "c", "502"}, {6, "", "=1-2-3-4+5"},
	{7, "c", "503"}, {8, "c", "504"}, {9, "d", "514"}, {10, "d", "515"}, {11, "", "=6+7+8-9-10"}, {12, "d", "521"},
	{13, "", "=11-12"}, {14, "c", "open:32202"}, {15, "c", "32202<311"}, {16, "", "=13+14+15"}, {17, "d", "3220101"},
	{18, "d", "3220102"}, {19, "d", "32201 -3220101 -3220102"}, {20, "", "=16-17-18-19"},
}

// coopBS and coopIS are 会农社01表 and 会农社02表 as the appendix of
// 财会〔2021〕37号 prints them (42 and 20 rows), written out here from the
// regulation, not from charts/cooperative_statements.tsv. Where the form has
// no row of its own: 122 包装物 and 181 待处理财产损溢 count in 存货; the 损益
// accounts not yet closed count in 未分配盈余 (so row 40 always equals 02表
// row 20); 33201, the lump of earlier releases, is read as 盈余返还.
var coopBS = []specLine{
	{1, "d", "101 102 109"}, {2, "d", "113 ~114"}, {3, "d", "121 122 124 125 127 128 401 181"}, {4, "d", "141"},
	{5, "", "=1+2+3+4"}, {6, "d", "131"}, {7, "d", "142"}, {8, "c", "143"}, {9, "", "=7-8"}, {10, "d", "151"},
	{11, "c", "152"}, {12, "", "=10-11"}, {13, "d", "153"}, {14, "d", "154"}, {15, "", "=12+13+14"}, {16, "d", "161"},
	{17, "c", "162"}, {18, "", "=16-17"}, {19, "d", "144"}, {20, "d", "171"}, {21, "", "=6+9+15+18+19+20"},
	{22, "", "=5+21"},
	{23, "c", "201"}, {24, "c", "211 ~114"}, {25, "c", "212"}, {26, "c", "213"}, {27, "c", "214"}, {28, "c", "215"},
	{29, "c", "221"}, {30, "c", "222"}, {31, "", "=23+24+25+26+27+28+29+30"}, {32, "c", "231"}, {33, "c", "235"},
	{34, "", "=32+33"}, {35, "", "=31+34"}, {36, "c", "301"}, {37, "c", "311"}, {38, "c", "321"}, {39, "c", "322"},
	{40, "c", "331 332 501 502 511 521 522 523 524 529 531"}, {41, "", "=36+37+38+39+40"}, {42, "", "=35+41"},
}

var coopIS = []specLine{
	{1, "c", "501"}, {2, "c", "511"}, {3, "d", "521"}, {4, "d", "522"}, {5, "d", "523"}, {6, "d", "524"},
	{7, "", "=1+2-3-4-5-6"}, {8, "c", "502"}, {9, "d", "529"}, {10, "", "=7+8-9"}, {11, "d", "531"}, {12, "", "=10-11"},
	{13, "c", "open:331 open:332 open:501 open:502 open:511 open:521 open:522 open:523 open:524 open:529 open:531"},
	{14, "c", "33202 331"}, {15, "d", "33203"}, {16, "", "=12+13+14-15"}, {17, "d", "33204 33201"}, {18, "d", "33205"},
	{19, "d", "33206"}, {20, "", "=16-17-18-19"},
}

type kindSpec struct {
	kind                      ledger.BookKind
	bs, is                    []specLine
	totalAssets, totalClaims  int
	netIncome, undistributed  int
	profit, retained, distrib string
	yearPrior                 bool // income columns 本年金额 / 上年金额
}

// ytd is a line's amount for the year to the statement's last month.
func (ks kindSpec) ytd(l ledger.StatementLine) ledger.Money {
	if ks.yearPrior {
		return l.First
	}
	return l.Second
}

var kindSpecs = []kindSpec{
	{ledger.KindVillage, villageBS, villageIS, 23, 39, 13, 20, "321", "32202", "32201", false},
	{ledger.KindCooperative, coopBS, coopIS, 22, 42, 12, 20, "331", "33202", "332", true},
}

// tbNet is net debit − credit fen per account code (with sub-accounts) from a
// trial balance: closing, opening or period activity.
func tbNet(tb ledger.TrialBalance, which string) map[string]int64 {
	out := map[string]int64{}
	for _, r := range tb.Rows {
		switch which {
		case "closing":
			out[r.Code] = r.ClosingDebit.Fen() - r.ClosingCredit.Fen()
		case "opening":
			out[r.Code] = r.OpeningDebit.Fen() - r.OpeningCredit.Fen()
		default:
			out[r.Code] = r.PeriodDebit.Fen() - r.PeriodCredit.Fen()
		}
	}
	return out
}

// recompute evaluates spec lines from account nets, item nets and openings.
func recompute(t *testing.T, spec []specLine, nets, opening map[string]int64, items map[itemKey]int64) map[int]int64 {
	t.Helper()
	vals := map[int]int64{}
	for _, l := range spec {
		var v int64
		if strings.HasPrefix(l.terms, "=") {
			s := l.terms[1:]
			sign := int64(1)
			start := 0
			for i := 0; i <= len(s); i++ {
				if i < len(s) && s[i] != '+' && s[i] != '-' {
					continue
				}
				n, err := strconv.Atoi(s[start:i])
				if err != nil {
					t.Fatalf("spec %q: %v", l.terms, err)
				}
				v += sign * vals[n]
				if i < len(s) && s[i] == '-' {
					sign = -1
				} else {
					sign = 1
				}
				start = i + 1
			}
			vals[l.row] = v
			continue
		}
		orient := int64(1)
		if l.side == "c" {
			orient = -1
		}
		for _, term := range strings.Fields(l.terms) {
			switch {
			case strings.HasPrefix(term, "~"):
				code := term[1:]
				for k, n := range items {
					if strings.HasPrefix(k.account, code) && orient*n > 0 {
						v += orient * n
					}
				}
			case strings.HasPrefix(term, "open:"):
				v += orient * opening[term[5:]]
			case strings.HasPrefix(term, "-"):
				v -= orient * nets[term[1:]]
			default:
				v += orient * nets[term]
			}
		}
		vals[l.row] = v
	}
	return vals
}

type itemKey struct{ account, household, party string }

// randomBook posts random balanced vouchers into a book and keeps the
// sub-ledger balances per month itself.
type randomBook struct {
	t        *testing.T
	f        ledgertest.Fixture
	rng      *rand.Rand
	seed     uint64
	leaves   []ledger.Account
	byMonth  map[string]map[itemKey]int64 // period → item → net fen
	excluded map[string]bool
	// xfer is, per period, the net of 32202 (33202) lines in vouchers that
	// also use 311, keyed like the spec's transfer terms.
	xfer map[string]map[string]int64
}

func newRandomBook(t *testing.T, f ledgertest.Fixture, seed uint64, exclude ...string) *randomBook {
	accounts, err := f.Store.Accounts(context.Background(), f.Preparer, f.Book.Code)
	if err != nil {
		t.Fatal(err)
	}
	rb := &randomBook{t: t, f: f, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), seed: seed, byMonth: map[string]map[itemKey]int64{}, excluded: map[string]bool{},
		xfer: map[string]map[string]int64{}}
	for _, e := range exclude {
		rb.excluded[e] = true
	}
	for _, a := range accounts {
		if a.Leaf && !rb.excluded[a.Code] && !cashAccount(a.Code) { // random lines would overdraw cash
			rb.leaves = append(rb.leaves, a)
		}
	}
	return rb
}

func (rb *randomBook) line(net int64) ledger.LineInput {
	acc := rb.leaves[rb.rng.IntN(len(rb.leaves))]
	// Bias towards the accounts the statements split and close.
	if rb.rng.IntN(3) == 0 {
		var pool []ledger.Account
		for _, a := range rb.leaves {
			if a.Aux != ledger.AuxNone || a.Category == ledger.CategoryIncome || strings.HasPrefix(a.Code, "3") {
				pool = append(pool, a)
			}
		}
		acc = pool[rb.rng.IntN(len(pool))]
	}
	l := ledger.LineInput{Account: acc.Code}
	switch acc.Aux {
	case ledger.AuxHousehold:
		l.Household = rb.f.Households[rb.rng.IntN(len(rb.f.Households))]
	case ledger.AuxParty:
		l.Party = rb.f.Parties[rb.rng.IntN(len(rb.f.Parties))]
	}
	m := ledger.Fen(max(net, -net))
	if net > 0 {
		l.Debit = &m
	} else {
		l.Credit = &m
	}
	return l
}

// voucher posts one random balanced voucher dated in month.
func (rb *randomBook) voucher(month string) ledger.Voucher {
	rb.t.Helper()
	n := 1 + rb.rng.IntN(3)
	var lines []ledger.LineInput
	var sum int64
	for range n {
		amt := 1 + rb.rng.Int64N(5_000_00)
		if rb.rng.IntN(2) == 0 {
			amt = -amt
		}
		lines = append(lines, rb.line(amt))
		sum += amt
	}
	if sum == 0 {
		lines = append(lines, rb.line(100), rb.line(-100))
	} else {
		lines = append(lines, rb.line(-sum))
	}
	in := ledger.VoucherInput{Date: fmt.Sprintf("%s-%02d", month, 1+rb.rng.IntN(28)), Summary: "随机凭证", Lines: lines}
	v := rb.f.Post(rb.t, in)
	rb.record(v)
	return v
}

func (rb *randomBook) record(v ledger.Voucher) {
	m := rb.byMonth[v.Period]
	if m == nil {
		m = map[itemKey]int64{}
		rb.byMonth[v.Period] = m
	}
	uses311 := false
	for _, l := range v.Lines {
		m[itemKey{l.Account, l.Household, l.Party}] += l.Debit.Fen() - l.Credit.Fen()
		uses311 = uses311 || strings.HasPrefix(l.Account, "311")
	}
	if rb.xfer[v.Period] == nil {
		rb.xfer[v.Period] = map[string]int64{}
	}
	for _, l := range v.Lines {
		if uses311 && strings.HasPrefix(l.Account, "32202") {
			rb.xfer[v.Period]["32202<311"] += l.Debit.Fen() - l.Credit.Fen()
		}
	}
}

// items is the cumulative item balance through month.
func (rb *randomBook) items(through string) map[itemKey]int64 {
	out := map[itemKey]int64{}
	for p, m := range rb.byMonth {
		if p <= through {
			for k, v := range m {
				out[k] += v
			}
		}
	}
	return out
}

func seedFromEnv(t *testing.T) uint64 {
	if s := os.Getenv("COOPLEDGER_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

func lineMap(lines ...[]ledger.StatementLine) map[int]ledger.StatementLine {
	out := map[int]ledger.StatementLine{}
	for _, ls := range lines {
		for _, l := range ls {
			if !l.Heading {
				out[l.Row] = l
			}
		}
	}
	return out
}

// checkBalanceSheet compares every line with the independent recomputation.
func checkBalanceSheet(t *testing.T, rb *randomBook, ks kindSpec, month string) ledger.BalanceSheet {
	t.Helper()
	ctx := context.Background()
	f := rb.f
	bs, err := f.Store.BalanceSheet(ctx, f.Auditor, f.Book.Code, month)
	if err != nil {
		t.Fatalf("seed %d: balance sheet %s: %v", rb.seed, month, err)
	}
	ys := month[:4] + "-01"
	tb, err := f.Store.TrialBalance(ctx, f.Auditor, f.Book.Code, ys, month)
	if err != nil {
		t.Fatal(err)
	}
	prevYear := fmt.Sprintf("%d-12", mustAtoi(month[:4])-1)
	end := recompute(t, ks.bs, tbNet(tb, "closing"), nil, rb.items(month))
	start := recompute(t, ks.bs, tbNet(tb, "opening"), nil, rb.items(prevYear))
	got := lineMap(bs.Assets, bs.Claims)
	if len(got) != len(ks.bs) {
		t.Fatalf("seed %d: %s balance sheet has %d lines, spec %d", rb.seed, ks.kind, len(got), len(ks.bs))
	}
	for _, l := range ks.bs {
		g := got[l.row]
		if g.Second.Fen() != end[l.row] || g.First.Fen() != start[l.row] {
			t.Errorf("seed %d: %s %s row %d %s: got %s/%s, recomputed %s/%s", rb.seed, ks.kind, month, l.row, g.Name,
				g.First, g.Second, ledger.Fen(start[l.row]), ledger.Fen(end[l.row]))
		}
	}
	if !bs.Balanced || end[ks.totalAssets] != end[ks.totalClaims] || start[ks.totalAssets] != start[ks.totalClaims] {
		t.Errorf("seed %d: %s %s: assets %s ≠ liabilities + equity %s", rb.seed, ks.kind, month, bs.TotalAssets.Second, bs.TotalClaims.Second)
	}
	if bs.TotalAssets.Row != ks.totalAssets || bs.TotalClaims.Row != ks.totalClaims {
		t.Errorf("total rows %d/%d", bs.TotalAssets.Row, bs.TotalClaims.Row)
	}
	return bs
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// checkIncome compares every line with the recomputation from the trial
// balance: 本年金额 from the year's first month to to, 上年金额 the same months
// of the year before (nothing before the book began in 2026-01), closing
// vouchers left out; and the income and expense of from..to alone.
func checkIncome(t *testing.T, rb *randomBook, ks kindSpec, from, to string) ledger.IncomeStatement {
	t.Helper()
	ctx := context.Background()
	f := rb.f
	st, err := f.Store.IncomeStatement(ctx, f.Auditor, f.Book.Code, from, to)
	if err != nil {
		t.Fatalf("seed %d: income %s..%s: %v", rb.seed, from, to, err)
	}
	year := mustAtoi(to[:4])
	cols := [2]map[int]int64{{}, {}}
	for i, y := range []int{year, year - 1} {
		colTo := fmt.Sprintf("%d%s", y, to[4:])
		if colTo < "2026-01" {
			continue
		}
		cols[i] = recompute(t, ks.is, rb.activity(fmt.Sprintf("%d-01", y), colTo), rb.openingNets(fmt.Sprintf("%d-01", y)), nil)
	}
	got := lineMap(st.Lines)
	if len(got) != len(ks.is) {
		t.Fatalf("income statement has %d lines, spec %d", len(got), len(ks.is))
	}
	for _, l := range ks.is {
		g := got[l.row]
		if g.First.Fen() != cols[0][l.row] || g.Second.Fen() != cols[1][l.row] {
			t.Errorf("seed %d: %s %s..%s row %d %s: got %s/%s, recomputed %s/%s", rb.seed, ks.kind, from, to, l.row, g.Name,
				g.First, g.Second, ledger.Fen(cols[0][l.row]), ledger.Fen(cols[1][l.row]))
		}
	}
	if st.NetIncome.Row != ks.netIncome || st.Undistributed.Row != ks.undistributed {
		t.Errorf("role rows %d/%d", st.NetIncome.Row, st.Undistributed.Row)
	}
	// The months from..to alone: income on the credit side, expense on the
	// debit side of the lines above the net income.
	nets := rb.activity(from, to)
	var income, expense int64
	for _, l := range ks.is {
		if l.row >= ks.netIncome || strings.HasPrefix(l.terms, "=") {
			continue
		}
		for _, code := range strings.Fields(l.terms) {
			if l.side == "c" {
				income -= nets[code]
			} else {
				expense += nets[code]
			}
		}
	}
	if st.PeriodIncome.Fen() != income || st.PeriodExpense.Fen() != expense || st.PeriodNet.Fen() != income-expense {
		t.Errorf("seed %d: %s %s..%s income/expense %s/%s/%s, want %s/%s", rb.seed, ks.kind, from, to,
			st.PeriodIncome, st.PeriodExpense, st.PeriodNet, ledger.Fen(income), ledger.Fen(expense))
	}
	return st
}

// activity is the trial balance's activity over from..to without the year-end
// closing vouchers, with the transfer terms the random book kept itself.
func (rb *randomBook) activity(from, to string) map[string]int64 {
	rb.t.Helper()
	tb, err := rb.f.Store.TrialBalance(context.Background(), rb.f.Auditor, rb.f.Book.Code, from, to)
	if err != nil {
		rb.t.Fatal(err)
	}
	nets := tbNet(tb, "period")
	for code, n := range closingNets(rb.t, rb.f, from, to) {
		nets[code] -= n
	}
	for p, m := range rb.xfer {
		if p >= from && p <= to {
			for k, v := range m {
				nets[k] += v
			}
		}
	}
	return nets
}

// openingNets is the trial balance's opening before month.
func (rb *randomBook) openingNets(month string) map[string]int64 {
	rb.t.Helper()
	tb, err := rb.f.Store.TrialBalance(context.Background(), rb.f.Auditor, rb.f.Book.Code, month, month)
	if err != nil {
		rb.t.Fatal(err)
	}
	return tbNet(tb, "opening")
}

// closingNets is the net of the posted year-end closing vouchers dated in
// [from, to] per account code and each of its parents' codes.
func closingNets(t *testing.T, f ledgertest.Fixture, from, to string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	ye, err := f.Store.YearEndStatus(ctx, f.Auditor, f.Book.Code, mustAtoi(from[:4]))
	if err != nil {
		t.Fatal(err)
	}
	for _, yv := range ye.Vouchers {
		if yv.Status != ledger.StatusPosted || yv.Period < from || yv.Period > to {
			continue
		}
		v, err := f.Store.Voucher(ctx, f.Auditor, f.Book.Code, yv.VoucherID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range v.Lines {
			for n := 3; n <= len(l.Account); n += 2 {
				out[l.Account[:n]] += l.Debit.Fen() - l.Credit.Fen()
			}
		}
	}
	return out
}

func netOf(t *testing.T, f ledgertest.Fixture, code, from, to string) int64 {
	t.Helper()
	tb, err := f.Store.TrialBalance(context.Background(), f.Auditor, f.Book.Code, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return tbNet(tb, "closing")[code]
}

// postYearEnd prepares the closing vouchers and posts them; after the step-1
// voucher it checks 本年收益 moved by exactly the statement's net income.
func postYearEnd(t *testing.T, rb *randomBook, ks kindSpec, year int, netIncome int64) []ledger.Voucher {
	t.Helper()
	ctx := context.Background()
	f := rb.f
	drafts, err := f.Store.PrepareYearEnd(ctx, f.Preparer, f.Book.Code, year)
	if err != nil {
		t.Fatalf("seed %d: prepare year end: %v", rb.seed, err)
	}
	ye, err := f.Store.YearEndStatus(ctx, f.Auditor, f.Book.Code, year)
	if err != nil {
		t.Fatal(err)
	}
	step := map[int64]int{}
	for _, v := range ye.Vouchers {
		step[v.VoucherID] = v.Step
	}
	dec := fmt.Sprintf("%d-12", year)
	var posted []ledger.Voucher
	for _, d := range drafts {
		if d.PreparerID != f.Preparer.UserID || d.Status != ledger.StatusDraft {
			t.Fatalf("closing voucher %d: preparer %d status %s", d.ID, d.PreparerID, d.Status)
		}
		before := netOf(t, f, ks.profit, dec, dec)
		v, err := f.Store.PostVoucher(ctx, f.Reviewer, f.Book.Code, d.ID)
		if err != nil {
			t.Fatalf("seed %d: post closing voucher: %v", rb.seed, err)
		}
		rb.record(v)
		if step[d.ID] == ledger.StepIncome {
			if change := before - netOf(t, f, ks.profit, dec, dec); change != netIncome {
				t.Errorf("seed %d: %s rose by %s on closing 损益, income statement says %s", rb.seed, ks.profit, ledger.Fen(change), ledger.Fen(netIncome))
			}
		}
		posted = append(posted, v)
	}
	return posted
}

func checkClosedToZero(t *testing.T, rb *randomBook, ks kindSpec, year int) {
	t.Helper()
	tb, err := rb.f.Store.TrialBalance(context.Background(), rb.f.Auditor, rb.f.Book.Code, fmt.Sprintf("%d-01", year), fmt.Sprintf("%d-12", year))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range tb.Rows {
		zero := r.ClosingDebit.IsZero() && r.ClosingCredit.IsZero()
		distribution := strings.HasPrefix(r.Code, ks.distrib) && !strings.HasPrefix(ks.retained, r.Code)
		if (r.Category == ledger.CategoryIncome || r.Code == ks.profit || distribution) && !zero {
			t.Errorf("seed %d: after year end %s %s still has %s/%s", rb.seed, r.Code, r.Name, r.ClosingDebit, r.ClosingCredit)
		}
	}
}

func wantRefusal(t *testing.T, s *ledger.Store, what string, code string, fn func() error) {
	t.Helper()
	before := ledgertest.Digest(t, s)
	err := fn()
	if ledger.ErrorCode(err) != code || !hasHan(ledger.ErrorMessage(err)) {
		t.Fatalf("%s: want %s with a Chinese message, got %v", what, code, err)
	}
	if ledgertest.Digest(t, s) != before {
		t.Fatalf("%s: refused, but the database changed", what)
	}
	t.Logf("%s: %s", what, ledger.ErrorMessage(err))
}

func TestStatementsAndYearEndRandomized(t *testing.T) {
	seed := seedFromEnv(t)
	t.Logf("seed %d (rerun with COOPLEDGER_SEED=%d)", seed, seed)
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		for i, ks := range kindSpecs {
			t.Run(string(ks.kind), func(t *testing.T) {
				yearEndScenario(t, s, ks, seed+uint64(i))
			})
		}
	})
}

func yearEndScenario(t *testing.T, s *ledger.Store, ks kindSpec, seed uint64) {
	ctx := context.Background()
	code := "Y" + string(ks.kind)[:1]
	f := ledgertest.NewFixture(t, s, code, ks.kind, 5)
	// 未分配收益 moves only by closing and by 公积公益金 covering a loss (其他转入),
	// so the two statements agree; the random vouchers leave it alone.
	rb := newRandomBook(t, f, seed, ks.profit, ks.retained)
	months := []string{}
	for m := 1; m <= 12; m++ {
		months = append(months, fmt.Sprintf("2026-%02d", m))
	}
	for range 60 {
		rb.voucher(months[rb.rng.IntN(len(months))])
	}
	if ks.kind == ledger.KindVillage {
		rb.record(f.Post(t, voucher("2026-05-20", line("311", "", "1234.56", ""), line("32202", "", "", "1234.56"))))
	}
	for _, m := range []string{"2026-01", "2026-03", "2026-06", "2026-12"} {
		checkBalanceSheet(t, rb, ks, m)
	}
	checkIncome(t, rb, ks, "2026-04", "2026-09")
	year := checkIncome(t, rb, ks, "2026-01", "2026-12")
	if t.Failed() {
		return
	}

	// Closing with drafts left in the year, before the closing vouchers exist.
	d, err := s.CreateVoucher(ctx, f.Preparer, code, voucher("2026-11-02", line("101", "", "1.00", ""), line("102", "", "", "1.00")))
	if err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, s, "close with a draft", ledger.ECodeConflict, func() error { _, err := s.CloseYear(ctx, f.Township, code, 2026); return err })
	if err := s.DeleteVoucher(ctx, f.Preparer, code, d.ID); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, s, "close before the closing vouchers", ledger.ECodeConflict, func() error { _, err := s.CloseYear(ctx, f.Township, code, 2026); return err })

	drafts, err := s.PrepareYearEnd(ctx, f.Preparer, code, 2026)
	if err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, s, "close with unposted closing vouchers", ledger.ECodeConflict, func() error { _, err := s.CloseYear(ctx, f.Township, code, 2026); return err })
	wantRefusal(t, s, "prepare twice", ledger.ECodeConflict, func() error { _, err := s.PrepareYearEnd(ctx, f.Preparer, code, 2026); return err })
	for _, d := range drafts {
		if err := s.DeleteVoucher(ctx, f.Preparer, code, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	postYearEnd(t, rb, ks, 2026, year.NetIncome.First.Fen())
	if _, err := s.CloseYear(ctx, f.Preparer, code, 2026); err != nil {
		t.Fatalf("seed %d: close year: %v", seed, err)
	}
	checkClosedToZero(t, rb, ks, 2026)
	bs := checkBalanceSheet(t, rb, ks, "2026-12")
	if !bs.YearClosed {
		t.Error("balance sheet does not say the year is closed")
	}
	after, err := s.IncomeStatement(ctx, f.Auditor, code, "2026-01", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	for i := range year.Lines {
		if after.Lines[i].First != year.Lines[i].First || after.Lines[i].Second != year.Lines[i].Second {
			t.Errorf("seed %d: income line %s changed by closing: %s → %s", seed, year.Lines[i].Name, year.Lines[i].Second, after.Lines[i].Second)
		}
	}
	if got := -netOf(t, f, ks.retained, "2026-12", "2026-12"); got != after.Undistributed.First.Fen() {
		t.Errorf("seed %d: %s after closing %s, statement's 年末未分配 %s", seed, ks.retained, ledger.Fen(got), after.Undistributed.First)
	}

	// Refusals on a closed year change nothing.
	wantRefusal(t, s, "draft into a closed year", ledger.ECodePeriodClosed, func() error {
		_, err := s.CreateVoucher(ctx, f.Preparer, code, voucher("2026-06-15", line("101", "", "1.00", ""), line("102", "", "", "1.00")))
		return err
	})
	wantRefusal(t, s, "close twice", ledger.ECodeConflict, func() error { _, err := s.CloseYear(ctx, f.Township, code, 2026); return err })
	wantRefusal(t, s, "prepare a closed year", ledger.ECodeConflict, func() error { _, err := s.PrepareYearEnd(ctx, f.Preparer, code, 2026); return err })
	wantRefusal(t, s, "reopen by an accountant", ledger.ECodeForbidden, func() error { _, err := s.ReopenYear(ctx, f.Preparer, code, 2026, "更正"); return err })
	wantRefusal(t, s, "reopen without reason", ledger.ECodeInvalid, func() error { _, err := s.ReopenYear(ctx, f.Township, code, 2026, " "); return err })
	wantRefusal(t, s, "close 2028 before 2027", ledger.ECodeConflict, func() error { _, err := s.CloseYear(ctx, f.Township, code, 2028); return err })

	// The next year opens with the old year's closing balances.
	for range 15 {
		rb.voucher(fmt.Sprintf("2027-%02d", 1+rb.rng.IntN(3)))
	}
	old, err := s.TrialBalance(ctx, f.Auditor, code, "2026-01", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	next, err := s.TrialBalance(ctx, f.Auditor, code, "2027-01", "2027-03")
	if err != nil {
		t.Fatal(err)
	}
	for i := range old.Rows {
		o, n := old.Rows[i], next.Rows[i]
		if o.Code != n.Code || o.ClosingDebit != n.OpeningDebit || o.ClosingCredit != n.OpeningCredit {
			t.Errorf("seed %d: %s closes 2026 at %s/%s, opens 2027 at %s/%s", seed, o.Code, o.ClosingDebit, o.ClosingCredit, n.OpeningDebit, n.OpeningCredit)
		}
	}
	bs27 := checkBalanceSheet(t, rb, ks, "2027-03")
	endOld := lineMap(bs.Assets, bs.Claims)
	for row, l := range lineMap(bs27.Assets, bs27.Claims) {
		if l.First != endOld[row].Second {
			t.Errorf("seed %d: row %d %s: 2027 年初 %s ≠ 2026 期末 %s", seed, row, l.Name, l.First, endOld[row].Second)
		}
	}
	checkIncome(t, rb, ks, "2027-01", "2027-03")

	// Reopen, post a correction, re-close: reversals plus new closing vouchers.
	firstRound, err := s.YearEndStatus(ctx, f.Auditor, code, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReopenYear(ctx, f.Township, code, 2026, "审计调整：补记12月收入"); err != nil {
		t.Fatal(err)
	}
	audit := auditReasons(t, s, f, "reopen", "year")
	if len(audit) != 1 || audit[0] != "审计调整：补记12月收入" {
		t.Errorf("audit log reopen reasons: %v", audit)
	}
	income := ks.is[0].terms // 经营收入
	rb.record(f.Post(t, voucher("2026-12-20", line("102", "", "321.45", ""), line(income, "", "", "321.45"))))
	corrected := checkIncome(t, rb, ks, "2026-01", "2026-12")
	if corrected.NetIncome.First.Fen() != year.NetIncome.First.Fen()+32145 {
		t.Errorf("corrected net income %s, was %s", corrected.NetIncome.First, year.NetIncome.First)
	}
	postYearEnd(t, rb, ks, 2026, corrected.NetIncome.First.Fen())
	if _, err := s.CloseYear(ctx, f.Township, code, 2026); err != nil {
		t.Fatalf("seed %d: re-close: %v", seed, err)
	}
	checkClosedToZero(t, rb, ks, 2026)
	checkBalanceSheet(t, rb, ks, "2026-12")
	checkBalanceSheet(t, rb, ks, "2027-03")
	second, err := s.YearEndStatus(ctx, f.Auditor, code, 2026)
	if err != nil {
		t.Fatal(err)
	}
	var reversals int
	for _, v := range second.Vouchers {
		if v.Step == ledger.StepReversal {
			reversals++
		}
		if v.Status != ledger.StatusPosted {
			t.Errorf("closing voucher %d is %s", v.VoucherID, v.Status)
		}
	}
	if reversals != len(firstRound.Vouchers) || len(second.Vouchers) <= 2*len(firstRound.Vouchers) {
		t.Errorf("re-close: %d reversals of %d first-round vouchers, %d in all", reversals, len(firstRound.Vouchers), len(second.Vouchers))
	}
	for _, v := range firstRound.Vouchers {
		orig, err := s.Voucher(ctx, f.Auditor, code, v.VoucherID)
		if err != nil {
			t.Fatal(err)
		}
		if orig.Number != v.Number || orig.Total != v.Total || orig.ReversedBy == 0 {
			t.Errorf("first-round voucher %d changed or not reversed: %+v", v.VoucherID, orig)
		}
	}
	rep, err := s.Verify(ctx, ledger.System, code)
	if err != nil || !rep.OK {
		t.Errorf("verify: %v %v", err, rep.Problems)
	}
}

func auditReasons(t *testing.T, s *ledger.Store, f ledgertest.Fixture, action, entity string) []string {
	t.Helper()
	var out []string
	err := s.DB().NewRaw("SELECT reason FROM audit_log WHERE book_id = ? AND action = ? AND entity = ? ORDER BY id", f.Book.ID, action, entity).
		Scan(context.Background(), &out)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestYearEndRefusesDraftPayoutRuns(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		if _, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"}); err != nil {
			t.Fatal(err)
		}
		wantRefusal(t, s, "close with a draft payout run", ledger.ECodeConflict, func() error {
			_, err := s.CloseYear(ctx, f.Township, "P1", 2026)
			if err != nil && !strings.Contains(ledger.ErrorMessage(err), "收益分配") {
				t.Errorf("message does not name the payout run: %s", ledger.ErrorMessage(err))
			}
			return err
		})
	})
}

func TestTownshipStatements(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		seed := seedFromEnv(t)
		t.Logf("seed %d", seed)
		fa := ledgertest.NewFixture(t, s, "TA", ledger.KindVillage, 3)
		ra := newRandomBook(t, fa, seed, "321")
		for range 20 {
			ra.voucher(fmt.Sprintf("2026-%02d", 1+ra.rng.IntN(6)))
		}
		fb := ledgertest.NewFixture(t, s, "TB", ledger.KindVillage, 3)
		// The second fixture's township officer is a new user of the same township.
		rbk := newRandomBook(t, fb, seed+1, "321")
		for range 20 {
			rbk.voucher(fmt.Sprintf("2026-%02d", 1+rbk.rng.IntN(6)))
		}
		ts, err := s.TownshipStatements(ctx, fb.Township, "T01", "2026-06")
		if err != nil {
			t.Fatal(err)
		}
		if len(ts.Groups) != 1 || len(ts.Groups[0].BalanceSheets) != 2 {
			t.Fatalf("groups: %+v", ts.Groups)
		}
		g := ts.Groups[0]
		if !g.SumBalance.Balanced {
			t.Error("township sum does not balance")
		}
		for i, l := range g.SumBalance.Assets {
			want := g.BalanceSheets[0].Assets[i].Second.Add(g.BalanceSheets[1].Assets[i].Second)
			if l.Second != want {
				t.Errorf("sum row %d: %s ≠ %s", l.Row, l.Second, want)
			}
		}
		for i, l := range g.SumIncome.Lines {
			want := g.IncomeStatements[0].Lines[i].Second.Add(g.IncomeStatements[1].Lines[i].Second)
			if l.Second != want {
				t.Errorf("sum income row %d: %s ≠ %s", l.Row, l.Second, want)
			}
		}
		if _, err := s.TownshipStatements(ctx, fb.Township, "T99", "2026-06"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("unknown township: %v", err)
		}
	})
}

func TestStatementLayouts(t *testing.T) {
	for _, ks := range kindSpecs {
		lay, err := ledger.StatementLayoutOf(ks.kind)
		if err != nil {
			t.Fatal(err)
		}
		chart, err := ledger.ChartTemplate(ks.kind)
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]bool{}
		for _, a := range chart {
			codes[a.Code] = true
		}
		for _, r := range []string{"profit", "retained", "distribution"} {
			if !codes[lay.Role(r)] {
				t.Errorf("%s: role %s names %q, not in the chart", ks.kind, r, lay.Role(r))
			}
		}
		// Every first-level account is on the balance sheet exactly once, or
		// twice split by side (debit items among assets, credit among claims).
		seen := map[string][]string{}
		for _, l := range ks.bs {
			if strings.HasPrefix(l.terms, "=") {
				continue
			}
			for _, term := range strings.Fields(l.terms) {
				seen[strings.TrimPrefix(term, "~")] = append(seen[strings.TrimPrefix(term, "~")], term)
			}
		}
		var missing []string
		for _, a := range chart {
			if a.Parent != "" {
				continue
			}
			n := seen[a.Code]
			if !(len(n) == 1 && n[0] == a.Code) && !(len(n) == 2 && n[0] == "~"+a.Code && n[1] == "~"+a.Code) {
				missing = append(missing, fmt.Sprintf("%s×%d", a.Code, len(n)))
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: accounts not on the balance sheet exactly once: %v", ks.kind, missing)
		}
	}
}
