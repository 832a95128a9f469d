package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// The hostile-input corpus: bad HTTP requests generated from a few valid
// bodies by breaking one thing at a time. Every one must get a 4xx with the
// error envelope and leave the whole database as it was. The corpus size is
// printed and must stay at least minHostile.

const minHostile = 150

// hostileStrings go into every structured text field (codes, references to
// other things, dates, enumerations, ID and account numbers).
var hostileStrings = map[string]string{
	"script":    `<script>alert(1)</script>`,
	"sql":       `' OR '1'='1'; DROP TABLE vouchers; --`,
	"traversal": `../../etc/passwd`,
	"nul":       "A\u0000B",
	"crlf":      "H001\r\nX-Injected: 1",
	"long":      strings.Repeat("长", 5000),
}

// freeText are text fields where script and SQL text is legitimate content
// (stored verbatim, always JSON-escaped on the way out; TestAcceptedExactly)
// but control characters are refused.
var freeText = map[string][]string{
	"voucher":   {"summary", "lines.1.summary"},
	"household": {"head_name", "group"},
	"party":     {"name"},
	"account":   {"name"},
	"agreement": {"title", "terms.participants.0.parcels.0.name"},
	"payment":   {"payments.0.reference"},
}

// body is a valid request body and the route it goes to.
type body struct {
	name, path string
	role       string
	json       func() map[string]any
}

// hostileBodies are valid bodies; structured names the JSON paths of their
// structured text fields, amounts and dates their money and date fields.
type hostileBody struct {
	body
	structured, amounts, dates []string
}

func hostileBodies(runPath string) []hostileBody {
	voucher := func() map[string]any {
		return map[string]any{"date": "2026-06-10", "summary": "恶意输入测试", "attachments": 1, "lines": []any{
			map[string]any{"account": "102", "debit": "10.00"},
			map[string]any{"account": "21101", "household": "H001", "credit": "10.00"}}}
	}
	household := func() map[string]any {
		return map[string]any{"code": "N01", "head_name": "张三", "id_number": ledgertest.IDNumber(777), "bank_account": "6217000011112222",
			"members": 3, "group": "第一组", "status": "一般户"}
	}
	agreement := func() map[string]any {
		return map[string]any{"code": "AG9", "title": "土地流转协议", "kind": "land_rent", "party": "C01", "start": "2026-01-01",
			"terms": map[string]any{"schedule": "quarterly", "participants": []any{map[string]any{"household": "H001",
				"parcels": []any{map[string]any{"name": "东坡", "area_mu": "3.5", "rate": "800"}}}}}}
	}
	payment := func() map[string]any {
		return map[string]any{"payments": []any{map[string]any{"household": "H001", "amount": "1.00", "date": "2026-12-28",
			"method": "bank", "reference": "HOSTILE-1"}}}
	}
	const b = "/api/v1/books/V1"
	return []hostileBody{
		{body{"voucher", b + "/vouchers", rolePreparer, voucher},
			[]string{"date", "lines.0.account", "lines.1.household", "lines.0.party"}, []string{"lines.0.debit", "lines.1.credit"}, []string{"date"}},
		{body{"household", b + "/households", rolePreparer, household},
			[]string{"code", "id_number", "bank_account", "status"}, nil, nil},
		{body{"party", b + "/parties", rolePreparer, func() map[string]any { return map[string]any{"code": "P9", "name": "公司", "uscc": ""} }},
			[]string{"code", "uscc"}, nil, nil},
		{body{"account", b + "/accounts", rolePreparer, func() map[string]any { return map[string]any{"code": "11301", "name": "明细", "parent": "113"} }},
			[]string{"code", "parent"}, nil, nil},
		{body{"agreement", b + "/agreements", rolePreparer, agreement},
			[]string{"code", "kind", "party", "start", "terms.schedule", "terms.participants.0.household"}, nil, []string{"start"}},
		{body{"payment", runPath + "/payments", rolePreparer, payment},
			[]string{"payments.0.household", "payments.0.date", "payments.0.method"}, []string{"payments.0.amount"}, []string{"payments.0.date"}},
		{body{"payout run", b + "/payout-runs", rolePreparer, func() map[string]any { return map[string]any{"quarter": "2026Q4"} }},
			[]string{"quarter"}, nil, nil},
		{body{"reverse", b + "/vouchers/1/reverse", rolePreparer, func() map[string]any { return map[string]any{"date": "2026-06-30"} }},
			[]string{"date"}, nil, []string{"date"}},
	}
}

// set replaces the value at a dotted JSON path (numbers index arrays).
func set(doc map[string]any, path string, v any) map[string]any {
	parts := strings.Split(path, ".")
	var cur any = doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = v
			} else {
				cur = c[p]
			}
		case []any:
			var n int
			fmt.Sscan(p, &n)
			if last {
				c[n] = v
			} else {
				cur = c[n]
			}
		}
	}
	return doc
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// hostileCase is one bad request.
type hostileCase struct {
	name string
	r    req
}

