package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// health is the body of GET /healthz.
type health struct {
	Status string `json:"status"`
}

// Healthz answers 200 when the database answers; a readiness probe.
func (a *Handlers) Healthz(c echo.Context) error {
	if err := a.Store.DB().PingContext(httpx.Ctx(c)); err != nil {
		a.Logger.Error("health check", "error", err.Error())
		return &ledger.Error{Code: httpx.CodeUnavailable, Message: "数据库暂时无法连接"}
	}
	return c.JSON(http.StatusOK, health{Status: "ok"})
}
