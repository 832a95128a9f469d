package api

import (
	"context"
	"net/http"
	"strconv"

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

// GrantRole gives a user a role on a book or over a township (admin; a
// township officer on the books of its township).
func (a *Handlers) GrantRole(c echo.Context) error {
	return a.changeGrant(c, a.Store.GrantRole)
}

// RevokeRole takes a role on a book or township from a user.
func (a *Handlers) RevokeRole(c echo.Context) error {
	return a.changeGrant(c, a.Store.RevokeRole)
}

func (a *Handlers) changeGrant(c echo.Context, change func(context.Context, ledger.Actor, int64, ledger.GrantInput) (ledger.User, error)) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return httpx.Invalid("id", "用户 ID 应为正整数")
	}
	var in ledger.GrantInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	u, err := change(httpx.Ctx(c), httpx.Actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
