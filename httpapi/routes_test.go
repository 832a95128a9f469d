package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"coopledger/httpapi/api"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// statuses is the expected status per role label.
type statuses map[string]int

func with(base statuses, changes statuses) statuses {
	out := statuses{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

var (
	// inBook: what reading a book's contents answers per role.
	inBook = statuses{roleAdmin: 404, rolePreparer: 200, roleReviewer: 200, roleTownship: 200, roleAuditor: 200, roleOutsider: 404}
	// accountantCreates: creating inside a book.
	accountantCreates = statuses{roleAdmin: 404, rolePreparer: 201, roleReviewer: 201, roleTownship: 403, roleAuditor: 403, roleOutsider: 404}
	accountantWrites  = with(accountantCreates, statuses{rolePreparer: 200, roleReviewer: 200})
	adminOnly         = statuses{roleAdmin: 201, rolePreparer: 403, roleReviewer: 403, roleTownship: 403, roleAuditor: 403, roleOutsider: 403}
	// townshipDecides: approving or rejecting an import.
	townshipDecides = statuses{roleAdmin: 404, rolePreparer: 403, roleReviewer: 403, roleTownship: 200, roleAuditor: 403, roleOutsider: 404}
	// grantors: granting a role on book V1 (admin, and the township of V1).
	grantors = statuses{roleAdmin: 200, rolePreparer: 403, roleReviewer: 403, roleTownship: 200, roleAuditor: 403, roleOutsider: 404}
	everyone = statuses{roleAdmin: 200, rolePreparer: 200, roleReviewer: 200, roleTownship: 200, roleAuditor: 200, roleOutsider: 200}
)

// routeCase is one route tried as every role. setup prepares what one
// attempt needs and returns the path and body; n numbers the attempts so
// created codes stay unique.
type routeCase struct {
	method string
	route  string // the route as registered, for the coverage check
	want   statuses
	setup  func(e *env, role string, n int) (path string, body any)
}

func fixed(path string, body any) func(*env, string, int) (string, any) {
	return func(*env, string, int) (string, any) { return path, body }
}

// rent is a balanced voucher on a ★ account, dated in June so the period
// tests can close January to March.
func rent(day int, household, amount string) ledger.VoucherInput {
	return ledger.VoucherInput{Date: fmt.Sprintf("2026-06-%02d", day), Summary: "收到公司支付土地流转费", Attachments: 1,
		Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount(amount)},
			{Account: "21101", Household: household, Credit: ledgertest.Amount(amount)},
		}}
}

// draft creates a draft prepared by the preparer and returns its path.
func (e *env) draft() string {
	e.t.Helper()
	v, err := e.store.CreateVoucher(context.Background(), e.f.Preparer, "V1", rent(10, "H001", "100.00"))
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("/api/v1/books/V1/vouchers/%d", v.ID)
}

