package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestConcurrentPosting posts from 16 goroutines into one book: no error, and
// every month's numbers are exactly 1..n.
func TestConcurrentPosting(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		const workers, perWorker = 16, 15
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "C1", ledger.KindVillage, 16)
		var wg sync.WaitGroup
		errs := make(chan error, workers*perWorker)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < perWorker; i++ {
					date := fmt.Sprintf("2026-0%d-%02d", 1+i%2, 1+w)
					v, err := s.CreateVoucher(ctx, f.Preparer, "C1", rentVoucher(date, f.Households[w], fmt.Sprintf("%d.%02d", 1+i, w)))
					if err == nil {
						_, err = s.PostVoucher(ctx, f.Reviewer, "C1", v.ID)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent posting failed: %v", err)
		}
		rep, err := s.Verify(ctx, f.Auditor, "C1")
		if err != nil || !rep.OK || rep.Vouchers != workers*perWorker {
			t.Fatalf("verify after concurrent posting: %+v %v", rep, err)
		}
		for _, p := range []string{"2026-01", "2026-02"} {
			vs, err := s.Vouchers(ctx, f.Auditor, "C1", ledger.VoucherFilter{Period: p, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, v := range vs {
				if seen[v.Number] {
					t.Fatalf("duplicate number %s in %s", v.Number, p)
				}
				seen[v.Number] = true
			}
			for n := 1; n <= len(vs); n++ {
				if !seen[ledger.FormatNumber(n)] {
					t.Fatalf("missing number %s in %s", ledger.FormatNumber(n), p)
				}
			}
		}
	})
}

// TestTamperingIsFound changes a posted amount behind the triggers' back and
// expects Verify to name the voucher.
func TestTamperingIsFound(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "T1", ledger.KindVillage, 2)
		f.Post(t, rentVoucher("2026-02-01", "H001", "100.00"))
		v := f.Post(t, rentVoucher("2026-02-02", "H002", "200.00"))
		f.Post(t, rentVoucher("2026-02-03", "H001", "300.00"))
		db := s.DB()
		_, err := db.ExecContext(ctx, "UPDATE voucher_lines SET credit_fen = 1 WHERE voucher_id = ?", v.ID)
		if ledger.ErrorCode(err) == "" {
			t.Fatal("trigger allowed changing a posted line")
		}
		drop := "DROP TRIGGER voucher_lines_immutable_update"
		if s.Dialect() == ledger.Postgres {
			drop = "DROP TRIGGER voucher_lines_immutable ON voucher_lines"
		}
		if _, err := db.ExecContext(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE voucher_lines SET debit_fen = 20001 WHERE voucher_id = ? AND line_no = 1", v.ID); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Verify(ctx, f.Auditor, "T1")
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.FirstBad != "2026-02 记-0002" {
			t.Fatalf("tampering not found at 记-0002: %+v", rep)
		}
	})
}

// TestPostedRowsAreImmutable checks the triggers directly.
func TestPostedRowsAreImmutable(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "I1", ledger.KindVillage, 1)
		v := f.Post(t, rentVoucher("2026-02-01", "H001", "100.00"))
		db := s.DB()
		for _, q := range []string{
			"UPDATE vouchers SET summary = 'x' WHERE id = ?",
			"UPDATE vouchers SET status = 'draft' WHERE id = ?",
			"DELETE FROM voucher_lines WHERE voucher_id = ?",
			"DELETE FROM vouchers WHERE id = ?",
			"UPDATE audit_log SET action = 'x' WHERE id = ?",
			"DELETE FROM audit_log WHERE id = ?",
		} {
			if _, err := db.ExecContext(ctx, q, v.ID); err == nil {
				t.Errorf("%s: allowed", q)
			}
		}
	})
}
