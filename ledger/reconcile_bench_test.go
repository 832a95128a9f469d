package ledger_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// BenchmarkReconcileCounty reconciles a quarter of a county-sized book: N
// households (COOPLEDGER_BENCH_HOUSEHOLDS, default 100,000) × 3 agreements,
// the run approved and every household paid in bank batches of 5,000. It
// reports the reconciliation time in seconds.
func BenchmarkReconcileCounty(b *testing.B) {
	for _, d := range ledgertest.Dialects() {
		b.Run(d, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				reconcileCounty(b, ledgertest.Open(b, d), benchHouseholds())
			}
		})
	}
}

func reconcileCounty(b *testing.B, s *ledger.Store, n int) {
	ctx := context.Background()
	b.StopTimer()
	setup := time.Now()
	f, run := countyQuarter(b, s, n)
	paid := time.Now()
	payments := payEveryone(b, s, f, run)
	paying := time.Since(paid)
	setupTime := time.Since(setup)
	b.StartTimer()
	start := time.Now()
	r, err := s.Reconcile(ctx, f.Auditor, "B1", "2026Q3")
	if err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if !r.OK || r.Counts.Payments != payments || r.Counts.RunLines != len(run.Lines) {
		b.Fatalf("county reconciliation: %s", r.Verdict)
	}
	b.ReportMetric(float64(r.Counts.RunLines), "run_lines")
	b.ReportMetric(float64(payments), "payments")
	b.ReportMetric(setupTime.Seconds(), "setup_s")
	b.ReportMetric(paying.Seconds(), "pay_s")
	b.ReportMetric(elapsed.Seconds(), "reconcile_s")
	b.ReportMetric(peakRSSMiB(), "peak_rss_MiB")
}

// countyQuarter is BenchmarkCountyPayout's book, with its 2026Q3 run approved.
func countyQuarter(b *testing.B, s *ledger.Store, n int) (ledgertest.Fixture, ledger.PayoutRun) {
	ctx := context.Background()
	f := countyBook(b, s, n)
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "B1", ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		b.Fatal(err)
	}
	if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "B1", run.ID, ledger.ApproveInput{}); err != nil {
		b.Fatal(err)
	}
	return f, run
}

// payEveryone pays every household its whole entitlement by bank, 5,000 a batch.
func payEveryone(b *testing.B, s *ledger.Store, f ledgertest.Fixture, run ledger.PayoutRun) int {
	ctx := context.Background()
	var batch []ledger.PaymentInput
	n := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := s.RecordPayments(ctx, f.Preparer, "B1", run.ID, batch); err != nil {
			b.Fatal(err)
		}
		n += len(batch)
		batch = batch[:0]
	}
	for i, h := range run.Households {
		if !h.Entitled.IsPositive() {
			continue
		}
		batch = append(batch, ledger.PaymentInput{Household: h.Household, Amount: h.Entitled, Date: "2026-10-15", Method: ledger.MethodBank,
			Reference: fmt.Sprintf("YKT%07d", i)})
		if len(batch) == 5000 {
			flush()
		}
	}
	flush()
	return n
}

// benchLines is the number of posted lines BenchmarkVerify1MLines verifies;
// COOPLEDGER_BENCH_LINES scales it.
func benchLines() int {
	if n, err := strconv.Atoi(os.Getenv("COOPLEDGER_BENCH_LINES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkVerify1MLines verifies a book of 1,000,000 posted lines (vouchers
// of 400 lines: one bank debit, 399 household credits, over twelve months)
// and reports the verification time in seconds.
func BenchmarkVerify1MLines(b *testing.B) {
	for _, d := range ledgertest.Dialects() {
		b.Run(d, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				verifyLines(b, ledgertest.Open(b, d), benchLines())
			}
		})
	}
}

func verifyLines(b *testing.B, s *ledger.Store, lines int) {
	ctx := context.Background()
	b.StopTimer()
	const perVoucher = 400
	setup := time.Now()
	households := min(lines, 20_000)
	f := ledgertest.NewFixture(b, s, "V1", ledger.KindVillage, 0)
	hs := make([]ledger.Household, households)
	for i := range hs {
		hs[i] = ledger.Household{Code: fmt.Sprintf("H%06d", i+1), HeadName: "农户", IDNumber: ledgertest.IDNumber(i + 2000000), Members: 1, Status: ledger.StatusOrdinary}
	}
	if _, err := s.ImportHouseholds(ctx, f.Preparer, "V1", hs); err != nil {
		b.Fatal(err)
	}
	posted, next := 0, 0
	for v := 0; posted < lines; v++ {
		in := ledger.VoucherInput{Date: fmt.Sprintf("2026-%02d-%02d", 1+v%12, 1+(v/12)%28), Summary: "代收土地流转费"}
		var total int64
		for k := 1; k < perVoucher && posted+k < lines; k++ {
			fen := int64(100 + (v*perVoucher+k)%9000)
			m := ledger.Fen(fen)
			in.Lines = append(in.Lines, ledger.LineInput{Account: "21101", Household: hs[next%households].Code, Credit: &m})
			next++
			total += fen
		}
		t := ledger.Fen(total)
		in.Lines = append(in.Lines, ledger.LineInput{Account: "102", Debit: &t})
		d, err := s.CreateVoucher(ctx, f.Preparer, "V1", in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.PostVoucher(ctx, f.Reviewer, "V1", d.ID); err != nil {
			b.Fatal(err)
		}
		posted += len(in.Lines)
	}
	setupTime := time.Since(setup)
	b.StartTimer()
	start := time.Now()
	rep, err := s.Verify(ctx, f.Auditor, "V1")
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil || !rep.OK {
		b.Fatalf("verify: %v %v", err, rep.Problems)
	}
	b.ReportMetric(float64(posted), "lines")
	b.ReportMetric(float64(rep.Vouchers), "vouchers")
	b.ReportMetric(setupTime.Seconds(), "setup_s")
	b.ReportMetric(elapsed.Seconds(), "verify_s")
	b.ReportMetric(peakRSSMiB(), "peak_rss_MiB")
}
