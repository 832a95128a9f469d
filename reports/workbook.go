package reports

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// Options are the settings every workbook shares.
type Options struct {
	// ExportedAt is the time of export printed in the footer and the document
	// properties; zero means now.
	ExportedAt time.Time
	// Location is the time zone the export time is printed in; nil means
	// China Standard Time (UTC+8).
	Location *time.Location
	// Creator names who exported the workbook (document properties); "" means
	// "coopledger".
	Creator string
	// TmpDir is where excelize's StreamWriter spills rows beyond 16 MB; "" is
	// the system temporary directory.
	TmpDir string
}

// BookInfo is what every page of a book's workbook says about the book.
type BookInfo struct {
	Code         string
	Name         string
	Kind         ledger.BookKind
	TownshipCode string
	TownshipName string
	ChainSeq     int64
	ChainHead    string // hex SHA-256 of the last posted voucher ("" before the first)
}

// BookInfoOf takes the printed facts from a ledger book.
func BookInfoOf(b ledger.Book) BookInfo {
	return BookInfo{Code: b.Code, Name: b.Name, Kind: b.Kind, TownshipCode: b.Township.Code,
		TownshipName: b.Township.Name, ChainSeq: b.ChainSeq, ChainHead: b.ChainHead}
}

// ChainHead16 is the first 16 hex digits of the chain head, as printed in footers.
func (b BookInfo) ChainHead16() string {
	h := strings.TrimSpace(b.ChainHead)
	if h == "" || b.ChainSeq == 0 {
		return "（尚无记账凭证）"
	}
	if len(h) > 16 {
		h = h[:16]
	}
	return h
}

// chinaTime is UTC+8; time.LoadLocation needs tzdata, which a server may lack.
var chinaTime = time.FixedZone("CST", 8*3600)

func (o Options) exportTime() time.Time {
	t := o.ExportedAt
	if t.IsZero() {
		t = time.Now()
	}
	loc := o.Location
	if loc == nil {
		loc = chinaTime
	}
	return t.In(loc)
}

func (o Options) creator() string {
	if strings.TrimSpace(o.Creator) == "" {
		return "coopledger"
	}
	return o.Creator
}

// Number formats. Amounts are numbers formatted #,##0.00, never text.
const (
	FormatMoney = "#,##0.00"
	formatCount = "0"
)

// fontName is the usual face of Chinese accounting forms; viewers without it
// fall back to their own CJK font.
const fontName = "宋体"

