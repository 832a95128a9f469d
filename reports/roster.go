package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// Sheet names of the roster workbook.
const (
	SheetRoster  = "花名册"
	SheetLines   = "分户明细"
	SheetTotals  = "汇总"
	SheetNotice  = "公示表"
	firstDataRow = 4 // rows 1–2 title, row 3 the frozen header
	headerRow    = 3
)

// RosterColumns are the columns of a village's roster sheet, A to O
// (rosterColumns gives any book's).
var RosterColumns = []string{"序号", "村民小组", "户主姓名", "身份证号", "银行账号", "家庭人口", ColumnRent, ColumnDividend,
	ColumnWage, ColumnOther, "应发合计", "大写金额", "已发金额", "未发金额", "领款人签字(手印)"}

// LineColumns are the columns of a village's per household × agreement
// sheet, A to M (lineColumns gives any book's).
var LineColumns = []string{"序号", "村民小组", "户编号", "户主姓名", "协议编号", "协议名称", "类别", "入账科目",
	"应发金额", "村留服务费", "已发金额", "未发金额", "计算依据"}

// rosterColumns are RosterColumns in the words of d's book.
func rosterColumns(d RosterData) []string {
	w, c := d.Words(), d.Columns()
	return []string{"序号", w.Group, w.HeadName, "身份证号", "银行账号", w.Members, c[0], c[1], c[2], c[3],
		"应发合计", "大写金额", "已发金额", "未发金额", "领款人签字(手印)"}
}

// lineColumns are LineColumns in the words of d's book.
func lineColumns(d RosterData) []string {
	w := d.Words()
	return []string{"序号", w.Group, w.Code, w.HeadName, "协议编号", "协议名称", "类别", "入账科目",
		"应发金额", w.Fee, "已发金额", "未发金额", "计算依据"}
}

// membersCell is column F: a village household's head count, a
// cooperative member's code.
func membersCell(d RosterData, h RosterHousehold, st styles) excelize.Cell {
	if d.Words().CountsPeople {
		return cell(h.Members, st.count)
	}
	return cell(h.Code, st.textCenter)
}

// RosterLayout says where a roster's totals are, for readers and tests.
type RosterLayout struct {
	RosterTotalRow int // row of the 合计 on 花名册
	LinesTotalRow  int // row of the 合计 on 分户明细
}

// LayoutOf returns where WriteRoster puts the totals of d.
func LayoutOf(d RosterData) RosterLayout {
	return RosterLayout{RosterTotalRow: firstDataRow + len(d.Households), LinesTotalRow: firstDataRow + len(d.Lines)}
}

// runTitle is "测试村2026年第三季度" with the run's number when adjusting.
func runTitle(d RosterData) string {
	t := d.Book.Name + quarterLabel(d.Run.Quarter)
	if d.Run.Adjustment {
		t += "（调整）"
	}
	return t
}

// runSubtitle is the unit, period and run line under a title.
func runSubtitle(d RosterData) string {
	status := "草稿（未审批）"
	if d.Run.Status == ledger.RunApproved {
		status = "已审批"
		if d.Run.ApprovedAt != "" {
			status += "（" + ledger.ShowDate(d.Run.ApprovedAt) + "）" // the Beijing date, not UTC's
		}
	}
	return fmt.Sprintf("单位：%s（账套 %s，%s）　期间：%s（%s）　分配批次：第 %d 号　状态：%s　金额单位：元",
		d.Book.Name, d.Book.Code, d.Book.TownshipName, quarterLabel(d.Run.Quarter), quarterSpan(d.Run.Quarter), d.Run.ID, status)
}

// WriteRoster writes the quarterly payout roster (土地租金发放花名册 and the
// like, named by what the run pays) of a run
// to w: the roster for signatures, one line per household × agreement with its
// basis, and totals per agreement and kind. ID numbers and bank accounts are
// printed in full; only roles that may see them should get this workbook.
// Every sheet is streamed, so 100,000 households do not hold the workbook in
// memory.
func WriteRoster(w io.Writer, d RosterData, opts Options) error {
	if err := d.Check(); err != nil {
		return err
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	if err := wb.rosterSheet(d); err != nil {
		return err
	}
	if err := wb.linesSheet(d); err != nil {
		return err
	}
	if err := wb.totalsSheet(d); err != nil {
		return err
	}
	title := runTitle(d) + d.PayoutTitle() + "发放花名册"
	if err := wb.docProps(title, d.PayoutTitle()+"发放花名册", d.PayoutTitle()+",花名册,"+d.Run.Quarter+","+d.Book.Code,
		fmt.Sprintf("账套 %s 分配批次 %d；链头哈希 %s", d.Book.Code, d.Run.ID, d.Book.ChainHead)); err != nil {
		return err
	}
	return wb.write(w)
}

// titleRows writes the title and subtitle rows merged over ncol columns.
func (wb *workbook) titleRows(rw *rowWriter, ncol int, title, subtitle string) {
	last := col(ncol)
	r := rw.add([]any{cell(title, wb.st.title)}, excelize.RowOpts{Height: 30})
	rw.merge("A", last, r)
	r = rw.add([]any{cell(subtitle, wb.st.subtitle)}, excelize.RowOpts{Height: 30})
	rw.merge("A", last, r)
}

func (wb *workbook) headerRow(rw *rowWriter, names []string) int {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = cell(n, wb.st.header)
	}
	return rw.add(cells, excelize.RowOpts{Height: 32})
}

