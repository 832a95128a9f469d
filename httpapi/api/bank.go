package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// The bank: a bank account's statement rows, their matching by hand, and
// the monthly 银行存款余额调节表 (JSON and a workbook). Statements are
// uploaded through the imports route (kind bank-statement, field account).

// accountPeriod reads the required ?account= and ?period=.
func accountPeriod(c echo.Context, periodRequired bool) (string, string, error) {
	q := httpx.ParseQuery(c, "account", "period")
	account, period := q.Account("account"), q.Period("period")
	if q.Get("account") == "" {
		q.Add("account", "必须指定银行存款科目，如 102")
	}
	if periodRequired && q.Get("period") == "" {
		q.Add("period", "必须指定月份，如 2026-03")
	}
	return account, period, q.Err()
}

func (a *Handlers) BankLines(c echo.Context) error {
	account, period, err := accountPeriod(c, false)
	if err != nil {
		return err
	}
	ls, err := a.Store.BankLines(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), account, period)
	if err != nil {
		return err
	}
	if ls == nil {
		ls = []ledger.BankLine{}
	}
	return c.JSON(http.StatusOK, map[string]any{"lines": ls})
}

func (a *Handlers) BankReconciliation(c echo.Context) error {
	account, period, err := accountPeriod(c, true)
	if err != nil {
		return err
	}
	r, err := a.Store.BankReconciliation(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), account, period)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (a *Handlers) BankReconciliationWorkbook(c echo.Context) error {
	account, period, err := accountPeriod(c, true)
	if err != nil {
		return err
	}
	d, err := reports.LoadBankReconciliation(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), account, period)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-%s-银行存款余额调节表.xlsx", c.Param("book"), account, period)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteBankReconciliation(w, d, exportOptions(c)) })
}

func bankLineID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.Invalid("id", "银行流水 ID 应为正整数")
	}
	return id, nil
}

func (a *Handlers) MatchBankLine(c echo.Context) error {
	id, err := bankLineID(c)
	if err != nil {
		return err
	}
	var in ledger.MatchInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := a.Store.MatchBankLine(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

func (a *Handlers) UnmatchBankLine(c echo.Context) error {
	id, err := bankLineID(c)
	if err != nil {
		return err
	}
	l, err := a.Store.UnmatchBankLine(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

func (a *Handlers) AutoMatchBank(c echo.Context) error {
	account, _, err := accountPeriod(c, false)
	if err != nil {
		return err
	}
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	n, err := a.Store.AutoMatchBank(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), account)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"matched": n})
}
