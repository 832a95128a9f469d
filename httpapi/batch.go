package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// batchRoute is the one route whose body may exceed the default limit: up to
// 1,000 vouchers of historical books in one request.
const batchRoute = "/api/v1/books/:book/vouchers/batch"

// batchBodyLimit bounds a batch body: 1,000 vouchers of a few lines
// take well under 1 MiB, 100,000 lines (the ledger's limit) about 16 MiB.
const batchBodyLimit = 32 << 20

// importVouchers posts a batch of already-reviewed vouchers of an earlier
// system, all or none, keeping their numbers and dates.
func (a *api) importVouchers(c echo.Context) error {
	var in ledger.ImportBatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := a.store.ImportVouchers(ctx(c), actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

// setOpeningBalances records (a part of) a book's opening balances (期初余额).
func (a *api) setOpeningBalances(c echo.Context) error {
	var in ledger.OpeningInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.store.SetOpeningBalances(ctx(c), actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// getOpeningBalances lists the opening-balance vouchers.
func (a *api) getOpeningBalances(c echo.Context) error {
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	vs, err := a.store.OpeningBalances(ctx(c), actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.Voucher]{Items: vs})
}