// noteRow writes a merged, wrapped note of the given height.
func (wb *workbook) noteRow(rw *rowWriter, ncol int, text string, height float64) {
	r := rw.add([]any{cell(text, wb.st.note)}, excelize.RowOpts{Height: height})
	rw.merge("A", col(ncol), r)
}

func (wb *workbook) rosterSheet(d RosterData) error {
	names := rosterColumns(d)
	widths := []float64{6, 9, 10, 20.5, 22, 7.5, 11.5, 11.5, 11.5, 11.5, 12.5, 30, 11.5, 11.5, 16}
	withQR := d.linked()
	if withQR {
		names, widths = append(names[:len(names):len(names)], RosterQRColumn), append(widths, rosterQRColWidth)
	}
	sw, err := wb.sheet(sheetSetup{name: SheetRoster, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book), cols: widths})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(names), runTitle(d)+d.PayoutTitle()+"发放花名册", runSubtitle(d))
	wb.headerRow(rw, names)
	for i, h := range d.Households {
		r := rw.row + 1
		words, err := capitals(h.Total)
		if err != nil {
			return err
		}
		cells := []any{cell(i+1, st.count), cell(h.Group, st.textCenter), cell(h.HeadName, st.textCenter), cell(h.IDNumber, st.text),
			cell(h.BankAccount, st.text), membersCell(d, h, st), moneyCell{h.Rent, st.money}, moneyCell{h.Dividend, st.money},
			moneyCell{h.Wage, st.money}, moneyCell{h.Other, st.money}, formula(fmt.Sprintf("SUM(G%d:J%d)", r, r), st.money),
			cell(words, st.textWrap), moneyCell{h.Paid, st.money}, formula(fmt.Sprintf("K%d-M%d", r, r), st.money), cell("", st.text)}
		height := 28.0
		if withQR {
			cells = append(cells, cell("", st.text))
			if url := d.Links[h.Code]; url != "" {
				height = rosterQRRowHeight
				if err := wb.placeQR(SheetRoster, fmt.Sprintf("P%d", r), h.Code, url); err != nil {
					return err
				}
			}
		}
		rw.add(cells, excelize.RowOpts{Height: height})
	}
	last := rw.row
	words, err := capitals(d.Total)
	if err != nil {
		return err
	}
	sum := func(c string) excelize.Cell { return formula(sumRange(c, firstDataRow, last), st.totalMoney) }
	total := []any{cell(fmt.Sprintf("合计（%d %s）", len(d.Households), d.Words().Unit), st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
		cell("", st.totalLabel), cell("", st.totalLabel), countTotal(d, last, st), sum("G"), sum("H"), sum("I"),
		sum("J"), sum("K"), cell(words, st.totalText), sum("M"), sum("N"), cell("", st.totalLabel)}
	if withQR {
		total = append(total, cell("", st.totalLabel))
	}
	r := rw.add(total, excelize.RowOpts{Height: 30})
	rw.merge("A", "E", r)
	wb.noteRow(rw, len(names), "合计金额（大写）：人民币"+words+"。　舍入规则："+d.Run.RoundingRule, 48)
	rw.skip(1)
	r = rw.add([]any{cell("制表人：______________　　审核人：______________　　"+d.Words().Leader+"：______________　　发放日期：______年____月____日", st.sign)},
		excelize.RowOpts{Height: 30})
	rw.merge("A", col(len(names)), r)
	return rw.flush()
}

