package reports

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"coopledger/ledger"
)

// StatementsData is a book's 资产负债表 at a month end and its 收益及收益分配表
// (cooperatives: 盈余及盈余分配表) from January to that month.
type StatementsData struct {
	Book    BookInfo
	Balance ledger.BalanceSheet
	Income  ledger.IncomeStatement
	Equity  *ledger.EquityChanges // a cooperative's 成员权益变动表; nil for a village
}

// LoadStatements gathers a book's statements at the end of month.
func LoadStatements(ctx context.Context, s *ledger.Store, a ledger.Actor, book, month string) (StatementsData, error) {
	bs, err := s.BalanceSheet(ctx, a, book, month)
	if err != nil {
		return StatementsData{}, err
	}
	is, err := s.IncomeStatement(ctx, a, book, bs.YearStart, bs.Month)
	if err != nil {
		return StatementsData{}, err
	}
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return StatementsData{}, err
	}
	d := StatementsData{Book: BookInfoOf(b), Balance: bs, Income: is}
	if bs.Kind == ledger.KindCooperative {
		ec, err := s.EquityChanges(ctx, a, book, month)
		if err != nil {
			return StatementsData{}, err
		}
		d.Equity = &ec
	}
	return d, nil
}

// Sheet names of the statements workbook.
const (
	SheetBalance = "资产负债表"
)

// SheetIncome is the income statement's sheet: 收益及收益分配表 or 盈余及盈余分配表.
func SheetIncome(k ledger.BookKind) string { return ledger.IncomeStatementTitle(k) }

// BalanceColumns are the columns of the balance sheet, A to H: assets on the
// left, liabilities and equity on the right, as the regulation lays it out.
var BalanceColumns = []string{"资产", "行次", "期末余额", "年初余额", "负债和所有者权益", "行次", "期末余额", "年初余额"}

// IncomeColumns are the columns of the income statement, A to D.
var IncomeColumns = []string{"项目", "行次", "本年金额", "上年金额"}

// incomeColumns are the income statement's columns as the statement names
// them (会农社02表: 本年金额, 上年金额).
func incomeColumns(is ledger.IncomeStatement) []string {
	if len(is.Columns) != 2 {
		return IncomeColumns
	}
	return []string{IncomeColumns[0], IncomeColumns[1], is.Columns[0], is.Columns[1]}
}

// monthEndLabel is "2026年12月31日".
func monthEndLabel(p string) string {
	y, err1 := strconv.Atoi(p[:4])
	m, err2 := strconv.Atoi(p[5:])
	if err1 != nil || err2 != nil {
		return p
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return fmt.Sprintf("%d年%d月%d日", y, m, days)
}

// cellAt records where each numbered statement line landed.
type cellAt struct {
	row  int
	cols [2]string // the columns of First and Second
}

// BalanceLayout says where each balance sheet line is: row number → sheet row
// and whether it is on the right half.
type BalanceLayout struct {
	Rows  map[int]int  // 行次 → sheet row
	Right map[int]bool // 行次 on the right half (负债和所有者权益)
	Last  int          // the sheet row of the totals
}

// BalanceLayoutOf places the lines: both halves start under the header; the
// shorter half is padded before its last line so 资产总计 and 负债和所有者权益总计
// share the last row.
func BalanceLayoutOf(bs ledger.BalanceSheet) BalanceLayout {
	n := max(len(bs.Assets), len(bs.Claims))
	lay := BalanceLayout{Rows: map[int]int{}, Right: map[int]bool{}, Last: firstDataRow + n - 1}
	place := func(lines []ledger.StatementLine, right bool) {
		for i, l := range lines {
			r := firstDataRow + i
			if i == len(lines)-1 {
				r = lay.Last
			}
			if l.Row != 0 {
				lay.Rows[l.Row], lay.Right[l.Row] = r, right
			}
		}
	}
	place(bs.Assets, false)
	place(bs.Claims, true)
	return lay
}

// subtotalFormula turns "=1+2-3" into an Excel formula over the cells of the
// rows: SUM(C5:C9) when it adds a contiguous run of one column, else C5+C6-C7.
func subtotalFormula(terms string, at map[int]cellAt, which int) (string, error) {
	s := strings.TrimPrefix(terms, "=")
	type cellRef struct {
		cell string
		row  int
		col  string
		neg  bool
	}
	var refs []cellRef
	neg, start := false, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '+' && s[i] != '-' {
			continue
		}
		n, err := strconv.Atoi(s[start:i])
		c, ok := at[n]
		if err != nil || !ok {
			return "", fmt.Errorf("报表项目公式 %q 引用了不存在的行次", terms)
		}
		refs = append(refs, cellRef{cell: ref(c.cols[which], c.row), row: c.row, col: c.cols[which], neg: neg})
		if i < len(s) {
			neg = s[i] == '-'
		}
		start = i + 1
	}
	contiguous := len(refs) > 1
	for i, r := range refs {
		if r.neg || r.col != refs[0].col || r.row != refs[0].row+i {
			contiguous = false
		}
	}
	if contiguous {
		return sumRange(refs[0].col, refs[0].row, refs[len(refs)-1].row), nil
	}
	var b strings.Builder
	for i, r := range refs {
		switch {
		case r.neg:
			b.WriteString("-")
		case i > 0:
			b.WriteString("+")
		}
		b.WriteString(r.cell)
	}
	return b.String(), nil
}

