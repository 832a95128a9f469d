package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

func (a *Handlers) CreateBook(c echo.Context) error {
	var in ledger.NewBook
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.Store.CreateBook(httpx.Ctx(c), httpx.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}

func (a *Handlers) ListBooks(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	books, err := a.Store.Books(httpx.Ctx(c), httpx.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Book]{Items: books})
}

func (a *Handlers) GetBook(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	b, err := a.Store.Book(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
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

func (a *Handlers) SetSegregation(c echo.Context) error {
	var in segregationRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.OptOut == nil {
		return httpx.Invalid("opt_out", "必须填写 true（豁免不相容职务分离）或 false（恢复）")
	}
	b, err := a.Store.SetSegregationOptOut(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), *in.OptOut, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}
