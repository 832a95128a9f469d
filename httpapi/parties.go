package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// partyRequest is a company or other unit as a client submits it.
type partyRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
	USCC string `json:"uscc"`
}

func (a *api) listParties(c echo.Context) error {
	q := parseQuery(c, "after", "limit")
	after, limit := q.code("after"), q.limit()
	if err := q.err(); err != nil {
		return err
	}
	ps, err := a.store.Parties(ctx(c), actor(c), c.Param("book"), after, fetchLimit(limit))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(ps, limit, func(p ledger.Party) string { return p.Code }))
}

func (a *api) createParty(c echo.Context) error {
	var in partyRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.store.CreateParty(ctx(c), actor(c), c.Param("book"), ledger.Party{Code: in.Code, Name: in.Name, USCC: in.USCC})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *api) getParty(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	p, err := a.store.Party(ctx(c), actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *api) updateParty(c echo.Context) error {
	var in ledger.PartyPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.store.UpdateParty(ctx(c), actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
