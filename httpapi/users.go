package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// createdUser is a new user with its token, which is shown this once. A
// replay of the request (Idempotency-Key) answers without the token.
type createdUser struct {
	User  ledger.User `json:"user"`
	Token string      `json:"token,omitempty"`
}

func (a *api) createUser(c echo.Context) error {
	var in ledger.NewUser
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, token, err := a.store.CreateUser(ctx(c), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdUser{User: u, Token: token})
}

func (a *api) me(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	u, err := a.store.Me(ctx(c), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
