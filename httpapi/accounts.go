package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

func (a *api) listAccounts(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	accounts, err := a.store.Accounts(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.Account]{Items: accounts})
}

func (a *api) createAccount(c echo.Context) error {
	var in ledger.NewAccount
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	acc, err := a.store.AddAccount(ctx(c), actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, acc)
}
