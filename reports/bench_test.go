package reports_test

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// benchHouseholds is the size of the roster benchmark: a county's worth.
const benchHouseholds = 100_000

// benchRoster builds a roster of n households directly in memory: every
// household has land rent and a dividend, every third one wages as well.
func benchRoster(n int) reports.RosterData {
	d := reports.RosterData{
		Book: reports.BookInfo{Code: "BENCH", Name: "基准村", TownshipName: "基准镇", ChainSeq: 1,
			ChainHead: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		Run: reports.RunInfo{ID: 1, Quarter: "2026Q3", Status: ledger.RunApproved, RoundingRule: ledger.RoundingRule, ApprovedAt: "2026-10-01T00:00:00Z"},
	}
	totals := map[string]*reports.RosterTotal{
		"ZJ": {Key: "ZJ", Title: "土地流转协议", Kind: "租金"}, "GJ": {Key: "GJ", Title: "光伏分红", Kind: "股金"}, "WG": {Key: "WG", Title: "基地务工", Kind: "薪金"}}
	kinds := map[string]*reports.RosterTotal{
		"租金": {Key: "租金", Title: reports.ColumnRent, Kind: "租金"}, "股金": {Key: "股金", Title: reports.ColumnDividend, Kind: "股金"},
		"薪金": {Key: "薪金", Title: reports.ColumnWage, Kind: "薪金"}}
	d.Households = make([]reports.RosterHousehold, 0, n)
	d.Lines = make([]reports.RosterLine, 0, 2*n+n/3)
	for i := 1; i <= n; i++ {
		h := reports.RosterHousehold{Code: fmt.Sprintf("H%06d", i), Group: fmt.Sprintf("第%d组", 1+i%12), HeadName: fmt.Sprintf("农户%d", i),
			IDNumber: ledgertest.IDNumber(i), BankAccount: fmt.Sprintf("6217%012d", i), Members: 1 + i%6}
		add := func(agreement, kind string, fen int64, basis string) {
			m := ledger.Fen(fen)
			switch kind {
			case "租金":
				h.Rent = h.Rent.Add(m)
			case "股金":
				h.Dividend = h.Dividend.Add(m)
			default:
				h.Wage = h.Wage.Add(m)
			}
			h.Total = h.Total.Add(m)
			paid := ledger.Money{}
			if i%2 == 0 {
				paid = m
			}
			h.Paid = h.Paid.Add(paid)
			d.Lines = append(d.Lines, reports.RosterLine{Household: h.Code, HeadName: h.HeadName, Group: h.Group, Agreement: agreement,
				AgreementTitle: totals[agreement].Title, Kind: kind, Account: "21101", Amount: m, Paid: paid, Outstanding: m.Sub(paid), Basis: basis})
			for _, t := range []*reports.RosterTotal{totals[agreement], kinds[kind]} {
				t.Lines++
				t.Amount = t.Amount.Add(m)
			}
		}
		add("ZJ", "租金", int64(50_000+i%9_999*37), "3.5000 亩 × 800.00 元/亩/年 ÷ 4")
		add("GJ", "股金", int64(10_000+i%777), "光伏分红池 1,000,000.00 元 × 1 股 ÷ 100,000 股（最大余额法）")
		if i%3 == 0 {
			add("WG", "薪金", int64(120_000+i%101), "12.5 天 × 120.00 元/天")
		}
		h.Outstanding = h.Total.Sub(h.Paid)
		d.Total, d.Paid, d.Outstanding = d.Total.Add(h.Total), d.Paid.Add(h.Paid), d.Outstanding.Add(h.Outstanding)
		d.Households = append(d.Households, h)
	}
	for _, k := range []string{"GJ", "WG", "ZJ"} {
		d.ByAgreement = append(d.ByAgreement, *totals[k])
	}
	for _, k := range []string{"股金", "租金", "薪金"} {
		d.ByKind = append(d.ByKind, *kinds[k])
	}
	return d
}

// peakHeap runs fn while sampling the heap in use every few milliseconds and
// returns the peak above the heap in use before fn started. The collector
// runs at GOGC=10 meanwhile, so the peak follows live memory rather than how
// much garbage the default pacing lets pile up on top of the input data.
func peakHeap(fn func() error) (time.Duration, uint64, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	err := fn()
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	return elapsed, peak - base, err
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkRosterExport writes the roster of 100,000 households (about
// 233,000 household × agreement lines) and, beside it, the same cells with a
// bare excelize StreamWriter; it reports seconds, peak heap and their ratios.
// COOPLEDGER_BENCH_HOUSEHOLDS changes the size, to see that the peak does
// not grow with the number of households.
func BenchmarkRosterExport(b *testing.B) {
	n := benchHouseholds
	if v, err := strconv.Atoi(os.Getenv("COOPLEDGER_BENCH_HOUSEHOLDS")); err == nil && v > 0 && v <= 1_000_000 {
		n = v
	}
	d := benchRoster(n)
	if err := d.Check(); err != nil {
		b.Fatal(err)
	}
	opts := reports.Options{ExportedAt: exportTime, TmpDir: b.TempDir()}
	var rosterTime, bareTime time.Duration
	var rosterPeak, barePeak uint64
	var size int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := &countingWriter{}
		t, p, err := peakHeap(func() error { return reports.WriteRoster(out, d, opts) })
		if err != nil {
			b.Fatal(err)
		}
		rosterTime, rosterPeak, size = rosterTime+t, max(rosterPeak, p), out.n
		b.StopTimer()
		t, p, err = peakHeap(func() error { return reports.WriteBareRoster(io.Discard, d) })
		if err != nil {
			b.Fatal(err)
		}
		bareTime, barePeak = bareTime+t, max(barePeak, p)
		b.StartTimer()
	}
	runs := float64(b.N)
	b.ReportMetric(rosterTime.Seconds()/runs, "roster-s")
	b.ReportMetric(float64(rosterPeak)/(1<<20), "roster-peak-MB")
	b.ReportMetric(bareTime.Seconds()/runs, "bare-streamwriter-s")
	b.ReportMetric(float64(barePeak)/(1<<20), "bare-peak-MB")
	b.ReportMetric(rosterTime.Seconds()/bareTime.Seconds(), "time-ratio")
	b.ReportMetric(float64(rosterPeak)/float64(max(barePeak, 1)), "peak-ratio")
	b.ReportMetric(float64(size)/(1<<20), "xlsx-MB")
	b.Logf("%d households, %d lines: roster %.2fs (peak heap %.0f MB, %.1f MB xlsx); bare StreamWriter %.2fs (peak heap %.0f MB); ratio %.2f×",
		len(d.Households), len(d.Lines), rosterTime.Seconds()/runs, float64(rosterPeak)/(1<<20), float64(size)/(1<<20),
		bareTime.Seconds()/runs, float64(barePeak)/(1<<20), rosterTime.Seconds()/bareTime.Seconds())
}

// BenchmarkRosterQR writes a 5,000-household roster with 0 to 5,000 of them
// linked: what the QR column costs per linked household (excelize adds each
// picture to the package one at a time).
func BenchmarkRosterQR(b *testing.B) {
	d := benchRoster(5_000)
	opts := reports.Options{ExportedAt: exportTime, TmpDir: b.TempDir()}
	for _, linked := range []int{0, 500, 2_000, 5_000} {
		b.Run(strconv.Itoa(linked), func(b *testing.B) {
			d.Links = make(map[string]string, linked)
			for _, h := range d.Households[:linked] {
				d.Links[h.Code] = "https://cun.example.cn/h/BENCH/" + fmt.Sprintf("%022s", h.Code)
			}
			for i := 0; i < b.N; i++ {
				if err := reports.WriteRoster(io.Discard, d, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
