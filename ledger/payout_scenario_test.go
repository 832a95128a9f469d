package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// The independent computation below uses math/big rationals and the rules of
// domain.md, written plainly, to check the ledger's payout runs to the fen.

func rat(d decimal.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic(d.String())
	}
	return r
}

// halfUpFen rounds a yuan amount half-up to integer fen.
func halfUpFen(yuan *big.Rat) int64 {
	x := new(big.Rat).Mul(yuan, big.NewRat(100, 1))
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom()) // non-negative: truncation is floor
	return q.Int64()
}

// largestRemainder splits pool fen by weights, ties by code ascending.
func largestRemainder(pool int64, codes []string, weights []*big.Rat) map[string]int64 {
	total := new(big.Rat)
	for _, w := range weights {
		total.Add(total, w)
	}
	type part struct {
		code string
		fen  int64
		rem  *big.Rat
	}
	parts := make([]part, len(codes))
	left := pool
	for i, w := range weights {
		share := new(big.Rat).Quo(new(big.Rat).Mul(big.NewRat(pool, 1), w), total)
		fl := new(big.Int).Quo(share.Num(), share.Denom())
		parts[i] = part{codes[i], fl.Int64(), new(big.Rat).Sub(share, new(big.Rat).SetInt(fl))}
		left -= fl.Int64()
	}
	sort.SliceStable(parts, func(a, b int) bool {
		if c := parts[a].rem.Cmp(parts[b].rem); c != 0 {
			return c > 0
		}
		return parts[a].code < parts[b].code
	})
	out := map[string]int64{}
	for i, p := range parts {
		out[p.code] = p.fen
		if int64(i) < left {
			out[p.code]++
		}
	}
	return out
}

type payoutScenario struct {
	rng      *rand.Rand
	q        ledger.Quarter
	expected map[string]int64 // agreement/household/account → fen
	pools    map[string]int64 // agreement → pool fen
}

func TestRandomizedPayouts(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("COOPLEDGER_SEED"), 10, 64); err == nil {
		seed = s
	}
	runs := map[string]string{}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("reproduce with COOPLEDGER_SEED=%d", seed)
			}
		})
		sc := &payoutScenario{rng: rand.New(rand.NewPCG(seed, 11)), q: ledger.Quarter{Year: 2026, Q: 3},
			expected: map[string]int64{}, pools: map[string]int64{}}
		f := ledgertest.NewFixture(t, s, "RP", ledger.KindVillage, 300)
		sc.setup(t, f)
		run := sc.checkRun(t, f)
		lines, _ := json.Marshal(run.Lines)
		runs[s.Dialect().String()] = string(lines)
		t.Logf("seed %d: %d lines, total %s", seed, len(run.Lines), run.Total)
	})
	if len(runs) == 2 && runs["sqlite"] != runs["postgres"] {
		t.Fatalf("the same inputs gave different runs on SQLite and PostgreSQL (seed %d)", seed)
	}
}

func (sc *payoutScenario) decimal(maxUnits int64, decimals int32) decimal.Decimal {
	return decimal.New(1+sc.rng.Int64N(maxUnits), -decimals)
}

// participants picks a random subset of households, some joining or leaving
// inside the quarter.
func (sc *payoutScenario) participants(f ledgertest.Fixture, n int) []ledger.Participant {
	perm := sc.rng.Perm(len(f.Households))[:n]
	sort.Ints(perm)
	out := make([]ledger.Participant, 0, n)
	for _, i := range perm {
		p := ledger.Participant{Household: f.Households[i]}
		switch sc.rng.IntN(6) {
		case 0:
			p.Start = sc.q.First().AddDate(0, 0, sc.rng.IntN(90)).Format("2006-01-02")
		case 1:
			p.End = sc.q.First().AddDate(0, 0, sc.rng.IntN(90)).Format("2006-01-02")
		}
		out = append(out, p)
	}
	return out
}

// days is how many days of the quarter a participant takes part.
func (sc *payoutScenario) days(p ledger.Participant) int64 {
	from, to := sc.q.First(), sc.q.Last()
	if p.Start != "" {
		from, _ = time.Parse("2006-01-02", p.Start)
	}
	if p.End != "" {
		to, _ = time.Parse("2006-01-02", p.End)
	}
	return int64(to.Sub(from).Hours()/24) + 1
}

