package demo_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// TestDemoCooperativeMembersTradeFromTheBooks: every household of 稻香 is a
// member, and the 交易量（额） of the member accounts is exactly the seed and
// fertilizer sold to members on credit plus the rice bought from them, as
// summed here from the posted 114 lines against 501 and 121 — never the
// settlement that paid them or the wages of the brewery.
func TestDemoCooperativeMembersTradeFromTheBooks(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		res, err := demo.Load(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		auditor := actorWithRole(t, s, res, ledger.RoleAuditor)
		ma, err := s.MemberAccounts(ctx, auditor, dxBook, 2026)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := s.Households(ctx, auditor, dxBook, ledger.HouseholdFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(ma.Accounts) == 0 || len(ma.Accounts) != len(hs) {
			t.Fatalf("%d member accounts for %d households", len(ma.Accounts), len(hs))
		}
		want := map[string]int64{}
		vs, err := s.Vouchers(ctx, auditor, dxBook, ledger.VoucherFilter{Account: "114", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			full, err := s.Voucher(ctx, auditor, dxBook, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			goods := false
			for _, l := range full.Lines {
				if l.Account == "501" || l.Account == "121" {
					goods = true
				}
			}
			for _, l := range full.Lines {
				if goods && l.Account == "114" && full.Status == ledger.StatusPosted {
					want[l.Household] += l.Debit.Fen() + l.Credit.Fen()
				}
			}
		}
		var traded int
		for _, a := range ma.Accounts {
			if a.Volume.Fen() != want[a.Code] {
				t.Errorf("%s %s: 交易量（额） %s, the books say %s", a.Code, a.Name, a.Volume, ledger.Fen(want[a.Code]))
			}
			if a.Volume.IsPositive() {
				traded++
			}
		}
		if traded == 0 {
			t.Error("no member traded with the cooperative")
		}
	})
}
