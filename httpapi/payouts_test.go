package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
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
			return agreements + "/" + e.wageAgreement() + "/work-records", api.WorkRecordsRequest{Records: []api.WorkRecordRequest{
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
			return runPath(e.approvedRun("2026Q3"), "/payments"), api.PaymentsRequest{Payments: []ledger.PaymentInput{
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
		e.fund()
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
		var records httpx.List[ledger.WorkRecord]
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
		var ags httpx.List[ledger.Agreement]
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
		key := map[string]string{httpx.HeaderIdempotencyKey: "pay-q3-batch-1"}
		res = e.expect(req{method: "POST", path: book + pay, role: rolePreparer, body: body, headers: key}, http.StatusCreated)
		var pays httpx.List[ledger.Payment]
		e.decode(res, &pays)
		if len(pays.Items) != 2 || pays.Items[0].VoucherID == 0 || pays.Items[1].Amount.String() != "100.00" {
			t.Fatalf("payments: %s", res.body)
		}
		replay := e.expect(req{method: "POST", path: book + pay, role: rolePreparer, body: body, headers: key}, http.StatusCreated)
		if replay.header.Get(httpx.HeaderIdempotencyHit) != "true" || string(replay.body) != string(res.body) {
			t.Errorf("replayed payment: %s %s", replay.header.Get(httpx.HeaderIdempotencyHit), replay.body)
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
		var runs httpx.List[api.PayoutRunSummary]
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

// TestPayoutRefusals sends the bad requests of agreements and payout runs:
// each gets its status, the envelope, a Chinese message naming the field,
// and leaves every table, the issue-4 tables included, as it was.
func TestPayoutRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.fund()
		ctx := context.Background()
		coop := ledgertest.NewFixture(t, s, "K1", ledger.KindCooperative, 3)
		e.agreement(landRent("ZJ"))
		e.agreement(pool("GJ", "H001", "H002", "H003"))
		if _, err := s.Declare(ctx, e.f.Preparer, "V1", "GJ", ledger.DeclarationInput{Quarter: "2026Q3", Amount: ledger.MustMoney("1000.00")}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"2026-01", "2026-02", "2026-03"} {
			if _, err := s.ClosePeriod(ctx, e.f.Preparer, "V1", p); err != nil {
				t.Fatal(err)
			}
		}
		newRun := func(quarter string) int64 {
			run, err := s.CreatePayoutRun(ctx, e.f.Preparer, "V1", ledger.RunInput{Quarter: quarter})
			if err != nil {
				t.Fatal(err)
			}
			return run.ID
		}
		approved, ownDraft, otherDraft, unapproved := newRun("2026Q3"), newRun("2026Q2"), newRun("2026Q2"), newRun("2026Q4")
		for _, id := range []int64{approved, otherDraft} {
			if _, err := s.ApprovePayoutRun(ctx, e.f.Reviewer, "V1", id, ledger.ApproveInput{}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.RecordPayments(ctx, e.f.Preparer, "V1", approved, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("100.00"), Date: "2026-10-08", Method: ledger.MethodBank, Reference: "YKT-001"}}); err != nil {
			t.Fatal(err)
		}

		const book = "/api/v1/books/V1"
		post := func(path, body string) req {
			return req{method: "POST", path: book + path, role: rolePreparer, body: body}
		}
		agreement := func(kind, terms string) req {
			return post("/agreements", fmt.Sprintf(`{"code": "X1", "title": "测试协议", "kind": %q, "party": "C01", "start": "2026-01-01", "terms": %s}`, kind, terms))
		}
		parcel := func(p string) req {
			return agreement("land_rent", `{"schedule": "quarterly", "participants": [{"household": "H001", "parcels": [`+p+`]}]}`)
		}
		pay := func(payments ...string) req {
			return post(fmt.Sprintf("/payout-runs/%d/payments", approved), `{"payments": [`+strings.Join(payments, ", ")+`]}`)
		}
		payment := func(household, amount, reference string) string {
			return fmt.Sprintf(`{"household": %q, "amount": %s, "date": "2026-10-09", "method": "bank", "reference": %q}`, household, amount, reference)
		}
		approve := func(id int64, role string) req {
			return req{method: "POST", path: runPath(id, "/approve"), role: role}
		}

		cases := []refusal{
			// Approval and runs.
			{"approving one's own run", approve(ownDraft, rolePreparer), 403, ledger.ECodeSegregation, ""},
			{"approving twice", approve(approved, roleReviewer), 409, ledger.ECodeConflict, ""},
			{"approving a second run for an approved quarter and agreement", approve(ownDraft, roleTownship), 409, ledger.ECodeConflict, ""},
			{"a new run for an approved quarter", post("/payout-runs", `{"quarter": "2026Q3"}`), 409, ledger.ECodeConflict, ""},
			{"approving as an auditor", approve(unapproved, roleAuditor), 403, ledger.ECodeForbidden, ""},
			{"approving outside the scope", approve(unapproved, roleOutsider), 404, ledger.ECodeNotFound, ""},
			{"recomputing an approved run", post(fmt.Sprintf("/payout-runs/%d/recompute", approved), ""), 409, ledger.ECodeConflict, ""},
			{"approval date not a date", req{method: "POST", path: runPath(unapproved, "/approve"), role: roleReviewer, body: `{"date": "2026-12-32"}`}, 400, ledger.ECodeInvalid, "date"},
			{"unknown field in an approval", req{method: "POST", path: runPath(unapproved, "/approve"), role: roleReviewer, body: `{"approver": 3}`}, 400, ledger.ECodeInvalid, "approver"},
			{"run for a malformed quarter", post("/payout-runs", `{"quarter": "2026Q5"}`), 400, ledger.ECodeInvalid, "quarter"},
			{"unknown field in a run", post("/payout-runs", `{"quarter": "2026Q4", "force": true}`), 400, ledger.ECodeInvalid, "force"},
			{"run id not a number", req{method: "GET", path: book + "/payout-runs/abc", role: roleAuditor}, 400, ledger.ECodeInvalid, "id"},
			{"run of nobody", req{method: "GET", path: book + "/payout-runs/99999", role: roleAuditor}, 404, ledger.ECodeNotFound, ""},
			{"payments of no run", req{method: "GET", path: book + "/payout-runs/99999/payments", role: roleAuditor}, 404, ledger.ECodeNotFound, ""},
			{"bad quarter filter", req{method: "GET", path: book + "/payout-runs?quarter=2026-3", role: roleAuditor}, 400, ledger.ECodeInvalid, "quarter"},

			// Declarations.
			{"declaration for a closed quarter", post("/agreements/GJ/declarations", `{"quarter": "2026Q1", "amount": "10.00"}`), 409, ledger.ECodePeriodClosed, "quarter"},
			{"declaration for an approved quarter", post("/agreements/GJ/declarations", `{"quarter": "2026Q3", "amount": "10.00"}`), 409, ledger.ECodePeriodClosed, "quarter"},
			{"declaration with three decimals", post("/agreements/GJ/declarations", `{"quarter": "2026Q4", "amount": 1000.005}`), 400, ledger.ECodeInvalid, "amount"},
			{"declaration with an exponent", post("/agreements/GJ/declarations", `{"quarter": "2026Q4", "amount": 1e3}`), 400, ledger.ECodeInvalid, "amount"},
			{"declaration of nothing", post("/agreements/GJ/declarations", `{"quarter": "2026Q4", "amount": "0.00"}`), 400, ledger.ECodeInvalid, "amount"},
			{"declaration on a land-rent agreement", post("/agreements/ZJ/declarations", `{"quarter": "2026Q4", "amount": "10.00"}`), 400, ledger.ECodeInvalid, "quarter"},
			{"declaration on no agreement", post("/agreements/NOPE/declarations", `{"quarter": "2026Q4", "amount": "10.00"}`), 404, ledger.ECodeNotFound, ""},

			// Agreements and their terms.
			{"shares with five decimals", agreement("share_dividend", `{"basis": "pool", "participants": [{"household": "H001", "shares": "1.00001"}]}`), 400, ledger.ECodeInvalid, "terms.participants[0].shares"},
			{"area with five decimals", parcel(`{"area_mu": "0.00001", "rate": "800"}`), 400, ledger.ECodeInvalid, "terms.participants[0].parcels[0].area_mu"},
			{"area as a JSON number with five decimals", parcel(`{"area_mu": 1.00001, "rate": 800}`), 400, ledger.ECodeInvalid, "terms.participants[0].parcels[0].area_mu"},
			{"area with an exponent", parcel(`{"area_mu": "1e3", "rate": "800"}`), 400, ledger.ECodeInvalid, "terms.participants[0].parcels[0].area_mu"},
			{"area as a boolean", parcel(`{"area_mu": true, "rate": "800"}`), 400, ledger.ECodeInvalid, "terms.participants[0].parcels[0].area_mu"},
			{"negative rate", parcel(`{"area_mu": "1", "rate": "-800"}`), 400, ledger.ECodeInvalid, "terms.participants[0].parcels[0].rate"},
			{"negative dividend rate", agreement("share_dividend", `{"basis": "fixed_rate", "share_value": "100", "rate": -0.08, "participants": [{"household": "H001", "shares": "1"}]}`), 400, ledger.ECodeInvalid, "terms.rate"},
			{"unknown field in a parcel", parcel(`{"area_mu": "1", "rate": "800", "acres": "2"}`), 400, ledger.ECodeInvalid, "terms.participants[0].parcels[0].acres"},
			{"unknown field in an agreement", post("/agreements", `{"code": "X1", "title": "测试", "kind": "wage", "party": "C01", "start": "2026-01-01", "terms": {}, "approved": true}`), 400, ledger.ECodeInvalid, "approved"},
			{"yearly sum as a float", agreement("fixed_sum", `{"schedule": "quarterly", "split_by": "equal", "yearly_amount": 10000.001, "participants": [{"household": "H001"}]}`), 400, ledger.ECodeInvalid, "terms.yearly_amount"},
			{"end before start", post("/agreements", `{"code": "X1", "title": "测试", "kind": "wage", "party": "C01", "start": "2026-01-01", "end": "2025-12-31", "terms": {}}`), 400, ledger.ECodeInvalid, "end"},
			{"unknown kind", agreement("rent", `{}`), 400, ledger.ECodeInvalid, "kind"},
			{"duplicate agreement code", post("/agreements", `{"code": "ZJ", "title": "测试", "kind": "wage", "party": "C01", "start": "2026-01-01", "terms": {}}`), 409, ledger.ECodeConflict, "code"},
			{"cooperative split under 60 %", req{method: "POST", path: "/api/v1/books/K1/agreements", token: coop.Tokens["preparer"], body: `{"code": "YY", "title": "盈余返还",
				"kind": "coop_surplus", "party": "C01", "start": "2026-01-01", "terms": {"volume_share": "0.59",
				"participants": [{"household": "H001", "volume": "100.00", "shares": "1"}]}}`}, 400, ledger.ECodeInvalid, "terms.volume_share"},
			{"version effective before the last", post("/agreements/ZJ/versions", `{"effective_from": "2025-06-01", "terms": {"schedule": "quarterly",
				"participants": [{"household": "H001", "parcels": [{"area_mu": "1", "rate": "800"}]}]}}`), 400, ledger.ECodeInvalid, "effective_from"},
			{"creating an agreement as township", req{method: "POST", path: book + "/agreements", role: roleTownship, body: `{"code": "X1", "title": "测试", "kind": "wage", "party": "C01", "start": "2026-01-01", "terms": {}}`}, 403, ledger.ECodeForbidden, ""},

			// Work records.
			{"work records on a land-rent agreement", post("/agreements/ZJ/work-records", `{"records": [{"household": "H001", "date": "2026-07-01", "quantity": "1", "unit": "天", "unit_rate": "100"}]}`), 400, ledger.ECodeInvalid, "agreement"},
			{"no work records", post("/agreements/ZJ/work-records", `{"records": []}`), 400, ledger.ECodeInvalid, "records"},
			{"work record id given", post("/agreements/ZJ/work-records", `{"records": [{"id": 1, "household": "H001", "date": "2026-07-01", "quantity": "1", "unit": "天", "unit_rate": "100"}]}`), 400, ledger.ECodeInvalid, "records[0].id"},

			// Payments.
			{"overpayment", pay(payment("H001", `"5000.00"`, "YKT-002")), 400, ledger.ECodeInvalid, "payments[0].amount"},
			{"duplicate payment reference", pay(payment("H002", `"10.00"`, "YKT-001")), 409, ledger.ECodeConflict, "payments"},
			{"duplicate reference in a batch", pay(payment("H002", `"10.00"`, "YKT-003"), payment("H003", `"10.00"`, "YKT-003")), 400, ledger.ECodeInvalid, "payments[1].reference"},
			{"paying a household outside the run", pay(payment("H999", `"10.00"`, "YKT-004")), 400, ledger.ECodeInvalid, "payments[0].household"},
			{"payment with three decimals", pay(payment("H002", "12.345", "YKT-005")), 400, ledger.ECodeInvalid, "payments[0].amount"},
			{"payment with an exponent", pay(payment("H002", "1e2", "YKT-006")), 400, ledger.ECodeInvalid, "payments[0].amount"},
			{"bank payment without reference", pay(`{"household": "H002", "amount": "10.00", "date": "2026-10-09", "method": "bank"}`), 400, ledger.ECodeInvalid, "payments[0].reference"},
			{"unknown payment method", pay(`{"household": "H002", "amount": "10.00", "date": "2026-10-09", "method": "alipay", "reference": "Z1"}`), 400, ledger.ECodeInvalid, "payments[0].method"},
			{"unknown field in a payment", pay(`{"household": "H002", "amount": "10.00", "date": "2026-10-09", "method": "cash", "bank_account": "6217"}`), 400, ledger.ECodeInvalid, "payments[0].bank_account"},
			{"paying a draft run", post(fmt.Sprintf("/payout-runs/%d/payments", unapproved), `{"payments": [`+payment("H001", `"1.00"`, "YKT-007")+`]}`), 409, ledger.ECodeConflict, ""},
			{"paying as township", req{method: "POST", path: book + fmt.Sprintf("/payout-runs/%d/payments", approved), role: roleTownship, body: `{"payments": [` + payment("H002", `"1.00"`, "YKT-008") + `]}`}, 403, ledger.ECodeForbidden, ""},
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
