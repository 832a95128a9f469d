package api

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

var actionPattern = regexp.MustCompile(`^[a-z_]{1,32}$`)

func (a *Handlers) AuditLog(c echo.Context) error {
	q := httpx.ParseQuery(c, "user", "action", "from", "to", "after", "limit")
	f := ledger.AuditFilter{UserID: q.ID("user"), Action: q.Get("action"), After: q.ID("after"), Limit: q.Limit()}
	if f.Action != "" && !actionPattern.MatchString(f.Action) {
		q.Add("action", "操作类型应为小写英文，如 create、post、close")
	}
	if from, ok := q.Date("from"); ok {
		f.From = from.Format("2006-01-02")
	}
	if to, ok := q.Date("to"); ok { // inclusive day: entries before the next day
		f.To = to.AddDate(0, 0, 1).Format("2006-01-02")
	}
	if err := q.Err(); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = httpx.FetchLimit(limit)
	entries, err := a.Store.AuditLog(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.PageOf(entries, limit, func(e ledger.AuditEntry) string { return strconv.FormatInt(e.ID, 10) }))
}

func (a *Handlers) Verify(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	r, err := a.Store.Verify(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
