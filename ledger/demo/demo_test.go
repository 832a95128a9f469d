package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

func TestLoad(t *testing.T) {
	prints := map[string]string{} // dialect → fingerprint of the loaded township
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

		reports, err := s.VerifyAll(ctx, ledger.System)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if !r.OK {
				t.Errorf("VerifyAll %s: %v", r.Book, r.Problems)
			}
		}

		if _, err := demo.Load(ctx, s, nil); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("second load: %v, want ErrNotEmpty", err)
		}
		prints[string(s.Dialect())] = fingerprint(t, s, auditor, res)
	})
	if len(prints) == 2 && prints["sqlite"] != prints["postgres"] {
		t.Errorf("the demo differs between SQLite and PostgreSQL: %s / %s", prints["sqlite"], prints["postgres"])
	}
}

// TestLoadIsDeterministic loads the demo twice: the same chain heads, runs
// and payments, byte for byte.
func TestLoadIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo twice")
	}
	var prints [2]string
	for i := range prints {
		s := ledgertest.Open(t, "sqlite")
		res, err := demo.Load(context.Background(), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		prints[i] = fingerprint(t, s, actorWithRole(t, s, res, ledger.RoleAuditor), res)
	}
	if prints[0] != prints[1] {
		t.Errorf("two loads differ: %s / %s", prints[0], prints[1])
	}
}

// fingerprint hashes every book's chain head, agreements, runs with their
// lines and payments.
func fingerprint(t *testing.T, s *ledger.Store, auditor ledger.Actor, res demo.Result) string {
	t.Helper()
	ctx := context.Background()
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, b := range res.Books {
		rep, err := s.Verify(ctx, auditor, b.Code)
		if err != nil {
			t.Fatal(err)
		}
		agreements, err := s.Agreements(ctx, auditor, b.Code)
		if err != nil {
			t.Fatal(err)
		}
		must(t, enc.Encode([]any{b, rep.ChainHead, rep.ChainSeq, agreements}))
		runs, err := s.PayoutRuns(ctx, auditor, b.Code, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			full, err := s.PayoutRun(ctx, auditor, b.Code, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			payments, err := s.Payments(ctx, auditor, b.Code, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			must(t, enc.Encode([]any{full, payments}))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
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
	checkPayouts(t, s, auditor, b)
	checkMoneyOnHand(t, s, auditor, b.Code)

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

// wantKinds are the agreement kinds each demo book must have.
var wantKinds = map[string][]ledger.AgreementKind{
	"QINGZHU":  {ledger.LandRent, ledger.ShareDividend, ledger.FixedSum},
	"HONGYA":   {ledger.LandRent, ledger.ShareDividend, ledger.Wage},
	"DAOXIANG": {ledger.CoopSurplus, ledger.LandRent, ledger.Wage},
}

// checkPayouts requires the book's agreements of its kinds and one approved
// run for each of 2026 Q1–Q3, prepared and approved by different users, the
// first two quarters (almost) fully paid and the third partly.
func checkPayouts(t *testing.T, s *ledger.Store, auditor ledger.Actor, b demo.BookSummary) {
	ctx := context.Background()
	agreements, err := s.Agreements(ctx, auditor, b.Code)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[ledger.AgreementKind]int{}
	for _, ag := range agreements {
		kinds[ag.Kind]++
	}
	for _, k := range wantKinds[b.Code] {
		if kinds[k] == 0 {
			t.Errorf("no %s agreement", k)
		}
	}
	if len(agreements) != b.Agreements {
		t.Errorf("agreements: %d, summary says %d", len(agreements), b.Agreements)
	}
	runs, err := s.PayoutRuns(ctx, auditor, b.Code, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || b.PayoutRuns != 3 {
		t.Fatalf("payout runs: %d (summary %d), want 3", len(runs), b.PayoutRuns)
	}
	byQuarter := map[string]ledger.PayoutRun{}
	for _, r := range runs {
		full, err := s.PayoutRun(ctx, auditor, b.Code, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		byQuarter[r.Quarter] = full
		if r.Status != ledger.RunApproved || r.ApproverID == 0 || r.ApproverID == r.PreparerID {
			t.Errorf("run %d %s: status %s, preparer %d, approver %d", r.ID, r.Quarter, r.Status, r.PreparerID, r.ApproverID)
		}
		t.Logf("run %d %s: %d lines, %d households, entitled %s, paid %s, outstanding %s; %v",
			r.ID, r.Quarter, len(full.Lines), len(full.Households), r.Total, r.Paid, r.Outstanding, full.ByAgreement)
	}
	for _, q := range []string{"2026Q1", "2026Q2", "2026Q3"} {
		r, ok := byQuarter[q]
		if !ok {
			t.Errorf("no run for %s", q)
			continue
		}
		seen := map[string]bool{}
		for _, l := range r.Lines {
			seen[l.Agreement] = true
			if l.AccrualVoucherID == 0 {
				t.Errorf("%s line %d not accrued", q, l.LineNo)
			}
		}
		for _, ag := range agreements {
			due := ag.Kind != ledger.CoopSurplus || q == "2026Q1"
			if ag.Versions[len(ag.Versions)-1].Terms.Schedule == "yearly" {
				due = fmt.Sprintf("2026Q%d", ag.Versions[len(ag.Versions)-1].Terms.PayQuarter) == q
			}
			if due && !seen[ag.Code] {
				t.Errorf("%s: no lines for agreement %s", q, ag.Code)
			}
		}
		paid, total := r.Paid.Fen(), r.Total.Fen()
		switch {
		case !r.Total.IsPositive():
			t.Errorf("%s: total %s", q, r.Total)
		case q != "2026Q3" && paid*100 < total*95:
			t.Errorf("%s: paid %s of %s, want (almost) all", q, r.Paid, r.Total)
		case q == "2026Q3" && (paid == 0 || !r.Outstanding.IsPositive()):
			t.Errorf("%s: paid %s, outstanding %s, want partly paid", q, r.Paid, r.Outstanding)
		}
		payments, err := s.Payments(ctx, auditor, b.Code, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, p := range payments {
			sum += p.Amount.Fen()
			if p.Date < "2026-01-01" || p.Date > "2026-09-30" {
				t.Errorf("%s: payment %d dated %s", q, p.ID, p.Date)
			}
		}
		if sum != paid {
			t.Errorf("%s: payments add up to %s, run says paid %s", q, ledger.Fen(sum), r.Paid)
		}
	}
}

// checkMoneyOnHand requires cash and bank never to be overdrawn at a month end.
func checkMoneyOnHand(t *testing.T, s *ledger.Store, auditor ledger.Actor, book string) {
	for m := 1; m <= 9; m++ {
		to := fmt.Sprintf("2026-%02d", m)
		tb, err := s.TrialBalance(context.Background(), auditor, book, "2026-01", to)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range tb.Rows {
			if (row.Code == "101" || row.Code == "102") && row.ClosingCredit.IsPositive() {
				t.Errorf("%s %s overdrawn at %s: %s", row.Code, row.Name, to, row.ClosingCredit)
			}
		}
	}
}
