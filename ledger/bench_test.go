package ledger_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// benchHouseholds is the county-wide quarter of issue 4 (100,000 households);
// COOPLEDGER_BENCH_HOUSEHOLDS scales it.
func benchHouseholds() int {
	if n, err := strconv.Atoi(os.Getenv("COOPLEDGER_BENCH_HOUSEHOLDS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// peakRSSMiB reads the process's peak resident set (VmHWM) from /proc.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

// countyBook is a county-wide village of n households with three agreements
// (land rent, a dividend pool declared for 2026Q3, a fixed sum) over all of them.
func countyBook(b *testing.B, s *ledger.Store, n int) ledgertest.Fixture {
	ctx := context.Background()
	f := ledgertest.NewFixture(b, s, "B1", ledger.KindVillage, 0)
	hs := make([]ledger.Household, n)
	parts := make([]ledger.Participant, n)
	for i := range hs {
		code := fmt.Sprintf("H%06d", i+1)
		hs[i] = ledger.Household{Code: code, HeadName: "农户", IDNumber: ledgertest.IDNumber(i + 1000000), Members: 1 + i%6, Status: ledger.StatusOrdinary}
		shares := decimal.New(int64(1+i%7), 0)
		parts[i] = ledger.Participant{Household: code, Shares: &shares,
			Parcels: []ledger.Parcel{{AreaMu: decimal.New(int64(10000+i%50000), -4), Rate: decimal.New(800, 0)}}}
	}
	if _, err := s.ImportHouseholds(ctx, f.Preparer, "B1", hs); err != nil {
		b.Fatal(err)
	}
	yearly := ledger.Fen(int64(n) * 10001)
	for _, in := range []ledger.AgreementInput{
		{Code: "ZJ", Title: "土地流转", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly", Participants: parts}},
		{Code: "GJ", Title: "分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{Basis: "pool", Participants: parts}},
		{Code: "BG", Title: "包干", Kind: ledger.FixedSum, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly", SplitBy: "equal", YearlyAmount: &yearly, Participants: parts}},
	} {
		if _, err := s.CreateAgreement(ctx, f.Preparer, "B1", in); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Declare(ctx, f.Preparer, "B1", "GJ", ledger.DeclarationInput{Quarter: "2026Q3", Amount: ledger.Fen(int64(n) * 3333)}); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkCountyPayout computes and approves one quarter for N households ×
// 3 agreements (land rent, a dividend pool, a fixed sum) on each database.
func BenchmarkCountyPayout(b *testing.B) {
	for _, d := range ledgertest.Dialects() {
		b.Run(d, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				countyPayout(b, ledgertest.Open(b, d), benchHouseholds())
			}
		})
	}
}

func countyPayout(b *testing.B, s *ledger.Store, n int) {
	ctx := context.Background()
	f := countyBook(b, s, n)
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "B1", ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		b.Fatal(err)
	}
	computed, computedCPU := time.Since(start), cpuTime()-cpu
	start, cpu = time.Now(), cpuTime()
	if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "B1", run.ID, ledger.ApproveInput{}); err != nil {
		b.Fatal(err)
	}
	approved, approvedCPU := time.Since(start), cpuTime()-cpu
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(len(run.Lines)), "lines")
	b.ReportMetric(computed.Seconds(), "compute_s")
	b.ReportMetric(approved.Seconds(), "approve_s")
	b.ReportMetric(computedCPU.Seconds(), "compute_cpu_s")
	b.ReportMetric(approvedCPU.Seconds(), "approve_cpu_s")
	b.ReportMetric(peakRSSMiB(), "peak_rss_MiB")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap_sys_MiB")
}