func (wb *workbook) linesSheet(d RosterData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetLines, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{7, 9, 10, 10, 9, 16, 7, 9, 12, 11, 12, 12, 60}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(LineColumns), runTitle(d)+d.PayoutTitle()+"分户分协议明细", runSubtitle(d))
	wb.headerRow(rw, lineColumns(d))
	for i, l := range d.Lines {
		rw.add([]any{cell(i+1, st.count), cell(l.Group, st.textCenter), cell(l.Household, st.textCenter), cell(l.HeadName, st.textCenter),
			cell(l.Agreement, st.textCenter), cell(l.AgreementTitle, st.text), cell(l.Kind, st.textCenter), cell(l.Account, st.textCenter),
			moneyCell{l.Amount, st.money}, moneyCell{l.Fee, st.money}, moneyCell{l.Paid, st.money}, moneyCell{l.Outstanding, st.money},
			cell(l.Basis, st.textWrap)})
	}
	last := rw.row
	sum := func(c string) excelize.Cell { return formula(sumRange(c, firstDataRow, last), st.totalMoney) }
	r := rw.add([]any{cell(fmt.Sprintf("合计（%d 行）", len(d.Lines)), st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
		cell("", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
		sum("I"), sum("J"), sum("K"), sum("L"), cell("", st.totalLabel)})
	rw.merge("A", "H", r)
	w := d.Words()
	wb.noteRow(rw, len(LineColumns), fmt.Sprintf("计算依据：每%s每协议一行，写明面积、单价、股数、天数或分配池；%s为土地租金中按协议留存的部分，不计入%s应发。舍入规则：%s",
		w.Unit, w.Fee, w.Person, d.Run.RoundingRule), 48)
	return rw.flush()
}

// TotalsLayout says where the totals sheet puts its totals and checks.
type TotalsLayout struct {
	AgreementTotalRow, KindTotalRow, FirstCheckRow int
}

// TotalsLayoutOf returns where WriteRoster puts the totals sheet's rows.
func TotalsLayoutOf(d RosterData) TotalsLayout {
	a := firstDataRow + len(d.ByAgreement)
	k := a + 3 + len(d.ByKind) // blank, kind header, kinds, total
	return TotalsLayout{AgreementTotalRow: a, KindTotalRow: k, FirstCheckRow: k + 3}
}

func (wb *workbook) totalsSheet(d RosterData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetTotals, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{12, 30, 10, 10, 15, 14}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, 6, runTitle(d)+d.PayoutTitle()+"汇总（按协议、按类别）", runSubtitle(d))
	wb.headerRow(rw, []string{"协议编号", "协议名称", "类别", "明细行数", "应发金额", d.Words().Fee})
	for _, t := range d.ByAgreement {
		rw.add([]any{cell(t.Key, st.textCenter), cell(t.Title, st.text), cell(t.Kind, st.textCenter), cell(t.Lines, st.count),
			moneyCell{t.Amount, st.money}, moneyCell{t.Fee, st.money}})
	}
	last := rw.row
	total := func(first, last int) []any {
		return []any{cell("合计", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
			formula(sumRange("D", first, last), st.totalCt), formula(sumRange("E", first, last), st.totalMoney),
			formula(sumRange("F", first, last), st.totalMoney)}
	}
	r := rw.add(total(firstDataRow, last))
	rw.merge("A", "C", r)
	agreementTotal := r
	rw.skip(1)
	wb.headerRow(rw, []string{"类别", "花名册栏目", "", "明细行数", "应发金额", d.Words().Fee})
	first := rw.row + 1
	for _, t := range d.ByKind {
		rw.add([]any{cell(t.Kind, st.textCenter), cell(t.Title, st.text), cell("", st.text), cell(t.Lines, st.count),
			moneyCell{t.Amount, st.money}, moneyCell{t.Fee, st.money}})
	}
	r = rw.add(total(first, rw.row))
	rw.merge("A", "C", r)
	kindTotal := r
	rw.skip(1)
	wb.headerRow(rw, []string{"核对项目（应为 0）", "", "", "", "差额", ""})
	lay := LayoutOf(d)
	checks := []struct{ label, f string }{
		{"花名册应发合计 − 按协议合计", fmt.Sprintf("%s!K%d-E%d", quoteSheet(SheetRoster), lay.RosterTotalRow, agreementTotal)},
		{"分户明细应发合计 − 按类别合计", fmt.Sprintf("%s!I%d-E%d", quoteSheet(SheetLines), lay.LinesTotalRow, kindTotal)},
		{"花名册已发合计 − 分户明细已发合计", fmt.Sprintf("%s!M%d-%s!K%d", quoteSheet(SheetRoster), lay.RosterTotalRow, quoteSheet(SheetLines), lay.LinesTotalRow)},
	}
	for _, c := range checks {
		r := rw.add([]any{cell(c.label, st.text), cell("", st.text), cell("", st.text), cell("", st.text), formula(c.f, st.money), cell("", st.text)})
		rw.merge("A", "D", r)
	}
	rw.skip(1)
	wb.noteRow(rw, 6, "舍入规则："+d.Run.RoundingRule, 80)
	return rw.flush()
}

// countTotal is the 合计 of column F: people for a village, nothing for a
// cooperative's member codes.
func countTotal(d RosterData, last int, st styles) excelize.Cell {
	if d.Words().CountsPeople {
		return formula(sumRange("F", firstDataRow, last), st.totalCt)
	}
	return cell("", st.totalLabel)
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
