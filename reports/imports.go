package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// Imports read the workbooks village accountants keep: households, land
// parcels, share registers, work records and a bank's payment results. Each
// has a template; every row is checked and every problem reported with its
// cell, and a file is applied whole or not at all (the ledger records its
// SHA-256, so uploading it again applies nothing).

// MaxImportBytes is the largest file accepted; rosters of a whole village
// are far below it.
const MaxImportBytes = 10 << 20

// maxImportRows bounds the rows read from one file.
const maxImportRows = 200_000

// maxRowErrors bounds the problems listed for one file.
const maxRowErrors = 500

// cellKind says how a column's cells are read.
type cellKind int

const (
	cellText    cellKind = iota // any text
	cellDigits                  // ID or bank numbers: must be stored as text, or Excel loses digits
	cellInteger                 // whole numbers
	cellMoney                   // amounts, at most two decimals
	cellDecimal                 // areas, shares, quantities, rates: at most four decimals
	cellDate                    // a date cell or YYYY-MM-DD text
)

// importColumn is one column of an import template.
type importColumn struct {
	header   string
	kind     cellKind
	required bool
	width    float64
	help     string
}

// importColumns lists each kind's columns in template order.
var importColumns = map[ledger.ImportKind][]importColumn{
	ledger.ImportHouseholds: {
		{"户编号", cellText, true, 10, "本村唯一，字母数字，如 H001"},
		{"户主姓名", cellText, true, 12, ""},
		{"身份证号", cellDigits, true, 22, "18 位，单元格设为文本格式"},
		{"银行账号", cellDigits, false, 24, "一卡通账号，文本格式"},
		{"家庭人口", cellInteger, true, 10, "整数"},
		{"村民小组", cellText, false, 14, "如 第三村民小组"},
		{"户类型", cellText, true, 10, "脱贫户、监测户 或 一般户"},
	},
	ledger.ImportParcels: {
		{"户编号", cellText, true, 10, "须已在农户花名册中"},
		{"地块名称", cellText, false, 16, "如 东坡"},
		{"面积（亩）", cellDecimal, true, 12, "最多 4 位小数"},
		{"租金单价（元/亩/年）", cellDecimal, true, 18, "最多 4 位小数"},
	},
	ledger.ImportShares: {
		{"户编号", cellText, true, 10, "须已在农户花名册中"},
		{"股数", cellDecimal, true, 12, "最多 4 位小数"},
	},
	ledger.ImportWorkRecords: {
		{"户编号", cellText, true, 10, "须已在农户花名册中"},
		{"日期", cellDate, true, 12, "如 2026-07-10"},
		{"数量", cellDecimal, true, 10, "天数或件数，最多 4 位小数"},
		{"单位", cellText, true, 8, "天、件、斤 …"},
		{"单价（元）", cellDecimal, true, 12, "最多 4 位小数"},
		{"备注", cellText, false, 24, ""},
	},
	ledger.ImportPayments: {
		{"户编号", cellText, true, 10, "须在本次收益分配名单中"},
		{"金额", cellMoney, true, 14, "最多 2 位小数"},
		{"日期", cellDate, true, 12, "银行入账日期"},
		{"银行流水号", cellText, true, 24, "每笔唯一"},
		{"结果", cellText, false, 8, "成功 或 失败；空白视为成功，失败的行不入账"},
	},
	ledger.ImportVoucherSheet: voucherColumns,
	ledger.ImportBankStatement: {
		{"日期", cellDate, true, 12, "交易日期，如 2026-03-05；按时间先后排列"},
		{"摘要", cellText, false, 24, ""},
		{"收入", cellMoney, false, 14, "存入金额；与支出只填一项"},
		{"支出", cellMoney, false, 14, "支取金额；与收入只填一项"},
		{"余额", cellMoney, true, 16, "本笔后的账户余额"},
		{"对方户名", cellText, false, 24, ""},
		{"流水号", cellText, true, 24, "银行交易流水号，每笔唯一"},
	},
}

// RowError is one problem in an uploaded file.
type RowError struct {
	Row     int    `json:"row"`    // the sheet's row number, as Excel shows it
	Column  string `json:"column"` // the column's header; "" for the whole row or file
	Cell    string `json:"cell"`   // e.g. "C12"; "" when there is no single cell
	Message string `json:"message"`
}

// ImportError lists every problem of a refused file.
type ImportError struct{ Problems []RowError }

func (e *ImportError) Error() string { return e.LedgerError().Message }

