package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Month end (月末结账): the book's months with their state, one month's
// checklist (ledger.MonthChecklist) and the 结账 button; 反结账 of the latest
// closed month for township finance, with a required reason. Year end is in
// yearend.go.

type periodsData struct {
	Periods    []ledger.PeriodStatus
	Month      string // the month whose checklist is shown
	Check      ledger.MonthChecklist
	LastClosed string // the only month that can be reopened
	CanClose   bool
	CanReopen  bool
	Reason     string
	Errors     map[string]string
	Year       string // the selected month's year, for the year-end link
}

// periodFlashes are the confirmations of this file's and yearend.go's forms.
var periodFlashes = map[string]string{
	"closed":       "已结账",
	"reopened":     "已反结账，理由已记入审计日志",
	"prepared":     "年终结转凭证草稿已生成，请由他人审核记账",
	"year-closed":  "年度已年终结账",
	"year-reopen":  "年度已反结账，理由已记入审计日志",
	"nothing-left": "没有需要结转的余额，未生成凭证",
}

// newPeriodPage starts a page of month or year end for the book of the path.
func (a *Pages) newPeriodPage(c echo.Context, title string) (webPage, error) {
	p := newPage(c, title, "periods")
	if p.Flash == "" {
		p.Flash = periodFlashes[c.QueryParam("ok")]
	}
	return p, a.webBook(c, &p)
}

func (a *Pages) Periods(c echo.Context) error {
	return a.periodsPage(c, c.QueryParam("month"), http.StatusOK, "", nil, "")
}

// periodsPage renders the months and the checklist of month (default: the
// first open month); after a refused form, status, the message, the field
// errors and the reason typed are shown with it.
func (a *Pages) periodsPage(c echo.Context, month string, status int, msg string, errs map[string]string, reason string) error {
	p, err := a.newPeriodPage(c, "月末结账")
	if err != nil {
		return a.webError(c, err)
	}
	act, book := httpx.Actor(c), p.Book.Code
	d := periodsData{Errors: errs, Reason: reason, CanClose: act.HasRole(book, ledger.RoleAccountant) || act.HasRole(book, ledger.RoleTownship),
		CanReopen: act.HasRole(book, ledger.RoleTownship)}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if d.Periods, err = a.Store.Periods(httpx.Ctx(c), act, book); err != nil {
		return a.webError(c, err)
	}
	for _, ps := range d.Periods {
		if ps.Closed {
			d.LastClosed = ps.Period
		} else if month == "" {
			month = ps.Period
		}
	}
	if month == "" && len(d.Periods) > 0 {
		month = d.Periods[len(d.Periods)-1].Period
	}
	d.Month = month
	if d.Check, err = a.Store.MonthChecklist(httpx.Ctx(c), act, book, month); err != nil {
		if ledger.ErrorCode(err) != ledger.ECodeInvalid {
			return a.webError(c, err)
		}
		_, msg = formErrors(err, func(string) bool { return false })
		status = http.StatusBadRequest
	}
	if len(month) >= 4 {
		d.Year = month[:4]
	}
	p.Error, p.D = msg, d
	return a.render(c, status, "periods", &p)
}

// ClosePeriod closes a month (结账); a refusal (drafts left, the previous
// month open) is shown on the checklist, and nothing changes.
func (a *Pages) ClosePeriod(c echo.Context) error {
	book, period := c.Param("book"), c.Param("period")
	if _, err := a.Store.ClosePeriod(httpx.Ctx(c), httpx.Actor(c), book, period); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		_, msg := formErrors(err, func(string) bool { return false })
		return a.periodsPage(c, period, statusOf(err), msg, nil, "")
	}
	return seeOther(c, bookURL(book, "periods")+"?"+url.Values{"ok": {"closed"}}.Encode())
}

// ReopenPeriod reopens the latest closed month (反结账): township finance
// only, with a reason kept in the audit log.
func (a *Pages) ReopenPeriod(c echo.Context) error {
	book, period := c.Param("book"), c.Param("period")
	reason := strings.TrimSpace(c.FormValue("reason"))
	if _, err := a.Store.ReopenPeriod(httpx.Ctx(c), httpx.Actor(c), book, period, reason); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, msg := formErrors(err, func(f string) bool { return f == "reason" })
		return a.periodsPage(c, period, statusOf(err), msg, errs, reason)
	}
	return seeOther(c, bookURL(book, "periods")+"?"+url.Values{"ok": {"reopened"}, "month": {period}}.Encode())
}

// statusOf is the HTTP status the API answers for a ledger error.
func statusOf(err error) int {
	if s, ok := httpx.StatusByCode[ledger.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}
