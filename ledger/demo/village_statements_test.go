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

// The village statements as 《农村集体经济组织会计制度》(财会〔2023〕14号) lays
// them out in its appendix of report formats: the 资产负债表 (columns 期末余额,
// 年初余额) and the 收益及收益分配表 (columns 本年金额, 上年金额), row numbers,
// names and order as printed. Source: 财政部《农村集体经济组织会计制度》
// 财会〔2023〕14号, 附录 会计报表格式及编制说明 (in force 2024-01-01); the
// regulation's own text could not be found in the stored public pages when
// this table was written, so the rows follow the project's transcription of
// its accounts (42 first-level accounts) and its 编制说明: each line is
// written here by hand, not read from ledger/charts/village_statements.tsv.
//
// Terms: an account code (its balance on the balance sheet, its activity on
// the income statement), "~CODE" (only the household or party items whose
// balance is on the line's side), "-CODE", "open:CODE" (the balance at the
// year's opening), "CODE<FROM" (CODE in vouchers that also use FROM: 其他转入
// is 公积公益金 used to cover a loss), or a sum of earlier rows "=1+2-3".
type regRow struct {
	row   int
	name  string
	side  byte // 'd' debit balance positive, 'c' credit, 0 for sums
	terms string
}

var regBalanceSheet = []regRow{
	{1, "货币资金", 'd', "101 102"},
	{2, "短期投资", 'd', "111"},
	{3, "应收款项", 'd', "~112 ~113 ~211"},
	{4, "存货", 'd', "121 401"},
	{5, "消耗性生物资产", 'd', "131"},
	{6, "流动资产合计", 0, "=1+2+3+4+5"},
	{7, "长期投资", 'd', "141"},
	{8, "生产性生物资产原值", 'd', "132"},
	{9, "减：生产性生物资产累计折旧", 'c', "133"},
	{10, "生产性生物资产净值", 0, "=8-9"},
	{11, "固定资产原值", 'd', "151"},
	{12, "减：累计折旧", 'c', "152"},
	{13, "固定资产净值", 0, "=11-12"},
	{14, "固定资产清理", 'd', "154"},
	{15, "在建工程", 'd', "153"},
	{16, "无形资产原值", 'd', "161"},
	{17, "减：累计摊销", 'c', "162"},
	{18, "无形资产净值", 0, "=16-17"},
	{19, "公益性生物资产", 'd', "134"},
	{20, "长期待摊费用", 'd', "171"},
	{21, "待处理财产损溢", 'd', "181"},
	{22, "非流动资产合计", 0, "=7+10+13+14+15+18+19+20+21"},
	{23, "资产总计", 0, "=6+22"},
	{24, "短期借款", 'c', "201"},
	{25, "应付款项", 'c', "~211 ~112 ~113"},
	{26, "应付工资", 'c', "212"},
	{27, "应付劳务费", 'c', "213"},
	{28, "应交税费", 'c', "214"},
	{29, "流动负债合计", 0, "=24+25+26+27+28"},
	{30, "长期借款及应付款", 'c', "221"},
	{31, "一事一议资金", 'c', "231"},
	{32, "专项应付款", 'c', "241"},
	{33, "非流动负债合计", 0, "=30+31+32"},
	{34, "负债合计", 0, "=29+33"},
	{35, "资本", 'c', "301"},
	{36, "公积公益金", 'c', "311"},
	{37, "未分配收益", 'c', "321 322 501 502 503 504 511 512 513 514 515 521"},
	{38, "所有者权益合计", 0, "=35+36+37"},
	{39, "负债和所有者权益总计", 0, "=34+38"},
}

var regIncomeStatement = []regRow{
	{1, "一、经营收入", 'c', "501"},
	{2, "减：经营支出", 'd', "511"},
	{3, "　　税金及附加", 'd', "512"},
	{4, "　　管理费用", 'd', "513"},
	{5, "加：投资收益", 'c', "502"},
	{6, "二、经营收益", 0, "=1-2-3-4+5"},
	{7, "加：补助收入", 'c', "503"},
	{8, "　　其他收入", 'c', "504"},
	{9, "减：公益支出", 'd', "514"},
	{10, "　　其他支出", 'd', "515"},
	{11, "三、收益总额", 0, "=6+7+8-9-10"},
	{12, "减：所得税费用", 'd', "521"},
	{13, "四、净收益", 0, "=11-12"},
	{14, "加：年初未分配收益", 'c', "open:32202"},
	{15, "　　其他转入", 'c', "32202<311"},
	{16, "五、可分配收益", 0, "=13+14+15"},
	{17, "减：提取公积公益金", 'd', "3220101"},
	{18, "　　向农户分配", 'd', "3220102"},
	{19, "　　其他分配", 'd', "32201 -3220101 -3220102"},
	{20, "六、年末未分配收益", 0, "=16-17-18-19"},
}