// LedgerError renders the problems as the ledger's error: code invalid,
// one detail per problem whose field is the cell.
func (e *ImportError) LedgerError() *ledger.Error {
	out := &ledger.Error{Code: ledger.ECodeInvalid}
	for _, p := range e.Problems {
		field := p.Cell
		if field == "" {
			field = "file"
			if p.Row > 0 {
				field = fmt.Sprintf("row %d", p.Row)
			}
		}
		out.Details = append(out.Details, ledger.Detail{Field: field, Message: p.describe()})
	}
	if len(e.Problems) == 1 {
		out.Message = "文件未导入：" + e.Problems[0].describe()
	} else {
		out.Message = fmt.Sprintf("文件有 %d 处错误，未导入任何数据；第一处：%s", len(e.Problems), e.Problems[0].describe())
	}
	return out
}

func (p RowError) describe() string {
	switch {
	case p.Row > 0 && p.Column != "":
		return fmt.Sprintf("第 %d 行「%s」：%s", p.Row, p.Column, p.Message)
	case p.Row > 0:
		return fmt.Sprintf("第 %d 行：%s", p.Row, p.Message)
	}
	return p.Message
}

// ParsedImport is an uploaded file read into the ledger's terms.
type ParsedImport struct {
	Kind        ledger.ImportKind
	SHA256      string
	Households  []ledger.Household
	Register    []ledger.RegisterRow
	WorkRecords []ledger.WorkRecord
	Payments    []ledger.PaymentInput
	Vouchers    []ledger.ImportVoucher // historical vouchers, by month and number
	BankLines   []ledger.BankLine      // a bank statement, in the bank's order
	Skipped     int                    // payment rows the bank reported as failed
	rows        []int                  // sheet row of each item above (a voucher's first line)
	lineRows    [][]int                // vouchers: the sheet row of each line
	voucherRows rowBlocks              // vouchers: the rows read, before grouping
	dropped     map[string]bool        // vouchers: months with a voucher left out for its problems ("" unknown)
	columns     []importColumn
	at          []int // template column → sheet column index
}

// Len is the number of items read.
func (p ParsedImport) Len() int { return len(p.rows) }

// ReadImport reads an uploaded workbook of kind: the first sheet, a header
// row naming the template's columns (in any order), then one row per item.
func ReadImport(kind ledger.ImportKind, r io.Reader) (ParsedImport, error) {
	return readImport(kind, r, maxImportRows)
}

// readImport reads at most maxRows data rows; a file with more is refused
// as soon as the row past the cap is read.
func readImport(kind ledger.ImportKind, r io.Reader, maxRows int) (ParsedImport, error) {
	cols, ok := importColumns[kind]
	if !ok {
		return ParsedImport{}, ledger.FieldError("kind", "导入类型应为 %s", ledger.ImportKindNames())
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return ParsedImport{}, err
	}
	if len(data) > MaxImportBytes {
		return ParsedImport{}, fileProblem("文件超过 %d MB，请拆分后分批导入", MaxImportBytes>>20)
	}
	sum := sha256.Sum256(data)
	p := ParsedImport{Kind: kind, SHA256: hex.EncodeToString(sum[:]), columns: cols}
	rd := &sheetReader{}
	var book *xlsxBook
	if !isCSV(kind, data) {
		if book, err = openXLSX(data); err != nil {
			return p, workbookProblem(err)
		}
		rd.date1904 = book.date1904
	}
	headed, dataRows := false, 0
	visit := func(n int, cells []xcell) error {
		if !headed {
			headed = true
			if n != 1 { // row 1 is empty: no header
				return rd.header(nil, cols)
			}
			return rd.header(cells, cols)
		}
		if blank(cells) {
			return nil
		}
		if dataRows++; n > maxImportRows+1 || dataRows > maxRows {
			return rowCap(kind, maxRows)
		}
		if len(rd.problems) < maxRowErrors {
			rd.row(&p, n, cells)
		}
		return nil
	}
	if book != nil {
		err = book.rows(len(cols)+extraColumns, visit)
	} else {
		err = csvRows(data, len(cols)+extraColumns, visit)
	}
	if err == nil && !headed {
		err = rd.header(nil, cols)
	}
	p.at = rd.at
	if err != nil {
		return p, workbookProblem(err)
	}
	if kind == ledger.ImportVoucherSheet {
		p.groupVouchers(rd)
	}
	if len(rd.problems) > 0 {
		return p, &ImportError{Problems: rd.problems}
	}
	if p.Len() == 0 {
		return p, fileProblem("文件中没有数据行（第 1 行为表头，从第 2 行起每行一条）")
	}
	return p, nil
}

