package web

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// The payout wizard's bank side: the 代发 list of an approved run for the
// bank (CSV or workbook) and the template of the bank's result upload.

func (a *Pages) bankPayoutRows(c echo.Context) (webPage, []ledger.BankPayoutRow, string, error) {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return p, nil, "", err
	}
	id, err := runIDParam(c)
	if err != nil {
		return p, nil, "", err
	}
	rows, err := a.Store.BankPayoutList(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id)
	if err != nil {
		return p, nil, "", err
	}
	run, err := a.Store.PayoutRun(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id)
	return p, rows, p.Book.Code + "-" + run.Quarter + "-代发清单", err
}

// BankPayoutCSV is the run's 代发 list as CSV.
func (a *Pages) BankPayoutCSV(c echo.Context) error {
	_, rows, name, err := a.bankPayoutRows(c)
	if err != nil {
		return a.webError(c, err)
	}
	var buf bytes.Buffer
	if err := reports.WriteBankPayoutCSV(&buf, rows); err != nil {
		return a.webError(c, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, "attachment; filename=\"export.csv\"; filename*=UTF-8''"+url.PathEscape(name+".csv"))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// BankPayoutXLSX is the run's 代发 list as a workbook.
func (a *Pages) BankPayoutXLSX(c echo.Context) error {
	_, rows, name, err := a.bankPayoutRows(c)
	if err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, name+".xlsx", func(w *bytes.Buffer) error { return reports.WriteBankPayoutXLSX(w, rows) })
}

// PaymentsTemplate is the template of the bank's result upload (付款导入).
func (a *Pages) PaymentsTemplate(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, "银行代发结果导入模板.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteImportTemplate(w, ledger.ImportPayments)
	})
}
