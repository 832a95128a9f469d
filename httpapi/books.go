package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

func (a *api) createBook(c echo.Context) error {
	var in ledger.NewBook
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.store.CreateBook(ctx(c), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}

func (a *api) listBooks(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	books, err := a.store.Books(ctx(c), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.Book]{Items: books})
}

func (a *api) getBook(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	b, err := a.store.Book(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// segregationRequest lets a one-person village post its own vouchers.
type segregationRequest struct {
	OptOut *bool  `json:"opt_out"`
	Reason string `json:"reason"`
}

func (a *api) setSegregation(c echo.Context) error {
	var in segregationRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.OptOut == nil {
		return invalid("opt_out", "必须填写 true（豁免不相容职务分离）或 false（恢复）")
	}
	b, err := a.store.SetSegregationOptOut(ctx(c), actor(c), c.Param("book"), *in.OptOut, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}
