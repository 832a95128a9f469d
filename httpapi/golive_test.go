package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"coopledger/httpapi/api"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestOneAccountantCannotPostThroughTheBatch is the attack of issue 15 over
// HTTP: with 2026-11 kept in coopledger, an accountant's batch numbering
// 2026-11 记-0002 and naming the township officer as reviewer is refused
// whole; the voucher posted by review shows posted_via in its JSON and in
// the audit log; and go-live cannot move past it.
func TestOneAccountantCannotPostThroughTheBatch(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		checkEnvelope(t, "accountant sets go-live", e.do(req{method: "PUT", path: "/api/v1/books/V1/go-live", role: rolePreparer,
			body: api.GoLiveRequest{GoLivePeriod: "2026-11"}}), 403, ledger.ECodeForbidden, "")
		res := e.expect(req{method: "PUT", path: "/api/v1/books/V1/go-live", role: roleTownship, body: api.GoLiveRequest{GoLivePeriod: "2026-11"}}, 200)
		if !strings.Contains(string(res.body), `"go_live_period":"2026-11"`) {
			t.Fatalf("go-live: %s", res.body)
		}
		draft := e.expect(req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer, body: ledger.VoucherInput{
			Date: "2026-11-03", Summary: "借入短期借款", Lines: []ledger.LineInput{
				{Account: "102", Debit: ledgertest.Amount("10.00")}, {Account: "201", Credit: ledgertest.Amount("10.00")}}}}, 201)
		var v ledger.Voucher
		if err := json.Unmarshal(draft.body, &v); err != nil {
			t.Fatal(err)
		}
		res = e.expect(req{method: "POST", path: fmt.Sprintf("/api/v1/books/V1/vouchers/%d/post", v.ID), role: roleReviewer}, 200)
		if !strings.Contains(string(res.body), `"number":"记-0001"`) || !strings.Contains(string(res.body), `"posted_via":"review"`) {
			t.Fatalf("posted: %s", res.body)
		}

		before := ledgertest.Digest(t, s)
		attack := ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{{Number: 2, Date: "2026-11-20", Summary: "支付工程款",
			PreparedBy: "制单会计", ReviewedBy: "乡镇财政所", Lines: rent(20, "H001", "5000.00").Lines}}}
		res = e.do(req{method: "POST", path: "/api/v1/books/V1/vouchers/batch", role: rolePreparer, body: attack})
		checkEnvelope(t, "attack batch", res, 400, ledger.ECodeInvalid, "vouchers[0].date")
		if !strings.Contains(string(res.body), "上线月份 2026-11") {
			t.Errorf("attack message: %s", res.body)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("the refused batch changed the database")
		}

		res = e.do(req{method: "PUT", path: "/api/v1/books/V1/go-live", role: roleTownship, body: api.GoLiveRequest{GoLivePeriod: "2026-12"}})
		checkEnvelope(t, "go-live past a posted voucher", res, 400, ledger.ECodeInvalid, "go_live_period")

		res = e.expect(req{method: "GET", path: "/api/v1/books/V1/audit-log?action=post", role: roleAuditor}, 200)
		if !strings.Contains(string(res.body), `"posted_via":"review"`) {
			t.Fatalf("audit log: %s", res.body)
		}
	})
}
