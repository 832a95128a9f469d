package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// Agreements and payout runs over HTTP: the role table's cases, a whole
// quarter from agreements to a household's statement, and the refusals.

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// seq numbers the agreements the route cases create, unique in the process.
var seq atomic.Int64

func nextCode(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// landRent is a quarterly land-rent agreement for H001 from 2026.
func landRent(code string) ledger.AgreementInput {
	return ledger.AgreementInput{Code: code, Title: "土地流转协议", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
		Terms: ledger.Terms{Schedule: "quarterly", Participants: []ledger.Participant{
			{Household: "H001", Parcels: []ledger.Parcel{{Name: "东坡", AreaMu: *dec("3.5"), Rate: *dec("800")}}}}}}
}

// pool is a share-dividend agreement split by shares from declared amounts.
func pool(code string, households ...string) ledger.AgreementInput {
	in := ledger.AgreementInput{Code: code, Title: "光伏收益分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01",
		Terms: ledger.Terms{Basis: "pool"}}
	for _, h := range households {
		in.Terms.Participants = append(in.Terms.Participants, ledger.Participant{Household: h, Shares: dec("1")})
	}
	return in
}

// agreement creates an agreement through the ledger as the preparer.
func (e *env) agreement(in ledger.AgreementInput) string {
	e.t.Helper()
	if _, err := e.store.CreateAgreement(context.Background(), e.f.Preparer, "V1", in); err != nil {
		e.t.Fatalf("agreement %s: %v", in.Code, err)
	}
	return in.Code
}

// ensureAgreement creates in unless its code exists.
func (e *env) ensureAgreement(in ledger.AgreementInput) string {
	e.t.Helper()
	if _, err := e.store.Agreement(context.Background(), e.f.Preparer, "V1", in.Code); err == nil {
		return in.Code
	}
	return e.agreement(in)
}

// wageAgreement ensures the wage agreement WG exists.
func (e *env) wageAgreement() string {
	return e.ensureAgreement(ledger.AgreementInput{Code: "WG", Title: "基地务工", Kind: ledger.Wage, Party: "C01", Start: "2026-01-01"})
}

// draftRun adds a new land-rent agreement, so the quarter has something not
// yet approved, and computes a draft run as the preparer.
func (e *env) draftRun(quarter string) int64 {
	e.t.Helper()
	e.agreement(landRent(nextCode("RT")))
	run, err := e.store.CreatePayoutRun(context.Background(), e.f.Preparer, "V1", ledger.RunInput{Quarter: quarter})
	if err != nil {
		e.t.Fatalf("run %s: %v", quarter, err)
	}
	return run.ID
}

// approvedRun is a draft run approved by the reviewer.
func (e *env) approvedRun(quarter string) int64 {
	e.t.Helper()
	id := e.draftRun(quarter)
	if _, err := e.store.ApprovePayoutRun(context.Background(), e.f.Reviewer, "V1", id, ledger.ApproveInput{}); err != nil {
		e.t.Fatalf("approve run %d: %v", id, err)
	}
	return id
}

func runPath(id int64, action string) string {
	return fmt.Sprintf("/api/v1/books/V1/payout-runs/%d%s", id, action)
}

// payoutRouteCases are the role table's cases for agreements and payout runs.
// Drafts are computed for 2026Q1, approvals tried on 2026Q2, payments on
// 2026Q3 and declarations on 2026Q4, so the cases do not meet.
func payoutRouteCases() []routeCase {
	const agreements = "/api/v1/books/V1/agreements"
	approver := with(inBook, statuses{rolePreparer: 403, roleAuditor: 403})
	return []routeCase{
		{"GET", "/api/v1/books/:book/agreements", inBook, func(e *env, _ string, _ int) (string, any) {
			e.ensureAgreement(landRent("ZJ"))
			return agreements, nil
		}},
		{"POST", "/api/v1/books/:book/agreements", accountantCreates, func(_ *env, _ string, _ int) (string, any) {
			return agreements, landRent(nextCode("A"))
		}},
		{"GET", "/api/v1/books/:book/agreements/:code", inBook, func(e *env, _ string, _ int) (string, any) {
			return agreements + "/" + e.ensureAgreement(landRent("ZJ")), nil
		}},
		{"POST", "/api/v1/books/:book/agreements/:code/versions", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			in := landRent(nextCode("RV"))
			e.agreement(in)
			in.Terms.Participants[0].Parcels[0].Rate = *dec("850")
			return agreements + "/" + in.Code + "/versions", ledger.VersionInput{EffectiveFrom: "2026-07-01", Terms: in.Terms}
		}},
		{"POST", "/api/v1/books/:book/agreements/:code/declarations", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			code := e.agreement(pool(nextCode("GP"), "H001", "H002", "H003"))
			return agreements + "/" + code + "/declarations", ledger.DeclarationInput{Quarter: "2026Q4", Amount: ledger.MustMoney("1000.00")}
		}},
		{"GET", "/api/v1/books/:book/agreements/:code/work-records", inBook, func(e *env, _ string, _ int) (string, any) {
			return agreements + "/" + e.wageAgreement() + "/work-records?quarter=2026Q3", nil
		}},
		{"POST", "/api/v1/books/:book/agreements/:code/work-records", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			return agreements + "/" + e.wageAgreement() + "/work-records", workRecordsRequest{Records: []workRecordRequest{
				{Household: "H002", Date: "2026-08-05", Quantity: *dec("1.5"), Unit: "天", UnitRate: *dec("120")}}}
		}},

		{"GET", "/api/v1/books/:book/payout-runs", inBook, func(e *env, _ string, _ int) (string, any) {
			e.draftRun("2026Q1")
			return "/api/v1/books/V1/payout-runs?quarter=2026Q1", nil
		}},
		{"POST", "/api/v1/books/:book/payout-runs", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			e.ensureAgreement(landRent("ZJ"))
			return "/api/v1/books/V1/payout-runs", ledger.RunInput{Quarter: "2026Q1"}
		}},
		{"GET", "/api/v1/books/:book/payout-runs/:id", inBook, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.draftRun("2026Q1"), ""), nil
		}},
		{"POST", "/api/v1/books/:book/payout-runs/:id/recompute", accountantWrites, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.draftRun("2026Q1"), "/recompute"), nil
		}},
		{"POST", "/api/v1/books/:book/payout-runs/:id/approve", approver, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.draftRun("2026Q2"), "/approve"), nil
		}},
		{"GET", "/api/v1/books/:book/payout-runs/:id/payments", inBook, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.approvedRun("2026Q3"), "/payments"), nil
		}},
		{"POST", "/api/v1/books/:book/payout-runs/:id/payments", accountantCreates, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.approvedRun("2026Q3"), "/payments"), paymentsRequest{Payments: []ledger.PaymentInput{
				{Household: "H001", Amount: ledger.MustMoney("1.00"), Date: "2026-09-30", Method: ledger.MethodBank, Reference: nextCode("BK")}}}
		}},
	}
}

