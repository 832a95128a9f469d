package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// createdUser is a new user with its token, which is shown this once. A
// replay of the request (Idempotency-Key) answers without the token.
type createdUser struct {
	User  ledger.User `json:"user"`
	Token string      `json:"token,omitempty"`
}

func (a *Handlers) CreateUser(c echo.Context) error {
	var in ledger.NewUser
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	u, token, err := a.Store.CreateUser(httpx.Ctx(c), httpx.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdUser{User: u, Token: token})
}

func (a *Handlers) Me(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	u, err := a.Store.Me(httpx.Ctx(c), httpx.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