func (sc *payoutScenario) setup(t *testing.T, f ledgertest.Fixture) {
	ctx := context.Background()
	s := f.Store
	create := func(in ledger.AgreementInput) {
		if _, err := s.CreateAgreement(ctx, f.Preparer, "RP", in); err != nil {
			t.Fatalf("agreement %s: %v", in.Code, err)
		}
	}
	qDays := int64(sc.q.Days())
	// Land rent, quarterly, with a service fee.
	rent := sc.participants(f, 200)
	fee := decimal.RequireFromString("0.03")
	for i := range rent {
		for k := 0; k < 1+sc.rng.IntN(3); k++ {
			rent[i].Parcels = append(rent[i].Parcels, ledger.Parcel{AreaMu: sc.decimal(200000, 4), Rate: sc.decimal(150000, 2)})
		}
		annual := new(big.Rat)
		for _, pc := range rent[i].Parcels {
			annual.Add(annual, new(big.Rat).Mul(rat(pc.AreaMu), rat(pc.Rate)))
		}
		part := new(big.Rat).Quo(new(big.Rat).Mul(annual, big.NewRat(sc.days(rent[i]), 1)), big.NewRat(4*qDays, 1))
		gross := halfUpFen(part)
		feeFen := halfUpFen(new(big.Rat).Mul(part, rat(fee)))
		sc.expected["ZJ/"+rent[i].Household+"/21101"] = gross - feeFen
	}
	create(ledger.AgreementInput{Code: "ZJ", Title: "土地流转", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
		Terms: ledger.Terms{Schedule: "quarterly", ServiceFeeRate: &fee, Participants: rent}})
	// Share dividend pool, with an awkward pool and awkward shares.
	holders := sc.participants(f, 150)
	codes := make([]string, len(holders))
	weights := make([]*big.Rat, len(holders))
	for i := range holders {
		sh := sc.decimal(1000000, 4)
		holders[i].Shares = &sh
		codes[i], weights[i] = holders[i].Household, new(big.Rat).Mul(rat(sh), big.NewRat(sc.days(holders[i]), 1))
	}
	create(ledger.AgreementInput{Code: "GJ", Title: "光伏分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01",
		Terms: ledger.Terms{Basis: "pool", Participants: holders}})
	pool := 100000 + sc.rng.Int64N(10000000)
	if _, err := s.Declare(ctx, f.Preparer, "RP", "GJ", ledger.DeclarationInput{Quarter: sc.q.String(), Amount: ledger.Fen(pool)}); err != nil {
		t.Fatal(err)
	}
	for h, fen := range largestRemainder(pool, codes, weights) {
		sc.expected["GJ/"+h+"/21102"] = fen
	}
	sc.pools["GJ"] = pool
	// Wages from work records.
	var records []ledger.WorkRecord
	wages := map[string]*big.Rat{}
	for i := 0; i < 400; i++ {
		h := f.Households[sc.rng.IntN(len(f.Households))]
		r := ledger.WorkRecord{Household: h, Date: sc.q.First().AddDate(0, 0, sc.rng.IntN(90)).Format("2006-01-02"),
			Quantity: sc.decimal(40, 1), Unit: "天", UnitRate: sc.decimal(2000000, 4)}
		records = append(records, r)
		if wages[h] == nil {
			wages[h] = new(big.Rat)
		}
		wages[h].Add(wages[h], new(big.Rat).Mul(rat(r.Quantity), rat(r.UnitRate)))
	}
	create(ledger.AgreementInput{Code: "WG", Title: "务工", Kind: ledger.Wage, Party: "C01", Start: "2026-01-01"})
	if _, err := s.AddWorkRecords(ctx, f.Preparer, "RP", "WG", records); err != nil {
		t.Fatal(err)
	}
	for h, total := range wages {
		sc.expected["WG/"+h+"/213"] = halfUpFen(total)
	}
}

func (sc *payoutScenario) checkRun(t *testing.T, f ledgertest.Fixture) ledger.PayoutRun {
	ctx := context.Background()
	s := f.Store
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "RP", ledger.RunInput{Quarter: sc.q.String()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	poolSums := map[string]int64{}
	for _, l := range run.Lines {
		got[fmt.Sprintf("%s/%s/%s", l.Agreement, l.Household, l.CreditAccount)] = l.Amount.Fen()
		poolSums[l.Agreement] += l.Amount.Fen()
	}
	for k, want := range sc.expected {
		if want != 0 && got[k] != want {
			t.Fatalf("%s: run %d fen, independent computation %d fen", k, got[k], want)
		}
	}
	for k, g := range got {
		if sc.expected[k] != g {
			t.Fatalf("%s: run has %d fen the independent computation does not", k, g)
		}
	}
	if poolSums["GJ"] != sc.pools["GJ"] {
		t.Fatalf("pool split adds up to %d, pool is %d", poolSums["GJ"], sc.pools["GJ"])
	}
	run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "RP", run.ID, ledger.ApproveInput{})
	if err != nil {
		t.Fatal(err)
	}
	sc.checkAccruals(t, f, run)
	return run
}

// checkAccruals ties the run's total to the credits of its accrual vouchers
// and checks the books still balance with control accounts equal to sub-ledgers.
func (sc *payoutScenario) checkAccruals(t *testing.T, f ledgertest.Fixture, run ledger.PayoutRun) {
	ctx := context.Background()
	s := f.Store
	seen := map[int64]bool{}
	var credits int64
	for _, l := range run.Lines {
		if seen[l.AccrualVoucherID] {
			continue
		}
		seen[l.AccrualVoucherID] = true
		v, err := s.Voucher(ctx, f.Auditor, "RP", l.AccrualVoucherID)
		if err != nil || v.Status != ledger.StatusPosted {
			t.Fatalf("accrual voucher %d: %v", l.AccrualVoucherID, err)
		}
		for _, vl := range v.Lines {
			if vl.Household != "" {
				credits += vl.Credit.Fen() - vl.Debit.Fen()
			}
		}
	}
	if credits != run.Total.Fen() {
		t.Fatalf("accrual credits %d ≠ run total %d", credits, run.Total.Fen())
	}
	tb, err := s.TrialBalance(ctx, f.Auditor, "RP", "2026-01", "2026-12")
	if err != nil || !tb.Balanced {
		t.Fatalf("trial balance: %v", err)
	}
	sub := map[string]int64{}
	for _, h := range f.Households {
		st, err := s.HouseholdStatement(ctx, f.Auditor, "RP", h, "2026-01", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range st.Accounts {
			sub[a.Account] += a.Closing.Fen()
		}
	}
	for _, row := range tb.Rows {
		if code := row.Code; code == "21101" || code == "21102" || code == "213" {
			if got := row.ClosingCredit.Fen() - row.ClosingDebit.Fen(); got != sub[code] {
				t.Fatalf("control account %s = %d, sub-ledgers %d", code, got, sub[code])
			}
		}
	}
}