// statementCells are the label, row number and two amount cells of a line.
func (wb *workbook) statementCells(l ledger.StatementLine, at map[int]cellAt) ([]any, error) {
	st := wb.st
	if l.Heading {
		return []any{cell(l.Name, st.totalText), cell("", st.textCenter), cell("", st.money), cell("", st.money)}, nil
	}
	if !l.Subtotal {
		return []any{cell(l.Name, st.text), cell(l.Row, st.count), moneyCell{l.Second, st.money}, moneyCell{l.First, st.money}}, nil
	}
	out := []any{cell(l.Name, st.totalText), cell(l.Row, st.totalCt)}
	for _, which := range []int{1, 0} {
		f, err := subtotalFormula(l.Terms, at, which)
		if err != nil {
			return nil, err
		}
		out = append(out, formula(f, st.totalMoney))
	}
	return out, nil
}

// WriteStatements writes a book's statements: the 资产负债表 (期末余额 and 年初余额)
// and the 收益及收益分配表 (本年金额 and 上年金额). Line items are numbers;
// subtotals and totals are formulas over them, SUM where they add a run of rows.
func WriteStatements(w io.Writer, d StatementsData, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	if err := wb.balanceSheet(d); err != nil {
		return err
	}
	if err := wb.incomeSheet(d); err != nil {
		return err
	}
	if d.Equity != nil {
		if err := wb.equitySheet(d.Book, *d.Equity); err != nil {
			return err
		}
	}
	if err := wb.docProps(d.Book.Name+"会计报表（"+monthEndLabel(d.Balance.Month)+"）", "资产负债表,"+d.Income.Title,
		"资产负债表,"+d.Income.Title+","+d.Book.Code, "链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) balanceSheet(d StatementsData) error {
	bs := d.Balance
	sw, err := wb.sheet(sheetSetup{name: SheetBalance, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{26, 6, 16, 16, 28, 6, 16, 16}})
	if err != nil {
		return err
	}
	rw := &rowWriter{sw: sw}
	closed := ""
	if bs.YearClosed {
		closed = "（本年度已年终结账）"
	}
	wb.titleRows(rw, len(BalanceColumns), "资产负债表", fmt.Sprintf("编制单位：%s（账套 %s，%s）　%s　金额单位：元%s",
		d.Book.Name, d.Book.Code, d.Book.TownshipName, monthEndLabel(bs.Month), closed))
	wb.headerRow(rw, BalanceColumns)
	lay := BalanceLayoutOf(bs)
	at := map[int]cellAt{}
	for row, r := range lay.Rows {
		cols := [2]string{"D", "C"}
		if lay.Right[row] {
			cols = [2]string{"H", "G"}
		}
		at[row] = cellAt{row: r, cols: cols}
	}
	byRow := map[int][]any{}
	for half, lines := range [][]ledger.StatementLine{bs.Assets, bs.Claims} {
		for i, l := range lines {
			r := firstDataRow + i
			if i == len(lines)-1 {
				r = lay.Last
			}
			cells, err := wb.statementCells(l, at)
			if err != nil {
				return err
			}
			row := byRow[r]
			if row == nil {
				row = blankBalanceRow(wb.st)
			}
			copy(row[4*half:], cells)
			byRow[r] = row
		}
	}
	for r := firstDataRow; r <= lay.Last; r++ {
		row := byRow[r]
		if row == nil {
			row = blankBalanceRow(wb.st)
		}
		rw.add(row)
	}
	check := "资产总计等于负债和所有者权益总计。"
	if !bs.Balanced {
		check = "资产总计不等于负债和所有者权益总计，请检查账簿。"
	}
	wb.noteRow(rw, len(BalanceColumns), "说明：年初余额为上年末（"+monthEndLabel(string(ledger.Period(bs.YearStart).Prev()))+"）余额。"+
		"应收款项、应付款项按往来明细（农户、单位）余额方向分列：借方余额列入应收款项，贷方余额列入应付款项。"+
		"未分配收益含尚未结转的本年损益。合计行为公式。系统校验："+check, 45)
	return rw.flush()
}

func blankBalanceRow(st styles) []any {
	return []any{cell("", st.text), cell("", st.textCenter), cell("", st.money), cell("", st.money),
		cell("", st.text), cell("", st.textCenter), cell("", st.money), cell("", st.money)}
}

func (wb *workbook) incomeSheet(d StatementsData) error {
	is := d.Income
	sw, err := wb.sheet(sheetSetup{name: SheetIncome(is.Kind), headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{34, 6, 18, 18}})
	if err != nil {
		return err
	}
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(IncomeColumns), is.Title, fmt.Sprintf("编制单位：%s（账套 %s，%s）　期间：%s　金额单位：元",
		d.Book.Name, d.Book.Code, d.Book.TownshipName, periodLabel(is.From, is.To)))
	wb.headerRow(rw, incomeColumns(is))
	at := map[int]cellAt{}
	for i, l := range is.Lines {
		if l.Row != 0 {
			at[l.Row] = cellAt{row: firstDataRow + i, cols: [2]string{"C", "D"}}
		}
	}
	for _, l := range is.Lines {
		cells, err := wb.statementCells(l, at)
		if err != nil {
			return err
		}
		// The income statement reads 本年 (First) then 上年 (Second).
		cells[2], cells[3] = cells[3], cells[2]
		if l.Subtotal {
			for i, which := range []int{0, 1} {
				f, err := subtotalFormula(l.Terms, at, which)
				if err != nil {
					return err
				}
				cells[2+i] = formula(f, wb.st.totalMoney)
			}
		}
		rw.add(cells)
	}
	wb.noteRow(rw, len(IncomeColumns), "说明：本年金额为"+periodLabel(is.YearStart, is.To)+"的发生额，上年金额为上年同期（"+
		periodLabel(string(ledger.Period(is.YearStart).Add(-12)), string(ledger.Period(is.To).Add(-12)))+"）的发生额；年初未分配收益为上年末余额（年中启用的账套为期初余额）；"+
		"年终结转凭证不计入各项目。合计行为公式。", 30)
	return rw.flush()
}