// newUser creates user number n with role on book V1 and returns its id.
func (e *env) newUser(n int, role ledger.Role) int64 {
	e.t.Helper()
	u, _, err := e.store.CreateUser(context.Background(), e.f.Admin, ledger.NewUser{Name: fmt.Sprintf("用户%d", n), Role: role, Books: []string{"V1"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

// posted creates and posts a voucher and returns its path.
func (e *env) posted() string {
	e.t.Helper()
	v := e.f.Post(e.t, rent(11, "H002", "50.00"))
	return fmt.Sprintf("/api/v1/books/V1/vouchers/%d", v.ID)
}

// importBatch is n historical vouchers for period that continue its numbering.
func (e *env) importBatch(period string, n int) ledger.ImportBatch {
	e.t.Helper()
	var last int
	err := e.store.DB().NewRaw("SELECT COALESCE(MAX(last_number), 0) FROM voucher_numbers WHERE period = ?", period).Scan(context.Background(), &last)
	if err != nil {
		e.t.Fatal(err)
	}
	var b ledger.ImportBatch
	for i := 1; i <= n; i++ {
		b.Vouchers = append(b.Vouchers, ledger.ImportVoucher{Number: last + i, Date: period + "-15", Summary: "导入历史凭证", ReviewedBy: "原审核人",
			Lines: rent(15, "H001", "10.00").Lines})
	}
	return b
}

// pendingImport submits a one-voucher historical import as the preparer and
// returns its path.
func (e *env) pendingImport() string {
	e.t.Helper()
	p, err := e.store.ImportVouchers(context.Background(), e.f.Preparer, "V1", e.importBatch("2026-11", 1))
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("/api/v1/books/V1/voucher-imports/%d", p.ID)
}

func routeCases() []routeCase {
	return append([]routeCase{
		{"GET", "/api/v1/me", everyone, fixed("/api/v1/me", nil)},
		{"POST", "/api/v1/users", adminOnly, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/users", ledger.NewUser{Name: fmt.Sprintf("审计%d", n), Role: ledger.RoleAuditor, Books: []string{"V1"}}
		}},
		{"POST", "/api/v1/users/:id/grants", grantors, func(e *env, _ string, n int) (string, any) {
			return fmt.Sprintf("/api/v1/users/%d/grants", e.newUser(n, ledger.RoleReporter)), ledger.GrantInput{Role: ledger.RoleCashier, Book: "V1"}
		}},
		{"POST", "/api/v1/users/:id/grants/revoke", grantors, func(e *env, _ string, n int) (string, any) {
			return fmt.Sprintf("/api/v1/users/%d/grants/revoke", e.newUser(n, ledger.RoleCashier)), ledger.GrantInput{Role: ledger.RoleCashier, Book: "V1"}
		}},
		{"POST", "/api/v1/books", adminOnly, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/books", ledger.NewBook{Code: fmt.Sprintf("B%d", n), Name: "新村", Kind: ledger.KindCooperative,
				Township: ledger.Township{Code: "T01", Name: "测试镇"}, StartPeriod: "2026-01"}
		}},
		{"GET", "/api/v1/books", everyone, fixed("/api/v1/books", nil)},
		{"GET", "/api/v1/books/:book", with(inBook, statuses{roleAdmin: 200}), fixed("/api/v1/books/V1", nil)},
		{"PUT", "/api/v1/books/:book/segregation", with(inBook, statuses{rolePreparer: 403, roleReviewer: 403, roleAuditor: 403}),
			fixed("/api/v1/books/V1/segregation", map[string]any{"opt_out": false})},
		{"PUT", "/api/v1/books/:book/go-live", with(inBook, statuses{roleAdmin: 200, rolePreparer: 403, roleReviewer: 403, roleAuditor: 403}),
			fixed("/api/v1/books/V1/go-live", api.GoLiveRequest{GoLivePeriod: "2026-12"})},
		{"GET", "/api/v1/books/:book/contact", inBook, fixed("/api/v1/books/V1/contact", nil)},
		{"PUT", "/api/v1/books/:book/contact", with(accountantWrites, statuses{roleTownship: 200}),
			fixed("/api/v1/books/V1/contact", ledger.BookContact{Name: "王会计", Phone: "138 0000 0001"})},

		{"GET", "/api/v1/books/:book/accounts", inBook, fixed("/api/v1/books/V1/accounts", nil)},
		{"POST", "/api/v1/books/:book/accounts", accountantCreates, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/books/V1/accounts", ledger.NewAccount{Code: fmt.Sprintf("113%02d", n%100), Name: "内部往来明细", Parent: "113"}
		}},

		{"GET", "/api/v1/books/:book/households", inBook, fixed("/api/v1/books/V1/households?limit=2", nil)},
		{"POST", "/api/v1/books/:book/households", accountantCreates, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/books/V1/households", api.HouseholdRequest{Code: fmt.Sprintf("N%03d", n), HeadName: "新农户",
				IDNumber: ledgertest.IDNumber(500 + n), Members: 3, Status: ledger.StatusMonitored}
		}},
		{"GET", "/api/v1/books/:book/households/:code", inBook, fixed("/api/v1/books/V1/households/H001", nil)},
		{"PATCH", "/api/v1/books/:book/households/:code", accountantWrites, fixed("/api/v1/books/V1/households/H001", map[string]any{"members": 4})},
		{"GET", "/api/v1/books/:book/households/:code/statement", inBook, func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return "/api/v1/books/V1/households/H002/statement?from=2026-01&to=2026-12", nil
		}},

		{"GET", "/api/v1/books/:book/parties", inBook, fixed("/api/v1/books/V1/parties", nil)},
		{"POST", "/api/v1/books/:book/parties", accountantCreates, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/books/V1/parties", api.PartyRequest{Code: fmt.Sprintf("P%02d", n), Name: "合作企业"}
		}},
		{"GET", "/api/v1/books/:book/parties/:code", inBook, fixed("/api/v1/books/V1/parties/C01", nil)},
		{"PATCH", "/api/v1/books/:book/parties/:code", accountantWrites, fixed("/api/v1/books/V1/parties/C01", map[string]any{"name": "龙头农业发展股份有限公司"})},

		{"GET", "/api/v1/books/:book/vouchers", inBook, func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return "/api/v1/books/V1/vouchers?period=2026-06&status=posted&account=211&household=H002&limit=5", nil
		}},
		{"POST", "/api/v1/books/:book/vouchers", accountantCreates, fixed("/api/v1/books/V1/vouchers", rent(12, "H003", "12.30"))},
		{"POST", "/api/v1/books/:book/vouchers/batch", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			return "/api/v1/books/V1/vouchers/batch", e.importBatch("2026-11", 3)
		}},
		{"GET", "/api/v1/books/:book/voucher-imports", inBook, fixed("/api/v1/books/V1/voucher-imports?status=pending", nil)},
		{"GET", "/api/v1/books/:book/voucher-imports/:id", inBook, func(e *env, _ string, _ int) (string, any) { return e.pendingImport(), nil }},
		{"POST", "/api/v1/books/:book/voucher-imports/:id/approve", townshipDecides, func(e *env, _ string, _ int) (string, any) {
			return e.pendingImport() + "/approve", nil
		}},
		{"POST", "/api/v1/books/:book/voucher-imports/:id/reject", with(townshipDecides, statuses{rolePreparer: 200}), func(e *env, _ string, _ int) (string, any) {
			return e.pendingImport() + "/reject", map[string]any{"reason": "与纸质账簿不符"}
		}},
		{"GET", "/api/v1/books/:book/vouchers/:id", inBook, func(e *env, _ string, _ int) (string, any) { return e.draft(), nil }},
		{"PATCH", "/api/v1/books/:book/vouchers/:id", with(accountantWrites, statuses{roleReviewer: 403}), func(e *env, _ string, _ int) (string, any) {
			return e.draft(), map[string]any{"summary": "更正摘要"}
		}},
		{"DELETE", "/api/v1/books/:book/vouchers/:id", with(accountantWrites, statuses{rolePreparer: 204, roleReviewer: 403}), func(e *env, _ string, _ int) (string, any) {
			return e.draft(), nil
		}},
		{"POST", "/api/v1/books/:book/vouchers/:id/post", with(inBook, statuses{rolePreparer: 403, roleAuditor: 403}), func(e *env, _ string, _ int) (string, any) {
			return e.draft() + "/post", nil
		}},
		{"POST", "/api/v1/books/:book/vouchers/:id/return", with(inBook, statuses{rolePreparer: 403, roleAuditor: 403}), func(e *env, _ string, _ int) (string, any) {
			return e.draft() + "/return", map[string]any{"reason": "附件不全"}
		}},
		{"POST", "/api/v1/books/:book/vouchers/:id/reverse", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			return e.posted() + "/reverse", ledger.ReverseInput{Date: "2026-06-20"}
		}},

		{"GET", "/api/v1/books/:book/opening-balances", inBook, fixed("/api/v1/books/V1/opening-balances", nil)},
		{"POST", "/api/v1/books/:book/opening-balances", accountantCreates, fixed("/api/v1/books/V1/opening-balances", ledger.OpeningInput{
			Lines: []ledger.LineInput{{Account: "101", Debit: ledgertest.Amount("800.00")}, {Account: "301", Credit: ledgertest.Amount("800.00")}}})},
		// No voucher of V1 is an old-style opening: an accountant reaches the
		// ledger and is refused on the merits (TestOldOpeningNoticeAndMove moves one).
		{"POST", "/api/v1/books/:book/opening-balances/move", with(accountantCreates, statuses{rolePreparer: 409, roleReviewer: 409}),
			fixed("/api/v1/books/V1/opening-balances/move", map[string]any{"voucher_id": 999999})},

		{"GET", "/api/v1/books/:book/periods", inBook, fixed("/api/v1/books/V1/periods", nil)},
		{"POST", "/api/v1/books/:book/periods/:period/close", with(inBook, statuses{roleAuditor: 403}),
			fixed("/api/v1/books/V1/periods/2026-01/close", nil)},
		{"POST", "/api/v1/books/:book/periods/:period/reopen", with(inBook, statuses{rolePreparer: 403, roleReviewer: 403, roleAuditor: 403}),
			func(e *env, _ string, _ int) (string, any) {
				e.ensureClosed("2026-01")
				return "/api/v1/books/V1/periods/2026-01/reopen", map[string]string{"reason": "补记漏记的凭证"}
			}},

		{"GET", "/api/v1/books/:book/trial-balance", inBook, fixed("/api/v1/books/V1/trial-balance?from=2026-01&to=2026-12", nil)},
		{"GET", "/api/v1/books/:book/ledger", inBook, func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return "/api/v1/books/V1/ledger?account=211&from=2026-01&to=2026-12", nil
		}},
		{"GET", "/api/v1/books/:book/audit-log", inBook, fixed("/api/v1/books/V1/audit-log?limit=3&from=2026-01-01", nil)},
		{"GET", "/api/v1/books/:book/verify", inBook, fixed("/api/v1/books/V1/verify", nil)},
	}, append(payoutRouteCases(), append(exportRouteCases(), append(auditRouteCases(), append(bankRouteCases(), append(memberRouteCases(), append(documentRouteCases(), append(entryAidRouteCases(), publicRouteCases()...)...)...)...)...)...)...)...)
}

