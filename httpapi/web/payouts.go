package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// The payout run wizard: choose a quarter → computed lines with basis and
// totals → approve (someone else) → roster and public notice → payments
// (form or bank-result upload) → outstanding list.

type payoutsData struct {
	Runs       []ledger.PayoutRun
	Quarter    string
	Adjustment bool
	Quarters   []string
	CanWrite   bool
	Errors     map[string]string
	FormID     string
	Disclosure disclosureCard // publishing a quarter's 财务公开 (disclosures.go)
}

// recentQuarters lists this quarter and the seven before it, newest first.
func recentQuarters(now time.Time) []string {
	q := ledger.QuarterOf(now)
	var out []string
	for i := 0; i < 8; i++ {
		out = append(out, q.String())
		if q.Q--; q.Q == 0 {
			q.Year, q.Q = q.Year-1, 4
		}
	}
	return out
}

func (a *Pages) payoutsPage(c echo.Context, p *webPage, d payoutsData, status int) error {
	runs, err := a.Store.PayoutRuns(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, "")
	if err != nil {
		return a.webError(c, err)
	}
	d.Runs, d.CanWrite = runs, canWrite(c)
	d.Quarters = recentQuarters(time.Now().In(chinaTime))
	if d.Quarter == "" {
		d.Quarter = d.Quarters[0]
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	d.FormID = randomHex(16)
	if d.Disclosure, err = a.disclosureCard(c, p.Book.Code, d.Quarters); err != nil {
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, status, "payouts", p)
}

func (a *Pages) Payouts(c echo.Context) error {
	p := newPage(c, "收益分配", "payouts")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.payoutsPage(c, &p, payoutsData{Quarter: c.QueryParam("quarter")}, http.StatusOK)
}

func (a *Pages) CreatePayout(c echo.Context) error {
	p := newPage(c, "收益分配", "payouts")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	in := ledger.RunInput{Quarter: strings.TrimSpace(c.FormValue("quarter")), Adjustment: c.FormValue("adjustment") != ""}
	by := httpx.Actor(c)
	if id := c.FormValue("form_id"); formIDPattern.MatchString(id) {
		by = by.With(ledger.WriteOptions{Idempotency: ledger.IdempotencyClaim{UserID: by.UserID, Key: "web:run:" + id, RequestHash: "web"}})
	}
	run, err := a.Store.CreatePayoutRun(httpx.Ctx(c), by, p.Book.Code, in)
	if errors.Is(err, ledger.ErrIdempotencyClaimed) {
		return seeOther(c, bookURL(p.Book.Code, "payouts")+"?ok=submitted")
	}
	if err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, general := formErrors(err, func(f string) bool { return f == "quarter" })
		p.Error = general
		return a.payoutsPage(c, &p, payoutsData{Quarter: in.Quarter, Adjustment: in.Adjustment, Errors: errs},
			httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "payouts", strconv.FormatInt(run.ID, 10)))
}

// maxRunLinesShown bounds the lines listed on the page; the roster has them all.
const maxRunLinesShown = 300

type payoutData struct {
	Run         ledger.PayoutRun
	Step        int // 2 computed, 3 approved, 4 paying, 5 paid
	Lines       []ledger.PayoutLine
	MoreLines   int
	Outstanding []ledger.HouseholdPayout
	Payments    []ledger.Payment
	Names       map[int64]string
	HeadNames   map[string]string
	CanWrite    bool
	CanApprove  bool
	Pay         ledger.PaymentInput
	PayAmount   string
	Errors      map[string]string
	Import      *reports.ImportResult
	Problems    []ledger.Detail
	Warnings    []ledger.AgreementWarning // agreements without a line, and why
	AccrualDate string                    // the accrual date an approval now would use
}

func runIDParam(c echo.Context) (int64, error) {
	id, err := httpx.RunID(c)
	if err != nil {
		return 0, ledger.Errorf(ledger.ECodeNotFound, "收益分配不存在")
	}
	return id, nil
}

// runActionPage starts a page acting on one payout run: the book in scope
// and the run's id from the path.
func (a *Pages) runActionPage(c echo.Context) (webPage, int64, error) {
	p := newPage(c, "收益分配", "payouts")
	if err := a.webBook(c, &p); err != nil {
		return p, 0, err
	}
	id, err := runIDParam(c)
	return p, id, err
}