// TownshipStatementsData is the statements of every book of a township the
// actor can see, side by side per chart, with the books' printed facts.
type TownshipStatementsData struct {
	Statements ledger.TownshipStatements
	Books      map[string]BookInfo
}

// LoadTownshipStatements gathers the township's statements at the end of month.
func LoadTownshipStatements(ctx context.Context, s *ledger.Store, a ledger.Actor, township, month string) (TownshipStatementsData, error) {
	ts, err := s.TownshipStatements(ctx, a, township, month)
	if err != nil {
		return TownshipStatementsData{}, err
	}
	d := TownshipStatementsData{Statements: ts, Books: map[string]BookInfo{}}
	for _, g := range ts.Groups {
		for _, bs := range g.BalanceSheets {
			b, err := s.Book(ctx, a, bs.Book)
			if err != nil {
				return TownshipStatementsData{}, err
			}
			d.Books[b.Code] = BookInfoOf(b)
		}
	}
	return d, nil
}

// kindLabel prefixes a township sheet with the kind of its books.
func kindLabel(k ledger.BookKind) string {
	if k == ledger.KindCooperative {
		return "合作社"
	}
	return "村集体"
}

// TownshipBalanceSheet and TownshipIncomeSheet name a group's sheets.
func TownshipBalanceSheet(k ledger.BookKind) string { return kindLabel(k) + "资产负债表" }

// TownshipIncomeSheet is the group's income statement sheet.
func TownshipIncomeSheet(k ledger.BookKind) string {
	return kindLabel(k) + ledger.IncomeStatementTitle(k)
}

