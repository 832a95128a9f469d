package reports

import (
	"io"
	"strconv"

	"coopledger/ledger"
)

// AccountBooksData is one or more account books of one kind to print: 明细账,
// 现金日记账 or 银行存款日记账, one sheet each.
type AccountBooksData struct {
	Book  BookInfo
	Title string // 明细账, 现金日记账, 银行存款日记账
	Books []ledger.AccountBook
}

// BookColumns are the columns of a 明细账 or 日记账 sheet, A to H.
var BookColumns = []string{"日期", "凭证号", "摘要", "户/单位", "借方", "贷方", "借或贷", "余额"}

// WriteAccountBooks writes each account book on its own sheet, month by
// month: 期初余额, the entries (a journal with 本日合计 after each day), then
// 本月合计 and 本年累计. Amounts are the ledger's figures.
func WriteAccountBooks(w io.Writer, d AccountBooksData, opts Options) error {
	if len(d.Books) == 0 {
		return ledger.Errorf(ledger.ECodeInvalid, "%s：没有要打印的科目", d.Title)
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	used := map[string]bool{}
	for _, ab := range d.Books {
		name := ab.Account.Code + " " + ab.Account.Name
		if ab.Household != "" {
			name += " " + ab.Household
		}
		if err := wb.accountBookSheet(d, ab, sheetName(name, used)); err != nil {
			return err
		}
	}
	from, to := d.Books[0].From, d.Books[0].To
	if err := wb.docProps(d.Book.Name+d.Title+"（"+periodLabel(from, to)+"）", d.Title, d.Title+","+d.Book.Code,
		"链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) accountBookSheet(d AccountBooksData, ab ledger.AccountBook, name string) error {
	sw, err := wb.sheet(sheetSetup{name: name, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{11, 9, 34, 12, 14, 14, 6, 15}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	title := d.Title + "　" + ab.Account.Code + " " + ab.Account.Name
	if ab.Household != "" {
		title += "（农户 " + ab.Household + "）"
	}
	wb.titleRows(rw, len(BookColumns), title, bookSubtitle(d.Book, ab.From, ab.To))
	wb.headerRow(rw, BookColumns)
	total := func(date, label string, debit, credit ledger.Money, bal *ledger.Balance) {
		side, amount := cell("", st.totalLabel), any(cell("", st.totalMoney))
		if bal != nil {
			side, amount = cell(bal.Side, st.totalLabel), moneyCell{bal.Amount, st.totalMoney}
		}
		rw.add([]any{cell(date, st.totalLabel), cell("", st.totalLabel), cell(label, st.totalLabel), cell("", st.totalLabel),
			moneyCell{debit, st.totalMoney}, moneyCell{credit, st.totalMoney}, side, amount})
	}
	rw.add([]any{cell(ab.From+"-01", st.textCenter), cell("", st.text), cell("期初余额", st.totalLabel), cell("", st.text),
		cell("", st.money), cell("", st.money), cell(ab.Opening.Side, st.textCenter), moneyCell{ab.Opening.Amount, st.money}})
	for _, m := range ab.Months {
		day := 0
		for i, e := range m.Entries {
			rw.add([]any{cell(e.Date, st.textCenter), cell(e.Number, st.textCenter), cell(e.Summary, st.textWrap),
				cell(joinNonEmpty("/", e.Household, e.Party), st.textCenter), moneyOrEmpty(e.Debit, st.money), moneyOrEmpty(e.Credit, st.money),
				cell(e.Balance.Side, st.textCenter), moneyCell{e.Balance.Amount, st.money}})
			if len(m.Days) > 0 && (i == len(m.Entries)-1 || m.Entries[i+1].Date != e.Date) {
				dd := m.Days[day]
				total(dd.Date, "本日合计", dd.Debit, dd.Credit, &dd.Balance)
				day++
			}
		}
		end := monthEnd(m.Period)
		total(end, "本月合计", m.MonthDebit, m.MonthCredit, &m.Closing)
		total(end, "本年累计", m.YearDebit, m.YearCredit, nil)
	}
	return rw.flush()
}

// monthEnd is the last day of a month "YYYY-MM".
func monthEnd(p string) string {
	y, _ := strconv.Atoi(p[:4])
	mo, _ := strconv.Atoi(p[5:])
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo-1]
	if mo == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return p + "-" + strconv.Itoa(days)
}

// GeneralLedgerData is the 总账 to print.
type GeneralLedgerData struct {
	Book BookInfo
	GL   ledger.GeneralLedger
}

// SheetGeneralLedger is the one sheet of the 总账.
const SheetGeneralLedger = "总账"

// GeneralLedgerColumns are the columns of the 总账, A to F.
var GeneralLedgerColumns = []string{"月份", "摘要", "借方", "贷方", "借或贷", "余额"}

// WriteGeneralLedger writes the 总账: for each first-level account a block
// with 期初余额 and, per month, 本月合计 (with the month-end balance) and
// 本年累计; a page break after each account.
func WriteGeneralLedger(w io.Writer, d GeneralLedgerData, opts Options) error {
	if len(d.GL.Accounts) == 0 {
		return ledger.Errorf(ledger.ECodeInvalid, "总账：期间内没有余额或发生额")
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	sw, err := wb.sheet(sheetSetup{name: SheetGeneralLedger, footer: wb.footer(d.Book), cols: []float64{10, 22, 16, 16, 7, 16}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	var breaks []int
	for _, ab := range d.GL.Accounts {
		wb.titleRows(rw, len(GeneralLedgerColumns), "总账　"+ab.Account.Code+" "+ab.Account.Name, bookSubtitle(d.Book, ab.From, ab.To))
		wb.headerRow(rw, GeneralLedgerColumns)
		rw.add([]any{cell(ab.From, st.textCenter), cell("期初余额", st.totalLabel), cell("", st.money), cell("", st.money),
			cell(ab.Opening.Side, st.textCenter), moneyCell{ab.Opening.Amount, st.money}})
		for _, m := range ab.Months {
			rw.add([]any{cell(m.Period, st.textCenter), cell("本月合计", st.text), moneyCell{m.MonthDebit, st.money},
				moneyCell{m.MonthCredit, st.money}, cell(m.Closing.Side, st.textCenter), moneyCell{m.Closing.Amount, st.money}})
			rw.add([]any{cell(m.Period, st.textCenter), cell("本年累计", st.text), moneyCell{m.YearDebit, st.money},
				moneyCell{m.YearCredit, st.money}, cell("", st.text), cell("", st.money)})
		}
		breaks = append(breaks, rw.row+1)
	}
	if err := rw.flush(); err != nil {
		return err
	}
	if err := wb.docProps(d.Book.Name+"总账（"+periodLabel(d.GL.From, d.GL.To)+"）", "总账", "总账,"+d.Book.Code,
		"链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return writeWithBreaks(wb, w, SheetGeneralLedger, breaks[:len(breaks)-1])
}
