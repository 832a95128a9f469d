package ledger_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// BenchmarkPostVoucher creates and posts 4-line vouchers in-process, one at a
// time, as `coopledger bench` figure 1 does without HTTP.
func BenchmarkPostVoucher(b *testing.B) {
	for _, d := range ledgertest.Dialects() {
		b.Run(d, func(b *testing.B) {
			s := ledgertest.Open(b, d)
			f := ledgertest.NewFixture(b, s, "B1", ledger.KindVillage, 20)
			ctx := context.Background()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				in, out := ledger.Fen(30_000+int64(i%1000)), ledger.Fen(10_000)
				h := f.Households[i%len(f.Households)]
				v, err := s.CreateVoucher(ctx, f.Preparer, "B1", ledger.VoucherInput{Date: "2026-02-10", Summary: "收到土地流转费并支付农户",
					Lines: []ledger.LineInput{{Account: "102", Debit: &in}, {Account: "21101", Household: h, Credit: &in},
						{Account: "21101", Household: h, Debit: &out}, {Account: "102", Credit: &out}}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.PostVoucher(ctx, f.Reviewer, "B1", v.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkPostVoucherParallel is BenchmarkPostVoucher by 8 goroutines at
// once, as figure 1 does with 8 clients.
func BenchmarkPostVoucherParallel(b *testing.B) {
	for _, d := range ledgertest.Dialects() {
		b.Run(d, func(b *testing.B) {
			s := ledgertest.Open(b, d)
			f := ledgertest.NewFixture(b, s, "B1", ledger.KindVillage, 20)
			ctx := context.Background()
			var worker atomic.Int64
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				w := int(worker.Add(1))
				for i := 0; pb.Next(); i++ {
					in, out := ledger.Fen(30_000+int64(i%1000)), ledger.Fen(10_000)
					h := f.Households[(w*7+i)%len(f.Households)]
					v, err := s.CreateVoucher(ctx, f.Preparer, "B1", ledger.VoucherInput{Date: "2026-02-10", Summary: "收到土地流转费并支付农户",
						Lines: []ledger.LineInput{{Account: "102", Debit: &in}, {Account: "21101", Household: h, Credit: &in},
							{Account: "21101", Household: h, Debit: &out}, {Account: "102", Credit: &out}}})
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := s.PostVoucher(ctx, f.Reviewer, "B1", v.ID); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the process's user + system CPU time: on a shared, loaded
// machine it compares runs better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
