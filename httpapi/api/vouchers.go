package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

func (a *Handlers) ListVouchers(c echo.Context) error {
	q := httpx.ParseQuery(c, "period", "status", "account", "household", "after", "limit")
	f := ledger.VoucherFilter{Period: q.Period("period"), Account: q.Account("account"), Household: q.Code("household"),
		Status: ledger.VoucherStatus(q.OneOf("status", string(ledger.StatusDraft), string(ledger.StatusPosted))),
		After:  q.ID("after"), Limit: q.Limit()}
	if err := q.Err(); err != nil {
		return err
	}
	limit := f.Limit
	f.Limit = httpx.FetchLimit(limit)
	vs, err := a.Store.Vouchers(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.PageOf(vs, limit, func(v ledger.Voucher) string { return strconv.FormatInt(v.ID, 10) }))
}

func (a *Handlers) CreateVoucher(c echo.Context) error {
	var in ledger.VoucherInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.Store.CreateVoucher(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (a *Handlers) GetVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	v, err := a.Store.Voucher(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (a *Handlers) UpdateVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	var in ledger.VoucherPatch
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.Store.UpdateVoucher(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (a *Handlers) DeleteVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteVoucher(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *Handlers) PostVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	v, err := a.Store.PostVoucher(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (a *Handlers) ReverseVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	var in ledger.ReverseInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.Store.ReverseVoucher(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}
