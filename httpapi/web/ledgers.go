package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Statements and account books on screen (账簿与报表): the 资产负债表 and
// 收益及收益分配表 (a cooperative's 会农社01/02/03表), 总账, 明细账 and the
// cash and bank journals. Their figures are the ledger's (reports.
// LoadStatements, GeneralLedgerOf, AccountBookOf), the same the workbooks
// print; every figure of the trial balance and the 总账 leads to the
// account's 明细账, and every entry to its voucher.

type reportsIndexData struct {
	Month, From, To string
	Kind            ledger.BookKind
}

// ReportsIndex is the navigation to every statement and book of the book.
func (a *Pages) ReportsIndex(c echo.Context) error {
	p := newPage(c, "账簿与报表", "books")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := reportsIndexData{Kind: p.Book.Kind}
	d.From, d.To = webMonthRange(c)
	d.Month = d.To
	p.D = d
	return a.render(c, http.StatusOK, "reports_index", &p)
}

type statementsData struct {
	Month  string
	S      *reports.StatementsData
	Rows   []balanceRow // the balance sheet's two sides side by side
	Coop   bool         // 会农社01/02/03表
	Errors map[string]string
}

// balanceRow is one printed row of the balance sheet: an asset line on the
// left, a liability or equity line on the right (either may be absent).
type balanceRow struct{ L, R *ledger.StatementLine }

func balanceRows(bs ledger.BalanceSheet) []balanceRow {
	out := make([]balanceRow, max(len(bs.Assets), len(bs.Claims)))
	for i := range bs.Assets {
		out[i].L = &bs.Assets[i]
	}
	for i := range bs.Claims {
		out[i].R = &bs.Claims[i]
	}
	return out
}

// Statements shows the book's statements at a month end (?month=, default
// this month), as the statements workbook prints them.
func (a *Pages) Statements(c echo.Context) error {
	p := newPage(c, "会计报表", "books")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := statementsData{Month: c.QueryParam("month"), Errors: map[string]string{}}
	if d.Month == "" {
		_, d.Month = webMonthRange(c)
	}
	s, err := reports.LoadStatements(httpx.Ctx(c), a.Store, httpx.Actor(c), p.Book.Code, d.Month)
	status := http.StatusOK
	switch {
	case err == nil:
		d.S, d.Rows, d.Coop = &s, balanceRows(s.Balance), s.Balance.Kind == ledger.KindCooperative
	case ledger.ErrorCode(err) == ledger.ECodeInvalid:
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "month" })
		status = http.StatusBadRequest
	default:
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, status, "statements", &p)
}

type generalLedgerData struct {
	From, To string
	GL       *ledger.GeneralLedger
	Errors   map[string]string
}

// GeneralLedger shows the 总账 (at most 12 months).
func (a *Pages) GeneralLedger(c echo.Context) error {
	p := newPage(c, "总账", "books")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := generalLedgerData{Errors: map[string]string{}}
	d.From, d.To = webMonthRange(c)
	gl, err := a.Store.GeneralLedgerOf(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, d.From, d.To)
	status := http.StatusOK
	switch {
	case err == nil:
		d.GL = &gl
	case ledger.ErrorCode(err) == ledger.ECodeInvalid:
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "from" || f == "to" })
		status = http.StatusBadRequest
	default:
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, status, "general_ledger", &p)
}

type accountBookData struct {
	Kind                         string // detail-ledger, cash-journal, bank-journal
	Title                        string
	Account, Household, From, To string
	Fixed                        bool // a journal: the account is the kind's
	AB                           *ledger.AccountBook
	Months                       []bookMonthRows
	Accounts                     []ledger.Account
	Errors                       map[string]string
}

// bookPages are the account books: the route's last segment names the kind
// (as in the API), a journal's account is fixed.
var bookPages = map[string]struct{ title, account string }{
	"detail-ledger": {title: "明细账"},
	"cash-journal":  {title: "现金日记账", account: "101"},
	"bank-journal":  {title: "银行存款日记账", account: "102"},
}

// AccountBook shows a 明细账 (?account=, optional ?household=) or a journal.
func (a *Pages) AccountBook(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		k := bookPages[kind]
		p := newPage(c, k.title, "books")
		if err := a.webBook(c, &p); err != nil {
			return a.webError(c, err)
		}
		d := accountBookData{Kind: kind, Title: k.title, Account: c.QueryParam("account"), Household: c.QueryParam("household"),
			Fixed: k.account != "", Errors: map[string]string{}}
		d.From, d.To = webMonthRange(c)
		if d.Fixed {
			d.Account, d.Household = k.account, ""
		}
		ctx, act := httpx.Ctx(c), httpx.Actor(c)
		var err error
		if d.Accounts, err = a.Store.Accounts(ctx, act, p.Book.Code); err != nil {
			return a.webError(c, err)
		}
		status := http.StatusOK
		if d.Account != "" {
			ab, err := a.Store.AccountBookOf(ctx, act, p.Book.Code, ledger.BookQuery{Account: d.Account, Household: d.Household,
				From: d.From, To: d.To, Daily: d.Fixed})
			switch code := ledger.ErrorCode(err); {
			case err == nil:
				d.AB, d.Months = &ab, monthRows(ab)
				p.Title = k.title + " " + ab.Account.Code + " " + ab.Account.Name
			case code == ledger.ECodeInvalid || code == ledger.ECodeNotFound:
				d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "account" || f == "from" || f == "to" || f == "household" })
				status = statusOf(err)
			default:
				return a.webError(c, err)
			}
		}
		p.D = d
		return a.render(c, status, "account_book", &p)
	}
}

// Printable serves an API download (a report's workbook, or its PDF with
// format=pdf) to the pages' session. Months left out take the pages'
// defaults; a query the API refuses (a 明细账 without its account) shows
// page instead, which says what is missing.
func (a *Pages) Printable(download, page echo.HandlerFunc, params ...string) echo.HandlerFunc {
	return func(c echo.Context) error {
		from, to := webMonthRange(c)
		defaults := map[string]string{"from": from, "to": to, "month": to}
		q := c.Request().URL.Query()
		for _, name := range params {
			if q.Get(name) == "" {
				q.Set(name, defaults[name])
			}
		}
		c.Request().URL.RawQuery = q.Encode()
		err := download(c)
		switch {
		case err == nil:
			return nil
		case ledger.ErrorCode(err) == ledger.ECodeInvalid && page != nil:
			return page(c)
		}
		return a.webError(c, err)
	}
}

// bookMonthRows is a month of an account book as shown: its entries, each
// day of a journal followed by its 本日合计.
type bookMonthRows struct {
	ledger.BookMonth
	Rows []bookRow
}

type bookRow struct {
	E   *ledger.LedgerEntry
	Day *ledger.BookDay
}

func monthRows(ab ledger.AccountBook) []bookMonthRows {
	out := make([]bookMonthRows, len(ab.Months))
	for i, m := range ab.Months {
		out[i].BookMonth = m
		day := 0
		for j := range m.Entries {
			e := &m.Entries[j]
			out[i].Rows = append(out[i].Rows, bookRow{E: e})
			last := j == len(m.Entries)-1 || m.Entries[j+1].Date != e.Date
			if last && day < len(m.Days) && m.Days[day].Date == e.Date {
				out[i].Rows = append(out[i].Rows, bookRow{Day: &m.Days[day]})
				day++
			}
		}
	}
	return out
}