// rowCap refuses a file with more data rows than maxRows.
func rowCap(kind ledger.ImportKind, maxRows int) error {
	if kind == ledger.ImportVoucherSheet {
		return fileProblem("文件超过 %d 行分录，一次最多导入 %d 行：请按年度拆分为几个文件，或用命令行 coopledger import vouchers 导入", maxRows, maxRows)
	}
	return fileProblem("文件超过 %d 行，请拆分后分批导入", maxRows)
}

// workbookProblem renders the reader's refusals as the file's problem.
func workbookProblem(err error) error {
	var le *limitError
	switch {
	case errors.As(err, &le):
		return fileProblem("%s", le.msg)
	case err == errNotWorkbook:
		return fileProblem("文件不是有效的 xlsx 工作簿（请用 Excel 或 WPS 另存为 .xlsx 后再上传）")
	}
	return err
}

func fileProblem(format string, args ...any) error {
	return &ImportError{Problems: []RowError{{Message: fmt.Sprintf(format, args...)}}}
}

func blank(row []xcell) bool {
	for _, c := range row {
		if strings.TrimSpace(c.v) != "" || c.formula {
			return false
		}
	}
	return true
}

// sheetReader reads cells of one sheet and collects problems.
type sheetReader struct {
	date1904 bool
	at       []int // template column → sheet column index
	problems []RowError
}

// header maps the template's columns to the sheet's by header text.
func (rd *sheetReader) header(row []xcell, cols []importColumn) error {
	if len(row) == 0 {
		return fileProblem("文件是空的：第 1 行应为表头（%s）", headerList(cols))
	}
	found := map[string]int{}
	for j, h := range row {
		found[normalizeHeader(h.v)] = j
	}
	rd.at = make([]int, len(cols))
	var missing []string
	for i, c := range cols {
		j, ok := found[normalizeHeader(c.header)]
		if !ok {
			j = -1
			if c.required {
				missing = append(missing, c.header)
			}
		}
		rd.at[i] = j
	}
	if len(missing) > 0 {
		return &ImportError{Problems: []RowError{{Row: 1, Message: fmt.Sprintf("表头缺少列：%s（请使用下载的模板）", strings.Join(missing, "、"))}}}
	}
	return nil
}

func headerList(cols []importColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.header
	}
	return strings.Join(names, "、")
}

// normalizeHeader ignores the required marker, spaces and bracket widths.
func normalizeHeader(h string) string {
	h = strings.NewReplacer("*", "", "＊", "", " ", "", "\u3000", "", "(", "（", ")", "）").Replace(h)
	return strings.TrimSpace(h)
}

// importCell is one value of a row, checked against its column.
type importCell struct {
	rd      *sheetReader
	row     int
	col     importColumn
	ref     string
	raw     string
	stored  bool // stored as text
	present bool
}

func (rd *sheetReader) cell(values []xcell, row int, cols []importColumn, i int) importCell {
	c := importCell{rd: rd, row: row, col: cols[i]}
	j := rd.at[i]
	if j < 0 {
		return c
	}
	c.ref, _ = excelize.CoordinatesToCellName(j+1, row)
	var x xcell
	if j < len(values) {
		x = values[j]
	}
	c.raw, c.stored = strings.TrimSpace(x.v), x.text
	c.present = c.raw != ""
	if x.formula {
		c.fail("此处应填写数值，不能是公式（请复制后“选择性粘贴 → 数值”）")
		c.present = false
		return c
	}
	if !c.present && c.col.required {
		c.fail("必填，不能为空")
	}
	return c
}

func (c *importCell) fail(format string, args ...any) {
	c.rd.problems = append(c.rd.problems, RowError{Row: c.row, Column: c.col.header, Cell: c.ref, Message: fmt.Sprintf(format, args...)})
	c.present = false
}

func (c *importCell) isText() bool { return c.stored }

func (c *importCell) text(maxRunes int) string {
	if !c.present {
		return ""
	}
	if len([]rune(c.raw)) > maxRunes {
		c.fail("不超过 %d 个字", maxRunes)
		return ""
	}
	return c.raw
}

// digits reads an ID or bank number, which must be stored as text: a number
// cell has already lost the last digits of an 18-digit ID.
func (c *importCell) digits() string {
	if !c.present {
		return ""
	}
	if !c.isText() {
		c.fail("应以文本格式填写（设为数字格式的长号码会丢失末几位），请将单元格设为文本后重新输入")
		return ""
	}
	return c.raw
}

