package demo_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// The demo cooperative's statements recomputed from its trial balance with
// the formulas of 会农社01表 and 会农社02表 as the appendix of 财会〔2021〕37号
// prints them, written out here and not read from the data file the code
// uses. Side 'd' is debit − credit, 'c' credit − debit; "~114" takes only the
// members' balances on the row's side; "open:X" the balance before the year;
// "=a+b-c" a subtotal. Where the form has no row of its own, 122 and 181 are
// in 存货 and the 损益 accounts not yet closed in 未分配盈余. Checked on
// 2026-12-04 against a public copy of the appendix (附录 二、财务报表 (一)(二),
// its 编制说明 for each row), e.g. github.com/zhaoyh603/zhaoyh603.github.io,
// docs/zd/08nchzzz.md: row names and numbers 1–42 and 1–20 as below; its
// 存货 names 121, 124, 125, 127, 128 and 401.
type coopRegRow struct {
	row   int
	side  byte
	terms string
}

var (
	reg01 = []coopRegRow{
		{1, 'd', "101 102 109"}, {2, 'd', "113 ~114"}, {3, 'd', "121 122 124 125 127 128 401 181"}, {4, 'd', "141"},
		{5, 0, "=1+2+3+4"}, {6, 'd', "131"}, {7, 'd', "142"}, {8, 'c', "143"}, {9, 0, "=7-8"}, {10, 'd', "151"},
		{11, 'c', "152"}, {12, 0, "=10-11"}, {13, 'd', "153"}, {14, 'd', "154"}, {15, 0, "=12+13+14"},
		{16, 'd', "161"}, {17, 'c', "162"}, {18, 0, "=16-17"}, {19, 'd', "144"}, {20, 'd', "171"},
		{21, 0, "=6+9+15+18+19+20"}, {22, 0, "=5+21"},
		{23, 'c', "201"}, {24, 'c', "211 ~114"}, {25, 'c', "212"}, {26, 'c', "213"}, {27, 'c', "214"}, {28, 'c', "215"},
		{29, 'c', "221"}, {30, 'c', "222"}, {31, 0, "=23+24+25+26+27+28+29+30"}, {32, 'c', "231"}, {33, 'c', "235"},
		{34, 0, "=32+33"}, {35, 0, "=31+34"}, {36, 'c', "301"}, {37, 'c', "311"}, {38, 'c', "321"}, {39, 'c', "322"},
		{40, 'c', "331 332 501 502 511 521 522 523 524 529 531"}, {41, 0, "=36+37+38+39+40"}, {42, 0, "=35+41"},
	}
	reg02 = []coopRegRow{
		{1, 'c', "501"}, {2, 'c', "511"}, {3, 'd', "521"}, {4, 'd', "522"}, {5, 'd', "523"}, {6, 'd', "524"},
		{7, 0, "=1+2-3-4-5-6"}, {8, 'c', "502"}, {9, 'd', "529"}, {10, 0, "=7+8-9"}, {11, 'd', "531"}, {12, 0, "=10-11"},
		{13, 'c', "open:331 open:332 open:501 open:502 open:511 open:521 open:522 open:523 open:524 open:529 open:531"},
		{14, 'c', "33202 331"}, {15, 'd', "33203"}, {16, 0, "=12+13+14-15"}, {17, 'd', "33204 33201"}, {18, 'd', "33205"},
		{19, 'd', "33206"}, {20, 0, "=16-17-18-19"},
	}
	reg01Names = map[int]string{1: "货币资金", 2: "应收款项", 3: "存货", 5: "流动资产合计", 9: "生产性生物资产净值", 14: "固定资产清理",
		15: "固定资产小计", 21: "非流动资产合计", 22: "资产总计", 23: "短期借款", 24: "应付款项", 28: "应付利息", 40: "未分配盈余",
		42: "负债和所有者权益总计"}
	reg02Names = map[int]string{6: "财务费用", 10: "三、盈余总额", 12: "四、本年盈余", 13: "加：年初未分配盈余", 16: "五、可分配盈余",
		20: "六、年末未分配盈余"}
)

