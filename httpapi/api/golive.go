package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Go-live and the approval of historical imports (ledger/pending_imports.go).

// GoLiveRequest is the body of PUT /books/{book}/go-live.
type GoLiveRequest struct {
	GoLivePeriod string `json:"go_live_period"`
}

// SetGoLive moves the book's go-live month.
func (a *Handlers) SetGoLive(c echo.Context) error {
	var in GoLiveRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.GoLivePeriod == "" {
		return httpx.Invalid("go_live_period", "必须填写上线月份，如 2026-06")
	}
	b, err := a.Store.SetGoLive(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in.GoLivePeriod)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// importID parses the {id} path parameter of a voucher import.
func importID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.Invalid("id", "导入 ID 应为正整数")
	}
	return id, nil
}

func (a *Handlers) ListVoucherImports(c echo.Context) error {
	q := httpx.ParseQuery(c, "status")
	status := q.OneOf("status", ledger.ImportPending, ledger.ImportApproved, ledger.ImportRejected)
	if err := q.Err(); err != nil {
		return err
	}
	items, err := a.Store.PendingImports(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.PendingImport]{Items: items})
}

func (a *Handlers) GetVoucherImport(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	p, err := a.Store.PendingImportByID(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ApproveVoucherImport posts a pending import, all or none.
func (a *Handlers) ApproveVoucherImport(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	p, err := a.Store.ApproveImport(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// RejectRequest is the body of a rejection.
type RejectRequest struct {
	Reason string `json:"reason"`
}

func (a *Handlers) RejectVoucherImport(c echo.Context) error {
	id, err := importID(c)
	if err != nil {
		return err
	}
	var in RejectRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Store.RejectImport(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