// styles are the cell styles of a workbook, created once per file.
type styles struct {
	title, subtitle, header         int
	text, textCenter, textWrap      int
	count, money                    int
	totalLabel, totalMoney, totalCt int
	totalText                       int
	note, sign                      int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	font := func(size float64, bold bool) *excelize.Font {
		return &excelize.Font{Family: fontName, Size: size, Bold: bold}
	}
	money := FormatMoney
	count := formatCount
	defs := []struct {
		id *int
		st excelize.Style
	}{
		{&s.title, excelize.Style{Font: font(16, true), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.subtitle, excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&s.header, excelize.Style{Font: font(10, true), Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.text, excelize.Style{Font: font(10, false), Border: border, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&s.textCenter, excelize.Style{Font: font(10, false), Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.textWrap, excelize.Style{Font: font(9, false), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.count, excelize.Style{Font: font(10, false), Border: border, CustomNumFmt: &count, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.money, excelize.Style{Font: font(10, false), Border: border, CustomNumFmt: &money, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&s.totalLabel, excelize.Style{Font: font(10, true), Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.totalMoney, excelize.Style{Font: font(10, true), Border: border, CustomNumFmt: &money, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&s.totalCt, excelize.Style{Font: font(10, true), Border: border, CustomNumFmt: &count, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.totalText, excelize.Style{Font: font(10, true), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.note, excelize.Style{Font: font(9, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}}},
		{&s.sign, excelize.Style{Font: font(11, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "bottom"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.st)
		if err != nil {
			return s, err
		}
		*d.id = id
	}
	return s, nil
}

// workbook is an excelize file being written sheet by sheet with StreamWriter.
type workbook struct {
	f      *excelize.File
	st     styles
	opts   Options
	at     time.Time
	sheets int
}

func newWorkbook(opts Options) (*workbook, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: opts.TmpDir})
	f.SetZipWriter(fastZip)
	st, err := newStyles(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	full := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
		f.Close()
		return nil, err
	}
	return &workbook{f: f, st: st, opts: opts, at: opts.exportTime()}, nil
}

// fastZip compresses the workbook's parts at deflate's fastest level:
// excelize's default level took about a third of writing a county's roster,
// for a file about a quarter smaller (100,000 households: 23 MB, here 31 MB).
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// close releases the file and its temporary files.
func (wb *workbook) close() { _ = wb.f.Close() }

// sheetSetup is the print and protection setup of one sheet.
type sheetSetup struct {
	name      string
	landscape bool
	headerRow int // the frozen header row, repeated on every printed page
	footer    string
	cols      []float64 // column widths from A
}

// sheet creates a sheet with its page setup, footer, print titles and
// protection, and returns a StreamWriter positioned before its first row.
func (wb *workbook) sheet(s sheetSetup) (*excelize.StreamWriter, error) {
	f := wb.f
	if wb.sheets == 0 {
		if err := f.SetSheetName("Sheet1", s.name); err != nil {
			return nil, err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return nil, err
	}
	wb.sheets++
	size, one, zero, yes := 9, 1, 0, true // 9 = A4
	orientation := "portrait"
	if s.landscape {
		orientation = "landscape"
	}
	if err := f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation,
		FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return nil, err
	}
	// FitToPage lives in sheetPr, which NewStreamWriter writes at once: set it first.
	if err := f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &yes}); err != nil {
		return nil, err
	}
	m := func(v float64) *float64 { return &v }
	if err := f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Left: m(0.4), Right: m(0.4), Top: m(0.6),
		Bottom: m(0.7), Header: m(0.3), Footer: m(0.3), Horizontally: &yes}); err != nil {
		return nil, err
	}
	if err := f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: s.footer}); err != nil {
		return nil, err
	}
	// Locked against accidental edits, without a password: a reviewer who
	// must change something unprotects the sheet from the menu.
	if err := f.ProtectSheet(s.name, &excelize.SheetProtectionOptions{SelectLockedCells: true,
		SelectUnlockedCells: true, FormatColumns: true, FormatRows: true}); err != nil {
		return nil, err
	}
	if s.headerRow > 0 {
		ref := fmt.Sprintf("%s!$%d:$%d", quoteSheet(s.name), s.headerRow, s.headerRow)
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: ref, Scope: s.name}); err != nil {
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return nil, err
	}
	for i, w := range s.cols {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if s.headerRow > 0 {
		top := "A" + strconv.Itoa(s.headerRow+1)
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: s.headerRow, TopLeftCell: top, ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}}}); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

// footer is the page footer of a book's sheets: book, export time and the
// first 16 hex digits of the chain head on the left, page numbers on the right.
func (wb *workbook) footer(b BookInfo) string {
	return "&L&8" + escapeHF(fmt.Sprintf("账套：%s %s　导出时间：%s　链头哈希：%s", b.Code, b.Name,
		wb.at.Format("2006-01-02 15:04"), b.ChainHead16())) + "&R&8第 &P 页，共 &N 页"
}

// escapeHF doubles the ampersands of literal header/footer text.
func escapeHF(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// docProps sets the document properties.
func (wb *workbook) docProps(title, subject, keywords, description string) error {
	ts := wb.at.UTC().Format("2006-01-02T15:04:05Z")
	return wb.f.SetDocProps(&excelize.DocProperties{Title: title, Subject: subject, Creator: wb.opts.creator(),
		LastModifiedBy: wb.opts.creator(), Keywords: keywords, Description: description, Category: "农村集体经济组织会计报表",
		Created: ts, Modified: ts, Language: "zh-CN"})
}

// write finishes the workbook into w. The first sheet is active by default;
// calling SetActiveSheet here would make excelize read every streamed sheet
// back into memory.
func (wb *workbook) write(w io.Writer) error {
	_, err := wb.f.WriteTo(w)
	return err
}

// quoteSheet quotes a sheet name for a formula or a defined name.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

// sheetName makes a valid, unique Excel sheet name (≤ 31 characters, none of
// []:*?/\) from s.
func sheetName(s string, used map[string]bool) string {
	r := []rune(strings.Map(func(c rune) rune {
		if strings.ContainsRune(`[]:*?/\`, c) {
			return '_'
		}
		return c
	}, strings.TrimSpace(s)))
	if len(r) > 31 {
		r = r[:31]
	}
	name := strings.Trim(string(r), "'")
	if name == "" {
		name = "Sheet"
	}
	base := []rune(name)
	for i := 2; used[strings.ToLower(name)]; i++ {
		suffix := []rune(fmt.Sprintf("~%d", i))
		b := base
		if len(b)+len(suffix) > 31 {
			b = b[:31-len(suffix)]
		}
		name = string(b) + string(suffix)
	}
	used[strings.ToLower(name)] = true
	return name
}

// money returns a cell holding an amount as a number. Excel stores numbers as
// IEEE doubles; every amount below 10^13 yuan with two decimals has at most 15
// significant digits, so the double's shortest decimal text — what excelize
// writes into the file — is exactly the booked amount. That is asserted here.
func money(m ledger.Money, style int) (excelize.Cell, error) {
	text := m.String()
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return excelize.Cell{}, err
	}
	back, err := decimal.NewFromString(strconv.FormatFloat(v, 'f', -1, 64))
	if err != nil || !back.Equal(m.Decimal()) {
		return excelize.Cell{}, fmt.Errorf("金额 %s 无法在 Excel 中精确表示", text)
	}
	return excelize.Cell{StyleID: style, Value: v}, nil
}

// rowWriter appends rows to a StreamWriter and remembers the first error, so
// sheet code reads as a list of rows.
type rowWriter struct {
	sw  *excelize.StreamWriter
	row int
	err error
}

// add writes the next row; values may be excelize.Cell, ledger.Money (needs
// the style in a moneyCell), strings or numbers.
func (rw *rowWriter) add(values []any, opts ...excelize.RowOpts) int {
	rw.row++
	if rw.err != nil {
		return rw.row
	}
	cells := make([]any, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case moneyCell:
			c, err := money(v.m, v.style)
			if err != nil {
				rw.err = err
				return rw.row
			}
			cells[i] = c
		default:
			cells[i] = v
		}
	}
	rw.err = rw.sw.SetRow("A"+strconv.Itoa(rw.row), cells, opts...)
	return rw.row
}

// skip leaves n empty rows.
func (rw *rowWriter) skip(n int) { rw.row += n }

func (rw *rowWriter) merge(fromCol string, toCol string, row int) {
	if rw.err == nil {
		rw.err = rw.sw.MergeCell(fromCol+strconv.Itoa(row), toCol+strconv.Itoa(row))
	}
}

func (rw *rowWriter) flush() error {
	if rw.err != nil {
		return rw.err
	}
	return rw.sw.Flush()
}

type moneyCell struct {
	m     ledger.Money
	style int
}

func cell(v any, style int) excelize.Cell { return excelize.Cell{Value: v, StyleID: style} }

func formula(f string, style int) excelize.Cell { return excelize.Cell{Formula: f, StyleID: style} }

// col returns the column letters of a 1-based index.
func col(i int) string {
	name, err := excelize.ColumnNumberToName(i)
	if err != nil {
		panic(err)
	}
	return name
}

// ref is a cell reference like "G12".
func ref(column string, row int) string { return column + strconv.Itoa(row) }

// sumRange is SUM(G4:G100) for a column over rows [from, to]; an empty range
// sums nothing (=0) so the formula still shows how the total is made.
func sumRange(column string, from, to int) string {
	if to < from {
		return "0"
	}
	return fmt.Sprintf("SUM(%s%d:%s%d)", column, from, column, to)
}

// quarterLabel turns "2026Q3" into "2026年第三季度".
func quarterLabel(q string) string { return ledger.QuarterName(q) }

// quarterSpan is "2026-07-01至2026-09-30".
func quarterSpan(q string) string {
	p, err := ledger.ParseQuarter(q)
	if err != nil {
		return ""
	}
	return p.First().Format("2006-01-02") + "至" + p.Last().Format("2006-01-02")
}

// periodLabel turns a range of months into "2026年7月至2026年12月".
func periodLabel(from, to string) string {
	f := func(p string) string {
		t, err := time.Parse("2006-01", p)
		if err != nil {
			return p
		}
		return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
	}
	if from == to {
		return f(from)
	}
	return f(from) + "至" + f(to)
}

// capitals is ChineseCapitals for an amount known to be in range.
func capitals(m ledger.Money) (string, error) {
	s, err := ChineseCapitals(m.Decimal())
	if err != nil {
		return "", errors.New("大写金额：" + err.Error())
	}
	return s, nil
}