func (a *Pages) payoutPage(c echo.Context, p *webPage, d payoutData, status int) error {
	id, err := runIDParam(c)
	if err != nil {
		return a.webError(c, err)
	}
	act := httpx.Actor(c)
	run, err := a.Store.PayoutRun(httpx.Ctx(c), act, p.Book.Code, id)
	if err != nil {
		return a.webError(c, err)
	}
	d.Run, d.CanWrite = run, canWrite(c)
	d.CanApprove = run.Status == ledger.RunDraft && (act.HasRole(p.Book.Code, ledger.RoleAccountant) || act.HasRole(p.Book.Code, ledger.RoleTownship))
	d.Lines = run.Lines
	if len(d.Lines) > maxRunLinesShown {
		d.Lines, d.MoreLines = d.Lines[:maxRunLinesShown], len(run.Lines)-maxRunLinesShown
	}
	for _, h := range run.Households {
		if h.Outstanding.IsPositive() {
			d.Outstanding = append(d.Outstanding, h)
		}
	}
	switch {
	case run.Status == ledger.RunDraft:
		d.Step = 2
	case run.Paid.IsZero():
		d.Step = 3
	case run.Outstanding.IsPositive():
		d.Step = 4
	default:
		d.Step = 5
	}
	if run.Status == ledger.RunDraft && !run.Adjustment {
		if d.Warnings, err = a.Store.PayoutWarnings(httpx.Ctx(c), act, p.Book.Code, run.Quarter); err != nil {
			return a.webError(c, err)
		}
		if d.AccrualDate, err = a.Store.DefaultAccrualDate(run.Quarter); err != nil {
			return a.webError(c, err)
		}
	}
	if run.Status == ledger.RunApproved {
		if d.Payments, err = a.Store.Payments(httpx.Ctx(c), act, p.Book.Code, id); err != nil {
			return a.webError(c, err)
		}
	}
	if d.Names, err = a.Store.UserNames(httpx.Ctx(c), act, p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	d.HeadNames = map[string]string{}
	hs, err := a.Store.Households(httpx.Ctx(c), act, p.Book.Code, ledger.HouseholdFilter{Limit: 1000})
	if err != nil {
		return a.webError(c, err)
	}
	for _, h := range hs {
		d.HeadNames[h.Code] = h.HeadName
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if d.Pay.Date == "" {
		d.Pay = ledger.PaymentInput{Date: time.Now().In(chinaTime).Format("2006-01-02"), Method: ledger.MethodBank}
	}
	p.Title = ledger.QuarterName(run.Quarter) + " 分配批次"
	p.D = d
	return a.render(c, status, "payout", p)
}

func (a *Pages) Payout(c echo.Context) error {
	p := newPage(c, "收益分配", "payouts")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.payoutPage(c, &p, payoutData{}, http.StatusOK)
}

// payoutActionFailed shows the run again with the refusal.
func (a *Pages) payoutActionFailed(c echo.Context, p *webPage, d payoutData, err error, known func(string) bool) error {
	if !isFormError(err) {
		return a.webError(c, err)
	}
	d.Errors, p.Error = formErrors(err, known)
	if p.Error == "" {
		p.Error = "未保存，请修改标出的项目"
	}
	return a.payoutPage(c, p, d, httpx.StatusByCode[ledger.ErrorCode(err)])
}

func (a *Pages) RecomputePayout(c echo.Context) error {
	p, id, err := a.runActionPage(c)
	if err != nil {
		return a.webError(c, err)
	}
	if _, err := a.Store.RecomputePayoutRun(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id); err != nil {
		return a.payoutActionFailed(c, &p, payoutData{}, err, func(string) bool { return false })
	}
	return seeOther(c, bookURL(p.Book.Code, "payouts", strconv.FormatInt(id, 10))+"?ok=computed")
}

func (a *Pages) ApprovePayout(c echo.Context) error {
	p, id, err := a.runActionPage(c)
	if err != nil {
		return a.webError(c, err)
	}
	in := ledger.ApproveInput{Date: strings.TrimSpace(c.FormValue("date"))}
	if _, err := a.Store.ApprovePayoutRun(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id, in); err != nil {
		return a.payoutActionFailed(c, &p, payoutData{}, err, func(string) bool { return false })
	}
	return seeOther(c, bookURL(p.Book.Code, "payouts", strconv.FormatInt(id, 10))+"?ok=approved")
}

func knownPaymentField(f string) bool {
	switch strings.TrimPrefix(f, "payments[0].") {
	case "household", "amount", "date", "method", "reference":
		return true
	}
	return false
}

func (a *Pages) RecordPayment(c echo.Context) error {
	p, id, err := a.runActionPage(c)
	if err != nil {
		return a.webError(c, err)
	}
	d := payoutData{PayAmount: strings.TrimSpace(c.FormValue("amount")), Errors: map[string]string{}}
	d.Pay = ledger.PaymentInput{Household: firstToken(c.FormValue("household")), Date: strings.TrimSpace(c.FormValue("date")),
		Method: c.FormValue("method"), Reference: strings.TrimSpace(c.FormValue("reference"))}
	m, err := formMoney(d.PayAmount)
	if err != nil || m == nil {
		d.Errors["amount"] = "请填写付款金额，如 1569.95"
		p.Error = "付款未登记，请修改标出的项目"
		return a.payoutPage(c, &p, d, http.StatusBadRequest)
	}
	d.Pay.Amount = *m
	if _, err := a.Store.RecordPayments(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id, []ledger.PaymentInput{d.Pay}); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, general := formErrors(err, knownPaymentField)
		d.Errors = map[string]string{}
		for k, v := range errs {
			d.Errors[strings.TrimPrefix(k, "payments[0].")] = v
		}
		p.Error = general
		if p.Error == "" {
			p.Error = "付款未登记，请修改标出的项目"
		}
		return a.payoutPage(c, &p, d, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "payouts", strconv.FormatInt(id, 10))+"?ok=paid#outstanding")
}

func (a *Pages) ImportPayments(c echo.Context) error {
	p, id, err := a.runActionPage(c)
	if err != nil {
		return a.webError(c, err)
	}
	res, err := a.runImport(c, reports.ImportRequest{Book: p.Book.Code, Kind: ledger.ImportPayments, Run: id})
	d := payoutData{}
	status := http.StatusOK
	if err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		d.Problems, p.Error = importProblems(err)
		status = httpx.StatusByCode[ledger.ErrorCode(err)]
	} else {
		d.Import = &res
	}
	return a.payoutPage(c, &p, d, status)
}