// coopRegEval evaluates the rows over account nets (debit − credit, parents
// included), openings and the members' 114 balances.
func coopRegEval(t *testing.T, rows []coopRegRow, nets, opening, members map[string]int64) map[int]int64 {
	t.Helper()
	out := map[int]int64{}
	for _, r := range rows {
		if r.side == 0 {
			var v int64
			for _, part := range strings.FieldsFunc(strings.ReplaceAll(r.terms[1:], "-", "+-"), func(c rune) bool { return c == '+' }) {
				n, err := strconv.Atoi(strings.TrimPrefix(part, "-"))
				if err != nil {
					t.Fatalf("row %d: %v", r.row, err)
				}
				if strings.HasPrefix(part, "-") {
					v -= out[n]
				} else {
					v += out[n]
				}
			}
			out[r.row] = v
			continue
		}
		sign := int64(1)
		if r.side == 'c' {
			sign = -1
		}
		var v int64
		for _, term := range strings.Fields(r.terms) {
			switch {
			case strings.HasPrefix(term, "~"):
				for _, n := range members {
					if sign*n > 0 {
						v += sign * n
					}
				}
			case strings.HasPrefix(term, "open:"):
				v += sign * opening[term[5:]]
			default:
				v += sign * nets[term]
			}
		}
		out[r.row] = v
	}
	return out
}

func tbNets(tb ledger.TrialBalance, which string) map[string]int64 {
	out := map[string]int64{}
	for _, r := range tb.Rows {
		switch which {
		case "opening":
			out[r.Code] = r.OpeningDebit.Fen() - r.OpeningCredit.Fen()
		case "period":
			out[r.Code] = r.PeriodDebit.Fen() - r.PeriodCredit.Fen()
		default:
			out[r.Code] = r.ClosingDebit.Fen() - r.ClosingCredit.Fen()
		}
	}
	return out
}

// memberBalances is each member's 成员往来 balance at the end of to (the
// book opens in 2026-01, so nothing comes before).
func memberBalances(t *testing.T, s *ledger.Store, a ledger.Actor, to string) map[string]int64 {
	t.Helper()
	l, err := s.AccountLedger(context.Background(), a, dxBook, ledger.LedgerQuery{Account: "114", From: "2026-01", To: to})
	if err != nil || l.Truncated {
		t.Fatalf("114 ledger: %v (truncated %v)", err, l.Truncated)
	}
	out := map[string]int64{}
	for _, e := range l.Entries {
		out[e.Household] += e.Debit.Fen() - e.Credit.Fen()
	}
	return out
}

const dxBook = "DAOXIANG"

