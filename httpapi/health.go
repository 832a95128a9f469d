package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// health is the body of GET /healthz.
type health struct {
	Status string `json:"status"`
}

// healthz answers 200 when the database answers; a readiness probe.
func (a *api) healthz(c echo.Context) error {
	if err := a.store.DB().PingContext(ctx(c)); err != nil {
		a.logger.Error("health check", "error", err.Error())
		return &ledger.Error{Code: codeUnavailable, Message: "数据库暂时无法连接"}
	}
	return c.JSON(http.StatusOK, health{Status: "ok"})
}
