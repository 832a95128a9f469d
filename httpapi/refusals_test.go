package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// voucherJSON builds a voucher body dated date with the given lines as raw JSON.
func voucherJSON(date string, lines ...string) string {
	return fmt.Sprintf(`{"date": %q, "summary": "测试凭证", "attachments": 1, "lines": [%s]}`, date, strings.Join(lines, ", "))
}

// refusal is one bad request and what it must get.
type refusal struct {
	name   string
	r      req
	status int
	code   string
	field  string // the field the message must name; "" when there is none
}

// TestRefusals sends the bad inputs of the ledger core and of HTTP itself:
// each gets its 4xx, the envelope, a Chinese message naming the field, and
// leaves every table as it was.
func TestRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		if _, err := s.CreateHousehold(ctx, e.other.Preparer, "V2", ledger.Household{Code: "X01", HeadName: "外村户",
			IDNumber: ledgertest.IDNumber(900), Members: 2, Status: ledger.StatusOrdinary}); err != nil {
			t.Fatal(err)
		}
		feb := func(day int, household, amount string) ledger.VoucherInput {
			v := rent(day, household, amount)
			v.Date = fmt.Sprintf("2026-02-%02d", day)
			return v
		}
		reversed := e.f.Post(t, feb(3, "H001", "100.00"))
		reversal, err := s.ReverseVoucher(ctx, e.f.Preparer, "V1", reversed.ID, ledger.ReverseInput{Date: "2026-02-04"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostVoucher(ctx, e.f.Reviewer, "V1", reversal.ID); err != nil {
			t.Fatal(err)
		}
		posted := e.f.Post(t, feb(5, "H002", "50.00"))
		draft, err := s.CreateVoucher(ctx, e.f.Preparer, "V1", feb(6, "H003", "10.00"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClosePeriod(ctx, e.f.Preparer, "V1", "2026-01"); err != nil {
			t.Fatal(err)
		}

		const vouchers = "/api/v1/books/V1/vouchers"
		bank := `{"account": "102", "debit": "10.00"}`
		rentTo := func(household string) string {
			return fmt.Sprintf(`{"account": "21101", "household": %q, "credit": "10.00"}`, household)
		}
		post := func(path, body string) req { return req{method: "POST", path: path, role: rolePreparer, body: body} }
		postVoucher := func(body string) req { return post(vouchers, body) }
		household := func(changes map[string]any) req {
			h := map[string]any{"code": "H100", "head_name": "张三", "id_number": ledgertest.IDNumber(300), "members": 3, "status": "一般户"}
			for k, v := range changes {
				h[k] = v
			}
			return req{method: "POST", path: "/api/v1/books/V1/households", role: rolePreparer, body: h}
		}
		votePath := func(id int64, action string) string { return fmt.Sprintf("%s/%d%s", vouchers, id, action) }
		huge := `{"date": "2026-02-10", "summary": "` + strings.Repeat("长", defaultBodyLimit/3+10) + `", "lines": []}`

		cases := []refusal{
			// The core rules of a voucher.
			{"unbalanced", postVoucher(voucherJSON("2026-02-10", bank, `{"account": "21101", "household": "H001", "credit": "9.99"}`)), 422, ledger.ECodeUnbalanced, "lines"},
			{"one line", postVoucher(voucherJSON("2026-02-10", bank)), 400, ledger.ECodeInvalid, "lines"},
			{"both sides", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "debit": "10.00", "credit": "10.00"}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0]"},
			{"neither side", postVoucher(voucherJSON("2026-02-10", `{"account": "102"}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0]"},
			{"three decimals as a number", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "debit": 12.345}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0].debit"},
			{"three decimals as a string", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "debit": "12.345"}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0].debit"},
			{"negative amount", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "debit": "-10.00"}`, `{"account": "21101", "household": "H001", "credit": -10}`)), 400, ledger.ECodeInvalid, "lines[0].debit"},
			{"1e400", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "debit": 1e400}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0].debit"},
			{"1e3", postVoucher(voucherJSON("2026-02-10", bank, `{"account": "21101", "household": "H001", "credit": 1e3}`)), 400, ledger.ECodeInvalid, "lines[1].credit"},
			{"amount as a boolean", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "debit": true}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0].debit"},
			{"non-leaf account", postVoucher(voucherJSON("2026-02-10", bank, `{"account": "211", "credit": "10.00"}`)), 400, ledger.ECodeInvalid, "lines[1].account"},
			{"unknown account", postVoucher(voucherJSON("2026-02-10", bank, `{"account": "999", "credit": "10.00"}`)), 400, ledger.ECodeInvalid, "lines[1].account"},
			{"control account without household", postVoucher(voucherJSON("2026-02-10", bank, `{"account": "21101", "credit": "10.00"}`)), 400, ledger.ECodeInvalid, "lines[1].household"},
			{"household of another book", postVoucher(voucherJSON("2026-02-10", bank, rentTo("X01"))), 400, ledger.ECodeInvalid, "lines[1].household"},
			{"closed period", postVoucher(voucherJSON("2026-01-15", bank, rentTo("H001"))), 409, ledger.ECodePeriodClosed, "date"},
			{"impossible date", postVoucher(voucherJSON("2026-02-30", bank, rentTo("H001"))), 400, ledger.ECodeInvalid, "date"},
			{"posting by the preparer", post(votePath(draft.ID, "/post"), ""), 403, ledger.ECodeSegregation, ""},
			{"posting by an auditor", req{method: "POST", path: votePath(draft.ID, "/post"), role: roleAuditor}, 403, ledger.ECodeForbidden, ""},
			{"posting twice", req{method: "POST", path: votePath(posted.ID, "/post"), role: roleReviewer}, 409, ledger.ECodeConflict, ""},
			{"reversing twice", post(votePath(reversed.ID, "/reverse"), `{"date": "2026-02-10"}`), 409, ledger.ECodeConflict, ""},
			{"reversing a reversal", post(votePath(reversal.ID, "/reverse"), `{"date": "2026-02-10"}`), 409, ledger.ECodeConflict, ""},
			{"editing a posted voucher", req{method: "PATCH", path: votePath(posted.ID, ""), role: rolePreparer, body: `{"summary": "改"}`}, 409, ledger.ECodeImmutable, ""},
			{"deleting a posted voucher", req{method: "DELETE", path: votePath(posted.ID, ""), role: rolePreparer}, 409, ledger.ECodeImmutable, ""},
			{"editing another's draft", req{method: "PATCH", path: votePath(draft.ID, ""), role: roleReviewer, body: `{"summary": "改"}`}, 403, ledger.ECodeForbidden, ""},
			{"voucher id not a number", req{method: "GET", path: vouchers + "/abc", role: rolePreparer}, 400, ledger.ECodeInvalid, "id"},
			{"voucher of nobody", req{method: "GET", path: vouchers + "/999999", role: rolePreparer}, 404, ledger.ECodeNotFound, ""},
			{"book out of scope", req{method: "POST", path: vouchers, role: roleOutsider, body: voucherJSON("2026-02-10", bank, rentTo("H001"))}, 404, ledger.ECodeNotFound, ""},
			{"book that does not exist", req{method: "GET", path: "/api/v1/books/NOPE/vouchers", role: rolePreparer}, 404, ledger.ECodeNotFound, ""},

			// Households and names.
			{"invalid ID number", household(map[string]any{"id_number": "362426199001011230"}), 400, ledger.ECodeInvalid, "id_number"},
			{"duplicate ID number", household(map[string]any{"id_number": ledgertest.IDNumber(1)}), 409, ledger.ECodeConflict, "id_number"},
			{"members as a fraction", household(map[string]any{"members": 3.5}), 400, ledger.ECodeInvalid, "members"},
			{"unknown status", household(map[string]any{"status": "贫困户"}), 400, ledger.ECodeInvalid, "status"},
			{"bank account with letters", household(map[string]any{"bank_account": "6217-abc"}), 400, ledger.ECodeInvalid, "bank_account"},
			{"SQL in a code", household(map[string]any{"code": "H1' OR '1'='1"}), 400, ledger.ECodeInvalid, "code"},
			{"SQL in a long name", household(map[string]any{"head_name": "Robert'); DROP TABLE households; --"}), 400, ledger.ECodeInvalid, "head_name"},
			{"very long party name", post("/api/v1/books/V1/parties", `{"code": "P99", "name": "`+strings.Repeat("公司", 5000)+`"}`), 400, ledger.ECodeInvalid, "name"},
			{"very long book name", req{method: "POST", path: "/api/v1/books", role: roleAdmin, body: `{"code": "B9", "name": "` + strings.Repeat("村", 100000) + `", "kind": "village", "township": {"code": "T01", "name": "测试镇"}}`}, 400, ledger.ECodeInvalid, "name"},
			{"SQL in a book code", req{method: "POST", path: "/api/v1/books", role: roleAdmin, body: `{"code": "V1; DROP TABLE books", "name": "村", "kind": "village", "township": {"code": "T01", "name": "测试镇"}}`}, 400, ledger.ECodeInvalid, "code"},
			{"unknown book kind", req{method: "POST", path: "/api/v1/books", role: roleAdmin, body: `{"code": "B9", "name": "村", "kind": "city", "township": {"code": "T01", "name": "测试镇"}}`}, 400, ledger.ECodeInvalid, "kind"},

			// Periods and settings.
			{"reopening without a reason", req{method: "POST", path: "/api/v1/books/V1/periods/2026-01/reopen", role: roleTownship, body: `{"reason": " "}`}, 400, ledger.ECodeInvalid, "reason"},
			{"reopening by an accountant", req{method: "POST", path: "/api/v1/books/V1/periods/2026-01/reopen", role: rolePreparer, body: `{"reason": "更正"}`}, 403, ledger.ECodeForbidden, ""},
			{"closing with drafts", post("/api/v1/books/V1/periods/2026-02/close", ""), 409, ledger.ECodeConflict, ""},
			{"malformed period", post("/api/v1/books/V1/periods/2026-1/close", ""), 400, ledger.ECodeInvalid, "period"},
			{"close with a body", post("/api/v1/books/V1/periods/2026-02/close", `{"force": true}`), 400, ledger.ECodeInvalid, "force"},
			{"segregation without opt_out", req{method: "PUT", path: "/api/v1/books/V1/segregation", role: roleTownship, body: `{"reason": "一人村"}`}, 400, ledger.ECodeInvalid, "opt_out"},
			{"segregation opt-out without reason", req{method: "PUT", path: "/api/v1/books/V1/segregation", role: roleTownship, body: `{"opt_out": true}`}, 400, ledger.ECodeInvalid, "reason"},
			{"trial balance backwards", req{method: "GET", path: "/api/v1/books/V1/trial-balance?from=2026-05&to=2026-01", role: roleAuditor}, 400, ledger.ECodeInvalid, "to"},
			{"trial balance without range", req{method: "GET", path: "/api/v1/books/V1/trial-balance", role: roleAuditor}, 400, ledger.ECodeInvalid, "from"},
			{"ledger without account", req{method: "GET", path: "/api/v1/books/V1/ledger?from=2026-01&to=2026-02", role: roleAuditor}, 400, ledger.ECodeInvalid, "account"},

			// JSON itself.
			{"malformed JSON", postVoucher(`{"date": "2026-02-10", "summary": }`), 400, ledger.ECodeInvalid, "body"},
			{"truncated JSON", postVoucher(`{"date": "2026-02-10", "summary": "测试", "lines": [`), 400, ledger.ECodeInvalid, "body"},
			{"trailing data", postVoucher(voucherJSON("2026-02-10", bank, rentTo("H001")) + ` {"again": 1}`), 400, ledger.ECodeInvalid, "body"},
			{"empty body", postVoucher(""), 400, ledger.ECodeInvalid, "body"},
			{"array instead of object", postVoucher(`[1, 2]`), 400, ledger.ECodeInvalid, "body"},
			{"invalid UTF-8", postVoucher("{\"date\": \"2026-02-10\", \"summary\": \"\xff\xfe\"}"), 400, ledger.ECodeInvalid, "body"},
			{"unknown field", postVoucher(`{"date": "2026-02-10", "summary": "x", "approved": true, "lines": []}`), 400, ledger.ECodeInvalid, "approved"},
			{"unknown field in a line", postVoucher(voucherJSON("2026-02-10", `{"account": "102", "amount": "10.00"}`, rentTo("H001"))), 400, ledger.ECodeInvalid, "lines[0].amount"},
			{"field in another case", postVoucher(`{"Date": "2026-02-10", "summary": "x", "lines": []}`), 400, ledger.ECodeInvalid, "Date"},
			{"duplicate field", postVoucher(`{"date": "2026-02-10", "date": "2026-02-11", "summary": "x", "lines": []}`), 400, ledger.ECodeInvalid, "date"},
			{"wrong type", postVoucher(`{"date": "2026-02-10", "summary": "x", "attachments": "three", "lines": []}`), 400, ledger.ECodeInvalid, "attachments"},
			{"null summary", postVoucher(`{"date": "2026-02-10", "summary": null, "lines": []}`), 400, ledger.ECodeInvalid, "summary"},
			{"lines not an array", postVoucher(`{"date": "2026-02-10", "summary": "x", "lines": {}}`), 400, ledger.ECodeInvalid, "lines"},
			{"wrong content type", req{method: "POST", path: vouchers, role: rolePreparer, body: voucherJSON("2026-02-10", bank, rentTo("H001")), contentType: "text/plain"}, 415, httpx.CodeUnsupportedMedia, "Content-Type"},
			{"form content type", req{method: "POST", path: vouchers, role: rolePreparer, body: "date=2026-02-10", contentType: "application/x-www-form-urlencoded"}, 415, httpx.CodeUnsupportedMedia, "Content-Type"},
			{"JSON in another charset", req{method: "POST", path: vouchers, role: rolePreparer, body: voucherJSON("2026-02-10", bank, rentTo("H001")), contentType: "application/json; charset=gbk"}, 415, httpx.CodeUnsupportedMedia, "Content-Type"},
			{"oversized body", postVoucher(huge), 413, httpx.CodeTooLarge, "body"},
			{"long idempotency key", req{method: "POST", path: vouchers, role: rolePreparer, body: voucherJSON("2026-02-10", bank, rentTo("H001")),
				headers: map[string]string{httpx.HeaderIdempotencyKey: strings.Repeat("k", 201)}}, 400, ledger.ECodeInvalid, httpx.HeaderIdempotencyKey},

			// Query parameters.
			{"limit too large", req{method: "GET", path: vouchers + "?limit=1001", role: rolePreparer}, 400, ledger.ECodeInvalid, "limit"},
			{"limit zero", req{method: "GET", path: vouchers + "?limit=0", role: rolePreparer}, 400, ledger.ECodeInvalid, "limit"},
			{"bad period filter", req{method: "GET", path: vouchers + "?period=2026-13", role: rolePreparer}, 400, ledger.ECodeInvalid, "period"},
			{"bad cursor", req{method: "GET", path: vouchers + "?after=abc", role: rolePreparer}, 400, ledger.ECodeInvalid, "after"},
			{"bad status filter", req{method: "GET", path: vouchers + "?status=approved", role: rolePreparer}, 400, ledger.ECodeInvalid, "status"},
			{"unknown query parameter", req{method: "GET", path: vouchers + "?perod=2026-02", role: rolePreparer}, 400, ledger.ECodeInvalid, "perod"},
			{"repeated query parameter", req{method: "GET", path: vouchers + "?limit=1&limit=2", role: rolePreparer}, 400, ledger.ECodeInvalid, "limit"},
			{"SQL in a cursor", req{method: "GET", path: "/api/v1/books/V1/households?after=%27%20OR%201%3D1--", role: rolePreparer}, 400, ledger.ECodeInvalid, "after"},
			{"bad audit date", req{method: "GET", path: "/api/v1/books/V1/audit-log?from=2026-02-30", role: roleAuditor}, 400, ledger.ECodeInvalid, "from"},
			{"query on a route without parameters", req{method: "GET", path: "/api/v1/books/V1/verify?deep=1", role: roleAuditor}, 400, ledger.ECodeInvalid, "deep"},

			// Routing.
			{"unknown route", req{method: "GET", path: "/api/v1/nothing", role: rolePreparer, undocumented: true}, 404, ledger.ECodeNotFound, ""},
			{"wrong method", req{method: "PUT", path: vouchers, role: rolePreparer, body: "{}", undocumented: true}, 405, httpx.CodeMethodNotAllowed, ""},
		}
		for _, c := range cases {
			before := ledgertest.Digest(t, s)
			res := e.do(c.r)
			checkEnvelope(t, c.name, res, c.status, c.code, c.field)
			if after := ledgertest.Digest(t, s); after != before {
				t.Errorf("%s: the refused request changed the database", c.name)
			}
		}
	})
}

