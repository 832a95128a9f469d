package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// periodParam parses the {period} path parameter, YYYY-MM.
func periodParam(c echo.Context) (string, error) {
	p := c.Param("period")
	if _, err := ledger.ParsePeriod(p); err != nil {
		return "", invalid("period", "%s", err.Error())
	}
	return p, nil
}

func (a *api) listPeriods(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	ps, err := a.store.Periods(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.PeriodStatus]{Items: ps})
}

func (a *api) closePeriod(c echo.Context) error {
	p, err := periodParam(c)
	if err != nil {
		return err
	}
	if err := decodeEmpty(c); err != nil {
		return err
	}
	st, err := a.store.ClosePeriod(ctx(c), actor(c), c.Param("book"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// reopenRequest carries the written reason that 反结账 requires.
type reopenRequest struct {
	Reason string `json:"reason"`
}

func (a *api) reopenPeriod(c echo.Context) error {
	p, err := periodParam(c)
	if err != nil {
		return err
	}
	var in reopenRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := a.store.ReopenPeriod(ctx(c), actor(c), c.Param("book"), p, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
