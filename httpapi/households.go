package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

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

func (a *api) listHouseholds(c echo.Context) error {
	q := parseQuery(c, "q", "after", "limit")
	f := ledger.HouseholdFilter{Query: q.text("q", 64), After: q.code("after"), Limit: q.limit()}
	if err := q.err(); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = fetchLimit(limit)
	hs, err := a.store.Households(ctx(c), actor(c), c.Param("book"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(hs, limit, func(h ledger.Household) string { return h.Code }))
}

func (a *api) createHousehold(c echo.Context) error {
	var in householdRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	h, err := a.store.CreateHousehold(ctx(c), actor(c), c.Param("book"), in.household())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h)
}

func (a *api) getHousehold(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	h, err := a.store.Household(ctx(c), actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (a *api) updateHousehold(c echo.Context) error {
	var in ledger.HouseholdPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	h, err := a.store.UpdateHousehold(ctx(c), actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (a *api) householdStatement(c echo.Context) error {
	q := parseQuery(c, "from", "to")
	from, to := q.values.Get("from"), q.values.Get("to")
	if err := q.err(); err != nil {
		return err
	}
	st, err := a.store.HouseholdStatement(ctx(c), actor(c), c.Param("book"), c.Param("code"), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
