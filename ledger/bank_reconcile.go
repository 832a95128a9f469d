package ledger

import (
	"context"
)

// BankItem is one unmatched item of a 银行存款余额调节表: a statement row or
// a voucher line, with its amount (positive).
type BankItem struct {
	Date      string `json:"date"`
	Summary   string `json:"summary"`
	Amount    Money  `json:"amount"`
	Serial    string `json:"serial,omitempty"`     // statement rows
	BankLine  int64  `json:"bank_line,omitempty"`  // statement rows
	VoucherID int64  `json:"voucher_id,omitempty"` // voucher lines
	LineNo    int    `json:"line_no,omitempty"`
	Voucher   string `json:"voucher,omitempty"` // "2026-03 记-0004"
}

// BankReconciliationReport is the 银行存款余额调节表 of one bank account at
// the end of a month.
type BankReconciliationReport struct {
	Book        string `json:"book"`
	BookName    string `json:"book_name"`
	Account     string `json:"account"`
	AccountName string `json:"account_name"`
	Period      string `json:"period"`
	Date        string `json:"date"` // the month's last day
	// StatementFrom is the first day of the stored statement: voucher lines
	// before it are taken as agreed with the bank's opening balance.
	StatementFrom string `json:"statement_from"`

	BookBalance         Money      `json:"book_balance"`           // 企业账面余额
	BankReceivedNotBook []BankItem `json:"bank_received_not_book"` // 加：银行已收企业未收
	BankPaidNotBook     []BankItem `json:"bank_paid_not_book"`     // 减：银行已付企业未付
	AdjustedBook        Money      `json:"adjusted_book"`          // 调节后的企业账面余额
	BankBalance         Money      `json:"bank_balance"`           // 银行对账单余额
	BookReceivedNotBank []BankItem `json:"book_received_not_bank"` // 加：企业已收银行未收
	BookPaidNotBank     []BankItem `json:"book_paid_not_bank"`     // 减：企业已付银行未付
	AdjustedBank        Money      `json:"adjusted_bank"`          // 调节后的银行对账单余额
	Difference          Money      `json:"difference"`             // AdjustedBook − AdjustedBank
	Balanced            bool       `json:"balanced"`               // the adjusted balances are equal
	TotalBankReceived   Money      `json:"total_bank_received_not_book"`
	TotalBankPaid       Money      `json:"total_bank_paid_not_book"`
	TotalBookReceived   Money      `json:"total_book_received_not_bank"`
	TotalBookPaid       Money      `json:"total_book_paid_not_bank"`
}

// BankReconciliation builds the 银行存款余额调节表 of account at the end of
// period. An item is unmatched at the month's end when it is dated on or
// before that day and is not matched, or matched to an item of the other side
// dated after it. Voucher lines count from the statement's first day (and
// the few days before it that automatic matching reaches, when matched).
func (s *Store) BankReconciliation(ctx context.Context, a Actor, bookCode, account, period string) (BankReconciliationReport, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return BankReconciliationReport{}, err
	}
	if err := checkBankAccount(ctx, s.db, b.ID, account); err != nil {
		return BankReconciliationReport{}, err
	}
	_, end, err := monthRange(period)
	if err != nil {
		return BankReconciliationReport{}, err
	}
	r := BankReconciliationReport{Book: b.Code, BookName: b.Name, Account: account, Period: period, Date: end,
		BankReceivedNotBook: []BankItem{}, BankPaidNotBook: []BankItem{}, BookReceivedNotBank: []BankItem{}, BookPaidNotBank: []BankItem{}}
	if err := s.db.NewRaw("SELECT name FROM accounts WHERE book_id = ? AND code = ?", b.ID, account).Scan(ctx, &r.AccountName); err != nil {
		return r, err
	}
	bank, err := storedBankLines(ctx, s.db, b.ID, account, "", "")
	if err != nil {
		return r, err
	}
	if len(bank) == 0 || bank[0].Date > end {
		return r, Errorf(ECodeNotFound, "%s（%s）还没有 %s 月末以前的银行对账单，请先导入银行流水", r.AccountName, account, period)
	}
	r.StatementFrom = bank[0].Date
	// Automatic matching reaches BankMatchDays before the statement's first
	// row: a line matched there was in the books before the bank had it.
	book, err := s.bookLines(ctx, s.db, b.ID, account, shiftDate(r.StatementFrom, -BankMatchDays), "")
	if err != nil {
		return r, err
	}
	var bookBal int64
	if err := s.scanRow(ctx, s.db, "SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM account_balances WHERE book_id = ? AND account_code = ? AND period <= ?",
		[]any{b.ID, account, period}, &bookBal); err != nil {
		return r, err
	}
	r.BookBalance = Fen(bookBal)
	bookDate := map[[2]int64]string{}
	for _, l := range book {
		bookDate[[2]int64{l.VoucherID, int64(l.LineNo)}] = l.Date
	}
	bankDate := map[[2]int64]string{}
	for _, l := range bank {
		if l.Date > end {
			continue
		}
		r.BankBalance = l.Balance
		if l.VoucherID != 0 {
			bankDate[[2]int64{l.VoucherID, int64(l.LineNo)}] = l.Date
			if d, ok := bookDate[[2]int64{l.VoucherID, int64(l.LineNo)}]; ok && d <= end {
				continue
			}
		}
		it := BankItem{Date: l.Date, Summary: l.Summary, Serial: l.Serial, BankLine: l.ID}
		if l.net() > 0 {
			it.Amount = l.Income
			r.BankReceivedNotBook = append(r.BankReceivedNotBook, it)
		} else {
			it.Amount = l.Expense
			r.BankPaidNotBook = append(r.BankPaidNotBook, it)
		}
	}
	for _, l := range book {
		if l.Date > end || (l.Date < r.StatementFrom && !l.matched) {
			continue
		}
		if d, ok := bankDate[[2]int64{l.VoucherID, int64(l.LineNo)}]; ok && d <= end {
			continue
		}
		it := BankItem{Date: l.Date, Summary: l.Summary, VoucherID: l.VoucherID, LineNo: l.LineNo, Voucher: l.Period + " " + l.Number}
		if l.Net > 0 {
			it.Amount = Fen(l.Net)
			r.BookReceivedNotBank = append(r.BookReceivedNotBank, it)
		} else {
			it.Amount = Fen(-l.Net)
			r.BookPaidNotBank = append(r.BookPaidNotBank, it)
		}
	}
	r.TotalBankReceived, r.TotalBankPaid = sumItems(r.BankReceivedNotBook), sumItems(r.BankPaidNotBook)
	r.TotalBookReceived, r.TotalBookPaid = sumItems(r.BookReceivedNotBank), sumItems(r.BookPaidNotBank)
	r.AdjustedBook = r.BookBalance.Add(r.TotalBankReceived).Sub(r.TotalBankPaid)
	r.AdjustedBank = r.BankBalance.Add(r.TotalBookReceived).Sub(r.TotalBookPaid)
	r.Difference = r.AdjustedBook.Sub(r.AdjustedBank)
	r.Balanced = r.Difference.IsZero()
	return r, nil
}

func sumItems(items []BankItem) Money {
	var t Money
	for _, it := range items {
		t = t.Add(it.Amount)
	}
	return t
}
