package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// 盈余分配方案: draft a year's plan, see its figures and per-member lines,
// record the 成员（代表）大会 and approve. The same ledger calls as the
// API's surplus-plan handlers; the ledger's refusals are shown on the form.

type planForm struct {
	Year, Return, Residual, ToCapital string
}

type meetingForm struct {
	Date, Attended, Total, Resolution string
}

type surplusData struct {
	Plan      *ledger.SurplusPlan
	F         planForm
	M         meetingForm
	C         charterForm // the charter's rate and basis, empty until entered
	Errors    map[string]string
	CanWrite  bool
	CanSign   bool   // township finance approves plans and sets the charter too
	ReturnPct string // the return's share of 可分配盈余
}

func knownPlanField(f string) bool {
	switch f {
	case "year", "return", "residual", "to_capital", "date", "attended", "total", "resolution":
		return true
	}
	return false
}

// returnShare is the return by volume as a percentage of 可分配盈余.
func returnShare(p ledger.SurplusPlan) string {
	if p.Distributable.Fen() <= 0 {
		return ""
	}
	return p.Return.Decimal().Mul(decimal.NewFromInt(100)).DivRound(p.Distributable.Decimal(), 2).StringFixed(2)
}

func (a *Pages) surplusPage(c echo.Context, p *webPage, d surplusData, status int) error {
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	d.CanWrite = canWrite(c)
	d.CanSign = d.CanWrite || p.Me.Role == ledger.RoleTownship
	if d.C.QuantifyBasis == "" {
		if ch, err := a.Store.Charter(httpx.Ctx(c), httpx.Actor(c), p.Book.Code); err == nil {
			d.C = charterForm{ReserveRate: ch.ReserveRate, QuantifyBasis: string(ch.QuantifyBasis)}
		} else if ledger.ErrorCode(err) != ledger.ECodeNotFound && !isFormError(err) {
			return a.webError(c, err)
		}
	}
	if d.Plan != nil {
		d.ReturnPct = returnShare(*d.Plan)
		p.Title = strconv.Itoa(d.Plan.Year) + " 年盈余分配方案"
		if d.F.Year == "" {
			d.F = planForm{Year: strconv.Itoa(d.Plan.Year), Return: d.Plan.Return.String(), Residual: d.Plan.Residual.String(),
				ToCapital: d.Plan.ToCapital.String()}
		}
		if m := d.Plan.Meeting; m != nil && d.M.Date == "" {
			d.M = meetingForm{Date: m.Date, Attended: strconv.Itoa(m.Attended), Total: strconv.Itoa(m.Total), Resolution: m.Resolution}
		}
	}
	p.D = d
	return a.render(c, status, "surplus_plans", p)
}

