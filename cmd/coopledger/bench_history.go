package main

import (
	"context"
	"fmt"
	"time"

	"coopledger/ledger"
)

// historyMonths spreads the history over ten years, 2016-01 … 2025-12; the
// quarter measured is the last, 2025Q4.
const historyMonths = 120

// benchHistory measures figure 4 (a quarter's trial balance and one
// household's statement with growing history: the same quarter with each of
// cfg.history posted lines in the book) and 5b (verify of the whole book).
// History is loaded in-process through the batch import (1,000 vouchers of 4
// lines a batch, each batch in one month), so balances, chain and audit log
// are exactly what posting would leave.
func benchHistory(ctx context.Context, cfg benchConfig, db string) ([]benchFigure, error) {
	s, admin, done, err := cfg.freshStore(ctx, db, "history")
	if err != nil {
		return nil, err
	}
	defer done()
	bb, err := newBenchBook(ctx, s, admin, "HIST", "2016-01", cfg.statementHHs)
	if err != nil {
		return nil, err
	}
	targets := cfg.history
	if db == "postgres" && cfg.pgHistory > 0 {
		var capped []int
		for _, t := range targets {
			if t <= cfg.pgHistory {
				capped = append(capped, t)
			}
		}
		targets = capped
	}
	if len(targets) == 0 {
		return nil, nil
	}
	const perVoucher = 4
	batch := min(cfg.importBatch, ledger.MaxImportVouchers)
	last := make([]int, historyMonths)
	lines, k := 0, 0
	var loadTime time.Duration
	var figs []benchFigure
	tb, st := map[int]float64{}, map[int]float64{}
	for _, target := range targets {
		cfg.logf("history: loading to %d lines", target)
		start := time.Now()
		nextLog := lines + target/10
		for lines < target {
			m := k % historyMonths
			period := fmt.Sprintf("%04d-%02d", 2016+m/12, 1+m%12)
			in := ledger.ImportBatch{Vouchers: make([]ledger.ImportVoucher, 0, batch)}
			for i := 0; i < batch && lines+perVoucher*len(in.Vouchers) < target; i++ {
				last[m]++
				h := bb.households[(k*batch+i)%len(bb.households)]
				in.Vouchers = append(in.Vouchers, ledger.ImportVoucher{Number: last[m], Date: fmt.Sprintf("%s-%02d", period, 1+i%28),
					Summary: "历史凭证：收到土地流转费并支付农户", ReviewedBy: "原审核", Lines: fourLines(h, 30_000+int64(i))})
			}
			if _, err := s.ImportVouchers(ctx, bb.prep, bb.code, in); err != nil {
				return figs, fmt.Errorf("load history: %w", err)
			}
			lines += perVoucher * len(in.Vouchers)
			k++
			if lines >= nextLog {
				cfg.logf("history: %d lines", lines)
				nextLog += target / 10
			}
		}
		loadTime += time.Since(start)
		runs := max(cfg.runs, 5)
		var tbs, sts []float64
		for r := 0; r < runs; r++ {
			t0 := time.Now()
			res, err := s.TrialBalance(ctx, bb.prep, bb.code, "2025-10", "2025-12")
			if err != nil {
				return figs, err
			}
			if !res.Balanced {
				return figs, fmt.Errorf("trial balance at %d lines does not balance", lines)
			}
			tbs = append(tbs, float64(time.Since(t0).Microseconds())/1000)
			t0 = time.Now()
			if _, err := s.HouseholdStatement(ctx, bb.prep, bb.code, bb.households[0], "2025-10", "2025-12"); err != nil {
				return figs, err
			}
			sts = append(sts, float64(time.Since(t0).Microseconds())/1000)
		}
		tb[target], st[target] = median(tbs), median(sts)
		figs = append(figs,
			benchFigure{Figure: 4, Name: fmt.Sprintf("trial balance 2025Q4 with %s lines", formatValue(float64(target))), Value: tb[target], Unit: "ms", Runs: runs,
				Goal: "≤ 50 ms", Met: met(tb[target] <= 50)},
			benchFigure{Figure: 4, Name: fmt.Sprintf("household statement 2025Q4 with %s lines", formatValue(float64(target))), Value: st[target], Unit: "ms", Runs: runs,
				Goal: "≤ 10 ms", Met: met(st[target] <= 10)})
	}
	lo, hi := targets[0], targets[len(targets)-1]
	figs = append(figs, benchFigure{Figure: 4, Name: "history load through the batch import (in-process)", Value: float64(lines/perVoucher) / loadTime.Seconds(),
		Unit: "vouchers/s", Runs: 1, Note: fmt.Sprintf("%d lines in %s", lines, loadTime.Round(time.Second))})
	if hi > lo {
		name := fmt.Sprintf("%s ÷ %s lines", formatValue(float64(hi)), formatValue(float64(lo)))
		figs = append(figs,
			benchFigure{Figure: 4, Name: "trial balance " + name, Value: tb[hi] / tb[lo], Unit: "ratio", Runs: 1, Goal: "≤ 1.5", Met: met(tb[hi]/tb[lo] <= 1.5)},
			benchFigure{Figure: 4, Name: "household statement " + name, Value: st[hi] / st[lo], Unit: "ratio", Runs: 1, Goal: "≤ 1.5", Met: met(st[hi]/st[lo] <= 1.5)})
	}
	cfg.logf("history: verify %d lines", lines)
	var rep ledger.VerifyReport
	d, _, err := peakHeap(func() (err error) {
		rep, err = s.VerifyBook(ctx, bb.code)
		return err
	})
	if err != nil {
		return figs, err
	}
	if !rep.OK {
		return figs, fmt.Errorf("verify of the history book failed: %v", rep.Problems)
	}
	f := benchFigure{Figure: 5, Name: fmt.Sprintf("verify %s lines (%d vouchers)", formatValue(float64(lines)), rep.Vouchers), Value: d.Seconds(), Unit: "s", Runs: 1}
	if lines >= 10_000_000 {
		f.Goal, f.Met = "≤ 60 s at 10M", met(d.Seconds() <= 60)
	}
	return append(figs, f), nil
}