// regEval computes rows from account nets (debit − credit, fen), item nets,
// openings and transfers.
func regEval(t *testing.T, rows []regRow, nets, open, xfer map[string]int64, items map[[3]string]int64) map[int]int64 {
	t.Helper()
	out := map[int]int64{}
	for _, r := range rows {
		var v int64
		if sum, ok := strings.CutPrefix(r.terms, "="); ok {
			sign := int64(1)
			for _, tok := range strings.FieldsFunc(strings.ReplaceAll(strings.ReplaceAll(sum, "-", " -"), "+", " +"), func(c rune) bool { return c == ' ' }) {
				sign = 1
				if tok[0] == '-' {
					sign = -1
				}
				n, err := strconv.Atoi(strings.TrimLeft(tok, "+-"))
				if err != nil {
					t.Fatalf("row %d: %q", r.row, r.terms)
				}
				v += sign * out[n]
			}
			out[r.row] = v
			continue
		}
		orient := int64(1)
		if r.side == 'c' {
			orient = -1
		}
		for _, term := range strings.Fields(r.terms) {
			switch {
			case strings.HasPrefix(term, "~"):
				for k, n := range items {
					if strings.HasPrefix(k[0], term[1:]) && orient*n > 0 {
						v += orient * n
					}
				}
			case strings.HasPrefix(term, "open:"):
				v += orient * open[term[5:]]
			case strings.Contains(term, "<"):
				v += orient * xfer[term]
			case strings.HasPrefix(term, "-"):
				v -= orient * nets[term[1:]]
			default:
				v += orient * nets[term]
			}
		}
		out[r.row] = v
	}
	return out
}

// TestVillageStatementsFromTrialBalance loads the demo and, for each village
// and each month of 2026, recomputes every row of both statements from the
// trial balance (and the posted vouchers for the sub-ledger split and the
// transfers) with the table above; checks the opening against the 2025
// closing figures by hand, and that both statements and the quarter's
// disclosure figures show the same 年末未分配收益.
func TestVillageStatementsFromTrialBalance(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		res, err := demo.Load(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		auditor := actorWithRole(t, s, res, ledger.RoleAuditor)
		// Hand-checkable openings: the 2025 closing balances of each village.
		opening := map[string]map[int]string{
			"QINGZHU": {1: "413903.67", 7: "500000.00", 13: "941400.00", 35: "1626000.00", 36: "186520.35", 37: "42783.32", 39: "1855303.67"},
			"HONGYA":  {1: "269275.62", 11: "385000.00", 12: "76000.00", 35: "1125000.00", 36: "53875.62", 37: "11400.00"},
		}
		for book, want := range opening {
			vouchers := postedVouchers(t, s, auditor, book)
			for m := 1; m <= 9; m++ {
				checkVillageMonth(t, s, auditor, book, fmt.Sprintf("2026-%02d", m), vouchers, want)
			}
			ob, err := s.OpeningBalances(ctx, auditor, book)
			if err != nil || len(ob) != 1 || ob[0].Period != "2025-12" || ob[0].Summary[:len(ledger.OpeningSummary)] != ledger.OpeningSummary {
				t.Errorf("%s opening balances: %v %+v, want one voucher in 2025-12", book, err, ob)
			}
			jan, err := s.TrialBalance(ctx, auditor, book, "2026-01", "2026-01")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range jan.Rows {
				if r.Code == "301" && !r.PeriodCredit.IsZero() {
					t.Errorf("%s January's activity on 301 is %s: the opening is counted as January", book, r.PeriodCredit)
				}
			}
		}
	})
}

