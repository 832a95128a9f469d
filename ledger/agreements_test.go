package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func TestAgreementRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		for _, p := range []string{"2026-01", "2026-02", "2026-03"} {
			if _, err := s.ClosePeriod(ctx, f.Preparer, "P1", p); err != nil {
				t.Fatal(err)
			}
		}
		coop := ledgertest.NewFixture(t, s, "K1", ledger.KindCooperative, 3)
		rent := func(area, rate string) ledger.AgreementInput {
			return ledger.AgreementInput{Code: "X1", Title: "测试", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
				Terms: ledger.Terms{Schedule: "quarterly", Participants: []ledger.Participant{
					{Household: "H001", Parcels: []ledger.Parcel{{AreaMu: *dec(area), Rate: *dec(rate)}}}}}}
		}
		cases := []struct {
			name, code string
			do         func() error
		}{
			{"area with five decimals", ledger.ECodeInvalid, func() error {
				_, err := s.CreateAgreement(ctx, f.Preparer, "P1", rent("1.00001", "800"))
				return err
			}},
			{"negative rate", ledger.ECodeInvalid, func() error {
				_, err := s.CreateAgreement(ctx, f.Preparer, "P1", rent("1", "-800"))
				return err
			}},
			{"shares with five decimals", ledger.ECodeInvalid, func() error {
				_, err := s.CreateAgreement(ctx, f.Preparer, "P1", ledger.AgreementInput{Code: "X2", Title: "分红", Kind: ledger.ShareDividend,
					Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Basis: "pool", Participants: []ledger.Participant{
						{Household: "H001", Shares: dec("0.00001")}}}})
				return err
			}},
			{"end before start", ledger.ECodeInvalid, func() error {
				in := rent("1", "800")
				in.End = "2025-12-31"
				_, err := s.CreateAgreement(ctx, f.Preparer, "P1", in)
				return err
			}},
			{"unknown household", ledger.ECodeInvalid, func() error {
				in := rent("1", "800")
				in.Terms.Participants[0].Household = "H999"
				_, err := s.CreateAgreement(ctx, f.Preparer, "P1", in)
				return err
			}},
			{"cooperative split under 60 %", ledger.ECodeInvalid, func() error {
				_, err := s.CreateAgreement(ctx, coop.Preparer, "K1", ledger.AgreementInput{Code: "YY", Title: "盈余返还", Kind: ledger.CoopSurplus,
					Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{VolumeShare: dec("0.59"), Participants: []ledger.Participant{
						{Household: "H001", Volume: money("100.00"), Shares: dec("1")}}}})
				return err
			}},
			{"surplus in a village book", ledger.ECodeInvalid, func() error {
				_, err := s.CreateAgreement(ctx, f.Preparer, "P1", ledger.AgreementInput{Code: "YY", Title: "盈余返还", Kind: ledger.CoopSurplus,
					Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{VolumeShare: dec("0.6"), Participants: []ledger.Participant{
						{Household: "H001", Volume: money("100.00")}}}})
				return err
			}},
			{"declaration for a closed quarter", ledger.ECodePeriodClosed, func() error {
				_, err := s.Declare(ctx, f.Preparer, "P1", "GJ", ledger.DeclarationInput{Quarter: "2026Q1", Amount: ledger.MustMoney("10.00")})
				return err
			}},
			{"second declaration", ledger.ECodeConflict, func() error {
				_, err := s.Declare(ctx, f.Preparer, "P1", "GJ", ledger.DeclarationInput{Quarter: "2026Q3", Amount: ledger.MustMoney("10.00")})
				return err
			}},
			{"version effective before the last", ledger.ECodeInvalid, func() error {
				_, err := s.AddAgreementVersion(ctx, f.Preparer, "P1", "ZJ", ledger.VersionInput{EffectiveFrom: "2025-06-01", Terms: rent("1", "1").Terms})
				return err
			}},
			{"work record outside the book", ledger.ECodeInvalid, func() error {
				_, err := s.AddWorkRecords(ctx, f.Preparer, "P1", "WG", []ledger.WorkRecord{{Household: "X9", Date: "2026-07-01",
					Quantity: *dec("1"), Unit: "天", UnitRate: *dec("100")}})
				return err
			}},
			{"auditor creating an agreement", ledger.ECodeForbidden, func() error {
				_, err := s.CreateAgreement(ctx, f.Auditor, "P1", rent("1", "800"))
				return err
			}},
		}
		for _, c := range cases {
			before := ledgertest.Digest(t, s)
			err := c.do()
			if got := ledger.ErrorCode(err); got != c.code {
				t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
			}
			if after := ledgertest.Digest(t, s); after != before {
				t.Errorf("%s: database changed", c.name)
			}
		}
	})
}

