package reports

import (
	"fmt"

	"coopledger/ledger"
)

// SheetEquity is the sheet of a cooperative's 成员权益变动表 (会农社03表).
const SheetEquity = ledger.EquityChangesTitle

// EquityColumns are the sheet's columns, A to H.
var EquityColumns = append([]string{"项目", "行次"}, ledger.EquityColumns...)

// equitySheet writes the 成员权益变动表: amounts as numbers, the 合计 column
// as a formula over the five before it.
func (wb *workbook) equitySheet(book BookInfo, ec ledger.EquityChanges) error {
	sw, err := wb.sheet(sheetSetup{name: SheetEquity, landscape: true, headerRow: headerRow, footer: wb.footer(book),
		cols: []float64{18, 6, 16, 16, 16, 16, 16, 16}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	closed := ""
	if ec.YearClosed {
		closed = "（本年度已年终结账）"
	}
	wb.titleRows(rw, len(EquityColumns), ec.Title, fmt.Sprintf("编制单位：%s（账套 %s，%s）　期间：%s　金额单位：元%s",
		book.Name, book.Code, book.TownshipName, periodLabel(ec.YearStart, ec.Month), closed))
	wb.headerRow(rw, EquityColumns)
	for i, l := range ec.Lines {
		r := firstDataRow + i
		cells := []any{cell(l.Name, st.text), cell(l.Row, st.count)}
		for _, v := range l.Values[:len(l.Values)-1] {
			cells = append(cells, moneyCell{v, st.money})
		}
		cells = append(cells, formula(fmt.Sprintf("SUM(C%d:G%d)", r, r), st.totalMoney))
		rw.add(cells)
	}
	wb.noteRow(rw, len(EquityColumns), "说明：年初余额为上年末余额；股金、专项基金、资本公积、盈余公积的本年增加数、本年减少数为本年贷方、借方发生额；"+
		"未分配盈余的本年增加数为本年盈余（亏损以“-”号填列）加其他转入，本年减少数为提取盈余公积、盈余返还、剩余盈余分配和转为成员出资；"+
		"年末余额与资产负债表一致。合计列为公式。", 45)
	return rw.flush()
}
