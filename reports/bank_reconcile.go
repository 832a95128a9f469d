package reports

import (
	"context"
	"io"

	"coopledger/ledger"
)

// The 银行存款余额调节表 workbook: one A4 portrait sheet, the book's side
// above the bank's, each unmatched item on its own row, the adjusted
// balances and their difference at the foot.

// SheetBankReconciliation is the sheet's name.
const SheetBankReconciliation = "银行存款余额调节表"

// BankReconciliationData is what the workbook shows.
type BankReconciliationData struct {
	Book BookInfo
	R    ledger.BankReconciliationReport
}

// LoadBankReconciliation builds a bank account's 调节表 at the end of period.
func LoadBankReconciliation(ctx context.Context, s *ledger.Store, a ledger.Actor, book, account, period string) (BankReconciliationData, error) {
	r, err := s.BankReconciliation(ctx, a, book, account, period)
	if err != nil {
		return BankReconciliationData{}, err
	}
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return BankReconciliationData{}, err
	}
	return BankReconciliationData{Book: BookInfoOf(b), R: r}, nil
}

// WriteBankReconciliation writes the 调节表 workbook.
func WriteBankReconciliation(w io.Writer, d BankReconciliationData, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	sw, err := wb.sheet(sheetSetup{name: SheetBankReconciliation, footer: wb.footer(d.Book), cols: []float64{34, 12, 34, 16}})
	if err != nil {
		return err
	}
	st, r := wb.st, d.R
	rw := &rowWriter{sw: sw}
	title := rw.add([]any{cell("银行存款余额调节表", st.title)})
	rw.merge("A", "D", title)
	sub := rw.add([]any{cell("单位："+r.BookName+"　　账户："+r.Account+" "+r.AccountName+"　　"+monthEndLabel(r.Period)+"　　单位：元", st.subtitle)})
	rw.merge("A", "D", sub)
	rw.add([]any{cell("项目", st.header), cell("日期", st.header), cell("摘要 / 凭证 / 流水号", st.header), cell("金额", st.header)})
	total := func(label string, m ledger.Money) {
		rw.add([]any{cell(label, st.totalText), cell("", st.totalLabel), cell("", st.totalLabel), moneyCell{m, st.totalMoney}})
	}
	items := func(label string, list []ledger.BankItem, sum ledger.Money) {
		total(label, sum)
		for _, it := range list {
			ref := it.Voucher
			if ref == "" {
				ref = it.Serial
			}
			rw.add([]any{cell("", st.text), cell(it.Date, st.textCenter), cell(it.Summary+"　"+ref, st.textWrap), moneyCell{it.Amount, st.money}})
		}
	}
	total("企业银行存款日记账余额", r.BookBalance)
	items("加：银行已收、企业未收", r.BankReceivedNotBook, r.TotalBankReceived)
	items("减：银行已付、企业未付", r.BankPaidNotBook, r.TotalBankPaid)
	total("调节后的企业账面余额", r.AdjustedBook)
	total("银行对账单余额", r.BankBalance)
	items("加：企业已收、银行未收", r.BookReceivedNotBank, r.TotalBookReceived)
	items("减：企业已付、银行未付", r.BookPaidNotBank, r.TotalBookPaid)
	total("调节后的银行对账单余额", r.AdjustedBank)
	verdict := "调节后余额相等"
	if !r.Balanced {
		verdict = "调节后余额不等，差额 " + r.Difference.String() + " 元：请核对未达账项或银行流水"
	}
	rw.skip(1)
	v := rw.add([]any{cell(verdict, st.note)})
	rw.merge("A", "D", v)
	rw.skip(1)
	sign := rw.add([]any{cell("会计：　　　　　　　　出纳：　　　　　　　　复核：", st.sign)})
	rw.merge("A", "D", sign)
	if err := rw.flush(); err != nil {
		return err
	}
	if err := wb.docProps(r.BookName+"银行存款余额调节表（"+r.Period+"）", SheetBankReconciliation, "银行对账,"+r.Account, verdict); err != nil {
		return err
	}
	return wb.write(w)
}