// TestRoutesAndRoles calls every route as every role and without a token:
// refused attempts answer the envelope and change nothing; allowed attempts
// answer their documented status and schema.
func TestRoutesAndRoles(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		n := 0
		for _, rc := range routeCases() {
			closes := rc.route == "/api/v1/books/:book/periods/:period/close"
			for _, role := range rolesRefusedFirst(rc.want) {
				n++
				path, body := rc.setup(e, role, n)
				want := rc.want[role]
				before := ledgertest.Digest(t, s)
				res := e.do(req{method: rc.method, path: path, role: role, body: body})
				if want < 300 {
					if res.status != want {
						t.Errorf("%s %s as %s: status %d, want %d: %s", rc.method, path, role, res.status, want, res.body)
					}
					if closes && res.status == 200 {
						e.reopen("2026-01")
					}
					continue
				}
				checkEnvelope(t, fmt.Sprintf("%s %s as %s", rc.method, path, role), res, want, codeFor(want), "")
				if after := ledgertest.Digest(t, s); after != before {
					t.Errorf("%s %s as %s: refused request changed the database", rc.method, path, role)
				}
			}
			path, body := rc.setup(e, "", 0)
			for _, token := range []string{"", "forged-token-0123456789abcdef"} {
				res := e.do(req{method: rc.method, path: path, token: token, body: body})
				checkEnvelope(t, fmt.Sprintf("%s %s with token %q", rc.method, path, token), res, http.StatusUnauthorized, ledger.ECodeUnauthorized, "Authorization")
				if res.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s: 401 without WWW-Authenticate", rc.method, path)
				}
			}
		}
	})
}

