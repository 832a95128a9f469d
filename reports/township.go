package reports

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// VillagePayouts is one book's approved payouts of a quarter, per household.
type VillagePayouts struct {
	Book        BookInfo
	Runs        []int64 // approved runs of the quarter, oldest first
	Households  []RosterHousehold
	Rent        ledger.Money
	Dividend    ledger.Money
	Wage        ledger.Money
	Other       ledger.Money
	Total       ledger.Money
	Paid        ledger.Money
	Outstanding ledger.Money
}

// TownshipData is a township's quarter: one entry per book of the township.
type TownshipData struct {
	TownshipCode string
	TownshipName string
	Quarter      string
	Villages     []VillagePayouts
}

// maxTownshipBooks bounds one township workbook (one sheet per book).
const maxTownshipBooks = 500

// LoadTownship gathers the approved payout runs of a quarter for every book of
// a township the actor can see. Draft runs are left out: township finance
// reviews what was approved and accrued.
func LoadTownship(ctx context.Context, s *ledger.Store, a ledger.Actor, township, quarter string) (TownshipData, error) {
	q, err := ledger.ParseQuarter(quarter)
	if err != nil {
		return TownshipData{}, ledger.FieldError("quarter", "%s", err.Error())
	}
	books, err := s.Books(ctx, a)
	if err != nil {
		return TownshipData{}, err
	}
	d := TownshipData{TownshipCode: township, Quarter: q.String()}
	for _, b := range books {
		if b.Township.Code != township {
			continue
		}
		if len(d.Villages) == maxTownshipBooks {
			return TownshipData{}, ledger.Errorf(ledger.ECodeInvalid, "乡镇 %s 的账套超过 %d 个，请分批导出", township, maxTownshipBooks)
		}
		d.TownshipName = b.Township.Name
		v, err := loadVillage(ctx, s, a, b, q.String())
		if err != nil {
			return TownshipData{}, err
		}
		d.Villages = append(d.Villages, v)
	}
	if len(d.Villages) == 0 {
		return TownshipData{}, ledger.Errorf(ledger.ECodeNotFound, "乡镇 %s 没有可查看的账套", township)
	}
	return d, nil
}

func loadVillage(ctx context.Context, s *ledger.Store, a ledger.Actor, b ledger.Book, quarter string) (VillagePayouts, error) {
	runs, err := s.PayoutRuns(ctx, a, b.Code, quarter)
	if err != nil {
		return VillagePayouts{}, err
	}
	var rosters []RosterData
	var households map[string]ledger.Household
	var titles map[string]string
	for i := len(runs) - 1; i >= 0; i-- { // PayoutRuns lists newest first
		if runs[i].Status != ledger.RunApproved {
			continue
		}
		if households == nil {
			if households, err = loadHouseholds(ctx, s, a, b.Code); err != nil {
				return VillagePayouts{}, err
			}
			titles = map[string]string{}
		}
		run, err := s.PayoutRun(ctx, a, b.Code, runs[i].ID)
		if err != nil {
			return VillagePayouts{}, err
		}
		r, err := RosterFromRun(BookInfoOf(b), run, households, titles)
		if err != nil {
			return VillagePayouts{}, err
		}
		rosters = append(rosters, r)
	}
	return VillageFromRosters(BookInfoOf(b), rosters), nil
}

// VillageFromRosters adds up the rosters of a book's runs per household.
func VillageFromRosters(b BookInfo, rosters []RosterData) VillagePayouts {
	v := VillagePayouts{Book: b}
	rows := map[string]*RosterHousehold{}
	for _, r := range rosters {
		v.Runs = append(v.Runs, r.Run.ID)
		for _, h := range r.Households {
			row := rows[h.Code]
			if row == nil {
				c := h
				c.Rent, c.Dividend, c.Wage, c.Other, c.Total, c.Paid, c.Outstanding = ledger.Money{}, ledger.Money{},
					ledger.Money{}, ledger.Money{}, ledger.Money{}, ledger.Money{}, ledger.Money{}
				row = &c
				rows[h.Code] = row
			}
			row.Rent, row.Dividend, row.Wage, row.Other = row.Rent.Add(h.Rent), row.Dividend.Add(h.Dividend), row.Wage.Add(h.Wage), row.Other.Add(h.Other)
			row.Total, row.Paid, row.Outstanding = row.Total.Add(h.Total), row.Paid.Add(h.Paid), row.Outstanding.Add(h.Outstanding)
		}
	}
	for _, h := range rows {
		v.Households = append(v.Households, *h)
		v.Rent, v.Dividend, v.Wage, v.Other = v.Rent.Add(h.Rent), v.Dividend.Add(h.Dividend), v.Wage.Add(h.Wage), v.Other.Add(h.Other)
		v.Total, v.Paid, v.Outstanding = v.Total.Add(h.Total), v.Paid.Add(h.Paid), v.Outstanding.Add(h.Outstanding)
	}
	SortHouseholds(v.Households)
	return v
}

