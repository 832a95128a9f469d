package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
	"coopledger/reports"
)

// Financial statements (资产负债表, 收益及收益分配表) and year-end closing.

// monthQuery reads the only query parameter of a month-end report: ?month=.
func monthQuery(c echo.Context) (string, error) {
	q := parseQuery(c, "month")
	m := q.period("month")
	if q.values.Get("month") == "" {
		q.errs.add("month", "必须指定月份，如 2026-09")
	}
	return m, q.err()
}

func (a *api) balanceSheet(c echo.Context) error {
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	bs, err := a.store.BalanceSheet(ctx(c), actor(c), c.Param("book"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bs)
}

func (a *api) incomeStatement(c echo.Context) error {
	q := parseQuery(c, "from", "to")
	from, to := monthRange(q)
	if err := q.err(); err != nil {
		return err
	}
	is, err := a.store.IncomeStatement(ctx(c), actor(c), c.Param("book"), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, is)
}

func (a *api) statementsWorkbook(c echo.Context) error {
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	d, err := reports.LoadStatements(ctx(c), a.store, actor(c), c.Param("book"), month)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-会计报表-%s.xlsx", c.Param("book"), month)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteStatements(w, d, exportOptions(c)) })
}

func (a *api) townshipStatements(c echo.Context) error {
	if err := townshipWide(c, "乡镇汇总报表"); err != nil {
		return err
	}
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	ts, err := a.store.TownshipStatements(ctx(c), actor(c), c.Param("township"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ts)
}

func (a *api) townshipStatementsWorkbook(c echo.Context) error {
	if err := townshipWide(c, "乡镇汇总报表"); err != nil {
		return err
	}
	month, err := monthQuery(c)
	if err != nil {
		return err
	}
	d, err := reports.LoadTownshipStatements(ctx(c), a.store, actor(c), c.Param("township"), month)
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
		return 0, invalid("year", "年度应为四位数字，如 2026")
	}
	return y, nil
}

func (a *api) yearEnd(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	ye, err := a.store.YearEndStatus(ctx(c), actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ye)
}

func (a *api) prepareYearEnd(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	if err := decodeEmpty(c); err != nil {
		return err
	}
	vs, err := a.store.PrepareYearEnd(ctx(c), actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, list[ledger.Voucher]{Items: vs})
}

func (a *api) closeYear(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	if err := decodeEmpty(c); err != nil {
		return err
	}
	ye, err := a.store.CloseYear(ctx(c), actor(c), c.Param("book"), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ye)
}

func (a *api) reopenYear(c echo.Context) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	var in reopenRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ye, err := a.store.ReopenYear(ctx(c), actor(c), c.Param("book"), year, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ye)
}
