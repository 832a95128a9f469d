package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// memberRouteCases: the route table's book V1 is a village, so the roles
// that may call a cooperative's routes reach the ledger and get its 400 (the book is not a cooperative).
func memberRouteCases() []routeCase {
	conflict := func(base statuses, roles ...string) statuses {
		out := with(base, nil)
		for _, r := range roles {
			out[r] = 400
		}
		return out
	}
	readers := conflict(inBook, rolePreparer, roleReviewer, roleTownship, roleAuditor)
	writers := conflict(accountantCreates, rolePreparer, roleReviewer)
	v1 := "/api/v1/books/V1"
	return []routeCase{
		{"GET", "/api/v1/books/:book/members", readers, fixed(v1+"/members", nil)},
		{"POST", "/api/v1/books/:book/members", writers, fixed(v1+"/members", map[string]any{"code": "H001", "kind": "farmer", "joined_on": "2026-01-01"})},
		{"GET", "/api/v1/books/:book/members/:code", readers, fixed(v1+"/members/H001", nil)},
		{"PATCH", "/api/v1/books/:book/members/:code", writers, fixed(v1+"/members/H001", map[string]any{"left_on": "2026-12-31"})},
		{"GET", "/api/v1/books/:book/members/:code/account", readers, fixed(v1+"/members/H001/account?year=2026", nil)},
		{"GET", "/api/v1/books/:book/member-accounts", readers, fixed(v1+"/member-accounts?year=2026", nil)},
		{"GET", "/api/v1/books/:book/member-accounts.xlsx", readers, fixed(v1+"/member-accounts.xlsx?year=2026", nil)},
		{"GET", "/api/v1/books/:book/charter", readers, fixed(v1+"/charter", nil)},
		{"PUT", "/api/v1/books/:book/charter", with(inBook, statuses{rolePreparer: 403, roleReviewer: 403, roleTownship: 400, roleAuditor: 403}),
			fixed(v1+"/charter", ledger.Charter{ReserveRate: "10", QuantifyBasis: ledger.BasisCapital})},
		{"POST", "/api/v1/books/:book/years/:year/quantification", writers, fixed(v1+"/years/2026/quantification", map[string]any{"subsidy": "0.00"})},
		{"POST", "/api/v1/books/:book/surplus-plans", writers, fixed(v1+"/surplus-plans", map[string]any{"year": 2026, "return": "60.00"})},
		{"GET", "/api/v1/books/:book/surplus-plans/:id", readers, fixed(v1+"/surplus-plans/1", nil)},
		{"PUT", "/api/v1/books/:book/surplus-plans/:id/meeting", writers,
			fixed(v1+"/surplus-plans/1/meeting", ledger.Meeting{Date: "2027-01-10", Attended: 9, Total: 10, Resolution: "决议1号"})},
		{"POST", "/api/v1/books/:book/surplus-plans/:id/approve", with(inBook, statuses{rolePreparer: 400, roleReviewer: 400, roleTownship: 400, roleAuditor: 403}),
			fixed(v1+"/surplus-plans/1/approve", nil)},
	}
}

// TestCooperativeYearOverHTTP: members with field errors in Chinese, a trade
// line, the charter, a plan above 可分配盈余 refused with both figures, and
// the member accounts as JSON and as a workbook whose totals are formulas.
func TestCooperativeYearOverHTTP(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		coop := ledgertest.NewFixture(t, s, "K1", ledger.KindCooperative, 3)
		prep, rev, town := coop.Tokens["preparer"], coop.Tokens["reviewer"], coop.Tokens["township"]
		res := e.expect(req{method: "POST", path: "/api/v1/books/K1/members", token: prep,
			body: map[string]any{"code": "H001", "kind": "农民", "joined_on": "2026-02-30"}}, http.StatusBadRequest)
		if !strings.Contains(string(res.body), "kind") || !strings.Contains(string(res.body), "joined_on") || !strings.Contains(string(res.body), "入社日期") {
			t.Errorf("member field errors: %s", res.body)
		}
		for _, h := range []string{"H001", "H002"} {
			e.expect(req{method: "POST", path: "/api/v1/books/K1/members", token: prep,
				body: map[string]any{"code": h, "kind": "farmer", "joined_on": "2026-01-01", "poverty_capital": "100.00"}}, http.StatusCreated)
		}
		e.expect(req{method: "PUT", path: "/api/v1/books/K1/charter", token: town, body: ledger.Charter{ReserveRate: "10", QuantifyBasis: ledger.BasisCapital}}, http.StatusOK)
		var v ledger.Voucher
		e.decode(e.expect(req{method: "POST", path: "/api/v1/books/K1/vouchers", token: prep, body: map[string]any{
			"date": "2026-04-02", "summary": "向成员销售化肥", "lines": []map[string]any{
				{"account": "114", "household": "H001", "debit": "300.00", "trade": true},
				{"account": "501", "credit": "300.00"}}}}, http.StatusCreated), &v)
		if !v.Lines[0].Trade {
			t.Errorf("trade mark lost: %+v", v.Lines[0])
		}
		e.expect(req{method: "POST", path: fmt.Sprintf("/api/v1/books/K1/vouchers/%d/post", v.ID), token: rev}, http.StatusOK)

		res = e.expect(req{method: "POST", path: "/api/v1/books/K1/surplus-plans", token: prep,
			body: map[string]any{"year": 2026, "return": "300.00"}}, http.StatusBadRequest)
		if !strings.Contains(string(res.body), "300.00") || !strings.Contains(string(res.body), "270.00") {
			t.Errorf("a plan above 可分配盈余 (270.00): %s", res.body)
		}

		var ma ledger.MemberAccounts
		e.decode(e.expect(req{method: "GET", path: "/api/v1/books/K1/member-accounts?year=2026", token: coop.Tokens["auditor"]}, http.StatusOK), &ma)
		if len(ma.Accounts) != 2 || ma.Accounts[0].Volume != ledger.MustMoney("300.00") || ma.Total.Volume != ledger.MustMoney("300.00") {
			t.Errorf("member accounts: %+v", ma)
		}
		e.expect(req{method: "GET", path: "/api/v1/books/K1/member-accounts?year=", token: prep}, http.StatusBadRequest)
		res = e.expect(req{method: "GET", path: "/api/v1/books/K1/member-accounts.xlsx?year=2026", token: prep}, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, _ := f.GetCellFormula("成员账户", "I6"); got != "SUM(I4:I5)" {
			t.Errorf("交易量 total formula %q", got)
		}
		if got, _ := f.CalcCellValue("成员账户", "I6"); got != "300" && got != "300.00" {
			t.Errorf("交易量 total %q", got)
		}
	})
}
