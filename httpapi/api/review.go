package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
)

// returnRequest carries the reason a draft is returned to its preparer.
type returnRequest struct {
	Reason string `json:"reason"`
}

// ReturnVoucher returns a draft to its preparer with a reason (驳回).
func (a *Handlers) ReturnVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	var in returnRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.Store.ReturnDraft(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