// rosterFor loads a run's roster; auditors see ID numbers and bank accounts masked.
func (a *Pages) rosterFor(c echo.Context, book string) (reports.RosterData, error) {
	id, err := runIDParam(c)
	if err != nil {
		return reports.RosterData{}, err
	}
	d, err := reports.LoadRoster(httpx.Ctx(c), a.Store, httpx.Actor(c), book, id)
	if err != nil {
		return reports.RosterData{}, err
	}
	// Only who pays sees whole ID and bank numbers: auditors, reporters and
	// the 民主理财小组 see them masked.
	if act := httpx.Actor(c); !act.HasRole(book, ledger.RoleAccountant) && !act.HasRole(book, ledger.RoleTownship) && !act.HasRole(book, ledger.RoleCashier) {
		for i := range d.Households {
			d.Households[i].IDNumber = ledger.MaskIDNumber(d.Households[i].IDNumber)
			d.Households[i].BankAccount = ledger.MaskBankAccount(d.Households[i].BankAccount)
		}
	}
	return d, nil
}

func (a *Pages) RosterXLSX(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d, err := a.rosterFor(c, p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	if d.Links, err = httpx.HouseholdLinkURLs(httpx.Ctx(c), a.Store, httpx.Actor(c), p.Book.Code, a.PublicBase(c)); err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, p.Book.Code+"-"+d.Run.Quarter+"-收益分配花名册.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteRoster(w, d, reports.Options{Creator: webMe(c).Name})
	})
}

func (a *Pages) NoticeXLSX(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d, err := a.rosterFor(c, p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	n := reports.Notice{From: time.Now().In(chinaTime), WorkingDays: true}
	return a.webSendWorkbook(c, p.Book.Code+"-"+d.Run.Quarter+"-收益分配公示.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteNotice(w, d, n, reports.Options{Creator: webMe(c).Name})
	})
}
