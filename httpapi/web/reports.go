package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Reports on screen with their workbooks: trial balance, the township's
// quarter, and the auditor's reconciliation, verification and audit log.

type trialBalanceData struct {
	From, To string
	TB       *ledger.TrialBalance
	Errors   map[string]string
}

// monthRange reads from/to (YYYY-MM), defaulting to this year up to this month.
func webMonthRange(c echo.Context) (string, string) {
	now := time.Now().In(chinaTime)
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if from == "" {
		from = now.Format("2006") + "-01"
	}
	if to == "" {
		to = now.Format("2006-01")
	}
	return from, to
}

func (a *Pages) TrialBalance(c echo.Context) error {
	p := newPage(c, "科目余额表", "reports")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := trialBalanceData{Errors: map[string]string{}}
	d.From, d.To = webMonthRange(c)
	status := http.StatusOK
	tb, err := a.Store.TrialBalance(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, d.From, d.To)
	if err != nil {
		if ledger.ErrorCode(err) != ledger.ECodeInvalid {
			return a.webError(c, err)
		}
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "from" || f == "to" })
		status = http.StatusBadRequest
	} else {
		d.TB = &tb
	}
	p.D = d
	return a.render(c, status, "trial_balance", &p)
}

func (a *Pages) TrialBalanceXLSX(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	from, to := webMonthRange(c)
	d, err := reports.LoadTrialBalance(httpx.Ctx(c), a.Store, httpx.Actor(c), p.Book.Code, from, to)
	if err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, p.Book.Code+"-"+from+"-"+to+"-科目余额表.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteTrialBalance(w, d, reports.Options{Creator: webMe(c).Name})
	})
}

// quarterParam reads ?quarter=, defaulting to the last complete quarter.
func webQuarter(c echo.Context) string {
	if q, err := ledger.ParseQuarter(c.QueryParam("quarter")); err == nil {
		return q.String()
	}
	return recentQuarters(time.Now().In(chinaTime))[1]
}

type townshipData struct {
	Code     string
	Quarter  string
	Quarters []string
	T        reports.TownshipData
	Total    reports.VillagePayouts
	Status   []ledger.VillageStatus // a row per village (review_status.go)
	Waiting  int                    // items in the review queue
}

func (a *Pages) Township(c echo.Context) error {
	p := newPage(c, "乡镇汇总", "township")
	d := townshipData{Code: c.Param("township"), Quarter: webQuarter(c), Quarters: recentQuarters(time.Now().In(chinaTime))}
	if httpx.Actor(c).Township != d.Code { // only a township-wide user sees the township page
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "乡镇不存在"))
	}
	t, err := reports.LoadTownship(httpx.Ctx(c), a.Store, httpx.Actor(c), d.Code, d.Quarter)
	if err != nil {
		return a.webError(c, err)
	}
	d.T = t
	if d.Status, err = a.Store.TownshipStatus(httpx.Ctx(c), httpx.Actor(c), d.Code, d.Quarter); err != nil {
		return a.webError(c, err)
	}
	queue, err := a.Store.ReviewQueue(httpx.Ctx(c), httpx.Actor(c), d.Code)
	if err != nil {
		return a.webError(c, err)
	}
	d.Waiting = len(queue)
	for _, v := range t.Villages {
		d.Total.Rent, d.Total.Dividend = d.Total.Rent.Add(v.Rent), d.Total.Dividend.Add(v.Dividend)
		d.Total.Wage, d.Total.Other = d.Total.Wage.Add(v.Wage), d.Total.Other.Add(v.Other)
		d.Total.Total, d.Total.Paid = d.Total.Total.Add(v.Total), d.Total.Paid.Add(v.Paid)
		d.Total.Outstanding = d.Total.Outstanding.Add(v.Outstanding)
	}
	p.Title = t.TownshipName + " " + ledger.QuarterName(d.Quarter) + " 收益分配汇总"
	p.D = d
	return a.render(c, http.StatusOK, "township", &p)
}

func (a *Pages) TownshipXLSX(c echo.Context) error {
	quarter := webQuarter(c)
	if httpx.Actor(c).Township != c.Param("township") {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "乡镇不存在"))
	}
	t, err := reports.LoadTownship(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("township"), quarter)
	if err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, t.TownshipCode+"-"+quarter+"-乡镇收益分配汇总.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteTownship(w, t, reports.Options{Creator: webMe(c).Name})
	})
}

type auditData struct {
	Quarter  string
	Quarters []string
	Recon    ledger.Reconciliation
	Verify   ledger.VerifyReport
	Entries  []ledger.AuditEntry
	Names    map[int64]string
	Next     string
}

const auditPageSize = 100

// Audit shows the book's reconciliation for a quarter, its verification
// and its audit log: what an auditor checks, readable by every reader.
func (a *Pages) Audit(c echo.Context) error {
	p := newPage(c, "审计与对账", "audit")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	act := httpx.Actor(c)
	d := auditData{Quarter: webQuarter(c), Quarters: recentQuarters(time.Now().In(chinaTime))}
	var err error
	if d.Recon, err = a.Store.Reconcile(httpx.Ctx(c), act, p.Book.Code, d.Quarter); err != nil {
		return a.webError(c, err)
	}
	if d.Verify, err = a.Store.Verify(httpx.Ctx(c), act, p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	f := ledger.AuditFilter{Limit: auditPageSize + 1}
	if after, err := strconv.ParseInt(c.QueryParam("after"), 10, 64); err == nil && after > 0 {
		f.After = after
	}
	if d.Entries, err = a.Store.AuditLog(httpx.Ctx(c), act, p.Book.Code, f); err != nil {
		return a.webError(c, err)
	}
	if len(d.Entries) > auditPageSize {
		d.Entries = d.Entries[:auditPageSize]
		d.Next = "?" + url.Values{"quarter": {d.Quarter}, "after": {strconv.FormatInt(d.Entries[len(d.Entries)-1].ID, 10)}}.Encode() + "#log"
	}
	if d.Names, err = a.Store.UserNames(httpx.Ctx(c), act, p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, http.StatusOK, "audit", &p)
}
