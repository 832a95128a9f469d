package ledger

import (
	"context"
	"sort"
)

// BookDay is one day's totals in a cash or bank journal (本日合计).
type BookDay struct {
	Date    string  `json:"date"`
	Debit   Money   `json:"debit"`
	Credit  Money   `json:"credit"`
	Balance Balance `json:"balance"`
}

// BookMonth is one month of an account book: its entries in date order,
// 本月合计 and 本年累计 (from January of the month's year), and the balance
// at the month's end.
type BookMonth struct {
	Period      string        `json:"period"`
	Opening     Balance       `json:"opening"`
	Entries     []LedgerEntry `json:"entries,omitempty"`
	Days        []BookDay     `json:"days,omitempty"`
	MonthDebit  Money         `json:"month_debit"`
	MonthCredit Money         `json:"month_credit"`
	YearDebit   Money         `json:"year_debit"`
	YearCredit  Money         `json:"year_credit"`
	Closing     Balance       `json:"closing"`
}

// AccountBook is a book of one account printed month by month: a 明细账
// (per account, household or party), a 现金日记账 or 银行存款日记账 (with
// daily totals), or, without entries, one account's page of the 总账.
type AccountBook struct {
	Book      string      `json:"book"`
	Account   Account     `json:"account"`
	Household string      `json:"household,omitempty"`
	From      string      `json:"from"`
	To        string      `json:"to"`
	Opening   Balance     `json:"opening"`
	Months    []BookMonth `json:"months"`
	Closing   Balance     `json:"closing"`
}

// BookQuery selects an account book.
type BookQuery struct {
	Account   string
	Household string // optional: one household's 明细账
	From, To  string
	Daily     bool // a journal: entries in date order with 本日合计
}

// AccountBookOf returns the 明细账 or, with Daily, the 日记账 of an account.
// Its figures are the ledger's own: the entries of AccountLedger regrouped by
// month, the year's cumulative sums from the maintained balances.
func (s *Store) AccountBookOf(ctx context.Context, a Actor, bookCode string, q BookQuery) (AccountBook, error) {
	l, err := s.AccountLedger(ctx, a, bookCode, LedgerQuery{Account: q.Account, Household: q.Household, From: q.From, To: q.To})
	if err != nil {
		return AccountBook{}, err
	}
	if l.Truncated {
		return AccountBook{}, FieldError("from", "期间内分录超过 %d 行，请缩小期间后分别打印", maxLedgerEntries)
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return AccountBook{}, err
	}
	r := PeriodRange{From: Period(l.From), To: Period(l.To)}
	cum, err := s.yearBefore(ctx, b.ID, l.Account.Code, q.Household, r.From)
	if err != nil {
		return AccountBook{}, err
	}
	byMonth := map[string][]LedgerEntry{}
	for _, e := range l.Entries {
		byMonth[e.Period] = append(byMonth[e.Period], e)
	}
	out := AccountBook{Book: b.Code, Account: l.Account, Household: q.Household, From: l.From, To: l.To, Opening: l.Opening, Months: []BookMonth{}}
	net := signed(l.Opening)
	for p := r.From; p <= r.To; p = p.Next() {
		if p != r.From && string(p)[5:] == "01" {
			cum = [2]int64{}
		}
		m := BookMonth{Period: string(p), Opening: balanceOf(net), Entries: byMonth[string(p)]}
		if q.Daily {
			sort.SliceStable(m.Entries, func(i, j int) bool { return m.Entries[i].Date < m.Entries[j].Date })
		}
		for i, e := range m.Entries {
			net += e.Debit.Fen() - e.Credit.Fen()
			m.Entries[i].Balance = balanceOf(net)
			m.MonthDebit, m.MonthCredit = m.MonthDebit.Add(e.Debit), m.MonthCredit.Add(e.Credit)
			if q.Daily {
				m.Days = addDay(m.Days, e, net)
			}
		}
		cum[0] += m.MonthDebit.Fen()
		cum[1] += m.MonthCredit.Fen()
		m.YearDebit, m.YearCredit, m.Closing = Fen(cum[0]), Fen(cum[1]), balanceOf(net)
		out.Months = append(out.Months, m)
	}
	out.Closing = balanceOf(net)
	return out, nil
}

