package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

func (a *Handlers) ListAccounts(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	accounts, err := a.Store.Accounts(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Account]{Items: accounts})
}

func (a *Handlers) CreateAccount(c echo.Context) error {
	var in ledger.NewAccount
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	acc, err := a.Store.AddAccount(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, acc)
}
