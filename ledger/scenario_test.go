package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// scenarioOps is how many random operations a scenario runs; raise it with
// COOPLEDGER_SCENARIO_OPS for a longer soak.
func scenarioOps() int {
	if n, err := strconv.Atoi(os.Getenv("COOPLEDGER_SCENARIO_OPS")); err == nil && n > 0 {
		return n
	}
	return 4000
}

// model is the test's own account of what was posted, kept independently of
// the ledger's maintained balances.
type model struct {
	rng        *rand.Rand
	f          ledgertest.Fixture
	leaves     []ledger.Account
	drafts     map[int64]string // id → period
	posted     []ledger.Voucher
	reversed   map[int64]bool
	numbers    map[string][]int
	net        map[string]int64 // account|household → debit − credit
	lastClosed ledger.Period
}

func TestRandomizedScenario(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("COOPLEDGER_SEED"), 10, 64); err == nil {
		seed = s
	}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("reproduce with COOPLEDGER_SEED=%d", seed)
			}
		})
		m := newModel(t, s, seed)
		ops := scenarioOps()
		for i := 0; i < ops; i++ {
			m.step(t)
		}
		m.check(t)
		t.Logf("seed %d: %d posted (%d reversed), %d drafts left, closed through %s", seed, len(m.posted), len(m.reversed), len(m.drafts), m.lastClosed)
	})
}

func newModel(t *testing.T, s *ledger.Store, seed uint64) *model {
	f := ledgertest.NewFixture(t, s, "R1", ledger.KindVillage, 20)
	accounts, err := s.Accounts(context.Background(), f.Preparer, "R1")
	if err != nil {
		t.Fatal(err)
	}
	m := &model{rng: rand.New(rand.NewPCG(seed, 7)), f: f, drafts: map[int64]string{}, reversed: map[int64]bool{},
		numbers: map[string][]int{}, net: map[string]int64{}, lastClosed: "2025-12"}
	for _, a := range accounts {
		if a.Leaf && !cashAccount(a.Code) { // random lines would overdraw cash
			m.leaves = append(m.leaves, a)
		}
	}
	return m
}

func (m *model) step(t *testing.T) {
	switch r := m.rng.IntN(100); {
	case r < 48:
		m.createDraft(t)
	case r < 88:
		m.postDraft(t)
	case r < 92:
		m.deleteDraft(t)
	case r < 99:
		m.reverse(t)
	default:
		m.closeMonth(t)
	}
}

func (m *model) openPeriod() string {
	return string(m.lastClosed.Next().Add(m.rng.IntN(3)))
}

func (m *model) randomLine(amount int64, debit bool) ledger.LineInput {
	acc := m.leaves[m.rng.IntN(len(m.leaves))]
	l := ledger.LineInput{Account: acc.Code}
	switch acc.Aux {
	case ledger.AuxHousehold:
		l.Household = m.f.Households[m.rng.IntN(len(m.f.Households))]
	case ledger.AuxParty:
		l.Party = m.f.Parties[m.rng.IntN(len(m.f.Parties))]
	}
	amt := ledger.Fen(amount)
	if debit {
		l.Debit = &amt
	} else {
		l.Credit = &amt
	}
	return l
}

