package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Year end (年终结账) in the pages: prepare the closing vouchers (an
// accountant), review them (another user posts each from its voucher page),
// close the year, and reopen it (township finance, with a reason).

type yearEndData struct {
	Year       int
	Years      []int
	YE         ledger.YearEnd
	Drafts     int // closing vouchers still drafts
	CanPrepare bool
	CanClose   bool
	CanReopen  bool
	Reason     string
	Errors     map[string]string
	Steps      map[int]string
}

// yearStepLabels name the closing steps (ledger.StepReversal …).
var yearStepLabels = map[int]string{
	ledger.StepReversal:     "冲销上一轮结转",
	ledger.StepIncome:       "损益结转本年收益",
	ledger.StepProfit:       "本年收益转入未分配收益",
	ledger.StepDistribution: "各项分配转入未分配收益",
}

func (a *Pages) YearEnd(c echo.Context) error {
	year, _ := strconv.Atoi(c.QueryParam("year"))
	return a.yearEndPage(c, year, http.StatusOK, "", nil, "")
}

// yearEndPage renders a year's closing (default: this year); after a
// refused form, status, the message, field errors and the reason typed.
func (a *Pages) yearEndPage(c echo.Context, year, status int, msg string, errs map[string]string, reason string) error {
	p, err := a.newPeriodPage(c, "年终结账")
	if err != nil {
		return a.webError(c, err)
	}
	act, book := httpx.Actor(c), p.Book.Code
	first, _ := strconv.Atoi(p.Book.StartPeriod[:4])
	this := time.Now().In(chinaTime).Year()
	if year < first || year > this+1 {
		year = max(first, this)
	}
	d := yearEndData{Year: year, Errors: errs, Reason: reason, Steps: yearStepLabels,
		CanPrepare: act.HasRole(book, ledger.RoleAccountant),
		CanClose:   act.HasRole(book, ledger.RoleAccountant) || act.HasRole(book, ledger.RoleTownship),
		CanReopen:  act.HasRole(book, ledger.RoleTownship)}
	for y := first; y <= max(first, this); y++ {
		d.Years = append(d.Years, y)
	}
	if d.YE, err = a.Store.YearEndStatus(httpx.Ctx(c), act, book, year); err != nil {
		return a.webError(c, err)
	}
	for _, v := range d.YE.Vouchers {
		if v.Status == ledger.StatusDraft {
			d.Drafts++
		}
	}
	p.Title = strconv.Itoa(year) + " 年终结账"
	p.Error, p.D = msg, d
	return a.render(c, status, "year_end", &p)
}

// yearAction runs one year-end form and redirects with ok, or shows the
// refusal on the year's page (nothing changed).
func (a *Pages) yearAction(c echo.Context, ok func(int) string, do func(year int, reason string) error) error {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "年度不存在"))
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if err := do(year, reason); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, msg := formErrors(err, func(f string) bool { return f == "reason" })
		return a.yearEndPage(c, year, statusOf(err), msg, errs, reason)
	}
	q := url.Values{"year": {strconv.Itoa(year)}, "ok": {ok(year)}}
	return seeOther(c, bookURL(c.Param("book"), "year-end")+"?"+q.Encode())
}

func (a *Pages) PrepareYearEnd(c echo.Context) error {
	made := 0
	return a.yearAction(c, func(int) string {
		if made == 0 {
			return "nothing-left"
		}
		return "prepared"
	}, func(year int, _ string) error {
		vs, err := a.Store.PrepareYearEnd(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year)
		made = len(vs)
		return err
	})
}

func (a *Pages) CloseYear(c echo.Context) error {
	return a.yearAction(c, func(int) string { return "year-closed" }, func(year int, _ string) error {
		_, err := a.Store.CloseYear(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year)
		return err
	})
}

func (a *Pages) ReopenYear(c echo.Context) error {
	return a.yearAction(c, func(int) string { return "year-reopen" }, func(year int, reason string) error {
		_, err := a.Store.ReopenYear(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year, reason)
		return err
	})
}