func rowsOf(lines ...[]ledger.StatementLine) map[int]ledger.StatementLine {
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

// checkRows compares a statement's rows with the recomputation, by number
// and by the names the regulation prints.
func checkRows(t *testing.T, what string, got map[int]ledger.StatementLine, rows []coopRegRow, names map[int]string, want [2]map[int]int64) {
	t.Helper()
	if len(got) != len(rows) {
		t.Errorf("%s has %d rows, the regulation %d", what, len(got), len(rows))
	}
	for _, r := range rows {
		g := got[r.row]
		if g.First.Fen() != want[0][r.row] || g.Second.Fen() != want[1][r.row] {
			t.Errorf("%s row %d %s: %s / %s, recomputed %s / %s", what, r.row, g.Name, g.First, g.Second,
				ledger.Fen(want[0][r.row]), ledger.Fen(want[1][r.row]))
		}
		if n, ok := names[r.row]; ok && g.Name != n && strings.TrimLeft(g.Name, "　") != n {
			t.Errorf("%s row %d is %q, the regulation prints %q", what, r.row, g.Name, n)
		}
	}
}

func TestDemoCooperativeStatementsFollowTheRegulation(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		res, err := demo.Load(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		auditor := actorWithRole(t, s, res, ledger.RoleAuditor)

		dec := checkDemoStatements(t, s, auditor, "2026-12")
		for _, r := range []int{6, 12, 20} { // bank charges and interest; a real surplus
			if dec.income[r].First.IsZero() {
				t.Errorf("02表 row %d %s is zero on the demo", r, dec.income[r].Name)
			}
		}

		if _, err := s.EquityChanges(ctx, auditor, "QINGZHU", "2026-12"); ledger.ErrorCode(err) != ledger.ECodeInvalid ||
			!strings.Contains(ledger.ErrorMessage(err), "合作社") {
			t.Errorf("a village's 成员权益变动表: %v, want a refusal naming 合作社", err)
		}

		// Close 2026: the closing vouchers change no statement row, and
		// 2027 opens with 2026's year end.
		preparer := actorWithRole(t, s, res, ledger.RoleAccountant)
		for _, u := range res.Users {
			if u.Role == ledger.RoleAccountant && u.Scope == dxBook {
				if preparer, err = s.Authenticate(ctx, u.Token); err != nil {
					t.Fatal(err)
				}
			}
		}
		reviewer := actorWithRole(t, s, res, ledger.RoleTownship)
		drafts, err := s.PrepareYearEnd(ctx, preparer, dxBook, 2026)
		if err != nil {
			t.Fatalf("prepare 2026 closing: %v", err)
		}
		for _, d := range drafts {
			if _, err := s.PostVoucher(ctx, reviewer, dxBook, d.ID); err != nil {
				t.Fatalf("post closing voucher: %v", err)
			}
		}
		closed := checkDemoStatements(t, s, auditor, "2026-12")
		for r, l := range dec.income {
			if closed.income[r].First != l.First {
				t.Errorf("02表 row %d changed by the closing vouchers: %s → %s", r, l.First, closed.income[r].First)
			}
		}
		jan := checkDemoStatements(t, s, auditor, "2027-01")
		for r, l := range jan.balance {
			if l.First != closed.balance[r].Second {
				t.Errorf("01表 row %d %s: 2027 年初 %s ≠ 2026 年末 %s", r, l.Name, l.First, closed.balance[r].Second)
			}
		}
		if jan.income[13].First != dec.income[20].First || jan.income[13].First.IsZero() {
			t.Errorf("2027 年初未分配盈余 %s ≠ 2026 年末未分配盈余 %s", jan.income[13].First, dec.income[20].First)
		}
	})
}

type demoStatements struct{ balance, income map[int]ledger.StatementLine }

// checkDemoStatements recomputes 01表 and 02表 of the demo cooperative at
// month and checks the totals the regulation ties together.
func checkDemoStatements(t *testing.T, s *ledger.Store, a ledger.Actor, month string) demoStatements {
	t.Helper()
	ctx := context.Background()
	year, _ := strconv.Atoi(month[:4])
	ys := month[:4] + "-01"
	bs, err := s.BalanceSheet(ctx, a, dxBook, month)
	if err != nil {
		t.Fatal(err)
	}
	is, err := s.IncomeStatement(ctx, a, dxBook, ys, month)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := s.TrialBalance(ctx, a, dxBook, ys, month)
	if err != nil {
		t.Fatal(err)
	}
	opening := map[string]int64{}
	if year > 2026 {
		opening = memberBalances(t, s, a, fmt.Sprintf("%d-12", year-1))
	}
	bsWant := [2]map[int]int64{coopRegEval(t, reg01, tbNets(tb, "opening"), nil, opening),
		coopRegEval(t, reg01, tbNets(tb, "closing"), nil, memberBalances(t, s, a, month))}
	checkRows(t, "01表 "+month, rowsOf(bs.Assets, bs.Claims), reg01, reg01Names, bsWant)

	period := tbNets(tb, "period")
	for code, n := range closingNets(t, s, a, year, month) {
		period[code] -= n
	}
	prior := map[int]int64{} // 上年金额: the demo has no year before 2026
	if year > 2026 {
		ptb, err := s.TrialBalance(ctx, a, dxBook, fmt.Sprintf("%d-01", year-1), fmt.Sprintf("%d%s", year-1, month[4:]))
		if err != nil {
			t.Fatal(err)
		}
		pp := tbNets(ptb, "period")
		for code, n := range closingNets(t, s, a, year-1, fmt.Sprintf("%d%s", year-1, month[4:])) {
			pp[code] -= n
		}
		prior = coopRegEval(t, reg02, pp, tbNets(ptb, "opening"), nil)
	}
	isWant := [2]map[int]int64{coopRegEval(t, reg02, period, tbNets(tb, "opening"), nil), prior}
	checkRows(t, "02表 "+month, rowsOf(is.Lines), reg02, reg02Names, isWant)
	if strings.Join(is.Columns, "/") != "本年金额/上年金额" {
		t.Errorf("02表 columns %v", is.Columns)
	}

	out := demoStatements{balance: rowsOf(bs.Assets, bs.Claims), income: rowsOf(is.Lines)}
	if a, c := out.balance[22], out.balance[42]; a.Second != c.Second || a.First != c.First || a.Second.IsZero() || !bs.Balanced {
		t.Errorf("%s: 资产总计 %s/%s ≠ 负债和所有者权益总计 %s/%s", month, a.First, a.Second, c.First, c.Second)
	}
	if u, b := out.income[20].First, out.balance[40].Second; u != b {
		t.Errorf("%s: 02表 row 20 %s ≠ 01表 row 40 %s", month, u, b)
	}
	checkEquityChanges(t, s, a, month, tb, out)
	return out
}

