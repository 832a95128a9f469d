package ledger_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func money(s string) *ledger.Money { return ledgertest.Amount(s) }

// payoutFixture is a village with one agreement of each village kind.
func payoutFixture(t *testing.T, s *ledger.Store) ledgertest.Fixture {
	t.Helper()
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "P1", ledger.KindVillage, 4)
	f.Fund(t)
	agreements := []ledger.AgreementInput{
		{Code: "ZJ", Title: "土地流转协议", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{
			Schedule: "quarterly", ServiceFeeRate: dec("0.05"), Participants: []ledger.Participant{
				{Household: "H001", Parcels: []ledger.Parcel{{Name: "东坡", AreaMu: *dec("3.5"), Rate: *dec("800")}}},
				{Household: "H002", Parcels: []ledger.Parcel{{AreaMu: *dec("0.0001"), Rate: *dec("800")}}},
				{Household: "H003", Start: "2026-08-17", Parcels: []ledger.Parcel{{AreaMu: *dec("2"), Rate: *dec("650.5")}}},
			}}},
		{Code: "GJ", Title: "光伏分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{
			Basis: "pool", Participants: []ledger.Participant{
				{Household: "H001", Shares: dec("1")}, {Household: "H002", Shares: dec("1")}, {Household: "H003", Shares: dec("1")},
			}}},
		{Code: "BG", Title: "包干协议", Kind: ledger.FixedSum, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{
			Schedule: "quarterly", YearlyAmount: money("10000.01"), SplitBy: "members", Participants: []ledger.Participant{
				{Household: "H001"}, {Household: "H004"},
			}}},
		{Code: "WG", Title: "基地务工", Kind: ledger.Wage, Party: "C01", Start: "2026-01-01"},
	}
	for _, in := range agreements {
		if _, err := s.CreateAgreement(ctx, f.Preparer, "P1", in); err != nil {
			t.Fatalf("agreement %s: %v", in.Code, err)
		}
	}
	if _, err := s.Declare(ctx, f.Preparer, "P1", "GJ", ledger.DeclarationInput{Quarter: "2026Q3", Amount: ledger.MustMoney("1000.00")}); err != nil {
		t.Fatal(err)
	}
	_, err := s.AddWorkRecords(ctx, f.Preparer, "P1", "WG", []ledger.WorkRecord{
		{Household: "H004", Date: "2026-07-03", Quantity: *dec("12.5"), Unit: "天", UnitRate: *dec("120")},
		{Household: "H004", Date: "2026-07-04", Quantity: *dec("3"), Unit: "件", UnitRate: *dec("0.335")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPayoutRunFlow(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"BG/H001": "1250.00", "BG/H004": "1250.00", // members: H001 has 2, H004 has 5 → see below
			"GJ/H001": "333.34", "GJ/H002": "333.33", "GJ/H003": "333.33",
			"ZJ/H001": "665.00", "ZJ/H002": "0.02", "ZJ/H003": "151.14",
			"WG/H004": "1501.01",
		}
		// 包干 Q3 pool: cumulative rounding of 10000.01 → 2500.00; members 2 (H001) and 5 (H004).
		want["BG/H001"], want["BG/H004"] = "714.29", "1785.71"
		got := map[string]string{}
		for _, l := range run.Lines {
			got[l.Agreement+"/"+l.Household] = l.Amount.String()
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %s, want %s (basis of run: %+v)", k, got[k], w, run.Lines)
			}
		}
		if len(got) != len(want) {
			t.Errorf("lines %v", got)
		}
		if _, err := s.ApprovePayoutRun(ctx, f.Preparer, "P1", run.ID, ledger.ApproveInput{}); ledger.ErrorCode(err) != ledger.ECodeSegregation {
			t.Fatalf("self-approval: %v", err)
		}
		run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("second approval: %v", err)
		}
		if _, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"}); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("second run for approved quarter: %v", err)
		}
		before := ledgertest.Digest(t, s)
		_, err = s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("3000.00"), Date: "2026-10-08", Method: "bank", Reference: "B1"}})
		if ledger.ErrorCode(err) != ledger.ECodeInvalid || ledgertest.Digest(t, s) != before {
			t.Fatalf("overpayment: %v", err)
		}
		pays, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1000.00"), Date: "2026-10-08", Method: "bank", Reference: "B1"},
			{Household: "H004", Amount: ledger.MustMoney("3286.72"), Date: "2026-10-08", Method: "bank", Reference: "B2"},
		})
		if err != nil || len(pays) != 2 {
			t.Fatalf("payments: %v", err)
		}
		before = ledgertest.Digest(t, s)
		_, err = s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H002", Amount: ledger.MustMoney("0.01"), Date: "2026-10-08", Method: "bank", Reference: "B1"}})
		if ledger.ErrorCode(err) != ledger.ECodeConflict || ledgertest.Digest(t, s) != before {
			t.Fatalf("duplicate reference: %v", err)
		}
		run, err = s.PayoutRun(ctx, f.Auditor, "P1", run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Paid.String() != "4286.72" || run.Total.Sub(run.Paid) != run.Outstanding {
			t.Fatalf("paid %s outstanding %s total %s", run.Paid, run.Outstanding, run.Total)
		}
		for _, h := range run.Households {
			if h.Household == "H004" && !h.Outstanding.IsZero() {
				t.Fatalf("H004 outstanding %s", h.Outstanding)
			}
		}
		rep, err := s.Verify(ctx, f.Auditor, "P1")
		if err != nil || !rep.OK {
			t.Fatalf("verify %+v %v", rep, err)
		}
		tb, err := s.TrialBalance(ctx, f.Auditor, "P1", "2026-01", "2026-12")
		if err != nil || !tb.Balanced {
			t.Fatalf("trial balance %v", err)
		}
	})
}

func TestHouseholdStatementPayouts(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		if run, err = s.ApprovePayoutRun(ctx, f.Township, "P1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("700.00"), Date: "2026-10-09", Method: "cash"}}); err != nil {
			t.Fatal(err)
		}
		st, err := s.HouseholdStatement(ctx, f.Auditor, "P1", "H001", "2026-07", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]ledger.QuarterPayout{}
		for _, p := range st.Payouts {
			got[p.Quarter+"/"+p.Agreement] = p
		}
		// 700.00 is paid over H001's lines in line order: BG 714.29 first.
		bg, zj := got["2026Q3/BG"], got["2026Q3/ZJ"]
		if bg.Entitled.String() != "714.29" || bg.Accrued.String() != "714.29" || bg.Paid.String() != "700.00" || bg.Outstanding.String() != "14.29" {
			t.Fatalf("BG row %+v", bg)
		}
		if zj.Accrued.String() != "665.00" || !zj.Paid.IsZero() || len(bg.Vouchers) != 2 {
			t.Fatalf("rows %+v", st.Payouts)
		}
		if _, ok := got["2026Q4/ZJ"]; !ok {
			t.Fatalf("Q4 entitlement missing: %+v", st.Payouts)
		}
	})
}
