package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// partyRequest is a company or other unit as a client submits it.
type partyRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
	USCC string `json:"uscc"`
}

func (a *Handlers) ListParties(c echo.Context) error {
	q := httpx.ParseQuery(c, "after", "limit")
	after, limit := q.Code("after"), q.Limit()
	if err := q.Err(); err != nil {
		return err
	}
	ps, err := a.Store.Parties(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), after, httpx.FetchLimit(limit))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.PageOf(ps, limit, func(p ledger.Party) string { return p.Code }))
}

func (a *Handlers) CreateParty(c echo.Context) error {
	var in partyRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.CreateParty(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), ledger.Party{Code: in.Code, Name: in.Name, USCC: in.USCC})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *Handlers) GetParty(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	p, err := a.Store.Party(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *Handlers) UpdateParty(c echo.Context) error {
	var in ledger.PartyPatch
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.UpdateParty(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
