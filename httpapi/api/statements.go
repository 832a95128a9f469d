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

// Financial statements (资产负债表, 收益及收益分配表) and year-end closing.

// monthQuery reads the only query parameter of a month-end report: ?month=.
func monthQuery(c echo.Context) (string, error) {
	q := httpx.ParseQuery(c, "month")
	m := q.Period("month")
	if q.Get("month") == "" {
		q.Add("month", "必须指定月份，如 2026-09")
	}
	return m, q.Err()
}

func (a *Handlers) BalanceSheet(c echo.Context) error {
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	bs, err := a.Store.BalanceSheet(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bs)
}

func (a *Handlers) IncomeStatement(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to")
	from, to := monthRange(q)
	if err := q.Err(); err != nil {
		return err
	}
	is, err := a.Store.IncomeStatement(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, is)
}

// EquityChanges is a cooperative's 成员权益变动表 (会农社03表) for the year to
// ?month=.
func (a *Handlers) EquityChanges(c echo.Context) error {
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	ec, err := a.Store.EquityChanges(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ec)
}

func (a *Handlers) StatementsWorkbook(c echo.Context) error {
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	d, err := reports.LoadStatements(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), month)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-会计报表-%s.xlsx", c.Param("book"), month)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteStatements(w, d, exportOptions(c)) })
}

func (a *Handlers) TownshipStatements(c echo.Context) error {
	if err := townshipWide(c, "乡镇汇总报表"); err != nil {
		return err
	}
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	ts, err := a.Store.TownshipStatements(httpx.Ctx(c), httpx.Actor(c), c.Param("township"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ts)
}

func (a *Handlers) TownshipStatementsWorkbook(c echo.Context) error {
	if err := townshipWide(c, "乡镇汇总报表"); err != nil {
		return err
	}
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	d, err := reports.LoadTownshipStatements(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("township"), month)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-乡镇会计报表汇总-%s.xlsx", c.Param("township"), month)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteTownshipStatements(w, d, exportOptions(c)) })
}

// yearParam parses the {year} path parameter.
func yearParam(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 1990 || y > 2200 {
		return 0, httpx.Invalid("year", "年度应为四位数字，如 2026")
	}
	return y, nil
}

func (a *Handlers) YearEnd(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ye, err := a.Store.YearEndStatus(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ye)
}

func (a *Handlers) PrepareYearEnd(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	vs, err := a.Store.PrepareYearEnd(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, httpx.List[ledger.Voucher]{Items: vs})
}

func (a *Handlers) CloseYear(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	ye, err := a.Store.CloseYear(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ye)
}

func (a *Handlers) ReopenYear(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	var in reopenRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ye, err := a.Store.ReopenYear(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), year, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ye)
}
