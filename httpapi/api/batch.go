package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// BatchBodyLimit bounds a batch body: 1,000 vouchers of a few lines
// take well under 1 MiB, 100,000 lines (the ledger's limit) about 16 MiB.
const BatchBodyLimit = 32 << 20

// ImportVouchers submits a batch of already-reviewed vouchers of the old
// books, checked whole and kept pending (201: the import is created) until a
// township officer approves it (voucher-imports/{id}/approve), which posts it
// all or none.
func (a *Handlers) ImportVouchers(c echo.Context) error {
	var in ledger.ImportBatch
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	res, err := a.Store.ImportVouchers(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

// SetOpeningBalances records (a part of) a book's opening balances (期初余额).
func (a *Handlers) SetOpeningBalances(c echo.Context) error {
	var in ledger.OpeningInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.Store.SetOpeningBalances(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// GetOpeningBalances lists the opening-balance vouchers.
func (a *Handlers) GetOpeningBalances(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	vs, err := a.Store.OpeningBalances(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Voucher]{Items: vs})
}