func hostileCorpus(runPath, otherHousehold string) []hostileCase {
	var out []hostileCase
	add := func(name string, r req) { out = append(out, hostileCase{name, r}) }
	post := func(hb hostileBody, b string) req {
		return req{method: "POST", path: hb.path, role: hb.role, body: b}
	}
	for _, hb := range hostileBodies(runPath) {
		valid := mustJSON(hb.json())
		for _, field := range hb.structured {
			for kind, s := range hostileStrings {
				add(fmt.Sprintf("%s: %s in %s", hb.name, kind, field), post(hb, mustJSON(set(hb.json(), field, s))))
			}
			add(hb.name+": number for text in "+field, post(hb, mustJSON(set(hb.json(), field, 12345))))
			add(hb.name+": object for text in "+field, post(hb, mustJSON(set(hb.json(), field, map[string]any{"$ne": ""}))))
		}
		for _, field := range hb.amounts {
			for _, a := range []any{"-10.00", "10.001", -5, 1e300, "1e3", "NaN", "Infinity", "99999999999999999999.00", "0x10", " 10.00", "10,00", "", true, []any{1}} {
				add(fmt.Sprintf("%s: amount %v in %s", hb.name, a, field), post(hb, mustJSON(set(hb.json(), field, a))))
			}
		}
		for _, field := range hb.dates {
			for _, d := range []string{"2026-02-30", "2026-13-01", "2026-00-10", "2025-02-29", "26-06-10", "2026/06/10", "2026-6-1", "9999-99-99"} {
				add(fmt.Sprintf("%s: date %s in %s", hb.name, d, field), post(hb, mustJSON(set(hb.json(), field, d))))
			}
		}
		for _, cut := range []int{1, len(valid) / 3, len(valid) / 2, len(valid) - 1} {
			add(fmt.Sprintf("%s: truncated at %d", hb.name, cut), post(hb, valid[:cut]))
		}
		for _, field := range freeText[hb.name] {
			for _, c := range []string{"\u0000", "\u0007", "\u001b[31m", "\u007f"} {
				add(fmt.Sprintf("%s: control character %q in free text %s", hb.name, c, field), post(hb, mustJSON(set(hb.json(), field, "甲"+c+"乙"))))
			}
		}
		add(hb.name+": 10 MB body", post(hb, `{"x":"`+strings.Repeat("a", 10<<20)+`"}`))
		add(hb.name+": unknown field", post(hb, mustJSON(set(hb.json(), "approved_by", "admin"))))
		add(hb.name+": JSON array", post(hb, "["+valid+"]"))
		add(hb.name+": no token", req{method: "POST", path: hb.path, body: valid})
		add(hb.name+": forged token", req{method: "POST", path: hb.path, token: "cl_" + strings.Repeat("A", 43), body: valid})
	}
	voucherWith := func(line1 map[string]any) string {
		return mustJSON(map[string]any{"date": "2026-06-10", "summary": "x", "lines": []any{
			map[string]any{"account": "102", "debit": "10.00"}, line1}})
	}
	const vouchers = "/api/v1/books/V1/vouchers"
	for _, acc := range []string{"999", "1", "10201", "21101x", "211", "", "１０２"} {
		add("voucher: unknown account "+acc, req{method: "POST", path: vouchers, role: rolePreparer,
			body: voucherWith(map[string]any{"account": acc, "credit": "10.00"})})
	}
	add("voucher: other book's household", req{method: "POST", path: vouchers, role: rolePreparer,
		body: voucherWith(map[string]any{"account": "21101", "household": otherHousehold, "credit": "10.00"})})
	add("payment: other book's household", req{method: "POST", path: runPath + "/payments", role: rolePreparer,
		body: mustJSON(map[string]any{"payments": []any{map[string]any{"household": otherHousehold, "amount": "1.00", "date": "2026-12-28", "method": "bank", "reference": "X"}}})})
	for _, p := range []string{
		"/api/v1/books/V1/households/..%2F..%2Fetc%2Fpasswd", "/api/v1/books/V1/households/%2e%2e", "/api/v1/books/..%2FV2/households",
		"/api/v1/books/V1/parties/C01%00", "/api/v1/books/V1/agreements/..%5C..%5Cwindows", "/api/v1/books/V1%27%20OR%201%3D1/vouchers",
		"/api/v1/books/V1/vouchers/1%20OR%201=1", "/api/v1/books/V1/periods/..%2F2026-01/close", "/api/v1/books/V1/households/H001%3Cscript%3E",
	} {
		method := "GET"
		if strings.HasSuffix(p, "/close") {
			method = "POST"
		}
		add("path traversal "+p, req{method: method, path: p, role: rolePreparer, undocumented: true})
	}
	return out
}

// TestHostileCorpus sends the corpus: each request gets a 4xx with the error
// envelope, and a digest of the whole database is unchanged.
func TestHostileCorpus(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		if _, err := s.CreateHousehold(ctx, e.other.Preparer, "V2", ledger.Household{Code: "X01", HeadName: "外村户",
			IDNumber: ledgertest.IDNumber(901), Members: 2, Status: ledger.StatusOrdinary}); err != nil {
			t.Fatal(err)
		}
		e.posted()
		run := fmt.Sprintf("/api/v1/books/V1/payout-runs/%d", e.approvedRun("2026Q4"))
		corpus := hostileCorpus(run, "X01")
		if len(corpus) < minHostile {
			t.Fatalf("corpus has %d requests, want at least %d", len(corpus), minHostile)
		}
		before := ledgertest.Digest(t, s)
		for _, c := range corpus {
			res := e.do(c.r)
			if res.status < 400 || res.status > 499 {
				t.Errorf("%s: status %d: %.300s", c.name, res.status, res.body)
				continue
			}
			checkEnvelope(t, c.name, res, res.status, "", "")
		}
		if after := ledgertest.Digest(t, s); after != before {
			t.Errorf("the hostile corpus changed the database")
		}
		t.Logf("hostile corpus: %d requests, each refused with a 4xx and the envelope, database unchanged", len(corpus))
	})
}
