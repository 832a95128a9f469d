package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// GetBookContact answers the book's contact (both fields empty when none).
func (a *Handlers) GetBookContact(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	out, err := a.Store.BookContactOf(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// SetBookContact sets the person and phone the public pages name; both
// empty clears them.
func (a *Handlers) SetBookContact(c echo.Context) error {
	var in ledger.BookContact
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	out, err := a.Store.SetBookContact(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