// TestAcceptedExactly: amounts as JSON numbers are taken exactly, and
// SQL-looking text is stored and returned verbatim.
func TestAcceptedExactly(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		res := e.expect(req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer, body: voucherJSON("2026-06-01",
			`{"account": "102", "debit": 12.3}`, `{"account": "21101", "household": "H001", "credit": 12.30, "summary": "x'); DROP TABLE vouchers; --"}`)}, http.StatusCreated)
		var v ledger.Voucher
		e.decode(res, &v)
		if v.Status != ledger.StatusDraft || v.ID == 0 || v.Total.String() != "12.30" || v.Lines[0].Debit.String() != "12.30" {
			t.Fatalf("voucher %s", res.body)
		}
		if !strings.Contains(string(res.body), `"debit":"12.30"`) || !strings.Contains(string(res.body), `"total":"12.30"`) {
			t.Errorf("amounts not written as two-decimal strings: %s", res.body)
		}
		if v.Lines[1].Summary != "x'); DROP TABLE vouchers; --" {
			t.Errorf("summary changed: %q", v.Lines[1].Summary)
		}
		name := "O'Brien \"; DELETE FROM households; --"
		res = e.expect(req{method: "POST", path: "/api/v1/books/V1/parties", role: rolePreparer,
			body: api.PartyRequest{Code: "Q1", Name: name}}, http.StatusCreated)
		res = e.expect(req{method: "GET", path: "/api/v1/books/V1/parties/Q1", role: roleAuditor}, http.StatusOK)
		var p ledger.Party
		e.decode(res, &p)
		if p.Name != name {
			t.Errorf("party name %q, want %q", p.Name, name)
		}
		hs, err := s.Households(context.Background(), e.f.Auditor, "V1", ledger.HouseholdFilter{})
		if err != nil || len(hs) != 3 {
			t.Errorf("households after SQL-looking input: %d, %v", len(hs), err)
		}
	})
}