// WriteTownshipStatements writes, per chart, the balance sheets (期末余额) and
// the income statements (本年金额) of the township's books side by side,
// one column per book and a 合计 column summing them; subtotals are formulas.
func WriteTownshipStatements(w io.Writer, d TownshipStatementsData, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	ts := d.Statements
	footer := "&L&8" + escapeHF(fmt.Sprintf("乡镇：%s %s　导出时间：%s　各账套链头哈希见表末", ts.Township.Code, ts.Township.Name,
		wb.at.Format("2006-01-02 15:04"))) + "&R&8第 &P 页，共 &N 页"
	for _, g := range ts.Groups {
		books := make([]BookInfo, len(g.BalanceSheets))
		balance := make([][]ledger.StatementLine, len(g.BalanceSheets))
		income := make([][]ledger.StatementLine, len(g.IncomeStatements))
		for i := range g.BalanceSheets {
			books[i] = d.Books[g.BalanceSheets[i].Book]
			balance[i] = append(append([]ledger.StatementLine{}, g.BalanceSheets[i].Assets...), g.BalanceSheets[i].Claims...)
			income[i] = g.IncomeStatements[i].Lines
		}
		sub := fmt.Sprintf("乡镇：%s %s　%s　金额单位：元", ts.Township.Code, ts.Township.Name, monthEndLabel(ts.Month))
		if err := wb.townshipStatementSheet(TownshipBalanceSheet(g.Kind), "资产负债表汇总（期末余额）", sub, footer, books, balance,
			func(l ledger.StatementLine) ledger.Money { return l.Second }); err != nil {
			return err
		}
		sub = fmt.Sprintf("乡镇：%s %s　期间：%s　金额单位：元", ts.Township.Code, ts.Township.Name, periodLabel(g.SumIncome.From, g.SumIncome.To))
		if err := wb.townshipStatementSheet(TownshipIncomeSheet(g.Kind), ledger.IncomeStatementTitle(g.Kind)+"汇总（本年金额）", sub, footer, books, income,
			func(l ledger.StatementLine) ledger.Money { return l.First }); err != nil {
			return err
		}
	}
	if err := wb.docProps(ts.Township.Name+"会计报表汇总（"+monthEndLabel(ts.Month)+"）", "资产负债表,收益及收益分配表",
		"会计报表汇总,"+ts.Township.Code, ""); err != nil {
		return err
	}
	return wb.write(w)
}

// TownshipStatementColumn is the column of book i (0-based) on a township
// statements sheet; the 合计 column follows the last book.
func TownshipStatementColumn(i int) string { return col(3 + i) }

// townshipStatementSheet writes one sheet: the lines of each book (all books
// share the layout of their chart) in a column each, and their sum; pick
// chooses the column shown (期末余额, 本年金额).
func (wb *workbook) townshipStatementSheet(name, title, sub, footer string, books []BookInfo, lines [][]ledger.StatementLine,
	pick func(ledger.StatementLine) ledger.Money) error {
	n := len(books)
	cols := []float64{30, 6}
	for range n + 1 {
		cols = append(cols, 15)
	}
	sw, err := wb.sheet(sheetSetup{name: name, landscape: true, headerRow: headerRow, footer: footer, cols: cols})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	header := []string{"项目", "行次"}
	for _, b := range books {
		header = append(header, b.Code+" "+b.Name)
	}
	header = append(header, "合计")
	wb.titleRows(rw, len(header), title, sub)
	wb.headerRow(rw, header)
	rowOf := map[int]int{}
	for i, l := range lines[0] {
		if l.Row != 0 {
			rowOf[l.Row] = firstDataRow + i
		}
	}
	for i, l := range lines[0] {
		r := firstDataRow + i
		if l.Heading {
			cells := []any{cell(l.Name, st.totalText), cell("", st.textCenter)}
			for range n + 1 {
				cells = append(cells, cell("", st.money))
			}
			rw.add(cells)
			continue
		}
		label, rowStyle, moneyStyle := st.text, st.count, st.money
		if l.Subtotal {
			label, rowStyle, moneyStyle = st.totalText, st.totalCt, st.totalMoney
		}
		cells := []any{cell(l.Name, label), cell(l.Row, rowStyle)}
		for b := range n {
			c := TownshipStatementColumn(b)
			if !l.Subtotal {
				cells = append(cells, moneyCell{pick(lines[b][i]), st.money})
				continue
			}
			at := map[int]cellAt{}
			for row, sr := range rowOf {
				at[row] = cellAt{row: sr, cols: [2]string{c, c}}
			}
			f, err := subtotalFormula(l.Terms, at, 1)
			if err != nil {
				return err
			}
			cells = append(cells, formula(f, moneyStyle))
		}
		cells = append(cells, formula(fmt.Sprintf("SUM(%s:%s)", ref(TownshipStatementColumn(0), r), ref(TownshipStatementColumn(n-1), r)), st.totalMoney))
		rw.add(cells)
	}
	heads := []any{cell("链头哈希（前16位）", st.text), cell("", st.text)}
	for _, b := range books {
		heads = append(heads, cell(b.ChainHead16(), st.textCenter))
	}
	heads = append(heads, cell("", st.text))
	rw.add(heads)
	wb.noteRow(rw, len(header), "说明：各账套按本账套的会计报表项目列示，合计列为各账套之和（公式）；小计、合计行为公式。", 30)
	return rw.flush()
}