// checkEquityChanges checks the 成员权益变动表 (会农社03表): the four accounts'
// columns from the trial balance, 未分配盈余 from 01/02表, each column's
// 年初 + 增加 − 减少 = 年末, and 年末 = 01表 rows 36–41.
func checkEquityChanges(t *testing.T, s *ledger.Store, a ledger.Actor, month string, tb ledger.TrialBalance, st demoStatements) {
	t.Helper()
	ec, err := s.EquityChanges(context.Background(), a, dxBook, month)
	if err != nil {
		t.Fatal(err)
	}
	if len(ec.Lines) != 4 || len(ec.Columns) != 6 || ec.Columns[4] != "未分配盈余" {
		t.Fatalf("03表 %s: %d lines, columns %v", month, len(ec.Lines), ec.Columns)
	}
	rows := map[string]ledger.TrialBalanceRow{}
	for _, r := range tb.Rows {
		rows[r.Code] = r
	}
	want := [4][6]int64{}
	for i, code := range []string{"301", "311", "321", "322"} {
		r := rows[code]
		want[0][i] = r.OpeningCredit.Fen() - r.OpeningDebit.Fen()
		want[1][i] = r.PeriodCredit.Fen()
		want[2][i] = r.PeriodDebit.Fen()
		want[3][i] = r.ClosingCredit.Fen() - r.ClosingDebit.Fen()
	}
	in := func(r int) int64 { return st.income[r].First.Fen() }
	want[0][4], want[3][4] = st.balance[40].First.Fen(), st.balance[40].Second.Fen()
	want[1][4], want[2][4] = in(12)+in(14), in(15)+in(17)+in(18)+in(19)
	for r := range want {
		for c := 0; c < 5; c++ {
			want[r][5] += want[r][c]
		}
	}
	for r, l := range ec.Lines {
		for c, v := range l.Values {
			if v.Fen() != want[r][c] {
				t.Errorf("03表 %s %s %s: %s, want %s", month, l.Name, ec.Columns[c], v, ledger.Fen(want[r][c]))
			}
		}
	}
	for c := range 6 {
		if want[0][c]+want[1][c]-want[2][c] != want[3][c] {
			t.Errorf("03表 %s column %s: 年初 + 增加 − 减少 ≠ 年末", month, ec.Columns[c])
		}
		if bsRow := 36 + c; ec.Lines[3].Values[c] != st.balance[bsRow].Second {
			t.Errorf("03表 %s 年末 %s %s ≠ 01表 row %d %s", month, ec.Columns[c], ec.Lines[3].Values[c], bsRow, st.balance[bsRow].Second)
		}
	}
}

// closingNets is the net of the year's posted closing vouchers dated up to
// the end of month to, per account code and each of its parents.
func closingNets(t *testing.T, s *ledger.Store, a ledger.Actor, year int, to string) map[string]int64 {
	t.Helper()
	ye, err := s.YearEndStatus(context.Background(), a, dxBook, year)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, yv := range ye.Vouchers {
		if yv.Status != ledger.StatusPosted || yv.Period > to {
			continue
		}
		v, err := s.Voucher(context.Background(), a, dxBook, yv.VoucherID)
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
