package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// The 银行存款余额调节表 on screen, with its workbook.

type bankReconciliationData struct {
	Account, Period string
	R               *ledger.BankReconciliationReport
	Errors          map[string]string
}

// bankParams reads ?account= (default 102) and ?period= (default last month).
func bankParams(c echo.Context) (string, string) {
	account, period := c.QueryParam("account"), c.QueryParam("period")
	if account == "" {
		account = "102"
	}
	if period == "" {
		now := time.Now().In(chinaTime)
		period = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, chinaTime).AddDate(0, -1, 0).Format("2006-01")
	}
	return account, period
}

func (a *Pages) BankReconciliation(c echo.Context) error {
	p := newPage(c, "银行存款余额调节表", "reports")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := bankReconciliationData{Errors: map[string]string{}}
	d.Account, d.Period = bankParams(c)
	status := http.StatusOK
	r, err := a.Store.BankReconciliation(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, d.Account, d.Period)
	switch code := ledger.ErrorCode(err); {
	case err == nil:
		d.R = &r
	case code == ledger.ECodeInvalid:
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "account" || f == "period" })
		status = http.StatusBadRequest
	case code == ledger.ECodeNotFound:
		p.Error = err.(*ledger.Error).Message // no statement yet: say so beside the form
	default:
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, status, "bank_reconciliation", &p)
}

func (a *Pages) BankReconciliationXLSX(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	account, period := bankParams(c)
	d, err := reports.LoadBankReconciliation(httpx.Ctx(c), a.Store, httpx.Actor(c), p.Book.Code, account, period)
	if ledger.ErrorCode(err) == ledger.ECodeNotFound || ledger.ErrorCode(err) == ledger.ECodeInvalid {
		// No statement yet, or a bad month: the page says which.
		return a.BankReconciliation(c)
	}
	if err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, p.Book.Code+"-"+account+"-"+period+"-银行存款余额调节表.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteBankReconciliation(w, d, reports.Options{Creator: webMe(c).Name})
	})
}
