package reports

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// VoucherLayout is how vouchers sit on A4: 凭证纸 (half an A4 page each, two
// per page) or one voucher per page.
type VoucherLayout string

const (
	LayoutHalf VoucherLayout = "half"
	LayoutFull VoucherLayout = "full"
)

// ParseVoucherLayout reads the layout parameter; "" is half.
func ParseVoucherLayout(s string) (VoucherLayout, error) {
	switch VoucherLayout(s) {
	case "", LayoutHalf:
		return LayoutHalf, nil
	case LayoutFull:
		return LayoutFull, nil
	}
	return "", ledger.FieldError("layout", "版式应为 half（凭证纸，每页两张）或 full（每页一张），收到 %q", truncateText(s, 16))
}

// linesPerPaper is how many lines one printed voucher paper holds; a longer
// voucher continues on further papers (过次页 / 承前页), totals on the last.
func (l VoucherLayout) linesPerPaper() int {
	if l == LayoutFull {
		return 22
	}
	return 6
}

// VoucherPrintData is a month's vouchers to print.
type VoucherPrintData struct {
	Book   BookInfo
	Set    ledger.VoucherPrintSet
	Layout VoucherLayout
}

// SheetVouchers is the one sheet of the voucher print.
const SheetVouchers = "记账凭证"

// voucherCols: 摘要, 总账科目, 明细科目, 借方金额, 贷方金额.
var voucherCols = []float64{24, 15, 27, 14, 14}

