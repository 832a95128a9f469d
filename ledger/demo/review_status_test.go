package demo_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// TestTownshipStatusOnDemo: every figure of the township page's status rows
// is the ledger's own: the months of Periods, the drafts of Vouchers, the
// verdict of Reconcile and the outstanding of the approved runs.
func TestTownshipStatusOnDemo(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		res, err := demo.Load(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		officer := actorWithRole(t, s, res, ledger.RoleTownship)
		const quarter = "2026Q3"
		rows, err := s.TownshipStatus(ctx, officer, demo.Township.Code, quarter)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(res.Books) {
			t.Fatalf("%d rows for %d books", len(rows), len(res.Books))
		}
		withRun := 0
		for _, r := range rows {
			want := ledgerStatus(t, s, officer, r.Book, quarter)
			if r.CurrentPeriod != want.CurrentPeriod || r.ClosedMonths != want.ClosedMonths || r.DraftsWaiting != want.DraftsWaiting ||
				r.Reconciled != want.Reconciled || r.Findings != want.Findings || r.HasRun != want.HasRun || r.Unpaid != want.Unpaid {
				t.Errorf("%s: status %+v, ledger %+v", r.Book, r, want)
			}
			if r.HasRun {
				withRun++
			}
		}
		if withRun == 0 {
			t.Error("no demo village has an approved run: the unpaid column is not tested")
		}
	})
}

// ledgerStatus computes a status row from the ledger's general queries.
func ledgerStatus(t *testing.T, s *ledger.Store, a ledger.Actor, book, quarter string) ledger.VillageStatus {
	t.Helper()
	ctx := context.Background()
	var st ledger.VillageStatus
	periods, err := s.Periods(ctx, a, book)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range periods {
		if p.Closed {
			st.ClosedMonths++
		} else if st.CurrentPeriod == "" {
			st.CurrentPeriod = p.Period
		}
	}
	drafts, err := s.Vouchers(ctx, a, book, ledger.VoucherFilter{Status: ledger.StatusDraft, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	st.DraftsWaiting = len(drafts) // the demo returns none
	r, err := s.Reconcile(ctx, a, book, quarter)
	if err != nil {
		t.Fatal(err)
	}
	st.Reconciled, st.Findings = r.OK, r.Counts.Findings
	runs, err := s.PayoutRuns(ctx, a, book, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		if run.Status == ledger.RunApproved {
			st.HasRun, st.Unpaid = true, st.Unpaid.Add(run.Outstanding)
		}
	}
	return st
}