func (c *importCell) integer(max int) int {
	if !c.present {
		return 0
	}
	d, ok := c.number(0)
	if !ok || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(int64(max))) {
		c.fail("应为 0 到 %d 之间的整数（%s）", max, clip(c.raw))
		return 0
	}
	return int(d.IntPart())
}

func (c *importCell) decimal(places int32) decimal.Decimal {
	if !c.present {
		return decimal.Zero
	}
	d, ok := c.number(places)
	if !ok {
		c.fail("应为最多 %d 位小数的数字（%s）", places, clip(c.raw))
	}
	return d
}

func (c *importCell) money() ledger.Money {
	if !c.present {
		return ledger.Money{}
	}
	d, ok := c.number(2)
	if !ok {
		c.fail("金额应为最多两位小数的数字，如 1234.50（%s）", clip(c.raw))
		return ledger.Money{}
	}
	m, err := ledger.ParseMoney(d.StringFixed(2))
	if err != nil {
		c.fail("%s", err.Error())
	}
	return m
}

var numberText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// number reads a numeric cell (or numeric text) with at most places
// decimals. Excel keeps numbers as binary doubles, so 0.1 typed in a cell may
// be saved as 0.10000000000000001: a number cell is taken as the decimal with
// the allowed places whose nearest double is exactly the saved one, and
// refused when there is none (1.00001 is not an area of four decimals).
func (c *importCell) number(places int32) (decimal.Decimal, bool) {
	text := c.isText()
	s := c.raw
	if text {
		s = strings.ReplaceAll(s, ",", "")
		if !numberText.MatchString(s) {
			return decimal.Zero, false
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, false
	}
	r := d.Round(places)
	if d.Equal(r) {
		return r, true
	}
	if text {
		return decimal.Zero, false
	}
	saved, err1 := strconv.ParseFloat(s, 64)
	nearest, err2 := strconv.ParseFloat(r.String(), 64)
	return r, err1 == nil && err2 == nil && saved == nearest
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// date reads a date cell (a serial number) or YYYY-MM-DD text.
func (c *importCell) date() string {
	if !c.present {
		return ""
	}
	if isoDate.MatchString(c.raw) {
		if _, err := ledger.ParseDate(c.raw); err != nil {
			c.fail("%s", err.Error())
			return ""
		}
		return c.raw
	}
	serial, err := strconv.ParseFloat(c.raw, 64)
	if err != nil || c.isText() || serial < 1 || serial > 2958465 || serial != math.Trunc(serial) {
		c.fail("日期应为日期格式或 YYYY-MM-DD，如 2026-07-10（%s）", clip(c.raw))
		return ""
	}
	t, err := excelize.ExcelDateToTime(serial, c.rd.date1904)
	if err != nil {
		c.fail("日期无法识别（%s）", clip(c.raw))
		return ""
	}
	return t.Format(time.DateOnly)
}

func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// row reads one data row into p.
func (rd *sheetReader) row(p *ParsedImport, n int, values []xcell) {
	cols := p.columns
	at := func(i int) importCell { return rd.cell(values, n, cols, i) }
	before := len(rd.problems)
	switch p.Kind {
	case ledger.ImportHouseholds:
		code, name, id, bank, members, group, status := at(0), at(1), at(2), at(3), at(4), at(5), at(6)
		h := ledger.Household{Code: code.text(32), HeadName: name.text(32), IDNumber: strings.ToUpper(id.digits()),
			BankAccount: bank.digits(), Members: members.integer(99), Group: group.text(32), Status: ledger.HouseholdStatus(status.text(8))}
		if len(rd.problems) == before {
			p.Households = append(p.Households, h)
			p.rows = append(p.rows, n)
		}
	case ledger.ImportParcels:
		code, name, area, rate := at(0), at(1), at(2), at(3)
		parcel := ledger.Parcel{Name: name.text(32), AreaMu: area.decimal(4), Rate: rate.decimal(4)}
		if h := code.text(32); len(rd.problems) == before {
			p.Register = append(p.Register, ledger.RegisterRow{Household: h, Parcel: &parcel})
			p.rows = append(p.rows, n)
		}
	case ledger.ImportShares:
		code, shares := at(0), at(1)
		d := shares.decimal(4)
		if h := code.text(32); len(rd.problems) == before {
			p.Register = append(p.Register, ledger.RegisterRow{Household: h, Shares: &d})
			p.rows = append(p.rows, n)
		}
	case ledger.ImportWorkRecords:
		code, date, qty, unit, rate, note := at(0), at(1), at(2), at(3), at(4), at(5)
		w := ledger.WorkRecord{Household: code.text(32), Date: date.date(), Quantity: qty.decimal(4), Unit: unit.text(8),
			UnitRate: rate.decimal(4), Note: note.text(200)}
		if len(rd.problems) == before {
			p.WorkRecords = append(p.WorkRecords, w)
			p.rows = append(p.rows, n)
		}
	case ledger.ImportPayments:
		code, amount, date, ref, result := at(0), at(1), at(2), at(3), at(4)
		pay := ledger.PaymentInput{Household: code.text(32), Amount: amount.money(), Date: date.date(), Method: ledger.MethodBank, Reference: ref.text(64)}
		ok := true
		switch r := result.text(8); r {
		case "", "成功":
		case "失败":
			ok = false
		default:
			result.fail("结果应为 成功 或 失败（%s）", clip(r))
		}
		if len(rd.problems) == before {
			if !ok {
				p.Skipped++
				return
			}
			p.Payments = append(p.Payments, pay)
			p.rows = append(p.rows, n)
		}
	case ledger.ImportVoucherSheet:
		rd.voucherRow(p, n, at)
	case ledger.ImportBankStatement:
		date, summary, income, expense, balance, party, serial := at(0), at(1), at(2), at(3), at(4), at(5), at(6)
		l := ledger.BankLine{Date: date.date(), Summary: summary.text(200), Income: income.money(), Expense: expense.money(),
			Balance: balance.money(), Counterparty: party.text(200), Serial: serial.text(64)}
		if len(rd.problems) == before {
			p.BankLines = append(p.BankLines, l)
			p.rows = append(p.rows, n)
		}
	}
}

// indexedField matches the ledger's field paths for batch items:
// households[3].id_number, rows[0].area_mu, records[2].date, payments[1].amount.
var indexedField = regexp.MustCompile(`^(?:households|rows|records|payments)\[(\d+)\](?:\.([a-z_]+))?`)

// fieldColumns names the template column of each ledger field.
var fieldColumns = map[string]string{
	"code": "户编号", "head_name": "户主姓名", "id_number": "身份证号", "bank_account": "银行账号", "members": "家庭人口",
	"group": "村民小组", "status": "户类型", "household": "户编号", "name": "地块名称", "area_mu": "面积（亩）",
	"rate": "租金单价（元/亩/年）", "shares": "股数", "date": "日期", "quantity": "数量", "unit": "单位",
	"unit_rate": "单价（元）", "note": "备注", "amount": "金额", "reference": "银行流水号",
	"income": "收入", "balance": "余额", "serial": "流水号", "summary": "摘要", "counterparty": "对方户名",
}

// RowErrors renames the ledger's indexed fields in err to the file's rows
// and columns; other errors pass through unchanged.
func (p ParsedImport) RowErrors(err error) error {
	problems := p.rowProblems(err)
	if problems == nil {
		return err
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Row < problems[j].Row })
	out := (&ImportError{Problems: problems}).LedgerError()
	out.Code = ledger.ErrorCode(err)
	return out
}

// merge adds problems found later and orders them by row.
func (e *ImportError) merge(more []RowError) {
	e.Problems = append(e.Problems, more...)
	sort.SliceStable(e.Problems, func(i, j int) bool { return e.Problems[i].Row < e.Problems[j].Row })
	if len(e.Problems) > maxRowErrors {
		e.Problems = e.Problems[:maxRowErrors]
	}
}

// rowProblems returns the problems of a ledger error whose every detail
// names an item of p, or nil.
func (p ParsedImport) rowProblems(err error) []RowError {
	e, ok := ledger.AsError(err)
	if !ok || len(e.Details) == 0 {
		return nil
	}
	if p.Kind == ledger.ImportVoucherSheet {
		return p.voucherProblems(e)
	}
	var problems []RowError
	for _, d := range e.Details {
		m := indexedField.FindStringSubmatch(d.Field)
		if m == nil {
			return nil
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(p.rows) {
			return nil
		}
		pr := RowError{Row: p.rows[i], Message: d.Message}
		if col, ok := fieldColumns[m[2]]; ok {
			pr.Column = col
			pr.Cell = p.cellOf(col, pr.Row)
		}
		problems = append(problems, pr)
	}
	return problems
}

// cellOf names the sheet cell of column col in row.
func (p ParsedImport) cellOf(col string, row int) string {
	for i, c := range p.columns {
		if c.header == col && p.at[i] >= 0 {
			ref, _ := excelize.CoordinatesToCellName(p.at[i]+1, row)
			return ref
		}
	}
	return ""
}
