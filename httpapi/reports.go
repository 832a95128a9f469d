package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

func (a *api) trialBalance(c echo.Context) error {
	q := parseQuery(c, "from", "to")
	if err := q.err(); err != nil {
		return err
	}
	tb, err := a.store.TrialBalance(ctx(c), actor(c), c.Param("book"), q.values.Get("from"), q.values.Get("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tb)
}

func (a *api) accountLedger(c echo.Context) error {
	q := parseQuery(c, "account", "household", "from", "to")
	lq := ledger.LedgerQuery{Account: q.account("account"), Household: q.code("household"),
		From: q.values.Get("from"), To: q.values.Get("to")}
	if lq.Account == "" && q.values.Get("account") == "" {
		q.errs.add("account", "必须指定科目代码")
	}
	if err := q.err(); err != nil {
		return err
	}
	l, err := a.store.AccountLedger(ctx(c), actor(c), c.Param("book"), lq)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}