// addDay adds an entry to the day totals, the entries being in date order.
func addDay(days []BookDay, e LedgerEntry, net int64) []BookDay {
	if len(days) == 0 || days[len(days)-1].Date != e.Date {
		days = append(days, BookDay{Date: e.Date})
	}
	d := &days[len(days)-1]
	d.Debit, d.Credit, d.Balance = d.Debit.Add(e.Debit), d.Credit.Add(e.Credit), balanceOf(net)
	return days
}

func signed(b Balance) int64 {
	if b.Side == "贷" {
		return -b.Amount.Fen()
	}
	return b.Amount.Fen()
}

// yearBefore sums an account's debits and credits from January of from's
// year to the month before from: the start of 本年累计.
func (s *Store) yearBefore(ctx context.Context, bookID int64, account, household string, from Period) ([2]int64, error) {
	if string(from)[5:] == "01" {
		return [2]int64{}, nil
	}
	sums, err := sumBalances(ctx, s.db, bookID, Period(string(from)[:4]+"-01"), from.Prev(), household)
	if err != nil {
		return [2]int64{}, err
	}
	return rollUp(sums, account), nil
}

// GeneralLedger is the 总账: one page per first-level account with, for each
// month, the opening balance, 本月合计, 本年累计 and the closing balance.
type GeneralLedger struct {
	Book     string        `json:"book"`
	From     string        `json:"from"`
	To       string        `json:"to"`
	Accounts []AccountBook `json:"accounts"`
}

// GeneralLedgerOf returns the 总账 over a range of months; accounts that have
// neither a balance nor a movement in the range are left out.
func (s *Store) GeneralLedgerOf(ctx context.Context, a Actor, bookCode, from, to string) (GeneralLedger, error) {
	r, err := ParseRange(from, to)
	if err != nil {
		return GeneralLedger{}, err
	}
	if r.To > r.From.Add(11) {
		return GeneralLedger{}, FieldError("to", "总账一次最多打印 12 个月")
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return GeneralLedger{}, err
	}
	accounts, err := loadAccounts(ctx, s.db, b.ID)
	if err != nil {
		return GeneralLedger{}, err
	}
	opening, err := sumBalances(ctx, s.db, b.ID, beforeAll, r.From.Prev(), "")
	if err != nil {
		return GeneralLedger{}, err
	}
	yearStart, err := sumBalances(ctx, s.db, b.ID, Period(string(r.From)[:4]+"-01"), r.From.Prev(), "")
	if err != nil {
		return GeneralLedger{}, err
	}
	if string(r.From)[5:] == "01" {
		yearStart = accountSums{}
	}
	var months []accountSums
	for p := r.From; p <= r.To; p = p.Next() {
		m, err := sumBalances(ctx, s.db, b.ID, p, p, "")
		if err != nil {
			return GeneralLedger{}, err
		}
		months = append(months, m)
	}
	out := GeneralLedger{Book: b.Code, From: string(r.From), To: string(r.To), Accounts: []AccountBook{}}
	for _, acc := range accounts {
		if acc.Parent != "" {
			continue
		}
		if page, used := generalPage(acc, r, rollUp(opening, acc.Code), rollUp(yearStart, acc.Code), months); used {
			page.Book = b.Code
			out.Accounts = append(out.Accounts, page)
		}
	}
	return out, nil
}

// generalPage is one account's 总账 page; used says whether it has a balance
// or a movement.
func generalPage(acc Account, r PeriodRange, opening, cum [2]int64, months []accountSums) (AccountBook, bool) {
	net := opening[0] - opening[1]
	used := net != 0
	page := AccountBook{Account: acc, From: string(r.From), To: string(r.To), Opening: balanceOf(net), Months: []BookMonth{}}
	p := r.From
	for _, sums := range months {
		if p != r.From && string(p)[5:] == "01" {
			cum = [2]int64{}
		}
		mv := rollUp(sums, acc.Code)
		m := BookMonth{Period: string(p), Opening: balanceOf(net), MonthDebit: Fen(mv[0]), MonthCredit: Fen(mv[1])}
		used = used || mv[0] != 0 || mv[1] != 0
		net += mv[0] - mv[1]
		cum[0], cum[1] = cum[0]+mv[0], cum[1]+mv[1]
		m.YearDebit, m.YearCredit, m.Closing = Fen(cum[0]), Fen(cum[1]), balanceOf(net)
		page.Months = append(page.Months, m)
		p = p.Next()
	}
	page.Closing = balanceOf(net)
	return page, used
}
