package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// moveOpeningRequest names the old-style opening voucher to move.
type moveOpeningRequest struct {
	VoucherID int64 `json:"voucher_id"`
}

// MoveOpening moves a book's opening voucher of an earlier release into the
// opening-balances facility: posted opening balances plus a red reversal
// draft of the old voucher for a reviewer to post.
func (a *Handlers) MoveOpening(c echo.Context) error {
	var in moveOpeningRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.VoucherID <= 0 {
		return ledger.FieldError("voucher_id", "请给出要迁移的期初建账凭证编号（voucher_id）")
	}
	out, err := a.Store.MoveOpening(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in.VoucherID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}
