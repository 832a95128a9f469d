package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// routes registers the whole API. Every POST accepts an Idempotency-Key.
// openapi.go describes the same routes; a test keeps the two in step.
func (a *api) routes(e *echo.Echo) {
	e.GET("/healthz", a.healthz)
	e.GET("/openapi.json", a.openAPI)

	v1 := e.Group("/api/v1")
	v1.GET("/healthz", a.healthz)
	v1.GET("/openapi.json", a.openAPI)

	r := authenticated{v1, a.authenticate, a.bookAccess}
	idem := a.idempotent
	r.GET("/me", a.me)
	r.POST("/users", a.createUser, a.idempotentRedacting("token"))

	r.POST("/books", a.createBook, idem)
	r.GET("/books", a.listBooks)
	r.GET("/books/:book", a.getBook)
	r.PUT("/books/:book/segregation", a.setSegregation)

	r.GET("/books/:book/accounts", a.listAccounts)
	r.POST("/books/:book/accounts", a.createAccount, idem)

	r.GET("/books/:book/households", a.listHouseholds)
	r.POST("/books/:book/households", a.createHousehold, idem)
	r.GET("/books/:book/households/:code", a.getHousehold)
	r.PATCH("/books/:book/households/:code", a.updateHousehold)
	r.GET("/books/:book/households/:code/statement", a.householdStatement)

	r.GET("/books/:book/parties", a.listParties)
	r.POST("/books/:book/parties", a.createParty, idem)
	r.GET("/books/:book/parties/:code", a.getParty)
	r.PATCH("/books/:book/parties/:code", a.updateParty)

	r.GET("/books/:book/vouchers", a.listVouchers)
	r.POST("/books/:book/vouchers", a.createVoucher, idem)
	r.POST("/books/:book/vouchers/batch", a.importVouchers, routeBodyLimit(batchRoute), idem)
	r.GET("/books/:book/vouchers/:id", a.getVoucher)
	r.PATCH("/books/:book/vouchers/:id", a.updateVoucher)
	r.DELETE("/books/:book/vouchers/:id", a.deleteVoucher)
	r.POST("/books/:book/vouchers/:id/post", a.postVoucher, idem)
	r.POST("/books/:book/vouchers/:id/reverse", a.reverseVoucher, idem)

	r.GET("/books/:book/opening-balances", a.getOpeningBalances)
	r.POST("/books/:book/opening-balances", a.setOpeningBalances, idem)

	r.GET("/books/:book/periods", a.listPeriods)
	r.POST("/books/:book/periods/:period/close", a.closePeriod, idem)
	r.POST("/books/:book/periods/:period/reopen", a.reopenPeriod, idem)

	r.GET("/books/:book/agreements", a.listAgreements)
	r.POST("/books/:book/agreements", a.createAgreement, idem)
	r.GET("/books/:book/agreements/:code", a.getAgreement)
	r.POST("/books/:book/agreements/:code/versions", a.addAgreementVersion, idem)
	r.POST("/books/:book/agreements/:code/declarations", a.declare, idem)
	r.GET("/books/:book/agreements/:code/work-records", a.listWorkRecords)
	r.POST("/books/:book/agreements/:code/work-records", a.addWorkRecords, idem)

	r.GET("/books/:book/payout-runs", a.listPayoutRuns)
	r.POST("/books/:book/payout-runs", a.createPayoutRun, idem)
	r.GET("/books/:book/payout-runs/:id", a.getPayoutRun)
	r.POST("/books/:book/payout-runs/:id/recompute", a.recomputePayoutRun, idem)
	r.POST("/books/:book/payout-runs/:id/approve", a.approvePayoutRun, idem)
	r.GET("/books/:book/payout-runs/:id/payments", a.listPayments)
	r.POST("/books/:book/payout-runs/:id/payments", a.recordPayments, idem)

	r.GET("/books/:book/trial-balance", a.trialBalance)
	r.GET("/books/:book/ledger", a.accountLedger)
	r.GET("/books/:book/audit-log", a.auditLog)
	r.GET("/books/:book/verify", a.verify)

	r.GET("/books/:book/payout-runs/:id/roster.xlsx", a.rosterWorkbook)
	r.GET("/books/:book/payout-runs/:id/notice.xlsx", a.noticeWorkbook)
	r.GET("/townships/:township/payouts.xlsx", a.townshipWorkbook)
	r.GET("/books/:book/trial-balance.xlsx", a.trialBalanceWorkbook)
	r.GET("/books/:book/ledger.xlsx", a.ledgerWorkbook)
	r.GET("/books/:book/households/:code/statement.xlsx", a.statementWorkbook)
	r.GET("/books/:book/imports/:kind/template.xlsx", a.importTemplate)
	r.POST("/books/:book/imports/:kind", a.importFile, routeBodyLimit("/api/v1/books/:book/imports/:kind"), idem)

	r.GET("/books/:book/reconciliation", a.reconciliation)
	r.GET("/books/:book/reconciliation.xlsx", a.reconciliationWorkbook)
	r.GET("/townships/:township/reconciliation", a.townshipReconciliation)
	r.GET("/books/:book/chain-head", a.chainHead)
	r.GET("/books/:book/journal", a.journal)

	r.GET("/books/:book/balance-sheet", a.balanceSheet)
	r.GET("/books/:book/income-statement", a.incomeStatement)
	r.GET("/books/:book/statements.xlsx", a.statementsWorkbook)
	r.GET("/townships/:township/statements", a.townshipStatements)
	r.GET("/townships/:township/statements.xlsx", a.townshipStatementsWorkbook)
	r.GET("/books/:book/years/:year", a.yearEnd)
	r.POST("/books/:book/years/:year/prepare-closing", a.prepareYearEnd, idem)
	r.POST("/books/:book/years/:year/close", a.closeYear, idem)
	r.POST("/books/:book/years/:year/reopen", a.reopenYear, idem)
	a.publicRoutes(e, r)

	a.webRoutes(e) // the web pages under /, in web_*.go
}

// authenticated registers routes that need a token. Echo's group-level
// middleware would add catch-all routes that turn 405 into 404, so the
// authentication middleware is attached to each route instead.
type authenticated struct {
	g      *echo.Group
	auth   echo.MiddlewareFunc
	inBook echo.MiddlewareFunc // for a book's contents: scope and role before input
}

func (r authenticated) add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	first := []echo.MiddlewareFunc{r.auth}
	if strings.HasPrefix(path, "/books/:book/") {
		first = append(first, r.inBook)
	}
	r.g.Add(method, path, h, append(first, m...)...)
}

func (r authenticated) GET(path string, h echo.HandlerFunc)    { r.add(http.MethodGet, path, h) }
func (r authenticated) PUT(path string, h echo.HandlerFunc)    { r.add(http.MethodPut, path, h) }
func (r authenticated) PATCH(path string, h echo.HandlerFunc)  { r.add(http.MethodPatch, path, h) }
func (r authenticated) DELETE(path string, h echo.HandlerFunc) { r.add(http.MethodDelete, path, h) }
func (r authenticated) POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	r.add(http.MethodPost, path, h, m...)
}
