package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// householdRequest is a household as a client submits it (no timestamps).
type householdRequest struct {
	Code        string                 `json:"code"`
	HeadName    string                 `json:"head_name"`
	IDNumber    string                 `json:"id_number"`
	BankAccount string                 `json:"bank_account"`
	Members     int                    `json:"members"`
	Group       string                 `json:"group"`
	Status      ledger.HouseholdStatus `json:"status"`
}

func (r householdRequest) household() ledger.Household {
	return ledger.Household{Code: r.Code, HeadName: r.HeadName, IDNumber: r.IDNumber, BankAccount: r.BankAccount,
		Members: r.Members, Group: r.Group, Status: r.Status}
}

func (a *Handlers) ListHouseholds(c echo.Context) error {
	q := httpx.ParseQuery(c, "q", "after", "limit")
	f := ledger.HouseholdFilter{Query: q.Text("q", 64), After: q.Code("after"), Limit: q.Limit()}
	if err := q.Err(); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = httpx.FetchLimit(limit)
	hs, err := a.Store.Households(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.PageOf(hs, limit, func(h ledger.Household) string { return h.Code }))
}

func (a *Handlers) CreateHousehold(c echo.Context) error {
	var in householdRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	h, err := a.Store.CreateHousehold(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in.household())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h)
}

func (a *Handlers) GetHousehold(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	h, err := a.Store.Household(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (a *Handlers) UpdateHousehold(c echo.Context) error {
	var in ledger.HouseholdPatch
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	h, err := a.Store.UpdateHousehold(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (a *Handlers) HouseholdStatement(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to")
	from, to := q.Get("from"), q.Get("to")
	if err := q.Err(); err != nil {
		return err
	}
	st, err := a.Store.HouseholdStatement(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
