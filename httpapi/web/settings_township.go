package web

import (
	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
)

// The township's settings of a book, on the settings page: the segregation
// opt-out of a one-person village and the go-live month. Both call the
// ledger functions the API's PUT …/segregation and PUT …/go-live call.

// SetSegregation turns the opt-out on (with its reason) or off.
func (a *Pages) SetSegregation(c echo.Context) error {
	p := newPage(c, "账套设置", "settings")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	optOut, reason := c.FormValue("opt_out") == "true", c.FormValue("reason")
	_, err := a.Store.SetSegregationOptOut(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, optOut, reason)
	if err == nil {
		return seeOther(c, bookURL(p.Book.Code, "settings")+"?ok=saved")
	}
	return a.settingsRefused(c, &p, err, func(f string) bool { return f == "reason" },
		func(d *settingsData) { d.Reason = reason })
}

// SetGoLive moves the book's go-live month.
func (a *Pages) SetGoLive(c echo.Context) error {
	p := newPage(c, "账套设置", "settings")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	period := c.FormValue("go_live_period")
	_, err := a.Store.SetGoLive(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, period)
	if err == nil {
		return seeOther(c, bookURL(p.Book.Code, "settings")+"?ok=saved")
	}
	return a.settingsRefused(c, &p, err, func(f string) bool { return f == "go_live_period" },
		func(d *settingsData) { d.GoLive = period })
}
