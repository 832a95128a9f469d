package ledger_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func rentVoucher(date, household, amount string) ledger.VoucherInput {
	return ledger.VoucherInput{Date: date, Summary: "收到公司支付土地流转费", Attachments: 1, Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount(amount)},
		{Account: "21101", Household: household, Credit: ledgertest.Amount(amount)},
	}}
}

func TestPostAndTrialBalance(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		v1 := f.Post(t, rentVoucher("2026-03-05", "H001", "2800.00"))
		v2 := f.Post(t, rentVoucher("2026-03-06", "H002", "1400.50"))
		if v1.Number != "记-0001" || v2.Number != "记-0002" {
			t.Fatalf("numbers %s %s", v1.Number, v2.Number)
		}
		if v2.PrevHash != v1.Hash || v1.PrevHash != "" {
			t.Fatalf("chain not linked")
		}
		tb, err := s.TrialBalance(ctx, f.Auditor, "V1", "2026-01", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if !tb.Balanced || tb.Totals.PeriodDebit.String() != "4200.50" {
			t.Fatalf("trial balance %+v", tb.Totals)
		}
		rep, err := s.Verify(ctx, f.Auditor, "V1")
		if err != nil || !rep.OK || rep.Vouchers != 2 {
			t.Fatalf("verify %+v %v", rep, err)
		}
		st, err := s.HouseholdStatement(ctx, f.Auditor, "V1", "H002", "2026-01", "2026-12")
		if err != nil || len(st.Accounts) != 1 || st.Accounts[0].Closing.String() != "1400.50" {
			t.Fatalf("statement %+v %v", st, err)
		}
	})
}