// reopen undoes a successful close so the next role can close the same month.
func (e *env) reopen(period string) {
	e.t.Helper()
	if _, err := e.store.ReopenPeriod(context.Background(), e.f.Township, "V1", period, "测试：撤销结账"); err != nil {
		e.t.Fatal(err)
	}
}

// ensureClosed closes period unless it is closed already.
func (e *env) ensureClosed(period string) {
	e.t.Helper()
	ps, err := e.store.Periods(context.Background(), e.f.Township, "V1")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Period == period && p.Closed {
			return
		}
	}
	if _, err := e.store.ClosePeriod(context.Background(), e.f.Township, "V1", period); err != nil {
		e.t.Fatal(err)
	}
}

// rolesRefusedFirst orders roles so that refused attempts run before allowed
// ones, each group in a stable order.
func rolesRefusedFirst(want statuses) []string {
	roles := append([]string(nil), allRoles...)
	sort.SliceStable(roles, func(i, j int) bool { return want[roles[i]] >= 300 && want[roles[j]] < 300 })
	return roles
}

func codeFor(status int) string {
	switch status {
	case 401:
		return ledger.ECodeUnauthorized
	case 404:
		return ledger.ECodeNotFound
	}
	return "" // 403 is forbidden or segregation
}

// TestEveryRouteIsCovered keeps routeCases in step with routes.go.
func TestEveryRouteIsCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, rc := range routeCases() {
		covered[rc.method+" "+rc.route] = true
	}
	public := map[string]bool{"GET /healthz": true, "GET /openapi.json": true, "GET /api/v1/healthz": true, "GET /api/v1/openapi.json": true}
	for _, p := range publicPagePaths {
		public["GET "+p] = true
	}
	for _, r := range registeredRoutes() {
		key := r.method + " " + r.path
		if !covered[key] && !public[key] {
			t.Errorf("route %s has no case in routeCases", key)
		}
	}
}