func (m *model) createDraft(t *testing.T) {
	n := 1 + m.rng.IntN(3)
	var lines []ledger.LineInput
	var total int64
	for i := 0; i < n; i++ {
		amt := 1 + m.rng.Int64N(500000)
		total += amt
		lines = append(lines, m.randomLine(amt, true))
	}
	lines = append(lines, m.randomLine(total, false))
	period := m.openPeriod()
	in := ledger.VoucherInput{Date: period + fmt.Sprintf("-%02d", 1+m.rng.IntN(28)), Summary: "随机凭证", Lines: lines}
	v, err := m.f.Store.CreateVoucher(context.Background(), m.f.Preparer, "R1", in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	m.drafts[v.ID] = v.Period
}

func (m *model) anyDraft() (int64, bool) {
	ids := make([]int64, 0, len(m.drafts))
	for id := range m.drafts {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return 0, false
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids[m.rng.IntN(len(ids))], true
}

func (m *model) postDraft(t *testing.T) {
	id, ok := m.anyDraft()
	if !ok {
		return
	}
	v, err := m.f.Store.PostVoucher(context.Background(), m.f.Reviewer, "R1", id)
	if err != nil {
		t.Fatalf("post %d: %v", id, err)
	}
	delete(m.drafts, id)
	m.record(v)
}

func (m *model) record(v ledger.Voucher) {
	m.posted = append(m.posted, v)
	var n int
	fmt.Sscanf(v.Number, "记-%d", &n)
	m.numbers[v.Period] = append(m.numbers[v.Period], n)
	for _, l := range v.Lines {
		m.net[l.Account+"|"+l.Household] += l.Debit.Fen() - l.Credit.Fen()
	}
}

func (m *model) deleteDraft(t *testing.T) {
	id, ok := m.anyDraft()
	if !ok {
		return
	}
	if err := m.f.Store.DeleteVoucher(context.Background(), m.f.Preparer, "R1", id); err != nil {
		t.Fatalf("delete %d: %v", id, err)
	}
	delete(m.drafts, id)
}

func (m *model) reverse(t *testing.T) {
	if len(m.posted) == 0 {
		return
	}
	orig := m.posted[m.rng.IntN(len(m.posted))]
	if orig.ReversesID != 0 || m.reversed[orig.ID] {
		return
	}
	ctx := context.Background()
	r, err := m.f.Store.ReverseVoucher(ctx, m.f.Preparer, "R1", orig.ID, ledger.ReverseInput{Date: m.openPeriod() + "-28"})
	if err != nil {
		t.Fatalf("reverse %d: %v", orig.ID, err)
	}
	r, err = m.f.Store.PostVoucher(ctx, m.f.Township, "R1", r.ID)
	if err != nil {
		t.Fatalf("post reversal: %v", err)
	}
	m.reversed[orig.ID] = true
	m.record(r)
}

// closeMonth posts every draft of the next open month, then closes it.
func (m *model) closeMonth(t *testing.T) {
	p := m.lastClosed.Next()
	for id, period := range m.drafts {
		if period == string(p) {
			v, err := m.f.Store.PostVoucher(context.Background(), m.f.Reviewer, "R1", id)
			if err != nil {
				t.Fatalf("post before close: %v", err)
			}
			delete(m.drafts, id)
			m.record(v)
		}
	}
	if _, err := m.f.Store.ClosePeriod(context.Background(), m.f.Preparer, "R1", string(p)); err != nil {
		t.Fatalf("close %s: %v", p, err)
	}
	m.lastClosed = p
}

func (m *model) check(t *testing.T) {
	ctx := context.Background()
	s, a := m.f.Store, m.f.Auditor
	rep, err := s.Verify(ctx, a, "R1")
	if err != nil || !rep.OK || rep.Vouchers != len(m.posted) {
		t.Fatalf("verify: %+v %v (model has %d posted)", rep, err, len(m.posted))
	}
	for p, ns := range m.numbers {
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				t.Fatalf("%s numbers not gapless: %v", p, ns)
			}
		}
	}
	last := string(m.lastClosed.Next().Add(3))
	for i := 0; i < 10; i++ {
		from := ledger.Period("2026-01").Add(m.rng.IntN(6))
		tb, err := s.TrialBalance(ctx, a, "R1", string(from), last)
		if err != nil || !tb.Balanced {
			t.Fatalf("trial balance %s..%s unbalanced: %+v %v", from, last, tb.Totals, err)
		}
	}
	m.checkAccounts(t, last)
}

// checkAccounts compares the trial balance and each household statement with
// the model, and each control account with the sum of its sub-ledgers.
func (m *model) checkAccounts(t *testing.T, last string) {
	ctx := context.Background()
	s, a := m.f.Store, m.f.Auditor
	tb, err := s.TrialBalance(ctx, a, "R1", "2026-01", last)
	if err != nil {
		t.Fatal(err)
	}
	perAccount := map[string]int64{}
	for k, v := range m.net {
		account, _, _ := strings.Cut(k, "|")
		perAccount[account] += v
	}
	subLedgers := map[string]int64{}
	for _, h := range m.f.Households {
		st, err := s.HouseholdStatement(ctx, a, "R1", h, "2026-01", last)
		if err != nil {
			t.Fatal(err)
		}
		for _, sa := range st.Accounts {
			net := sa.Closing.Fen()
			if sa.NormalSide == ledger.Credit {
				net = -net
			}
			if want := m.net[sa.Account+"|"+h]; net != want {
				t.Fatalf("household %s account %s: statement %d, model %d", h, sa.Account, net, want)
			}
			subLedgers[sa.Account] += net
		}
	}
	for _, row := range tb.Rows {
		if !row.Leaf {
			continue
		}
		got := row.ClosingDebit.Fen() - row.ClosingCredit.Fen()
		if got != perAccount[row.Code] {
			t.Fatalf("account %s: trial balance %d, model %d", row.Code, got, perAccount[row.Code])
		}
		if m.isHouseholdAccount(row.Code) && got != subLedgers[row.Code] {
			t.Fatalf("control account %s: %d, sub-ledgers sum %d", row.Code, got, subLedgers[row.Code])
		}
	}
}

func (m *model) isHouseholdAccount(code string) bool {
	for _, a := range m.leaves {
		if a.Code == code {
			return a.Aux == ledger.AuxHousehold
		}
	}
	return false
}