// SurplusPlans shows the plan of ?year= (this year by default) and the form
// that drafts or redrafts it.
func (a *Pages) SurplusPlans(c echo.Context) error {
	p := newPage(c, "盈余分配方案", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	year := time.Now().Year()
	if y, err := strconv.Atoi(c.QueryParam("year")); err == nil {
		year = y
	}
	d := surplusData{F: planForm{Year: strconv.Itoa(year)}}
	plan, err := a.Store.SurplusPlanOfYear(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, year)
	switch {
	case err == nil:
		d.Plan, d.F = &plan, planForm{}
	case ledger.ErrorCode(err) != ledger.ECodeNotFound:
		return a.webError(c, err)
	}
	return a.surplusPage(c, &p, d, http.StatusOK)
}

func (a *Pages) SurplusPlan(c echo.Context) error {
	p := newPage(c, "盈余分配方案", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	plan, err := a.planOf(c, &p)
	if err != nil {
		return a.webError(c, err)
	}
	return a.surplusPage(c, &p, surplusData{Plan: &plan}, http.StatusOK)
}

func (a *Pages) planOf(c echo.Context, p *webPage) (ledger.SurplusPlan, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return ledger.SurplusPlan{}, ledger.FieldError("id", "盈余分配方案 ID 应为正整数")
	}
	return a.Store.SurplusPlanOf(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id)
}

// planMoney reads an amount of the plan form; empty is zero.
func planMoney(errs map[string]string, field, s string) ledger.Money {
	m, err := formMoney(s)
	if err != nil {
		errs[field] = "金额不正确：" + err.Error()
	}
	if m == nil {
		return ledger.Money{}
	}
	return *m
}

func (a *Pages) DraftSurplusPlan(c echo.Context) error {
	p := newPage(c, "盈余分配方案", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f, errs := planForm{Year: v("year"), Return: v("return"), Residual: v("residual"), ToCapital: v("to_capital")}, map[string]string{}
	year, err := strconv.Atoi(f.Year)
	if err != nil {
		errs["year"] = "年度应为四位数字，如 2026"
	}
	in := ledger.PlanInput{Year: year, Return: planMoney(errs, "return", f.Return), Residual: planMoney(errs, "residual", f.Residual),
		ToCapital: planMoney(errs, "to_capital", f.ToCapital)}
	status := http.StatusBadRequest
	if len(errs) == 0 {
		plan, err := a.Store.DraftSurplusPlan(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, in)
		if err == nil {
			return seeOther(c, bookURL(p.Book.Code, "surplus-plans", strconv.FormatInt(plan.ID, 10))+"?ok=saved")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = formErrors(err, knownPlanField)
		status = httpx.StatusByCode[ledger.ErrorCode(err)]
	}
	d := surplusData{F: f, Errors: errs}
	if old, err := a.Store.SurplusPlanOfYear(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, year); err == nil {
		d.Plan = &old
	}
	return a.surplusPage(c, &p, d, status)
}

func (a *Pages) RecordPlanMeeting(c echo.Context) error {
	p := newPage(c, "盈余分配方案", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	plan, err := a.planOf(c, &p)
	if err != nil {
		return a.webError(c, err)
	}
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	m, errs := meetingForm{Date: v("date"), Attended: v("attended"), Total: v("total"), Resolution: v("resolution")}, map[string]string{}
	count := func(field, s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[field] = "应为人数（整数）"
		}
		return n
	}
	in := ledger.Meeting{Date: m.Date, Attended: count("attended", m.Attended), Total: count("total", m.Total), Resolution: m.Resolution}
	status := http.StatusBadRequest
	if len(errs) == 0 {
		if _, err = a.Store.RecordPlanMeeting(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, plan.ID, in); err == nil {
			return seeOther(c, bookURL(p.Book.Code, "surplus-plans", strconv.FormatInt(plan.ID, 10))+"?ok=saved")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = formErrors(err, knownPlanField)
		status = httpx.StatusByCode[ledger.ErrorCode(err)]
	}
	return a.surplusPage(c, &p, surplusData{Plan: &plan, M: m, Errors: errs}, status)
}

func (a *Pages) ApproveSurplusPlan(c echo.Context) error {
	p := newPage(c, "盈余分配方案", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	plan, err := a.planOf(c, &p)
	if err != nil {
		return a.webError(c, err)
	}
	if _, err = a.Store.ApproveSurplusPlan(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, plan.ID); err == nil {
		return seeOther(c, bookURL(p.Book.Code, "surplus-plans", strconv.FormatInt(plan.ID, 10))+"?ok=plan-approved")
	}
	if !isFormError(err) {
		return a.webError(c, err)
	}
	_, p.Error = formErrors(err, func(string) bool { return false })
	return a.surplusPage(c, &p, surplusData{Plan: &plan}, httpx.StatusByCode[ledger.ErrorCode(err)])
}

type charterForm struct {
	ReserveRate, QuantifyBasis string
}

func knownCharterField(f string) bool { return f == "reserve_rate" || f == "quantify_basis" }

// SetCharter saves the charter's 盈余公积 rate and quantification basis from
// the plans page.
func (a *Pages) SetCharter(c echo.Context) error {
	p := newPage(c, "盈余分配方案", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	f := charterForm{ReserveRate: strings.TrimSpace(c.FormValue("reserve_rate")), QuantifyBasis: c.FormValue("quantify_basis")}
	in := ledger.Charter{ReserveRate: strings.TrimSuffix(f.ReserveRate, "%"), QuantifyBasis: ledger.QuantifyBasis(f.QuantifyBasis)}
	_, err := a.Store.SetCharter(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, in)
	if err == nil {
		return seeOther(c, bookURL(p.Book.Code, "surplus-plans")+"?ok=saved")
	}
	if !isFormError(err) {
		return a.webError(c, err)
	}
	errs, general := formErrors(err, knownCharterField)
	p.Error = general
	return a.surplusPage(c, &p, surplusData{C: f, Errors: errs, F: planForm{Year: strconv.Itoa(time.Now().Year())}}, httpx.StatusByCode[ledger.ErrorCode(err)])
}
