package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// voucherID parses the {id} path parameter.
func voucherID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "凭证 ID 应为正整数")
	}
	return id, nil
}

func (a *api) listVouchers(c echo.Context) error {
	q := parseQuery(c, "period", "status", "account", "household", "after", "limit")
	f := ledger.VoucherFilter{Period: q.period("period"), Account: q.account("account"), Household: q.code("household"),
		Status: ledger.VoucherStatus(q.oneOf("status", string(ledger.StatusDraft), string(ledger.StatusPosted))),
		After:  q.id("after"), Limit: q.limit()}
	if err := q.err(); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = fetchLimit(limit)
	vs, err := a.store.Vouchers(ctx(c), actor(c), c.Param("book"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(vs, limit, func(v ledger.Voucher) string { return strconv.FormatInt(v.ID, 10) }))
}

func (a *api) createVoucher(c echo.Context) error {
	var in ledger.VoucherInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.store.CreateVoucher(ctx(c), actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (a *api) getVoucher(c echo.Context) error {
	id, err := voucherID(c)
	if err != nil {
		return err
	}
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	v, err := a.store.Voucher(ctx(c), actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (a *api) updateVoucher(c echo.Context) error {
	id, err := voucherID(c)
	if err != nil {
		return err
	}
	var in ledger.VoucherPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.store.UpdateVoucher(ctx(c), actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (a *api) deleteVoucher(c echo.Context) error {
	id, err := voucherID(c)
	if err != nil {
		return err
	}
	if err := a.store.DeleteVoucher(ctx(c), actor(c), c.Param("book"), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *api) postVoucher(c echo.Context) error {
	id, err := voucherID(c)
	if err != nil {
		return err
	}
	if err := decodeEmpty(c); err != nil {
		return err
	}
	v, err := a.store.PostVoucher(ctx(c), actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (a *api) reverseVoucher(c echo.Context) error {
	id, err := voucherID(c)
	if err != nil {
		return err
	}
	var in ledger.ReverseInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.store.ReverseVoucher(ctx(c), actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}
