package reports

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// TrialBalanceData is a book's 科目余额表 for a range of months.
type TrialBalanceData struct {
	Book BookInfo
	TB   ledger.TrialBalance
}

// LoadTrialBalance gathers a trial balance from the ledger.
func LoadTrialBalance(ctx context.Context, s *ledger.Store, a ledger.Actor, book, from, to string) (TrialBalanceData, error) {
	tb, err := s.TrialBalance(ctx, a, book, from, to)
	if err != nil {
		return TrialBalanceData{}, err
	}
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return TrialBalanceData{}, err
	}
	return TrialBalanceData{Book: BookInfoOf(b), TB: tb}, nil
}

// TrialBalanceColumns are the columns of the trial balance, A to I.
var TrialBalanceColumns = []string{"科目编码", "科目名称", "级次", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方", "本年累计借方", "本年累计贷方"}

// SheetTrialBalance is the trial balance's sheet.
const SheetTrialBalance = "科目余额表"

// TrialBalanceTotalRow is the row of the trial balance's 合计.
func TrialBalanceTotalRow(d TrialBalanceData) int { return firstDataRow + len(d.TB.Rows) }

func bookSubtitle(b BookInfo, from, to string) string {
	return fmt.Sprintf("单位：%s（账套 %s，%s）　期间：%s　金额单位：元", b.Name, b.Code, b.TownshipName, periodLabel(from, to))
}

// WriteTrialBalance writes the 科目余额表: every account with its opening,
// period and closing amounts; the totals are SUMs of the first-level accounts.
func WriteTrialBalance(w io.Writer, d TrialBalanceData, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	sw, err := wb.sheet(sheetSetup{name: SheetTrialBalance, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{11, 30, 5, 15, 15, 15, 15, 15, 15, 15, 15}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(TrialBalanceColumns), "科目余额表", bookSubtitle(d.Book, d.TB.From, d.TB.To))
	wb.headerRow(rw, TrialBalanceColumns)
	var firstLevel []int
	for _, r := range d.TB.Rows {
		n := rw.add([]any{cell(r.Code, st.text), cell(strings.Repeat("　", max(r.Level-1, 0))+r.Name, st.text), cell(r.Level, st.count),
			moneyCell{r.OpeningDebit, st.money}, moneyCell{r.OpeningCredit, st.money}, moneyCell{r.PeriodDebit, st.money},
			moneyCell{r.PeriodCredit, st.money}, moneyCell{r.ClosingDebit, st.money}, moneyCell{r.ClosingCredit, st.money},
			moneyCell{r.YearDebit, st.money}, moneyCell{r.YearCredit, st.money}})
		if r.Level == 1 {
			firstLevel = append(firstLevel, n)
		}
	}
	sum := func(c string) excelize.Cell {
		if len(firstLevel) == 0 {
			return formula("0", st.totalMoney)
		}
		refs := make([]string, len(firstLevel))
		for i, n := range firstLevel {
			refs[i] = ref(c, n)
		}
		return formula("SUM("+strings.Join(refs, ",")+")", st.totalMoney)
	}
	t := rw.add([]any{cell("合计（一级科目）", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel), sum("D"), sum("E"),
		sum("F"), sum("G"), sum("H"), sum("I"), sum("J"), sum("K")})
	rw.merge("A", "C", t)
	diff := func(a, b string) excelize.Cell { return formula(fmt.Sprintf("%s%d-%s%d", a, t, b, t), st.money) }
	r := rw.add([]any{cell("借贷差额（应为0）", st.text), cell("", st.text), cell("", st.text), diff("D", "E"), cell("", st.text),
		diff("F", "G"), cell("", st.text), diff("H", "I"), cell("", st.text), diff("J", "K"), cell("", st.text)})
	rw.merge("A", "C", r)
	balanced := "借贷平衡"
	if !d.TB.Balanced {
		balanced = "借贷不平衡，请检查账簿"
	}
	wb.noteRow(rw, len(TrialBalanceColumns), "说明：余额按科目净额列在借方或贷方；上级科目含其下级科目；合计只加一级科目，以免重复；本年累计为截止期间所在年度 1 月至截止期间的发生额。系统校验："+balanced+"。", 30)
	if err := rw.flush(); err != nil {
		return err
	}
	if err := wb.docProps(d.Book.Name+"科目余额表（"+periodLabel(d.TB.From, d.TB.To)+"）", "科目余额表",
		"科目余额表,"+d.Book.Code, "链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}

// LedgerData is the 明细账 of one or more accounts of a book.
type LedgerData struct {
	Book    BookInfo
	From    string
	To      string
	Ledgers []ledger.AccountLedger
}

// maxLedgerSheets bounds one account detail workbook.
const maxLedgerSheets = 200

// LoadAccountLedgers gathers the detail ledgers of accounts (all leaf
// accounts with a balance or movement in the range when none are named),
// optionally of one household's sub-ledger.
func LoadAccountLedgers(ctx context.Context, s *ledger.Store, a ledger.Actor, book string, accounts []string, household, from, to string) (LedgerData, error) {
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return LedgerData{}, err
	}
	if len(accounts) == 0 {
		tb, err := s.TrialBalance(ctx, a, book, from, to)
		if err != nil {
			return LedgerData{}, err
		}
		for _, r := range tb.Rows {
			if r.Leaf && !(r.OpeningDebit.IsZero() && r.OpeningCredit.IsZero() && r.PeriodDebit.IsZero() && r.PeriodCredit.IsZero()) {
				accounts = append(accounts, r.Code)
			}
		}
	}
	if len(accounts) > maxLedgerSheets {
		return LedgerData{}, ledger.Errorf(ledger.ECodeInvalid, "一次最多导出 %d 个科目的明细账", maxLedgerSheets)
	}
	d := LedgerData{Book: BookInfoOf(b), From: from, To: to}
	for _, code := range accounts {
		l, err := s.AccountLedger(ctx, a, book, ledger.LedgerQuery{Account: code, Household: household, From: from, To: to})
		if err != nil {
			return LedgerData{}, err
		}
		d.Ledgers = append(d.Ledgers, l)
	}
	return d, nil
}

// LedgerColumns are the columns of an account detail sheet, A to H.
var LedgerColumns = []string{"日期", "凭证号", "摘要", "户/单位", "借方", "贷方", "借或贷", "余额"}

// LedgerLayout says where an account sheet puts its totals.
type LedgerLayout struct {
	Sheet       string
	TotalRow    int // 本期合计
	ClosingRow  int // 期末余额
	FirstEntry  int
	EntriesLast int
}

// LedgerLayoutOf returns the sheets and rows WriteAccountLedgers uses.
func LedgerLayoutOf(d LedgerData) []LedgerLayout {
	used := map[string]bool{}
	out := make([]LedgerLayout, len(d.Ledgers))
	for i, l := range d.Ledgers {
		first := firstDataRow + 1 // after the 期初余额 row
		last := first + len(l.Entries) - 1
		out[i] = LedgerLayout{Sheet: sheetName(l.Account.Code+" "+l.Account.Name, used), FirstEntry: first, EntriesLast: last,
			TotalRow: last + 1, ClosingRow: last + 2}
	}
	return out
}

// WriteAccountLedgers writes one 明细账 sheet per account.
func WriteAccountLedgers(w io.Writer, d LedgerData, opts Options) error {
	if len(d.Ledgers) == 0 {
		return ledger.Errorf(ledger.ECodeInvalid, "明细账：没有要导出的科目")
	}
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	for i, lay := range LedgerLayoutOf(d) {
		if err := wb.ledgerSheet(d, d.Ledgers[i], lay); err != nil {
			return err
		}
	}
	if err := wb.docProps(d.Book.Name+"明细账（"+periodLabel(d.From, d.To)+"）", "明细账", "明细账,"+d.Book.Code,
		"链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) ledgerSheet(d LedgerData, l ledger.AccountLedger, lay LedgerLayout) error {
	sw, err := wb.sheet(sheetSetup{name: lay.Sheet, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{11, 9, 36, 10, 14, 14, 6, 15}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	title := "明细账　" + l.Account.Code + " " + l.Account.Name
	if l.Household != "" {
		title += "（农户 " + l.Household + "）"
	}
	wb.titleRows(rw, len(LedgerColumns), title, bookSubtitle(d.Book, l.From, l.To))
	wb.headerRow(rw, LedgerColumns)
	rw.add([]any{cell("", st.text), cell("", st.text), cell("期初余额", st.totalLabel), cell("", st.text), cell("", st.money),
		cell("", st.money), cell(l.Opening.Side, st.textCenter), moneyCell{l.Opening.Amount, st.money}})
	for _, e := range l.Entries {
		rw.add([]any{cell(e.Date, st.textCenter), cell(e.Number, st.textCenter), cell(e.Summary, st.textWrap),
			cell(joinNonEmpty("/", e.Household, e.Party), st.textCenter), moneyCell{e.Debit, st.money}, moneyCell{e.Credit, st.money},
			cell(e.Balance.Side, st.textCenter), moneyCell{e.Balance.Amount, st.money}})
	}
	rw.add([]any{cell("", st.totalLabel), cell("", st.totalLabel), cell("本期合计", st.totalLabel), cell("", st.totalLabel),
		formula(sumRange("E", lay.FirstEntry, lay.EntriesLast), st.totalMoney), formula(sumRange("F", lay.FirstEntry, lay.EntriesLast), st.totalMoney),
		cell("", st.totalLabel), cell("", st.totalMoney)})
	rw.add([]any{cell("", st.totalLabel), cell("", st.totalLabel), cell("期末余额", st.totalLabel), cell("", st.totalLabel),
		cell("", st.totalMoney), cell("", st.totalMoney), cell(l.Closing.Side, st.totalLabel), moneyCell{l.Closing.Amount, st.totalMoney}})
	if l.Truncated {
		wb.noteRow(rw, len(LedgerColumns), "注意：本期分录过多，只列出前一部分；请缩小期间后分别导出。", 20)
	}
	return rw.flush()
}

// StatementData is one household's 农户收益明细 for a range of months.
type StatementData struct {
	Book      BookInfo
	Statement ledger.HouseholdStatement
}

// LoadHouseholdStatement gathers a household's statement from the ledger.
func LoadHouseholdStatement(ctx context.Context, s *ledger.Store, a ledger.Actor, book, household, from, to string) (StatementData, error) {
	st, err := s.HouseholdStatement(ctx, a, book, household, from, to)
	if err != nil {
		return StatementData{}, err
	}
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return StatementData{}, err
	}
	return StatementData{Book: BookInfoOf(b), Statement: st}, nil
}

// Sheet names and columns of the household statement.
const (
	SheetPayouts  = "收益明细"
	SheetAccounts = "往来明细"
)

// PayoutColumns are the columns of the statement's payouts sheet, A to H.
var PayoutColumns = []string{"季度", "协议编号", "类别", "按协议应享", "已计提（应发）", "已发金额", "未发金额", "记账凭证"}

// StatementTotalRow is the row of the payouts sheet's 合计.
func StatementTotalRow(d StatementData) int { return firstDataRow + len(d.Statement.Payouts) }

// WriteHouseholdStatement writes a household's 农户收益明细: what each
// agreement entitled it to per quarter, what was accrued and paid, and every
// entry on its sub-ledgers. ID number and bank account are masked.
func WriteHouseholdStatement(w io.Writer, d StatementData, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	st := d.Statement
	h := st.Household
	words := ledger.WordsFor(d.Book.Kind)
	sub := fmt.Sprintf("单位：%s（账套 %s）　%s：%s %s（%s，%s %d）　身份证号：%s　银行账号：%s　期间：%s　金额单位：元",
		d.Book.Name, d.Book.Code, words.Person, h.Code, h.HeadName, h.Group, words.People, h.Members, ledger.MaskIDNumber(h.IDNumber),
		ledger.MaskBankAccount(h.BankAccount), periodLabel(st.From, st.To))
	if err := wb.statementPayouts(d, sub); err != nil {
		return err
	}
	if err := wb.statementAccounts(d, sub); err != nil {
		return err
	}
	if err := wb.docProps(d.Book.Name+"农户收益明细 "+h.Code+" "+h.HeadName, "农户收益明细", "农户收益明细,"+d.Book.Code+","+h.Code,
		"链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) statementPayouts(d StatementData, sub string) error {
	sw, err := wb.sheet(sheetSetup{name: SheetPayouts, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{10, 10, 9, 14, 14, 14, 14, 18}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(PayoutColumns), "农户收益明细　"+d.Statement.Household.HeadName, sub)
	wb.headerRow(rw, PayoutColumns)
	for _, p := range d.Statement.Payouts {
		vouchers := p.VoucherLabels // 2026年9月记-0004, not the internal ids
		rw.add([]any{cell(quarterLabel(p.Quarter), st.textCenter), cell(p.Agreement, st.textCenter), cell(p.Kind, st.textCenter),
			moneyCell{p.Entitled, st.money}, moneyCell{p.Accrued, st.money}, moneyCell{p.Paid, st.money},
			moneyCell{p.Outstanding, st.money}, cell(strings.Join(vouchers, "、"), st.text)})
	}
	last := rw.row
	sum := func(c string) excelize.Cell { return formula(sumRange(c, firstDataRow, last), st.totalMoney) }
	r := rw.add([]any{cell("合计", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel), sum("D"), sum("E"), sum("F"),
		sum("G"), cell("", st.totalLabel)})
	rw.merge("A", "C", r)
	wb.noteRow(rw, len(PayoutColumns), "说明：按协议应享是按现行协议条款计算的金额；已计提是经审批的收益分配记入本户明细账的金额；"+
		"未发 = 已计提 − 已发。记账凭证列为凭证内部编号。", 30)
	return rw.flush()
}

func (wb *workbook) statementAccounts(d StatementData, sub string) error {
	sw, err := wb.sheet(sheetSetup{name: SheetAccounts, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{18, 11, 9, 36, 14, 14, 6, 15}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, 8, "农户往来明细　"+d.Statement.Household.HeadName, sub)
	wb.headerRow(rw, []string{"科目", "日期", "凭证号", "摘要", "借方", "贷方", "借或贷", "余额"})
	for _, a := range d.Statement.Accounts {
		label := a.Account + " " + a.Name
		side := func(m ledger.Money) string { // balances are in the account's normal direction
			switch {
			case m.IsZero():
				return "平"
			case m.IsNegative():
				return map[ledger.Side]string{ledger.Debit: "贷", ledger.Credit: "借"}[a.NormalSide]
			}
			return a.NormalSide.Label()
		}
		abs := func(m ledger.Money) ledger.Money {
			if m.IsNegative() {
				return m.Neg()
			}
			return m
		}
		rw.add([]any{cell(label, st.text), cell("", st.text), cell("", st.text), cell("期初余额", st.totalLabel), cell("", st.money),
			cell("", st.money), cell(side(a.Opening), st.textCenter), moneyCell{abs(a.Opening), st.money}})
		first := rw.row + 1
		for _, e := range a.Entries {
			rw.add([]any{cell(label, st.text), cell(e.Date, st.textCenter), cell(e.Number, st.textCenter), cell(e.Summary, st.textWrap),
				moneyCell{e.Debit, st.money}, moneyCell{e.Credit, st.money}, cell(e.Balance.Side, st.textCenter), moneyCell{e.Balance.Amount, st.money}})
		}
		last := rw.row
		rw.add([]any{cell(label, st.totalText), cell("", st.totalLabel), cell("", st.totalLabel), cell("本期合计", st.totalLabel),
			formula(sumRange("E", first, last), st.totalMoney), formula(sumRange("F", first, last), st.totalMoney), cell("", st.totalLabel), cell("", st.totalMoney)})
		rw.add([]any{cell(label, st.totalText), cell("", st.totalLabel), cell("", st.totalLabel), cell("期末余额", st.totalLabel),
			cell("", st.totalMoney), cell("", st.totalMoney), cell(side(a.Closing), st.totalLabel), moneyCell{abs(a.Closing), st.totalMoney}})
	}
	if len(d.Statement.Accounts) == 0 {
		wb.noteRow(rw, 8, "本期间没有记入本户明细账的分录。", 20)
	}
	return rw.flush()
}
