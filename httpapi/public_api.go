package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// The JSON side of public disclosure: publishing and withdrawing a quarter,
// and making or revoking a household's link. The pages themselves are in
// public_pages.go.

// publicRoutes registers public disclosure: the API routes under r (with a
// token) and the pages on e (without one).
func (a *api) publicRoutes(e *echo.Echo, r authenticated) {
	r.GET("/books/:book/disclosures", a.listDisclosures)
	r.POST("/books/:book/disclosures", a.publishDisclosure, a.idempotent)
	r.DELETE("/books/:book/disclosures/:quarter", a.withdrawDisclosure)
	r.POST("/books/:book/households/:code/link", a.createHouseholdLink, a.idempotentRedacting("url"))
	r.DELETE("/books/:book/households/:code/link", a.revokeHouseholdLink)
	r.GET("/books/:book/payout-runs/:id/slips", publicHeaders(a.runSlips)) // inline style and QR images
	a.publicPages(e)
}

// disclosureRequest names the quarter to publish.
type disclosureRequest struct {
	Quarter string `json:"quarter"`
}

// disclosure is a publication with its public address.
type disclosure struct {
	ledger.Disclosure
	URL string `json:"url,omitempty"` // only while published
}

func (a *api) withURL(c echo.Context, d ledger.Disclosure) disclosure {
	out := disclosure{Disclosure: d}
	if d.Published() {
		out.URL = a.publicBase(c) + disclosurePath(d.Book, d.Slug)
	}
	return out
}

func (a *api) listDisclosures(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	ds, err := a.store.Disclosures(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	out := make([]disclosure, len(ds))
	for i, d := range ds {
		out[i] = a.withURL(c, d)
	}
	return c.JSON(http.StatusOK, list[disclosure]{Items: out})
}

func (a *api) publishDisclosure(c echo.Context) error {
	var in disclosureRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := a.store.PublishDisclosure(ctx(c), actor(c), c.Param("book"), in.Quarter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a.withURL(c, d))
}

func (a *api) withdrawDisclosure(c echo.Context) error {
	d, err := a.store.WithdrawDisclosure(ctx(c), actor(c), c.Param("book"), c.Param("quarter"))
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

func (a *api) createHouseholdLink(c echo.Context) error {
	if err := decodeEmpty(c); err != nil {
		return err
	}
	l, err := a.store.CreateHouseholdLink(ctx(c), actor(c), c.Param("book"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, householdLink{HouseholdLink: l, URL: a.publicBase(c) + householdPath(l.Book, l.Token)})
}

func (a *api) revokeHouseholdLink(c echo.Context) error {
	if err := a.store.RevokeHouseholdLink(ctx(c), actor(c), c.Param("book"), c.Param("code")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
