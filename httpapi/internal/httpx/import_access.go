package httpx

import "github.com/labstack/echo/v4"

// ImportAccess refuses an upload by anyone but the book's accountant before
// a byte of its body is read (the idempotency check would read it all):
// 404 outside the token's scope, 403 for the township and auditors.
func (a *Core) ImportAccess(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := a.Store.CheckImportAccess(Ctx(c), Actor(c), c.Param("book")); err != nil {
			return err
		}
		return next(c)
	}
}
