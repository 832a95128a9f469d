package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

func (a *Handlers) TrialBalance(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to", "hide_zero")
	hide := q.OneOf("hide_zero", "true", "false") == "true"
	if err := q.Err(); err != nil {
		return err
	}
	tb, err := a.Store.TrialBalance(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	if hide {
		tb = tb.WithoutZeroRows()
	}
	return c.JSON(http.StatusOK, tb)
}

func (a *Handlers) AccountLedger(c echo.Context) error {
	q := httpx.ParseQuery(c, "account", "household", "from", "to")
	lq := ledger.LedgerQuery{Account: q.Account("account"), Household: q.Code("household"),
		From: q.Get("from"), To: q.Get("to")}
	if lq.Account == "" && q.Get("account") == "" {
		q.Add("account", "必须指定科目代码")
	}
	if err := q.Err(); err != nil {
		return err
	}
	l, err := a.Store.AccountLedger(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), lq)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}
