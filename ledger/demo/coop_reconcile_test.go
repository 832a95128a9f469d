package demo_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// TestDemoCooperativeReconcilesItsOwnBusiness: buying members' rice and
// paying their wages is the cooperative's trade and payroll, not a payout,
// so the untouched 稻香 reconciles in every quarter; a payment to a member
// that nothing owed is still found.
func TestDemoCooperativeReconcilesItsOwnBusiness(t *testing.T) {
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
		for _, q := range []string{"2026Q1", "2026Q2", "2026Q3"} {
			r, err := s.Reconcile(ctx, auditor, dxBook, q)
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK || !strings.HasPrefix(r.Verdict, ledger.VerdictReconciles) {
				for _, f := range r.Findings {
					t.Logf("%s %s: %s", q, f.Check, f.Message)
				}
				t.Errorf("%s: %s", q, r.Verdict)
			}
		}

		// A payment from the bank to a member no posting owed anything.
		var preparer, reviewer ledger.Actor
		for _, u := range res.Users {
			a, err := s.Authenticate(ctx, u.Token)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case u.Role == ledger.RoleAccountant && u.Scope == dxBook:
				preparer = a
			case u.Role == ledger.RoleTownship:
				reviewer = a
			}
		}
		hs, err := s.Households(ctx, auditor, dxBook, ledger.HouseholdFilter{})
		if err != nil {
			t.Fatal(err)
		}
		member := ""
		for _, h := range hs { // someone with nothing on 114 成员往来
			l, err := s.AccountLedger(ctx, auditor, dxBook, ledger.LedgerQuery{Account: "114", Household: h.Code, From: "2026-01", To: "2026-12"})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Entries) == 0 {
				member = h.Code
				break
			}
		}
		if member == "" {
			t.Fatal("every household has 成员往来 entries")
		}
		amt := ledgertest.Amount("888.00")
		v, err := s.CreateVoucher(ctx, preparer, dxBook, ledger.VoucherInput{Date: "2026-09-29", Summary: "支付成员款项", Lines: []ledger.LineInput{
			{Account: "114", Household: member, Debit: amt}, {Account: "102", Credit: amt}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostVoucher(ctx, reviewer, dxBook, v.ID); err != nil {
			t.Fatal(err)
		}
		r, err := s.Reconcile(ctx, auditor, dxBook, "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range r.Findings {
			found = found || (f.Check == ledger.CheckUntraced && strings.Contains(f.Household, member))
		}
		if r.OK || !found {
			t.Errorf("a payment nothing owed was not found: %s", r.Verdict)
		}
	})
}
