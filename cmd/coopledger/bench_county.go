package main

import (
	"context"
	"fmt"
	"io"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/reports"
)

// benchCounty measures figure 3 (a county quarter: N households × 3
// agreements computed, approved and exported as the roster, beside a bare
// excelize StreamWriter) and 5a (reconciliation of that quarter, paid).
// Each run is another quarter of 2026 of the same book.
func benchCounty(ctx context.Context, cfg benchConfig, db string) ([]benchFigure, error) {
	s, admin, done, err := cfg.freshStore(ctx, db, "county")
	if err != nil {
		return nil, err
	}
	defer done()
	n := cfg.households
	cfg.logf("county: %d households, agreements", n)
	bb, err := newBenchBook(ctx, s, admin, "COUNTY", "2026-01", n)
	if err != nil {
		return nil, err
	}
	parts := make([]ledger.Participant, n)
	for i := range parts {
		shares := decimal.New(int64(1+i%7), 0)
		parts[i] = ledger.Participant{Household: bb.households[i], Shares: &shares,
			Parcels: []ledger.Parcel{{AreaMu: decimal.New(int64(10000+i%50000), -4), Rate: decimal.New(800, 0)}}}
	}
	yearly := ledger.Fen(int64(n) * 10001)
	for _, in := range []ledger.AgreementInput{
		{Code: "ZJ", Title: "土地流转", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly", Participants: parts}},
		{Code: "GJ", Title: "光伏分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{Basis: "pool", Participants: parts}},
		{Code: "BG", Title: "包干", Kind: ledger.FixedSum, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly", SplitBy: "equal", YearlyAmount: &yearly, Participants: parts}},
	} {
		if _, err := s.CreateAgreement(ctx, bb.prep, bb.code, in); err != nil {
			return nil, err
		}
	}
	quarters := []string{"2026Q1", "2026Q2", "2026Q3", "2026Q4"}[:min(cfg.runs, 4)]
	var compute, approve, export, bare, heapCA, heapExport, heapBare []float64
	var lastRun ledger.PayoutRun
	for _, q := range quarters {
		if _, err := s.Declare(ctx, bb.prep, bb.code, "GJ", ledger.DeclarationInput{Quarter: q, Amount: ledger.Fen(int64(n) * 3333)}); err != nil {
			return nil, err
		}
		cfg.logf("county: %s compute, approve, export", q)
		var run ledger.PayoutRun
		dc, hc, err := peakHeap(func() (err error) {
			run, err = s.CreatePayoutRun(ctx, bb.prep, bb.code, ledger.RunInput{Quarter: q})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("compute %s: %w", q, err)
		}
		da, ha, err := peakHeap(func() (err error) {
			run, err = s.ApprovePayoutRun(ctx, bb.rev, bb.code, run.ID, ledger.ApproveInput{})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("approve %s: %w", q, err)
		}
		var data reports.RosterData
		de, he, err := peakHeap(func() (err error) {
			if data, err = reports.LoadRoster(ctx, s, bb.prep, bb.code, run.ID); err != nil {
				return err
			}
			return reports.WriteRoster(io.Discard, data, reports.Options{})
		})
		if err != nil {
			return nil, fmt.Errorf("roster %s: %w", q, err)
		}
		db, hb, err := peakHeap(func() error { return reports.WriteBareRoster(io.Discard, data) })
		if err != nil {
			return nil, fmt.Errorf("bare roster %s: %w", q, err)
		}
		compute, approve, export, bare = append(compute, dc.Seconds()), append(approve, da.Seconds()), append(export, de.Seconds()), append(bare, db.Seconds())
		heapCA, heapExport, heapBare = append(heapCA, max(hc, ha)), append(heapExport, he), append(heapBare, hb)
		lastRun = run
	}
	ca := median(compute) + median(approve)
	figs := []benchFigure{
		{Figure: 3, Name: fmt.Sprintf("county payout: compute %d households × 3 agreements", n), Value: median(compute), Unit: "s", Runs: len(quarters)},
		{Figure: 3, Name: "county payout: approve (post accruals)", Value: median(approve), Unit: "s", Runs: len(quarters)},
		{Figure: 3, Name: "county payout: compute + approve", Value: ca, Unit: "s", Runs: len(quarters), Goal: "≤ 10 s", Met: met(ca <= 10)},
		{Figure: 3, Name: "county payout: peak Go heap, compute or approve", Value: median(heapCA), Unit: "MiB", Runs: len(quarters), Goal: "≤ 500 MB", Met: met(median(heapCA)*1.048576 <= 500)},
		{Figure: 3, Name: "roster export (load + write workbook)", Value: median(export), Unit: "s", Runs: len(quarters), Goal: "≤ 3 s", Met: met(median(export) <= 3)},
		{Figure: 3, Name: "roster export: peak Go heap", Value: median(heapExport), Unit: "MiB", Runs: len(quarters), Goal: "≤ 250 MB", Met: met(median(heapExport)*1.048576 <= 250)},
		{Figure: 3, Name: "bare excelize StreamWriter, same rows", Value: median(bare), Unit: "s", Runs: len(quarters),
			Note: fmt.Sprintf("peak Go heap %.0f MiB", median(heapBare))},
		{Figure: 3, Name: "roster export: bare ÷ ours (speed ratio)", Value: median(bare) / median(export), Unit: "ratio", Runs: len(quarters),
			Goal: "≥ 0.5", Met: met(median(bare)/median(export) >= 0.5)},
	}

	payments := 0
	if cfg.payAll {
		cfg.logf("county: paying %s in bank batches of 5,000", lastRun.Quarter)
		// The bank account must hold the money first: cash and bank never go negative.
		if _, err := s.SetOpeningBalances(ctx, bb.prep, bb.code, ledger.OpeningInput{Lines: []ledger.LineInput{
			{Account: "102", Debit: benchFunds()}, {Account: "311", Credit: benchFunds()}}}); err != nil {
			return figs, fmt.Errorf("opening bank balance: %w", err)
		}
		if payments, err = payEveryone(ctx, s, bb, lastRun); err != nil {
			return figs, fmt.Errorf("payments: %w", err)
		}
	}
	var rec []float64
	verdict := ""
	for r := 0; r < cfg.runs; r++ {
		d, _, err := peakHeap(func() error {
			res, err := s.Reconcile(ctx, ledger.System, bb.code, lastRun.Quarter)
			if err == nil {
				verdict = fmt.Sprintf("ok=%v, %d run lines, %d payments", res.OK, res.Counts.RunLines, payments)
			}
			return err
		})
		if err != nil {
			return figs, fmt.Errorf("reconcile: %w", err)
		}
		rec = append(rec, d.Seconds())
	}
	figs = append(figs, benchFigure{Figure: 5, Name: fmt.Sprintf("reconciliation of the county quarter (%d households)", n), Value: median(rec), Unit: "s",
		Runs: cfg.runs, Goal: "≤ 10 s", Met: met(median(rec) <= 10), Note: verdict})
	return figs, nil
}

// payEveryone pays every household its whole entitlement by bank, 5,000 a batch.
func payEveryone(ctx context.Context, s *ledger.Store, bb benchBook, run ledger.PayoutRun) (int, error) {
	var batch []ledger.PaymentInput
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.RecordPayments(ctx, bb.prep, bb.code, run.ID, batch); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	date := map[string]string{"2026Q1": "2026-04-15", "2026Q2": "2026-07-15", "2026Q3": "2026-10-15", "2026Q4": "2026-12-28"}[run.Quarter]
	for i, h := range run.Households {
		if !h.Entitled.IsPositive() {
			continue
		}
		batch = append(batch, ledger.PaymentInput{Household: h.Household, Amount: h.Entitled, Date: date, Method: ledger.MethodBank,
			Reference: fmt.Sprintf("YKT%s%07d", run.Quarter, i)})
		if len(batch) == 5000 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// benchFunds is the bank balance the county book opens with before it pays.
func benchFunds() *ledger.Money {
	m := ledger.MustMoney("1000000000.00")
	return &m
}
