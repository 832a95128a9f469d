package ledger

import (
	"context"
)

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
		YearStart: sts[0].YearStart, Columns: sts[0].Columns, YearClosed: true}
	for _, s := range sts {
		out.Lines = addLines(out.Lines, s.Lines)
		out.NetIncome, out.Undistributed = addLine(out.NetIncome, s.NetIncome), addLine(out.Undistributed, s.Undistributed)
		out.YearClosed = out.YearClosed && s.YearClosed
	}
	return out
}
