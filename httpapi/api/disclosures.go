package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// The JSON side of public disclosure: publishing and withdrawing a quarter,
// and making or revoking a household's link. The pages themselves are in
// package public.

// disclosureRequest names the quarter to publish.
type disclosureRequest struct {
	Quarter string `json:"quarter"`
}

// disclosure is a publication with its public address.
type disclosure struct {
	ledger.Disclosure
	URL string `json:"url,omitempty"` // only while published
}

func (a *Handlers) withURL(c echo.Context, d ledger.Disclosure) disclosure {
	out := disclosure{Disclosure: d}
	if d.Published() {
		out.URL = a.PublicBase(c) + httpx.DisclosurePath(d.Book, d.Slug)
	}
	return out
}

func (a *Handlers) ListDisclosures(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ds, err := a.Store.Disclosures(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	out := make([]disclosure, len(ds))
	for i, d := range ds {
		out[i] = a.withURL(c, d)
	}
	return c.JSON(http.StatusOK, httpx.List[disclosure]{Items: out})
}

func (a *Handlers) PublishDisclosure(c echo.Context) error {
	var in disclosureRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.Store.PublishDisclosure(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in.Quarter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a.withURL(c, d))
}

func (a *Handlers) WithdrawDisclosure(c echo.Context) error {
	d, err := a.Store.WithdrawDisclosure(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("quarter"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.withURL(c, d))
}

// householdLink is a new link, shown this once: only its hash is kept.
type householdLink struct {
	ledger.HouseholdLink
	URL string `json:"url,omitempty"` // left out of an idempotent replay
}

func (a *Handlers) CreateHouseholdLink(c echo.Context) error {
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	l, err := a.Store.CreateHouseholdLink(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, householdLink{HouseholdLink: l, URL: a.PublicBase(c) + httpx.HouseholdPath(l.Book, l.Token)})
}

func (a *Handlers) RevokeHouseholdLink(c echo.Context) error {
	if err := a.Store.RevokeHouseholdLink(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), c.Param("code")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