func TestCoopSurplusAndFixedReturn(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "K1", ledger.KindCooperative, 3)
		_, err := s.CreateAgreement(ctx, f.Preparer, "K1", ledger.AgreementInput{Code: "YY", Title: "2025年盈余返还", Kind: ledger.CoopSurplus,
			Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{VolumeShare: dec("0.6"), Participants: []ledger.Participant{
				{Household: "H001", Volume: money("300.00"), Shares: dec("1")},
				{Household: "H002", Volume: money("300.00"), Shares: dec("1")},
				{Household: "H003", Volume: money("300.00"), Shares: dec("1")}}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateAgreement(ctx, f.Preparer, "K1", ledger.AgreementInput{Code: "BD", Title: "保底分红", Kind: ledger.ShareDividend,
			Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Basis: "fixed_rate", ShareValue: dec("1000"), Rate: dec("0.08"),
				Participants: []ledger.Participant{{Household: "H001", Shares: dec("2.5")}, {Household: "H002", Shares: dec("0.3333"), Start: "2026-02-15"}}}})
		if err != nil {
			t.Fatal(err)
		}
		// Nothing undistributed yet: a declaration is refused with both figures.
		if _, err := s.Declare(ctx, f.Preparer, "K1", "YY", ledger.DeclarationInput{Quarter: "2026Q1", Amount: ledger.MustMoney("1000.00")}); !strings.Contains(ledger.ErrorMessage(err), "1000.00 元超过 2026Q1 季度末的可分配盈余（未分配盈余）0.00 元") {
			t.Errorf("a declaration above 可分配盈余: %v", err)
		}
		f.Post(t, ledger.VoucherInput{Date: "2026-01-05", Summary: "上年未分配盈余", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("1000.00")}, {Account: "33202", Credit: ledgertest.Amount("1000.00")}}})
		if _, err := s.Declare(ctx, f.Preparer, "K1", "YY", ledger.DeclarationInput{Quarter: "2026Q1", Amount: ledger.MustMoney("1000.00")}); err != nil {
			t.Fatal(err)
		}
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "K1", ledger.RunInput{Quarter: "2026Q1"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, l := range run.Lines {
			got[l.Agreement+"/"+l.Household+"/"+l.CreditAccount] = l.Amount.String()
		}
		want := map[string]string{
			// 600.00 by volume over three equal members, 400.00 by capital.
			"YY/H001/221": "200.00", "YY/H002/221": "200.00", "YY/H003/221": "200.00",
			"YY/H001/222": "133.34", "YY/H002/222": "133.33", "YY/H003/222": "133.33",
			// 2.5 × 1000 × 8 % ÷ 4 = 50.00; 0.3333 × 1000 × 8 % ÷ 4 × 45/90 = 3.3330 → 3.33.
			"BD/H001/222": "50.00", "BD/H002/222": "3.33",
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q, want %s", k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("lines: %v", got)
		}
		if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "K1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAdjustmentRunPostsDifferences(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3", Adjustment: true}); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("adjustment with nothing to adjust: %v", err)
		}
		// A late work record: only its difference is accrued.
		if _, err := s.AddWorkRecords(ctx, f.Preparer, "P1", "WG", []ledger.WorkRecord{
			{Household: "H004", Date: "2026-09-30", Quantity: *dec("1"), Unit: "天", UnitRate: *dec("120")}}); err != nil {
			t.Fatal(err)
		}
		adj, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3", Adjustment: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(adj.Lines) != 1 || adj.Lines[0].Amount.String() != "120.00" || adj.Lines[0].Household != "H004" {
			t.Fatalf("adjustment lines %+v", adj.Lines)
		}
		if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "P1", adj.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Verify(ctx, f.Auditor, "P1")
		if err != nil || !rep.OK {
			t.Fatalf("verify %+v", rep)
		}
	})
}
