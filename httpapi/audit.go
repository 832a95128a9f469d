package httpapi

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

var actionPattern = regexp.MustCompile(`^[a-z_]{1,32}$`)

func (a *api) auditLog(c echo.Context) error {
	q := parseQuery(c, "user", "action", "from", "to", "after", "limit")
	f := ledger.AuditFilter{UserID: q.id("user"), Action: q.values.Get("action"), After: q.id("after"), Limit: q.limit()}
	if f.Action != "" && !actionPattern.MatchString(f.Action) {
		q.errs.add("action", "操作类型应为小写英文，如 create、post、close")
	}
	if from, ok := q.date("from"); ok {
		f.From = from.Format("2006-01-02")
	}
	if to, ok := q.date("to"); ok { // inclusive day: entries before the next day
		f.To = to.AddDate(0, 0, 1).Format("2006-01-02")
	}
	if err := q.err(); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = fetchLimit(limit)
	entries, err := a.store.AuditLog(ctx(c), actor(c), c.Param("book"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(entries, limit, func(e ledger.AuditEntry) string { return strconv.FormatInt(e.ID, 10) }))
}

func (a *api) verify(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	r, err := a.store.Verify(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