// WriteVoucherPrint writes a month's posted vouchers as printed vouchers
// (会计基础工作规范 第51条), one sheet with a page break after every page.
func WriteVoucherPrint(w io.Writer, d VoucherPrintData, opts Options) error {
	if len(d.Set.Vouchers) == 0 {
		return ledger.FieldError("period", "%s 没有已记账的凭证", d.Set.Period)
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	sw, err := wb.sheet(sheetSetup{name: SheetVouchers, footer: wb.footer(d.Book), cols: voucherCols})
	if err != nil {
		return err
	}
	vp := &voucherPrinter{wb: wb, rw: &rowWriter{sw: sw}, d: d}
	for _, v := range d.Set.Vouchers {
		vp.voucher(v)
	}
	if err := vp.rw.flush(); err != nil {
		return err
	}
	if err := wb.docProps(d.Book.Name+"记账凭证（"+d.Set.Period+"）", "记账凭证", "记账凭证,"+d.Book.Code,
		"链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return writeWithBreaks(wb, w, SheetVouchers, vp.breaks)
}

// writeWithBreaks writes the workbook with manual page breaks before the
// given rows. A StreamWriter's sheet keeps no page breaks, so the finished
// file is read back once and the breaks set there (a month's vouchers or a
// year's 总账 are small).
func writeWithBreaks(wb *workbook, w io.Writer, sheet string, rows []int) error {
	var buf bytes.Buffer
	if err := wb.write(&buf); err != nil {
		return err
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, r := range rows {
		if err := f.InsertPageBreak(sheet, "A"+strconv.Itoa(r)); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

type voucherPrinter struct {
	wb     *workbook
	rw     *rowWriter
	d      VoucherPrintData
	papers int   // papers written so far
	breaks []int // rows after which a page ends
}

// voucher writes one voucher on as many papers as its lines need.
func (vp *voucherPrinter) voucher(v ledger.PrintedVoucher) {
	per := vp.d.Layout.linesPerPaper()
	n := max(1, (len(v.Lines)+per-1)/per)
	for i := range n {
		lines := v.Lines[i*per : min((i+1)*per, len(v.Lines))]
		vp.paper(v, lines, i+1, n)
	}
}

// paper writes one voucher paper: a fixed number of rows, so two half
// papers fill an A4 page exactly.
func (vp *voucherPrinter) paper(v ledger.PrintedVoucher, lines []ledger.PrintedLine, i, n int) {
	st, rw := vp.wb.st, vp.rw
	r := rw.add([]any{cell("记 账 凭 证", st.title)}, excelize.RowOpts{Height: 28})
	rw.merge("A", "E", r)
	num := "记字第 " + strings.TrimPrefix(v.Number, "记-") + " 号"
	if n > 1 {
		num += fmt.Sprintf("（%d/%d）", i, n)
	}
	r = rw.add([]any{cell("核算单位："+vp.d.Set.BookName, st.subtitle), nil, cell(dateCN(v.Date), st.subtitle), cell(num, st.subtitle)},
		excelize.RowOpts{Height: 18})
	rw.merge("A", "B", r)
	rw.merge("D", "E", r)
	vp.wb.headerRow(rw, []string{"摘要", "总账科目", "明细科目", "借方金额", "贷方金额"})
	for k := range vp.d.Layout.linesPerPaper() {
		if k < len(lines) {
			l := lines[k]
			rw.add([]any{cell(l.Summary, st.textWrap), cell(l.GeneralCode+" "+l.GeneralName, st.text), vp.detailCell(l),
				moneyOrEmpty(l.Debit, st.money), moneyOrEmpty(l.Credit, st.money)}, excelize.RowOpts{Height: 24})
			continue
		}
		rw.add([]any{cell("", st.text), cell("", st.text), cell("", st.text), cell("", st.money), cell("", st.money)},
			excelize.RowOpts{Height: 24})
	}
	if i < n {
		r = rw.add([]any{cell("过次页", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel), cell("", st.totalMoney),
			cell("", st.totalMoney)}, excelize.RowOpts{Height: 22})
	} else {
		r = rw.add([]any{cell("合计（大写）："+capitalsOrBlank(v.Debit), st.totalText), cell("", st.totalText), cell("", st.totalText),
			moneyCell{v.Debit, st.totalMoney}, moneyCell{v.Credit, st.totalMoney}}, excelize.RowOpts{Height: 22})
	}
	rw.merge("A", "C", r)
	note := fmt.Sprintf("附单据 %d 张", v.Attachments)
	if v.Hash != "" {
		note += "　哈希 " + v.Hash[:min(16, len(v.Hash))]
	}
	r = rw.add([]any{cell(note, st.note)}, excelize.RowOpts{Height: 16})
	rw.merge("A", "E", r)
	r = rw.add([]any{cell(signLine(v), st.sign)}, excelize.RowOpts{Height: 24})
	rw.merge("A", "E", r)
	vp.papers++
	if vp.d.Layout == LayoutFull || vp.papers%2 == 0 {
		vp.breaks = append(vp.breaks, r+1)
		return
	}
	r = rw.add([]any{cell("‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ 沿 虚 线 裁 开 ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒ ‒", st.note)},
		excelize.RowOpts{Height: 36})
	rw.merge("A", "E", r)
}

// detailCell is the 明细科目: the sub-account and the household or party by
// name, the code in small type.
func (vp *voucherPrinter) detailCell(l ledger.PrintedLine) excelize.Cell {
	name := joinNonEmpty("—", l.DetailName, l.SubjectName)
	if l.SubjectCode == "" {
		return cell(name, vp.wb.st.text)
	}
	if l.SubjectName == "" { // a code without a name on record
		name = joinNonEmpty("—", l.DetailName, l.SubjectCode)
		return cell(name, vp.wb.st.text)
	}
	runs := []excelize.RichTextRun{
		{Text: name + " ", Font: &excelize.Font{Family: fontName, Size: 10}},
		{Text: l.SubjectCode, Font: &excelize.Font{Family: fontName, Size: 7, Color: "555555"}},
	}
	return excelize.Cell{Value: runs, StyleID: vp.wb.st.text}
}

// signLine is 会计主管 · 记账 · 审核 · 出纳 · 制单; a blank name leaves room for
// a hand signature. 出纳 is struck out ("—") on vouchers without cash or bank.
func signLine(v ledger.PrintedVoucher) string {
	blank := func(s string) string {
		if s == "" {
			return "　　　　"
		}
		return s + "　"
	}
	cashier := blank(v.Cashier)
	if !v.CashOrBank {
		cashier = "—　"
	}
	return "会计主管：" + blank(v.Supervisor) + "　记账：" + blank(v.Bookkeeper) + "　审核：" + blank(v.Reviewer) +
		"　出纳：" + cashier + "　制单：" + blank(v.Preparer)
}

func moneyOrEmpty(m ledger.Money, style int) any {
	if m.IsZero() {
		return cell("", style)
	}
	return moneyCell{m, style}
}

func capitalsOrBlank(m ledger.Money) string {
	prefix := ""
	if m.IsNegative() {
		prefix, m = "负", m.Neg()
	}
	s, err := capitals(m)
	if err != nil {
		return ""
	}
	return prefix + s
}

// dateCN prints 2026-07-15 as 2026 年 07 月 15 日.
func dateCN(d string) string {
	if len(d) != 10 {
		return d
	}
	return d[:4] + " 年 " + d[5:7] + " 月 " + d[8:] + " 日"
}

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
