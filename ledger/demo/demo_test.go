package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

func TestLoad(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		start := time.Now()
		res, err := demo.Load(ctx, s, nil)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		t.Logf("demo loaded on %s in %s", s.Dialect(), time.Since(start).Round(time.Millisecond))

		if len(res.Books) != 3 {
			t.Fatalf("books: %d, want 3", len(res.Books))
		}
		auditor := actorWithRole(t, s, res, ledger.RoleAuditor)
		books, err := s.Books(ctx, auditor)
		if err != nil || len(books) != 3 {
			t.Fatalf("auditor sees %d books (%v), want 3", len(books), err)
		}
		for _, b := range res.Books {
			t.Run(b.Code, func(t *testing.T) { checkBook(t, s, auditor, b) })
		}

		if _, err := demo.Load(ctx, s, nil); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("second load: %v, want ErrNotEmpty", err)
		}
	})
}

func actorWithRole(t *testing.T, s *ledger.Store, res demo.Result, role ledger.Role) ledger.Actor {
	t.Helper()
	for _, u := range res.Users {
		if u.Role == role {
			a, err := s.Authenticate(context.Background(), u.Token)
			if err != nil {
				t.Fatalf("token of %s: %v", u.Name, err)
			}
			return a
		}
	}
	t.Fatalf("no %s among the demo users", role)
	return ledger.Actor{}
}

func checkBook(t *testing.T, s *ledger.Store, auditor ledger.Actor, b demo.BookSummary) {
	ctx := context.Background()
	households, err := s.Households(ctx, auditor, b.Code, ledger.HouseholdFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(households); n < 100 || n > 200 || n != b.Households {
		t.Errorf("households: %d (summary %d), want 100–200", n, b.Households)
	}

	rep, err := s.Verify(ctx, auditor, b.Code)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Vouchers != b.Posted || rep.Vouchers < 50 {
		t.Errorf("verify: ok=%v vouchers=%d posted=%d problems=%v", rep.OK, rep.Vouchers, b.Posted, rep.Problems)
	}

	tb, err := s.TrialBalance(ctx, auditor, b.Code, "2026-01", "2026-09")
	if err != nil {
		t.Fatal(err)
	}
	if !tb.Balanced || !tb.Totals.PeriodDebit.IsPositive() {
		t.Errorf("trial balance not balanced: %+v", tb.Totals)
	}
	checkControlAccounts(t, s, auditor, b.Code, tb, households)

	periods, err := s.Periods(ctx, auditor, b.Code)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range periods {
		wantClosed := p.Period <= demo.ClosedThrough
		if p.Closed != wantClosed {
			t.Errorf("period %s closed=%v, want %v", p.Period, p.Closed, wantClosed)
		}
		if p.Period >= "2026-01" && p.Period <= "2026-09" && p.Posted == 0 {
			t.Errorf("period %s has no posted vouchers", p.Period)
		}
	}
}

// checkControlAccounts requires every ★ household account's balance to equal
// the sum of its households' sub-ledgers, and at least one of them to carry
// a balance at the end of September, so the check is not vacuous.
func checkControlAccounts(t *testing.T, s *ledger.Store, auditor ledger.Actor, book string, tb ledger.TrialBalance, households []ledger.Household) {
	ctx := context.Background()
	accounts, err := s.Accounts(ctx, auditor, book)
	if err != nil {
		t.Fatal(err)
	}
	control := map[string]ledger.Account{}
	for _, a := range accounts {
		if a.Leaf && a.Aux == ledger.AuxHousehold {
			control[a.Code] = a
		}
	}
	sub := map[string]int64{} // account → Σ households' net debit fen
	for _, h := range households {
		st, err := s.HouseholdStatement(ctx, auditor, book, h.Code, "2026-01", "2026-09")
		if err != nil {
			t.Fatal(err)
		}
		for _, sa := range st.Accounts {
			if _, ok := control[sa.Account]; !ok {
				t.Errorf("household %s has lines on %s, which is not a household account", h.Code, sa.Account)
			}
			net := sa.Closing.Fen()
			if sa.NormalSide == ledger.Credit {
				net = -net
			}
			sub[sa.Account] += net
		}
	}
	open := 0
	for _, row := range tb.Rows {
		if _, ok := control[row.Code]; !ok {
			continue
		}
		net := row.ClosingDebit.Fen() - row.ClosingCredit.Fen()
		if net != sub[row.Code] {
			t.Errorf("control account %s %s: balance %s, households' sub-ledgers %s",
				row.Code, row.Name, ledger.Fen(net), ledger.Fen(sub[row.Code]))
		}
		if net != 0 {
			open++
		}
		if row.PeriodDebit.IsZero() && row.PeriodCredit.IsZero() {
			continue
		}
		t.Logf("%s %-8s debit %12s credit %12s closing %12s", row.Code, row.Name, row.PeriodDebit, row.PeriodCredit, ledger.Fen(net))
	}
	if open == 0 {
		t.Errorf("no household account carries a balance at 2026-09")
	}
}
