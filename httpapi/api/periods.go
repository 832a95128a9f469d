package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// periodParam parses the {period} path parameter, YYYY-MM.
func periodParam(c echo.Context) (string, error) {
	p := c.Param("period")
	if _, err := ledger.ParsePeriod(p); err != nil {
		return "", httpx.Invalid("period", "%s", err.Error())
	}
	return p, nil
}

func (a *Handlers) ListPeriods(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ps, err := a.Store.Periods(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.PeriodStatus]{Items: ps})
}

func (a *Handlers) ClosePeriod(c echo.Context) error {
	p, err := periodParam(c)
	if err != nil {
		return err
	}
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	st, err := a.Store.ClosePeriod(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// reopenRequest carries the written reason that 反结账 requires.
type reopenRequest struct {
	Reason string `json:"reason"`
}

func (a *Handlers) ReopenPeriod(c echo.Context) error {
	p, err := periodParam(c)
	if err != nil {
		return err
	}
	var in reopenRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := a.Store.ReopenPeriod(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), p, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
