package reports

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// Notice sets the notice period of a public notice (公示).
type Notice struct {
	From        time.Time // first day the notice is posted
	Days        int       // length of the notice period; 0 means 7
	WorkingDays bool      // count Monday to Friday only (many counties ask for 7 working days)
	Contact     string    // optional: where objections go, e.g. a telephone number
}

// maxNoticeDays bounds a notice period.
const maxNoticeDays = 90

// Period returns the first and last day of the notice period.
func (n Notice) Period() (from, to time.Time, err error) {
	if n.From.IsZero() {
		return time.Time{}, time.Time{}, errors.New("公示表：须给出公示开始日期")
	}
	days := n.Days
	if days == 0 {
		days = 7
	}
	if days < 1 || days > maxNoticeDays {
		return time.Time{}, time.Time{}, fmt.Errorf("公示表：公示期应为 1 到 %d 天", maxNoticeDays)
	}
	from = time.Date(n.From.Year(), n.From.Month(), n.From.Day(), 0, 0, 0, 0, time.UTC)
	if !n.WorkingDays {
		return from, from.AddDate(0, 0, days-1), nil
	}
	for isWeekend(from) {
		from = from.AddDate(0, 0, 1)
	}
	to = from
	for counted := 1; counted < days; {
		to = to.AddDate(0, 0, 1)
		if !isWeekend(to) {
			counted++
		}
	}
	return from, to, nil
}

func isWeekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// NoticeColumns are the columns of a village's public notice, A to L
// (noticeColumns gives any book's).
var NoticeColumns = []string{"序号", "村民小组", "户主姓名", "身份证号", "银行账号", "家庭人口", ColumnRent, ColumnDividend,
	ColumnWage, ColumnOther, "应发合计", "备注"}

func noticeColumns(d RosterData) []string {
	w, c := d.Words(), d.Columns()
	return []string{"序号", w.Group, w.HeadName, "身份证号", "银行账号", w.Members, c[0], c[1], c[2], c[3], "应发合计", "备注"}
}

// NoticeTotalRow is the row of the public notice's 合计.
func NoticeTotalRow(d RosterData) int { return firstDataRow + len(d.Households) }

// WriteNotice writes the public notice (土地租金公示表 and the like) of a run: the same
// amounts as the roster, ID numbers and bank accounts masked, the notice
// period and room for the signatures of the 民主理财小组.
func WriteNotice(w io.Writer, d RosterData, n Notice, opts Options) error {
	if err := d.Check(); err != nil {
		return err
	}
	from, to, err := n.Period()
	if err != nil {
		return err
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	if err := wb.noticeSheet(d, n, from, to); err != nil {
		return err
	}
	title := runTitle(d) + d.PayoutTitle() + "公示表"
	if err := wb.docProps(title, d.PayoutTitle()+"公示表", d.PayoutTitle()+",公示,"+d.Run.Quarter+","+d.Book.Code,
		fmt.Sprintf("账套 %s 分配批次 %d；公示期 %s 至 %s；链头哈希 %s", d.Book.Code, d.Run.ID,
			from.Format("2006-01-02"), to.Format("2006-01-02"), d.Book.ChainHead)); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) noticeSheet(d RosterData, n Notice, from, to time.Time) error {
	sw, err := wb.sheet(sheetSetup{name: SheetNotice, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{6, 9, 10, 20.5, 22, 7.5, 12, 12, 12, 12, 13, 28}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	days := int(to.Sub(from).Hours()/24) + 1
	period := fmt.Sprintf("公示期：%s至%s（共%d天）", chineseDate(from), chineseDate(to), days)
	wb.titleRows(rw, len(NoticeColumns), runTitle(d)+d.PayoutTitle()+"公示表", runSubtitle(d)+"　"+period)
	wb.headerRow(rw, noticeColumns(d))
	w := d.Words()
	for i, h := range d.Households {
		r := rw.row + 1
		rw.add([]any{cell(i+1, st.count), cell(h.Group, st.textCenter), cell(h.HeadName, st.textCenter),
			cell(ledger.MaskIDNumber(h.IDNumber), st.text), cell(ledger.MaskBankAccount(h.BankAccount), st.text), membersCell(d, h, st),
			moneyCell{h.Rent, st.money}, moneyCell{h.Dividend, st.money}, moneyCell{h.Wage, st.money}, moneyCell{h.Other, st.money},
			formula(fmt.Sprintf("SUM(G%d:J%d)", r, r), st.money), cell("", st.text)}, excelize.RowOpts{Height: 20})
	}
	last := rw.row
	words, err := capitals(d.Total)
	if err != nil {
		return err
	}
	sum := func(c string) excelize.Cell { return formula(sumRange(c, firstDataRow, last), st.totalMoney) }
	r := rw.add([]any{cell(fmt.Sprintf("合计（%d %s）", len(d.Households), w.Unit), st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
		cell("", st.totalLabel), cell("", st.totalLabel), countTotal(d, last, st), sum("G"), sum("H"),
		sum("I"), sum("J"), sum("K"), cell("大写："+words, st.totalText)}, excelize.RowOpts{Height: 30})
	rw.merge("A", "E", r)
	objection := "公示期内如对本表有异议，请向" + w.Objection + "反映"
	if n.Contact != "" {
		objection += "（" + n.Contact + "）"
	}
	wb.noteRow(rw, len(NoticeColumns), period+"。"+objection+"；公示期满无异议后，按本表金额发放。"+
		"为保护个人信息，身份证号和银行账号只显示前后各四位。舍入规则："+d.Run.RoundingRule, 60)
	rw.skip(1)
	for _, line := range []string{
		w.Signers + "签字：____________　____________　____________　____________　____________",
		joinNonEmpty("　　", w.Oversight+"：____________", w.Leader+"：____________", "会计（报账员）：____________"),
		fmt.Sprintf("（盖章）　　　　　　　　　　　　　　　　　　　　　　　　　　　　公示日期：%s", chineseDate(from)),
	} {
		r := rw.add([]any{cell(line, st.sign)}, excelize.RowOpts{Height: 32})
		rw.merge("A", col(len(NoticeColumns)), r)
	}
	return rw.flush()
}
