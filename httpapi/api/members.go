package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// A cooperative's year: members (成员), the charter's rules, quantification,
// member accounts (成员账户) and the surplus distribution plan (盈余分配方案).

func (a *Handlers) ListMembers(c echo.Context) error {
	q := httpx.ParseQuery(c, "after", "limit")
	after, limit := q.Code("after"), q.Limit()
	if err := q.Err(); err != nil {
		return err
	}
	ms, err := a.Store.Members(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), after, httpx.FetchLimit(limit))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.PageOf(ms, limit, func(m ledger.Member) string { return m.Code }))
}

// memberRequest is a member as a client submits it.
type memberRequest struct {
	Code           string            `json:"code"`
	Name           string            `json:"name"`
	Kind           ledger.MemberKind `json:"kind"`
	USCC           string            `json:"uscc"`
	JoinedOn       string            `json:"joined_on"`
	LeftOn         string            `json:"left_on"`
	PovertyCapital ledger.Money      `json:"poverty_capital"`
}

func (a *Handlers) CreateMember(c echo.Context) error {
	var in memberRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := a.Store.CreateMember(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), ledger.Member{Code: in.Code, Name: in.Name,
		Kind: in.Kind, USCC: in.USCC, JoinedOn: in.JoinedOn, LeftOn: in.LeftOn, PovertyCapital: in.PovertyCapital})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}

func (a *Handlers) GetMember(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	m, err := a.Store.Member(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (a *Handlers) UpdateMember(c echo.Context) error {
	var in ledger.MemberPatch
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := a.Store.UpdateMember(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// yearQuery reads the required ?year=.
func yearQuery(c echo.Context) (int, error) {
	q := httpx.ParseQuery(c, "year")
	y, err := strconv.Atoi(q.Get("year"))
	if err != nil || y < 1990 || y > 2200 {
		q.Add("year", "必须指定年度（四位数字），如 ?year=2026")
	}
	return y, q.Err()
}

func (a *Handlers) MemberAccount(c echo.Context) error {
	year, err := yearQuery(c)
	if err != nil {
		return err
	}
	ma, err := a.Store.MemberAccount(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ma)
}

func (a *Handlers) MemberAccounts(c echo.Context) error {
	year, err := yearQuery(c)
	if err != nil {
		return err
	}
	ma, err := a.Store.MemberAccounts(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ma)
}

func (a *Handlers) MemberAccountsWorkbook(c echo.Context) error {
	year, err := yearQuery(c)
	if err != nil {
		return err
	}
	ctx, act := httpx.Ctx(c), httpx.Actor(c)
	ma, err := a.Store.MemberAccounts(ctx, act, c.Param("book"), year)
	if err != nil {
		return err
	}
	info, err := a.bookInfo(ctx, act, c.Param("book"))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-成员账户-%d.xlsx", c.Param("book"), year)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteMemberAccounts(w, info, ma, exportOptions(c)) })
}

func (a *Handlers) GetCharter(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ch, err := a.Store.Charter(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

func (a *Handlers) SetCharter(c echo.Context) error {
	var in ledger.Charter
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ch, err := a.Store.SetCharter(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

func (a *Handlers) QuantifyMembers(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	var in ledger.QuantifyInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	q, err := a.Store.QuantifyMembers(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, q)
}

func planID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.Invalid("id", "盈余分配方案 ID 应为正整数")
	}
	return id, nil
}

func (a *Handlers) DraftSurplusPlan(c echo.Context) error {
	var in ledger.PlanInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.DraftSurplusPlan(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *Handlers) GetSurplusPlan(c echo.Context) error {
	id, err := planID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	p, err := a.Store.SurplusPlanOf(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *Handlers) RecordPlanMeeting(c echo.Context) error {
	id, err := planID(c)
	if err != nil {
		return err
	}
	var in ledger.Meeting
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.RecordPlanMeeting(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *Handlers) ApproveSurplusPlan(c echo.Context) error {
	id, err := planID(c)
	if err != nil {
		return err
	}
	p, err := a.Store.ApproveSurplusPlan(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