// VillageColumns are the columns of a village sheet, A to L.
var VillageColumns = []string{"序号", "户编号", "村民小组", "户主姓名", "家庭人口", ColumnRent, ColumnDividend, ColumnWage,
	ColumnOther, "应发合计", "已发金额", "未发金额"}

// SummaryColumns are the columns of the township summary sheet, A to O.
var SummaryColumns = []string{"序号", "账套代码", "村（合作社）", "分配批次", "户数", "租金", "股金", "薪金", "包干/其他",
	"应发合计", "已发金额", "未发金额", "账面应发（系统数）", "核对（应为0）", "链头哈希（前16位）"}

// SheetSummary is the township workbook's first sheet.
const SheetSummary = "汇总"

// TownshipLayout says where the township workbook puts things.
type TownshipLayout struct {
	SummaryTotalRow int
	VillageSheets   []string // sheet name per village, in order
	VillageTotalRow []int    // total row per village sheet
}

// TownshipLayoutOf returns where WriteTownship puts the rows of d.
func TownshipLayoutOf(d TownshipData) TownshipLayout {
	lay := TownshipLayout{SummaryTotalRow: firstDataRow + len(d.Villages)}
	used := map[string]bool{SheetSummary: true}
	for _, v := range d.Villages {
		lay.VillageSheets = append(lay.VillageSheets, sheetName(v.Book.Code+" "+v.Book.Name, used))
		lay.VillageTotalRow = append(lay.VillageTotalRow, firstDataRow+len(v.Households))
	}
	return lay
}

// Check asserts each village adds up before anything is written.
func (d TownshipData) Check() error {
	for _, v := range d.Villages {
		var t RosterHousehold
		for _, h := range v.Households {
			if h.Rent.Add(h.Dividend).Add(h.Wage).Add(h.Other) != h.Total || h.Total.Sub(h.Paid) != h.Outstanding {
				return fmt.Errorf("账套 %s 农户 %s 的金额不平", v.Book.Code, h.Code)
			}
			t.Total, t.Paid = t.Total.Add(h.Total), t.Paid.Add(h.Paid)
		}
		if t.Total != v.Total || t.Paid != v.Paid || v.Total.Sub(v.Paid) != v.Outstanding ||
			v.Rent.Add(v.Dividend).Add(v.Wage).Add(v.Other) != v.Total {
			return fmt.Errorf("账套 %s 的合计与各户之和不符", v.Book.Code)
		}
	}
	return nil
}

