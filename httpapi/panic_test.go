package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// hugeLandRent is the attack of issue 15: 10¹² 亩 × 10¹² 元/亩/年.
func hugeLandRent(code string) ledger.AgreementInput {
	in := landRent(code)
	in.Terms.Participants[0].Parcels[0].AreaMu = *dec("1000000000000")
	in.Terms.Participants[0].Parcels[0].Rate = *dec("1000000000000")
	return in
}

// TestHugeTermsRefusedAtEntry: terms whose amounts would not fit a voucher
// line are refused when entered, with the field named, and nothing is stored;
// so a quarter can always be computed and approved.
func TestHugeTermsRefusedAtEntry(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		const agreements = "/api/v1/books/V1/agreements"
		res := e.expect(req{method: "POST", path: agreements, role: rolePreparer, body: hugeLandRent("HUGE1")}, http.StatusBadRequest)
		checkEnvelope(t, "huge per household", res, http.StatusBadRequest, "invalid", "terms.participants[0]")
		e.expect(req{method: "GET", path: agreements + "/HUGE1", role: rolePreparer}, http.StatusNotFound)

		// Each household within the line limit, the agreement's total not:
		// 400 households × 2.5 × 10⁷ 元/年 = 10¹⁰ 元 + 400 元.
		many := landRent("HUGE2")
		many.Terms.Participants = nil
		for i := range 3 {
			many.Terms.Participants = append(many.Terms.Participants, ledger.Participant{Household: e.f.Households[i],
				Parcels: []ledger.Parcel{{Name: "东坡", AreaMu: *dec("10000"), Rate: *dec("400000")}}})
		}
		res = e.expect(req{method: "POST", path: agreements, role: rolePreparer, body: many}, http.StatusBadRequest)
		checkEnvelope(t, "huge agreement total", res, http.StatusBadRequest, "invalid", "terms.participants")
		if !strings.Contains(string(res.body), "单笔分录上限") {
			t.Fatalf("message does not name the limit: %s", res.body)
		}

		pooled := e.agreement(pool(nextCode("PL"), "H001"))
		res = e.expect(req{method: "POST", path: agreements + "/" + pooled + "/declarations", role: rolePreparer,
			body: map[string]string{"quarter": "2026Q4", "amount": "10000000000.01"}}, http.StatusBadRequest)
		checkEnvelope(t, "huge declaration", res, http.StatusBadRequest, "invalid", "amount")
	})
}

// TestPanicInBackgroundWorkFailsOneRequest drives each path that runs on
// goroutines of its own (compute, reconciliation, verify) with a forced
// panic: the request that started it gets a 500 with the generic message,
// nothing is written, and the server goes on serving.
func TestPanicInBackgroundWorkFailsOneRequest(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		// Two agreements, so the compute really runs on worker goroutines.
		e.agreement(landRent(nextCode("RT")))
		e.agreement(landRent(nextCode("RT")))
		cases := []struct {
			where string
			r     req
			ok    int // the same request's status once the fault is gone
		}{
			{"compute", req{method: "POST", path: "/api/v1/books/V1/payout-runs", role: rolePreparer, body: map[string]string{"quarter": "2026Q1"}}, http.StatusCreated},
			{"reconcile", req{method: "GET", path: "/api/v1/books/V1/reconciliation?quarter=2026Q1", role: roleAuditor}, http.StatusOK},
			{"verify", req{method: "GET", path: "/api/v1/books/V1/verify", role: roleAuditor}, http.StatusOK},
		}
		for _, c := range cases {
			restore := ledger.InjectPanic(c.where)
			res := e.do(c.r)
			restore()
			checkEnvelope(t, c.where, res, http.StatusInternalServerError, "internal", "")
			e.expect(req{method: "GET", path: "/healthz"}, http.StatusOK)
			if c.where != "compute" {
				e.expect(c.r, c.ok)
				continue
			}
			runs := e.expect(req{method: "GET", path: "/api/v1/books/V1/payout-runs", role: rolePreparer}, http.StatusOK)
			if strings.Contains(string(runs.body), `"quarter":"2026Q1"`) {
				t.Fatalf("a failed compute left a run behind: %s", runs.body)
			}
			e.expect(c.r, c.ok)
		}
	})
}