// postedVouchers is every posted voucher of a book, opening balances included.
func postedVouchers(t *testing.T, s *ledger.Store, a ledger.Actor, book string) []ledger.Voucher {
	t.Helper()
	var out []ledger.Voucher
	var after int64
	for range 100 {
		page, err := s.Vouchers(context.Background(), a, book, ledger.VoucherFilter{Status: ledger.StatusPosted, After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
	t.Fatalf("%s: more than 100 pages of vouchers", book)
	return nil
}

func checkVillageMonth(t *testing.T, s *ledger.Store, a ledger.Actor, book, month string, vouchers []ledger.Voucher, openWant map[int]string) {
	t.Helper()
	ctx := context.Background()
	tb, err := s.TrialBalance(ctx, a, book, "2026-01", month)
	if err != nil {
		t.Fatal(err)
	}
	closing, open, activity := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, r := range tb.Rows {
		closing[r.Code] = r.ClosingDebit.Fen() - r.ClosingCredit.Fen()
		open[r.Code] = r.OpeningDebit.Fen() - r.OpeningCredit.Fen()
		activity[r.Code] = r.PeriodDebit.Fen() - r.PeriodCredit.Fen()
	}
	itemsEnd, itemsOpen := map[[3]string]int64{}, map[[3]string]int64{}
	xfer := map[string]int64{}
	for _, v := range vouchers {
		uses311 := false
		for _, l := range v.Lines {
			uses311 = uses311 || strings.HasPrefix(l.Account, "311")
		}
		for _, l := range v.Lines {
			k, n := [3]string{l.Account, l.Household, l.Party}, l.Debit.Fen()-l.Credit.Fen()
			if v.Period <= month {
				itemsEnd[k] += n
			}
			if v.Period < "2026-01" {
				itemsOpen[k] += n
			}
			if uses311 && v.Period >= "2026-01" && v.Period <= month && strings.HasPrefix(l.Account, "32202") {
				xfer["32202<311"] += n
			}
		}
	}
	end := regEval(t, regBalanceSheet, closing, nil, nil, itemsEnd)
	start := regEval(t, regBalanceSheet, open, nil, nil, itemsOpen)
	year := regEval(t, regIncomeStatement, activity, open, xfer, nil)

	bs, err := s.BalanceSheet(ctx, a, book, month)
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, book+" "+month+" 资产负债表", regBalanceSheet, append(append([]ledger.StatementLine{}, bs.Assets...), bs.Claims...), start, end)
	q := (int(month[5]-'0')*10 + int(month[6]-'0') - 1) / 3
	from := fmt.Sprintf("2026-%02d", q*3+1)
	is, err := s.IncomeStatement(ctx, a, book, from, month)
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, book+" "+month+" 收益及收益分配表", regIncomeStatement, is.Lines, year, map[int]int64{})
	if is.Undistributed.First.Fen() != end[37] || !bs.Balanced {
		t.Errorf("%s %s: 年末未分配收益 %s on the income statement, %s on the balance sheet (balanced %v)",
			book, month, is.Undistributed.First, ledger.Fen(end[37]), bs.Balanced)
	}
	for row, want := range openWant {
		if got := ledger.Fen(start[row]).String(); got != want {
			t.Errorf("%s %s: 年初 row %d is %s, the 2025 closing balance is %s", book, month, row, got, want)
		}
	}
	if got := ledger.Fen(year[14]).String(); got != openWant[37] {
		t.Errorf("%s %s: 年初未分配收益 %s, want %s", book, month, got, openWant[37])
	}
	if year[15] != 0 {
		t.Errorf("%s %s: 其他转入 %s, but no 公积公益金 covered a loss", book, month, ledger.Fen(year[15]))
	}
	// The quarter's own income and expense, apart from the year to date.
	qtb, err := s.TrialBalance(ctx, a, book, from, month)
	if err != nil {
		t.Fatal(err)
	}
	var income, expense int64
	for _, r := range qtb.Rows {
		if len(r.Code) == 3 && r.Code[0] == '5' {
			if r.Code < "511" {
				income += r.PeriodCredit.Fen() - r.PeriodDebit.Fen()
			} else {
				expense += r.PeriodDebit.Fen() - r.PeriodCredit.Fen()
			}
		}
	}
	if is.PeriodIncome.Fen() != income || is.PeriodExpense.Fen() != expense {
		t.Errorf("%s %s..%s: quarter income/expense %s/%s, trial balance %s/%s", book, from, month,
			is.PeriodIncome, is.PeriodExpense, ledger.Fen(income), ledger.Fen(expense))
	}
}

// compareRows checks row numbers, names, order and both columns.
func compareRows(t *testing.T, what string, want []regRow, got []ledger.StatementLine, first, second map[int]int64) {
	t.Helper()
	var numbered []ledger.StatementLine
	for _, l := range got {
		if !l.Heading {
			numbered = append(numbered, l)
		}
	}
	if len(numbered) != len(want) {
		t.Fatalf("%s: %d rows, the regulation has %d", what, len(numbered), len(want))
	}
	for i, w := range want {
		g := numbered[i]
		if g.Row != w.row || g.Name != w.name {
			t.Errorf("%s: row %d is %d %s, the regulation prints %d %s", what, i+1, g.Row, g.Name, w.row, w.name)
		}
		if g.First.Fen() != first[w.row] || g.Second.Fen() != second[w.row] {
			t.Errorf("%s row %d %s: %s / %s, recomputed %s / %s", what, w.row, w.name, g.First, g.Second,
				ledger.Fen(first[w.row]), ledger.Fen(second[w.row]))
		}
	}
}