// WriteTownship writes a township's quarterly payout workbook: a summary with
// one row per book whose cells are formulas on each book's own sheet, a
// check column that shows 0 when the sheet agrees with the ledger, and one
// sheet per book.
func WriteTownship(w io.Writer, d TownshipData, opts Options) error {
	if err := d.Check(); err != nil {
		return err
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	lay := TownshipLayoutOf(d)
	if err := wb.summarySheet(d, lay); err != nil {
		return err
	}
	for i, v := range d.Villages {
		if err := wb.villageSheet(d, v, lay.VillageSheets[i]); err != nil {
			return err
		}
	}
	title := d.TownshipName + quarterLabel(d.Quarter) + "各村收益分配汇总表"
	if err := wb.docProps(title, "乡镇收益分配汇总", "收益分配,乡镇汇总,"+d.Quarter+","+d.TownshipCode,
		fmt.Sprintf("乡镇 %s，%d 个账套，仅含已审批的分配批次", d.TownshipCode, len(d.Villages))); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) townshipSubtitle(d TownshipData) string {
	return fmt.Sprintf("单位：%s（乡镇代码 %s）　期间：%s（%s）　范围：已审批的分配批次　金额单位：元",
		d.TownshipName, d.TownshipCode, quarterLabel(d.Quarter), quarterSpan(d.Quarter))
}

func (wb *workbook) summarySheet(d TownshipData, lay TownshipLayout) error {
	footer := "&L&8" + escapeHF(fmt.Sprintf("乡镇：%s %s　导出时间：%s　各账套链头哈希见 O 列", d.TownshipCode, d.TownshipName,
		wb.at.Format("2006-01-02 15:04"))) + "&R&8第 &P 页，共 &N 页"
	sw, err := wb.sheet(sheetSetup{name: SheetSummary, landscape: true, headerRow: headerRow, footer: footer,
		cols: []float64{6, 10, 22, 10, 7, 12, 12, 12, 12, 13, 13, 13, 14, 10, 19}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(SummaryColumns), d.TownshipName+quarterLabel(d.Quarter)+"各村收益分配汇总表", wb.townshipSubtitle(d))
	wb.headerRow(rw, SummaryColumns)
	for i, v := range d.Villages {
		r := rw.row + 1
		s, t := quoteSheet(lay.VillageSheets[i]), lay.VillageTotalRow[i]
		on := func(c string) excelize.Cell { return formula(fmt.Sprintf("%s!%s%d", s, c, t), st.money) }
		runs := "无"
		if len(v.Runs) > 0 {
			runs = ""
			for j, id := range v.Runs {
				if j > 0 {
					runs += "、"
				}
				runs += fmt.Sprintf("第%d号", id)
			}
		}
		rw.add([]any{cell(i+1, st.count), cell(v.Book.Code, st.textCenter), cell(v.Book.Name, st.text), cell(runs, st.textCenter),
			formula(fmt.Sprintf("%s!B%d", s, t), st.count), on("F"), on("G"), on("H"), on("I"), on("J"), on("K"), on("L"),
			moneyCell{v.Total, st.money},
			formula(fmt.Sprintf("ROUND(ABS(J%d-M%d)+ABS(F%d+G%d+H%d+I%d-J%d)+ABS(J%d-K%d-L%d),2)", r, r, r, r, r, r, r, r, r, r), st.money),
			cell(v.Book.ChainHead16(), st.text)})
	}
	last := rw.row
	sum := func(c string) excelize.Cell { return formula(sumRange(c, firstDataRow, last), st.totalMoney) }
	r := rw.add([]any{cell(fmt.Sprintf("合计（%d 个账套）", len(d.Villages)), st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
		cell("", st.totalLabel), formula(sumRange("E", firstDataRow, last), st.totalCt), sum("F"), sum("G"), sum("H"), sum("I"), sum("J"),
		sum("K"), sum("L"), sum("M"), sum("N"), cell("", st.totalLabel)}, excelize.RowOpts{Height: 24})
	rw.merge("A", "D", r)
	wb.noteRow(rw, len(SummaryColumns), "说明：E 至 L 列是引用各村工作表合计行的公式；M 列是系统账面的应发合计；"+
		"N 列核对各村工作表合计与账面数、各列之和与应发合计、应发与已发未发之和，三者一致时为 0。"+
		"只汇总已审批的分配批次；草稿不在其中。", 40)
	return rw.flush()
}

func (wb *workbook) villageSheet(d TownshipData, v VillagePayouts, name string) error {
	sw, err := wb.sheet(sheetSetup{name: name, landscape: true, headerRow: headerRow, footer: wb.footer(v.Book),
		cols: []float64{6, 10, 9, 10, 6, 12, 12, 12, 12, 13, 12, 12}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	sub := fmt.Sprintf("单位：%s（账套 %s，%s）　期间：%s（%s）　已审批分配批次：%d 个　金额单位：元", v.Book.Name, v.Book.Code,
		d.TownshipName, quarterLabel(d.Quarter), quarterSpan(d.Quarter), len(v.Runs))
	wb.titleRows(rw, len(VillageColumns), v.Book.Name+quarterLabel(d.Quarter)+"收益分配明细", sub)
	wb.headerRow(rw, VillageColumns)
	for i, h := range v.Households {
		r := rw.row + 1
		rw.add([]any{cell(i+1, st.count), cell(h.Code, st.textCenter), cell(h.Group, st.textCenter), cell(h.HeadName, st.textCenter),
			cell(h.Members, st.count), moneyCell{h.Rent, st.money}, moneyCell{h.Dividend, st.money}, moneyCell{h.Wage, st.money},
			moneyCell{h.Other, st.money}, formula(fmt.Sprintf("SUM(F%d:I%d)", r, r), st.money), moneyCell{h.Paid, st.money},
			formula(fmt.Sprintf("J%d-K%d", r, r), st.money)})
	}
	last := rw.row
	sum := func(c string) excelize.Cell { return formula(sumRange(c, firstDataRow, last), st.totalMoney) }
	count := formula("0", st.totalCt)
	if last >= firstDataRow {
		count = formula(fmt.Sprintf("COUNTA(B%d:B%d)", firstDataRow, last), st.totalCt)
	}
	rw.add([]any{cell("合计", st.totalLabel), count, cell("户", st.totalLabel), cell("", st.totalLabel),
		formula(sumRange("E", firstDataRow, last), st.totalCt), sum("F"), sum("G"), sum("H"), sum("I"), sum("J"), sum("K"), sum("L")},
		excelize.RowOpts{Height: 24})
	if len(v.Households) == 0 {
		wb.noteRow(rw, len(VillageColumns), "本季度没有已审批的收益分配批次。", 20)
	}
	return rw.flush()
}
