package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/httpapi/public"
	"coopledger/httpapi/web"
	"coopledger/ledger"
)

// The routes whose bodies may exceed the default limit, under /api/v1.
const (
	batchRoute  = "/books/:book/vouchers/batch" // up to 1,000 vouchers of historical books
	importRoute = "/books/:book/imports/:kind"  // an Excel workbook
	// source documents: one JPEG, PNG or PDF each; a receipt form with several
	documentRoute        = "/books/:book/vouchers/:id/documents"
	receiptDocumentRoute = "/books/:book/receipts/:id/documents"
	receiptFormRoute     = "/books/:book/receipts"
)

// publicPagePaths are the routes served without a token.
var publicPagePaths = []string{"/p/:book/:slug", "/h/:book/:token"}

// routes registers the whole surface, each route with its room: a for the
// JSON API (package api), p for the villagers' public pages (public), w for
// the accountants' and township's pages (web). Every POST of the API accepts
// an Idempotency-Key; api/openapi.go describes the API routes and a test keeps
// the two in step.
func routes(e *echo.Echo, core *httpx.Core) {
	p := public.New(core)
	a, w := api.New(core), web.New(core, p.Slips) // the accountants print the villagers' slips
	e.GET("/healthz", a.Healthz)
	e.GET("/openapi.json", a.OpenAPI)

	v1 := e.Group("/api/v1")
	v1.GET("/healthz", a.Healthz)
	v1.GET("/openapi.json", a.OpenAPI)

	r := authenticated{v1, core.Authenticate, core.BookAccess}
	idem := core.Idempotent
	r.GET("/me", a.Me)
	r.POST("/users", a.CreateUser, core.IdempotentRedacting("token"))
	r.POST("/users/:id/grants", a.GrantRole)
	r.POST("/users/:id/grants/revoke", a.RevokeRole)

	r.POST("/books", a.CreateBook, idem)
	r.GET("/books", a.ListBooks)
	r.GET("/books/:book", a.GetBook)
	r.PUT("/books/:book/segregation", a.SetSegregation)
	r.GET("/books/:book/contact", a.GetBookContact)
	r.PUT("/books/:book/contact", a.SetBookContact)
	v1.PUT("/books/:book/go-live", a.SetGoLive, core.Authenticate, goLiveAccess(core))

	r.GET("/books/:book/accounts", a.ListAccounts)
	r.POST("/books/:book/accounts", a.CreateAccount, idem)

	r.GET("/books/:book/households", a.ListHouseholds)
	r.POST("/books/:book/households", a.CreateHousehold, idem)
	r.GET("/books/:book/households/:code", a.GetHousehold)
	r.PATCH("/books/:book/households/:code", a.UpdateHousehold)
	r.GET("/books/:book/households/:code/statement", a.HouseholdStatement)

	r.GET("/books/:book/parties", a.ListParties)
	r.POST("/books/:book/parties", a.CreateParty, idem)
	r.GET("/books/:book/parties/:code", a.GetParty)
	r.PATCH("/books/:book/parties/:code", a.UpdateParty)

	r.GET("/books/:book/vouchers", a.ListVouchers)
	r.POST("/books/:book/vouchers", a.CreateVoucher, idem)
	r.POST(batchRoute, a.ImportVouchers, httpx.RouteBodyLimit(api.BatchBodyLimit), idem)
	r.GET("/books/:book/voucher-imports", a.ListVoucherImports)
	r.GET("/books/:book/voucher-imports/:id", a.GetVoucherImport)
	r.POST("/books/:book/voucher-imports/:id/approve", a.ApproveVoucherImport, idem)
	r.POST("/books/:book/voucher-imports/:id/reject", a.RejectVoucherImport, idem)
	r.GET("/books/:book/vouchers/:id", a.GetVoucher)
	r.PATCH("/books/:book/vouchers/:id", a.UpdateVoucher)
	r.DELETE("/books/:book/vouchers/:id", a.DeleteVoucher)
	r.POST("/books/:book/vouchers/:id/post", a.PostVoucher, idem)
	r.POST("/books/:book/vouchers/:id/reverse", a.ReverseVoucher, idem)
	// Source documents and receipts (村账乡代管): uploads are streamed, so
	// they take no Idempotency-Key (which would read the whole form first).
	r.GET(documentRoute, a.ListDocuments)
	r.POST(documentRoute, a.AddDocument, httpx.RouteBodyLimit(httpx.DocumentBodyLimit))
	r.GET("/books/:book/vouchers/:id/documents/:doc", a.GetDocument)
	r.GET("/books/:book/receipts", a.ListReceipts)
	r.POST("/books/:book/receipts", a.SubmitReceipt, idem)
	r.GET("/books/:book/receipts/:id", a.GetReceipt)
	r.POST(receiptDocumentRoute, a.AddReceiptDocument, httpx.RouteBodyLimit(httpx.DocumentBodyLimit))
	r.GET("/books/:book/receipts/:id/documents/:doc", a.GetReceiptDocument)
	r.POST("/books/:book/receipts/:id/prepare", a.PrepareFromReceipt, idem)
	r.GET("/books/:book/summary-phrases", a.ListSummaryPhrases)
	r.POST("/books/:book/summary-phrases", a.AddSummaryPhrase)
	r.DELETE("/books/:book/summary-phrases/:id", a.DeleteSummaryPhrase)
	r.GET("/books/:book/voucher-templates", a.ListVoucherTemplates)
	r.POST("/books/:book/voucher-templates", a.SaveVoucherTemplate)
	r.DELETE("/books/:book/voucher-templates/:id", a.DeleteVoucherTemplate)
	r.POST("/books/:book/voucher-templates/:id/vouchers", a.VoucherFromTemplate, idem)
	r.POST("/books/:book/vouchers/:id/return", a.ReturnVoucher, idem)

	r.GET("/books/:book/opening-balances", a.GetOpeningBalances)
	r.POST("/books/:book/opening-balances", a.SetOpeningBalances, idem)
	r.POST("/books/:book/opening-balances/move", a.MoveOpening, idem)

	r.GET("/books/:book/periods", a.ListPeriods)
	r.POST("/books/:book/periods/:period/close", a.ClosePeriod, idem)
	r.POST("/books/:book/periods/:period/reopen", a.ReopenPeriod, idem)

	r.GET("/books/:book/agreements", a.ListAgreements)
	r.POST("/books/:book/agreements", a.CreateAgreement, idem)
	r.GET("/books/:book/agreements/:code", a.GetAgreement)
	r.POST("/books/:book/agreements/:code/versions", a.AddAgreementVersion, idem)
	r.POST("/books/:book/agreements/:code/declarations", a.Declare, idem)
	r.GET("/books/:book/agreements/:code/work-records", a.ListWorkRecords)
	r.POST("/books/:book/agreements/:code/work-records", a.AddWorkRecords, idem)

	r.GET("/books/:book/payout-runs", a.ListPayoutRuns)
	r.POST("/books/:book/payout-runs", a.CreatePayoutRun, idem)
	r.GET("/books/:book/payout-runs/:id", a.GetPayoutRun)
	r.POST("/books/:book/payout-runs/:id/recompute", a.RecomputePayoutRun, idem)
	r.POST("/books/:book/payout-runs/:id/approve", a.ApprovePayoutRun, idem)
	r.GET("/books/:book/payout-runs/:id/payments", a.ListPayments)
	r.POST("/books/:book/payout-runs/:id/payments", a.RecordPayments, idem)

	r.GET("/books/:book/trial-balance", a.TrialBalance)
	r.GET("/books/:book/ledger", a.AccountLedger)
	r.GET("/books/:book/audit-log", a.AuditLog)
	r.GET("/books/:book/verify", a.Verify)

	r.GET("/books/:book/payout-runs/:id/roster.xlsx", a.RosterWorkbook)
	r.GET("/books/:book/payout-runs/:id/notice.xlsx", a.NoticeWorkbook)
	r.GET("/townships/:township/payouts.xlsx", a.TownshipWorkbook)
	r.GET("/books/:book/trial-balance.xlsx", a.TrialBalanceWorkbook)
	r.GET("/books/:book/ledger.xlsx", a.LedgerWorkbook)
	r.GET("/books/:book/vouchers/print", a.VoucherPrint)
	r.GET("/books/:book/vouchers/print.json", a.VoucherPrintJSON)
	r.GET("/books/:book/general-ledger", a.GeneralLedgerJSON)
	r.GET("/books/:book/general-ledger.xlsx", a.GeneralLedgerWorkbook)
	for _, kind := range []string{"detail-ledger", "cash-journal", "bank-journal"} {
		r.GET("/books/:book/"+kind, a.AccountBookJSON(kind))
		r.GET("/books/:book/"+kind+".xlsx", a.AccountBookWorkbook(kind))
	}
	r.GET("/books/:book/households/:code/statement.xlsx", a.StatementWorkbook)
	r.GET("/books/:book/imports/:kind/template.xlsx", a.ImportTemplate)
	r.POST(importRoute, a.ImportFile, core.ImportAccess, httpx.RouteBodyLimit(api.ImportBodyLimit), idem)

	r.GET("/books/:book/reconciliation", a.Reconciliation)
	r.GET("/books/:book/reconciliation.xlsx", a.ReconciliationWorkbook)
	r.GET("/townships/:township/reconciliation", a.TownshipReconciliation)
	r.GET("/books/:book/chain-head", a.ChainHead)

	// The bank: statements come in through the imports route (bank-statement).
	r.GET("/books/:book/bank-lines", a.BankLines)
	r.POST("/books/:book/bank-lines/auto-match", a.AutoMatchBank, idem)
	r.POST("/books/:book/bank-lines/:id/match", a.MatchBankLine, idem)
	r.DELETE("/books/:book/bank-lines/:id/match", a.UnmatchBankLine)
	r.GET("/books/:book/bank-reconciliation", a.BankReconciliation)
	r.GET("/books/:book/bank-reconciliation.xlsx", a.BankReconciliationWorkbook)
	r.GET("/books/:book/journal", a.Journal)

	r.GET("/books/:book/balance-sheet", a.BalanceSheet)
	r.GET("/books/:book/income-statement", a.IncomeStatement)
	r.GET("/books/:book/equity-changes", a.EquityChanges)
	r.GET("/books/:book/statements.xlsx", a.StatementsWorkbook)
	r.GET("/townships/:township/statements", a.TownshipStatements)
	r.GET("/townships/:township/statements.xlsx", a.TownshipStatementsWorkbook)
	r.GET("/books/:book/years/:year", a.YearEnd)
	r.POST("/books/:book/years/:year/prepare-closing", a.PrepareYearEnd, idem)
	r.POST("/books/:book/years/:year/close", a.CloseYear, idem)
	r.POST("/books/:book/years/:year/reopen", a.ReopenYear, idem)

	// A cooperative's year: members, charter, quantification, 成员账户, 盈余分配方案.
	r.GET("/books/:book/members", a.ListMembers)
	r.POST("/books/:book/members", a.CreateMember, idem)
	r.GET("/books/:book/members/:code", a.GetMember)
	r.PATCH("/books/:book/members/:code", a.UpdateMember)
	r.GET("/books/:book/members/:code/account", a.MemberAccount)
	r.GET("/books/:book/member-accounts", a.MemberAccounts)
	r.GET("/books/:book/member-accounts.xlsx", a.MemberAccountsWorkbook)
	r.GET("/books/:book/charter", a.GetCharter)
	r.PUT("/books/:book/charter", a.SetCharter)
	r.POST("/books/:book/years/:year/quantification", a.QuantifyMembers, idem)
	r.POST("/books/:book/surplus-plans", a.DraftSurplusPlan, idem)
	r.GET("/books/:book/surplus-plans/:id", a.GetSurplusPlan)
	r.PUT("/books/:book/surplus-plans/:id/meeting", a.RecordPlanMeeting)
	r.POST("/books/:book/surplus-plans/:id/approve", a.ApproveSurplusPlan, idem)

	// Public disclosure, the JSON side: publishing a quarter, household links.
	r.GET("/books/:book/disclosures", a.ListDisclosures)
	r.POST("/books/:book/disclosures", a.PublishDisclosure, idem)
	r.DELETE("/books/:book/disclosures/:quarter", a.WithdrawDisclosure)
	r.POST("/books/:book/households/:code/link", a.CreateHouseholdLink, core.IdempotentRedacting("url"))
	r.DELETE("/books/:book/households/:code/link", a.RevokeHouseholdLink)
	r.GET("/books/:book/payout-runs/:id/slips", httpx.PublicHeaders(p.RunSlips)) // inline style and QR images

	// The villagers' public pages: no token, rate limited per address.
	e.GET(publicPagePaths[0], p.DisclosurePage, httpx.PublicHeaders, p.RateLimit)
	e.GET(publicPagePaths[1], p.HouseholdPage, httpx.PublicHeaders, p.RateLimit)

	// The accountants' and township's pages under / (package web).
	e.GET("/static/*", web.Static())
	e.GET("/login", w.LoginForm)
	e.POST("/login", w.Login)
	s := w.SignedIn(e) // a session cookie; every POST also a CSRF token
	s.POST("/logout", w.Logout)
	s.GET("/", w.Books)

	s.GET("/books/:book", w.Home)
	s.GET("/books/:book/vouchers", w.Vouchers)
	s.GET("/books/:book/vouchers/new", w.VoucherForm)
	s.POST("/books/:book/vouchers", w.CreateVoucher)
	s.GET("/books/:book/vouchers/:id", w.Voucher)
	s.GET("/books/:book/vouchers/:id/print", w.VoucherPrint)
	s.POST("/books/:book/vouchers/:id/post", w.PostVoucher)
	s.POST("/books/:book/vouchers/:id/reverse", w.ReverseVoucher)
	s.POST("/books/:book/vouchers/:id/delete", w.DeleteVoucher)
	s.DOCUMENTS(documentRoute, w.UploadDocument, httpx.DocumentBodyLimit)
	s.GET("/books/:book/vouchers/:id/documents/:doc", w.ViewDocument)
	s.GET(receiptFormRoute, w.Receipts)
	s.DOCUMENTS(receiptFormRoute, w.SubmitReceipt, httpx.ReceiptBodyLimit)
	s.GET("/books/:book/receipts/:id/documents/:doc", w.ViewReceiptDocument)
	s.GET("/books/:book/vouchers/:id/edit", w.EditVoucherForm)
	s.POST("/books/:book/vouchers/:id/edit", w.UpdateVoucher)
	s.POST("/books/:book/vouchers/:id/template", w.SaveVoucherTemplate)
	s.GET("/books/:book/voucher-aids", w.EntryAids)
	s.POST("/books/:book/voucher-aids/phrases", w.AddSummaryPhrase)
	s.POST("/books/:book/voucher-aids/phrases/delete", w.DeleteSummaryPhrase)
	s.POST("/books/:book/voucher-aids/templates/delete", w.DeleteVoucherTemplate)
	s.POST("/books/:book/vouchers/:id/return", w.ReturnVoucher)

	s.GET("/books/:book/households", w.Households)
	s.GET("/books/:book/households/new", w.HouseholdForm)
	s.POST("/books/:book/households", w.CreateHousehold)
	s.GET("/books/:book/households/import", w.ImportForm)
	s.GET("/books/:book/households/import/template", w.ImportTemplate)
	s.UPLOAD("/books/:book/households/import", w.ImportHouseholds)
	s.GET("/books/:book/households/links", w.HouseholdLinks)
	s.POST("/books/:book/households/links", w.ChangeHouseholdLinks)
	s.GET("/books/:book/households/:code", w.Household)
	s.POST("/books/:book/households/:code", w.UpdateHousehold)
	s.GET("/books/:book/households/:code/statement.xlsx", w.StatementXLSX)
	s.GET("/books/:book/parties", w.Parties)
	s.POST("/books/:book/parties", w.CreateParty)
	s.GET("/books/:book/parties/:code", w.Party)
	s.POST("/books/:book/parties/:code", w.UpdateParty)

	s.GET("/books/:book/agreements", w.Agreements)
	s.GET("/books/:book/agreements/new", w.AgreementForm)
	s.POST("/books/:book/agreements", w.CreateAgreement)
	s.GET("/books/:book/agreements/:code", w.Agreement)
	s.POST("/books/:book/agreements/:code/declarations", w.Declare)

	s.GET("/books/:book/members", w.Members)
	s.POST("/books/:book/members", w.CreateMember)
	s.GET("/books/:book/members/:code", w.Member)
	s.POST("/books/:book/members/:code", w.UpdateMember)
	s.GET("/books/:book/member-accounts.xlsx", w.Printable(a.MemberAccountsWorkbook, w.Members))
	s.POST("/books/:book/charter", w.SetCharter)
	s.GET("/books/:book/surplus-plans", w.SurplusPlans)
	s.POST("/books/:book/surplus-plans", w.DraftSurplusPlan)
	s.GET("/books/:book/surplus-plans/:id", w.SurplusPlan)
	s.POST("/books/:book/surplus-plans/:id/meeting", w.RecordPlanMeeting)
	s.POST("/books/:book/surplus-plans/:id/approve", w.ApproveSurplusPlan)

	s.GET("/books/:book/payouts", w.Payouts)
	s.POST("/books/:book/payouts", w.CreatePayout)
	s.POST("/books/:book/disclosures", w.PublishDisclosure)
	s.POST("/books/:book/disclosures/:quarter/withdraw", w.WithdrawDisclosure)
	s.GET("/books/:book/payouts/:id", w.Payout)
	s.POST("/books/:book/payouts/:id/recompute", w.RecomputePayout)
	s.POST("/books/:book/payouts/:id/approve", w.ApprovePayout)
	s.GET("/books/:book/payouts/:id/roster.xlsx", w.RosterXLSX)
	s.GET("/books/:book/payouts/:id/notice.xlsx", w.NoticeXLSX)
	s.GET("/books/:book/payouts/:id/slips", httpx.PublicHeaders(w.Slips)) // the public room's slips
	s.POST("/books/:book/payouts/:id/payments", w.RecordPayment)
	s.UPLOAD("/books/:book/payouts/:id/payments/import", w.ImportPayments)
	s.GET("/books/:book/payouts/:id/payments/template.xlsx", w.PaymentsTemplate)
	s.GET("/books/:book/payouts/:id/bank.csv", w.BankPayoutCSV)
	s.GET("/books/:book/payouts/:id/bank.xlsx", w.BankPayoutXLSX)

	s.GET("/books/:book/trial-balance", w.TrialBalance)
	s.GET("/books/:book/trial-balance.xlsx", w.TrialBalanceXLSX)
	s.GET("/books/:book/bank-reconciliation", w.BankReconciliation)
	s.GET("/books/:book/bank-reconciliation.xlsx", w.BankReconciliationXLSX)
	s.GET("/books/:book/audit", w.Audit)

	// Month end, year end, and the statements and account books on screen;
	// their downloads are the API's workbooks (or PDF) served to the session.
	s.GET("/books/:book/periods", w.Periods)
	s.POST("/books/:book/periods/:period/close", w.ClosePeriod)
	s.POST("/books/:book/periods/:period/reopen", w.ReopenPeriod)
	s.GET("/books/:book/year-end", w.YearEnd)
	s.POST("/books/:book/year-end/:year/prepare", w.PrepareYearEnd)
	s.POST("/books/:book/year-end/:year/close", w.CloseYear)
	s.POST("/books/:book/year-end/:year/reopen", w.ReopenYear)
	s.GET("/books/:book/reports", w.ReportsIndex)
	s.GET("/books/:book/statements", w.Statements)
	s.GET("/books/:book/statements.xlsx", w.Printable(a.StatementsWorkbook, w.Statements, "month"))
	s.GET("/books/:book/general-ledger", w.GeneralLedger)
	s.GET("/books/:book/general-ledger.xlsx", w.Printable(a.GeneralLedgerWorkbook, w.GeneralLedger, "from", "to"))
	for _, kind := range []string{"detail-ledger", "cash-journal", "bank-journal"} {
		s.GET("/books/:book/"+kind, w.AccountBook(kind))
		s.GET("/books/:book/"+kind+".xlsx", w.Printable(a.AccountBookWorkbook(kind), w.AccountBook(kind), "from", "to"))
	}
	s.GET("/books/:book/settings", w.Settings)
	s.POST("/books/:book/settings/contact", w.SetContact)
	s.POST("/books/:book/settings/segregation", w.SetSegregation)
	s.POST("/books/:book/settings/go-live", w.SetGoLive)
	s.GET("/township/:township", w.Township)
	s.GET("/township/:township/workbook.xlsx", w.TownshipXLSX)
	s.GET("/township/:township/review", w.Review)
	s.POST("/township/:township/review", w.ApproveReview)
	s.POST("/township/:township/review/imports/:book/:id/reject", w.RejectImport)

	// Unknown paths under the pages' own prefixes get the HTML not-found
	// page; everything else (the API's 404 and 405) is left to Echo.
	e.RouteNotFound("/books/*", w.NotFound)
	e.RouteNotFound("/township/*", w.NotFound)
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

// goLiveAccess lets an admin through to any book; everyone else passes the
// usual book check (the ledger then admits only the book's township).
func goLiveAccess(core *httpx.Core) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		inBook := core.BookAccess(next)
		return func(c echo.Context) error {
			if httpx.Actor(c).Role == ledger.RoleAdmin {
				return next(c)
			}
			return inBook(c)
		}
	}
}