// lineAmounts maps "agreement/household" to the line's amount.
func lineAmounts(run ledger.PayoutRun) map[string]string {
	out := map[string]string{}
	for _, l := range run.Lines {
		out[l.Agreement+"/"+l.Household] = l.Amount.String()
	}
	return out
}

// TestPayoutFlow takes a quarter through the API: agreements of four kinds,
// a pool declaration, work records, a run, approval by a second accountant,
// a partial payment, the run's entitled/paid/outstanding and the household's
// statement.
func TestPayoutFlow(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		const book = "/api/v1/books/V1"
		post := func(path string, body any, status int) response {
			return e.expect(req{method: "POST", path: book + path, role: rolePreparer, body: body}, status)
		}
		// Land rent with a village service fee, as raw JSON with numbers as strings and JSON numbers.
		res := post("/agreements", `{"code": "ZJ", "title": "红芽芋基地土地流转", "kind": "land_rent", "party": "C01",
			"start": "2026-01-01", "end": "2030-12-31",
			"terms": {"schedule": "quarterly", "service_fee_rate": "0.05", "participants": [
				{"household": "H001", "parcels": [{"name": "东坡", "area_mu": "3.5", "rate": "800"}]},
				{"household": "H002", "parcels": [{"area_mu": 0.0001, "rate": 800}]},
				{"household": "H003", "start": "2026-08-17", "parcels": [{"area_mu": "2", "rate": "650.5"}]}]}}`, http.StatusCreated)
		var ag ledger.Agreement
		e.decode(res, &ag)
		if ag.Kind != ledger.LandRent || ag.Accounts.Credit != "21101" || len(ag.Versions) != 1 || len(ag.Versions[0].Terms.Participants) != 3 {
			t.Fatalf("land rent agreement: %s", res.body)
		}
		post("/agreements", pool("GJ", "H001", "H002", "H003"), http.StatusCreated)
		res = post("/agreements", `{"code": "WG", "title": "基地务工", "kind": "wage", "party": "C01", "start": "2026-01-01", "terms": {}}`, http.StatusCreated)
		if !strings.Contains(string(res.body), `"participants":[]`) {
			t.Errorf("wage agreement without participants: %s", res.body)
		}
		post("/agreements", ledger.AgreementInput{Code: "BG", Title: "包干协议", Kind: ledger.FixedSum, Party: "C01", Start: "2026-01-01",
			Terms: ledger.Terms{Schedule: "quarterly", YearlyAmount: ledgertest.Amount("10000.01"), SplitBy: "equal",
				Participants: []ledger.Participant{{Household: "H001"}, {Household: "H003"}}}}, http.StatusCreated)

		res = post("/agreements/GJ/declarations", `{"quarter": "2026Q3", "amount": "1000.00"}`, http.StatusCreated)
		var d ledger.Declaration
		e.decode(res, &d)
		if d.Quarter != "2026Q3" || d.Amount.String() != "1000.00" {
			t.Fatalf("declaration: %s", res.body)
		}
		res = post("/agreements/WG/work-records", `{"records": [
			{"household": "H002", "date": "2026-07-03", "quantity": "12.5", "unit": "天", "unit_rate": "120"},
			{"household": "H002", "date": "2026-07-04", "quantity": 3, "unit": "件", "unit_rate": "0.335", "note": "装箱"},
			{"household": "H003", "date": "2026-10-02", "quantity": "1", "unit": "天", "unit_rate": "100"}]}`, http.StatusCreated)
		var records list[ledger.WorkRecord]
		e.decode(res, &records)
		if len(records.Items) != 3 || records.Items[0].ID == 0 {
			t.Fatalf("work records: %s", res.body)
		}
		res = e.expect(req{method: "GET", path: book + "/agreements/WG/work-records?quarter=2026Q3", role: roleAuditor}, http.StatusOK)
		e.decode(res, &records)
		if len(records.Items) != 2 {
			t.Fatalf("Q3 work records: %s", res.body)
		}
		res = e.expect(req{method: "GET", path: book + "/agreements", role: roleTownship}, http.StatusOK)
		var ags list[ledger.Agreement]
		e.decode(res, &ags)
		if len(ags.Items) != 4 || ags.Items[0].Code != "BG" {
			t.Fatalf("agreements: %s", res.body)
		}

		// A new version from October leaves the third quarter as it was; the
		// fourth is 3.5 亩 × 900 ÷ 4 = 787.50 less the fee 39.38 = 748.12.
		res = post("/agreements/ZJ/versions", `{"effective_from": "2026-10-01", "terms": {"schedule": "quarterly", "service_fee_rate": "0.05",
			"participants": [{"household": "H001", "parcels": [{"area_mu": "3.5", "rate": "900"}]}]}}`, http.StatusCreated)
		e.decode(res, &ag)
		if len(ag.Versions) != 2 || ag.Versions[1].EffectiveFrom != "2026-10-01" || ag.Versions[1].Version != 2 {
			t.Fatalf("version: %s", res.body)
		}
		res = e.expect(req{method: "GET", path: book + "/agreements/ZJ", role: roleAuditor}, http.StatusOK)
		e.decode(res, &ag)
		if len(ag.Versions) != 2 || ag.Versions[0].Terms.Participants[0].Parcels[0].Rate.String() != "800" {
			t.Fatalf("agreement after version: %s", res.body)
		}

		res = post("/payout-runs", ledger.RunInput{Quarter: "2026Q3"}, http.StatusCreated)
		var run ledger.PayoutRun
		e.decode(res, &run)
		want := map[string]string{
			"GJ/H001": "333.34", "GJ/H002": "333.33", "GJ/H003": "333.33",
			"ZJ/H001": "665.00", "ZJ/H002": "0.02", "ZJ/H003": "151.14",
			"WG/H002": "1501.01",
			"BG/H001": "1250.00", "BG/H003": "1250.00",
		}
		got := lineAmounts(run)
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q, want %s", k, got[k], w)
			}
		}
		if len(got) != len(want) || run.Status != ledger.RunDraft || run.RoundingRule != ledger.RoundingRule {
			t.Errorf("run: %s", res.body)
		}
		for _, l := range run.Lines {
			if l.Basis == "" {
				t.Errorf("line %d without basis", l.LineNo)
			}
		}
		kinds := map[string]string{}
		for _, k := range run.ByKind {
			kinds[k.Key] = k.Amount.String()
		}
		if kinds["股金"] != "1000.00" || kinds["薪金"] != "1501.01" || kinds["包干"] != "2500.00" || kinds["租金"] != "816.16" {
			t.Errorf("totals by kind %v", kinds)
		}
		if len(run.ByAgreement) != 4 || run.Total.String() != "5817.17" {
			t.Errorf("by agreement %v, total %s", run.ByAgreement, run.Total)
		}
		res = post(fmt.Sprintf("/payout-runs/%d/recompute", run.ID), nil, http.StatusOK)
		var again ledger.PayoutRun
		e.decode(res, &again)
		if fmt.Sprint(lineAmounts(again)) != fmt.Sprint(got) {
			t.Errorf("recompute changed the lines: %v", lineAmounts(again))
		}

		approve := runPath(run.ID, "/approve")
		checkEnvelope(t, "self-approval", e.do(req{method: "POST", path: approve, role: rolePreparer}), http.StatusForbidden, ledger.ECodeSegregation, "")
		res = e.expect(req{method: "POST", path: approve, role: roleReviewer, body: `{"date": "2026-09-30"}`}, http.StatusOK)
		e.decode(res, &run)
		if run.Status != ledger.RunApproved || run.ApproverID == 0 || run.ApproverID == run.PreparerID {
			t.Fatalf("approved run: %.300s", res.body)
		}
		for _, l := range run.Lines {
			if l.AccrualVoucherID == 0 {
				t.Errorf("line %d has no accrual voucher", l.LineNo)
			}
		}

		pay := fmt.Sprintf("/payout-runs/%d/payments", run.ID)
		body := `{"payments": [{"household": "H001", "amount": "500.00", "date": "2026-10-08", "method": "bank", "reference": "YKT-20261008-001"},
			{"household": "H002", "amount": 100, "date": "2026-10-08", "method": "cash"}]}`
		key := map[string]string{headerIdempotencyKey: "pay-q3-batch-1"}
		res = e.expect(req{method: "POST", path: book + pay, role: rolePreparer, body: body, headers: key}, http.StatusCreated)
		var pays list[ledger.Payment]
		e.decode(res, &pays)
		if len(pays.Items) != 2 || pays.Items[0].VoucherID == 0 || pays.Items[1].Amount.String() != "100.00" {
			t.Fatalf("payments: %s", res.body)
		}
		replay := e.expect(req{method: "POST", path: book + pay, role: rolePreparer, body: body, headers: key}, http.StatusCreated)
		if replay.header.Get(headerIdempotencyHit) != "true" || string(replay.body) != string(res.body) {
			t.Errorf("replayed payment: %s %s", replay.header.Get(headerIdempotencyHit), replay.body)
		}
		res = e.expect(req{method: "GET", path: book + pay, role: roleAuditor}, http.StatusOK)
		e.decode(res, &pays)
		if len(pays.Items) != 2 {
			t.Fatalf("payments after replay: %s", res.body)
		}

		res = e.expect(req{method: "GET", path: runPath(run.ID, ""), role: roleTownship}, http.StatusOK)
		e.decode(res, &run)
		households := map[string]ledger.HouseholdPayout{}
		for _, h := range run.Households {
			households[h.Household] = h
		}
		check := func(h, entitled, paid, outstanding string) {
			t.Helper()
			g := households[h]
			if g.Entitled.String() != entitled || g.Paid.String() != paid || g.Outstanding.String() != outstanding {
				t.Errorf("%s: entitled %s paid %s outstanding %s, want %s %s %s", h, g.Entitled, g.Paid, g.Outstanding, entitled, paid, outstanding)
			}
		}
		check("H001", "2248.34", "500.00", "1748.34")
		check("H002", "1834.36", "100.00", "1734.36")
		check("H003", "1734.47", "0.00", "1734.47")
		if run.Paid.String() != "600.00" || run.Outstanding.String() != "5217.17" {
			t.Errorf("run paid %s outstanding %s", run.Paid, run.Outstanding)
		}
		res = e.expect(req{method: "GET", path: "/api/v1/books/V1/payout-runs?quarter=2026Q3", role: roleAuditor}, http.StatusOK)
		var runs list[payoutRunSummary]
		e.decode(res, &runs)
		if len(runs.Items) != 1 || runs.Items[0].Status != ledger.RunApproved || runs.Items[0].Households != 3 || runs.Items[0].Paid.String() != "600.00" {
			t.Errorf("run list: %s", res.body)
		}

		res = e.expect(req{method: "GET", path: book + "/households/H001/statement?from=2026-07&to=2026-10", role: roleAuditor}, http.StatusOK)
		var st ledger.HouseholdStatement
		e.decode(res, &st)
		rows := map[string]ledger.QuarterPayout{}
		for _, p := range st.Payouts {
			rows[p.Quarter+"/"+p.Agreement] = p
		}
		gj := rows["2026Q3/GJ"]
		if gj.Entitled.String() != "333.34" || gj.Accrued.String() != "333.34" || len(gj.Vouchers) == 0 {
			t.Errorf("statement GJ: %+v", gj)
		}
		var paid, outstanding ledger.Money
		for k, p := range rows {
			if strings.HasPrefix(k, "2026Q3/") {
				paid, outstanding = paid.Add(p.Paid), outstanding.Add(p.Outstanding)
			}
		}
		if paid.String() != "500.00" || outstanding.String() != "1748.34" {
			t.Errorf("statement Q3 paid %s outstanding %s: %s", paid, outstanding, res.body)
		}
		if zj := rows["2026Q4/ZJ"]; zj.Entitled.String() != "748.12" || !zj.Accrued.IsZero() {
			t.Errorf("statement Q4 ZJ under the new version: %+v", zj)
		}

		rep, err := s.Verify(context.Background(), e.f.Auditor, "V1")
		if err != nil || !rep.OK {
			t.Fatalf("verify %+v %v", rep, err)
		}
	})
}
