package ledger_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func TestJournalSegment(t *testing.T) {
	for code, want := range map[string]string{"H001": "H-H001", "h_01": "H-h-u01", "A-1": "H-A--1", "a-u": "H-a--u", "a_u": "H-a-uu"} {
		if got := ledger.JournalSegment('H', code); got != want {
			t.Errorf("%s → %s, want %s", code, got, want)
		}
	}
}

// randomJournalBook builds payoutFixture's approved and partly paid quarter
// plus seeded random receipts, payments, income, expenses, receivables and red
// reversals over 2026.
func randomJournalBook(t *testing.T, s *ledger.Store, seed uint64) ledgertest.Fixture {
	t.Helper()
	ctx := context.Background()
	sc := newReconScenario(t, s)
	f := sc.f
	rng := rand.New(rand.NewPCG(seed, 7))
	amount := func() *ledger.Money {
		return ledgertest.Amount(fmt.Sprintf("%d.%02d", 1+rng.IntN(5000), rng.IntN(100)))
	}
	var posted []ledger.Voucher
	for i := 0; i < 60; i++ {
		date := fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(11), 1+rng.IntN(28))
		h := f.Households[rng.IntN(len(f.Households))]
		m := amount()
		var lines []ledger.LineInput
		switch rng.IntN(5) {
		case 0:
			lines = []ledger.LineInput{{Account: "102", Debit: m}, {Account: "21101", Household: h, Credit: m}}
		case 1:
			lines = []ledger.LineInput{{Account: "21101", Household: h, Debit: m}, {Account: "102", Credit: m}}
		case 2:
			lines = []ledger.LineInput{{Account: "513", Debit: m}, {Account: "101", Credit: m}}
		case 3:
			lines = []ledger.LineInput{{Account: "112", Party: f.Parties[rng.IntN(2)], Debit: m}, {Account: "501", Credit: m}}
		default:
			lines = []ledger.LineInput{{Account: "101", Debit: m}, {Account: "504", Credit: m}}
		}
		posted = append(posted, f.Post(t, ledger.VoucherInput{Date: date, Summary: fmt.Sprintf("随机凭证 %d; 含: 标点, \"引号\"", i), Lines: lines}))
	}
	for i := 0; i < 5; i++ {
		orig := posted[rng.IntN(len(posted))]
		rv, err := s.ReverseVoucher(ctx, f.Preparer, "P1", orig.ID, ledger.ReverseInput{Date: "2026-11-30"})
		if err != nil {
			continue // already reversed
		}
		if _, err := s.PostVoucher(ctx, f.Reviewer, "P1", rv.ID); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestJournalChecksWithHledgerAndBeancount(t *testing.T) {
	hledger, errH := exec.LookPath("hledger")
	beanCheck, errB := exec.LookPath("bean-check")
	beanQuery, errQ := exec.LookPath("bean-query")
	if errH != nil && (errB != nil || errQ != nil) {
		t.Skip("neither hledger nor bean-check/bean-query is installed")
	}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		f := randomJournalBook(t, s, seed)
		ctx := context.Background()
		accounts, err := s.Accounts(ctx, f.Auditor, "P1")
		if err != nil {
			t.Fatal(err)
		}
		chart := map[string]ledger.Account{}
		for _, a := range accounts {
			chart[a.Code] = a
		}
		dir := t.TempDir()
		for _, r := range [][2]ledger.Period{{"", ""}, {"2026-04", "2026-10"}, {"2026-11", "2026-11"}} {
			tb, err := s.TrialBalance(ctx, f.Auditor, "P1", orDefault(r[0], "2026-01"), orDefault(r[1], "2026-11"))
			if err != nil || !tb.Balanced {
				t.Fatalf("trial balance: %v", err)
			}
			if errH == nil {
				file := writeJournal(t, s, f, ledger.JournalHledger, r, dir)
				run(t, seed, hledger, "-f", file, "check", "-s", "ordereddates")
				out := run(t, seed, hledger, "-f", file, "bal", "--tree", "--no-elide", "-N", "-O", "csv")
				compareBalances(t, seed, "hledger "+file, tb, chart, parseCSVBalances(t, out, false), false)
			}
			if errB == nil && errQ == nil {
				file := writeJournal(t, s, f, ledger.JournalBeancount, r, dir)
				run(t, seed, beanCheck, file)
				out := run(t, seed, beanQuery, "-f", "csv", file, "SELECT account, sum(number) AS total GROUP BY account ORDER BY account")
				compareBalances(t, seed, "beancount "+file, tb, chart, parseCSVBalances(t, out, true), true)
			}
		}
	})
}

func orDefault(p ledger.Period, def string) string {
	if p == "" {
		return def
	}
	return string(p)
}

func writeJournal(t *testing.T, s *ledger.Store, f ledgertest.Fixture, format string, r [2]ledger.Period, dir string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Journal(context.Background(), f.Auditor, "P1", format, r[0], r[1], &buf); err != nil {
		t.Fatal(err)
	}
	head, err := s.ChainHead(context.Background(), f.Auditor, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), head.String()) || !strings.Contains(buf.String(), head.Hash) {
		t.Fatalf("%s journal does not show the chain head %s", format, head)
	}
	file := filepath.Join(dir, fmt.Sprintf("p1-%s-%s.%s", orDefault(r[0], "all"), orDefault(r[1], "all"), format))
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func run(t *testing.T, seed uint64, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || (strings.HasSuffix(name, "bean-check") && stderr.Len() > 0) {
		t.Fatalf("seed %d: %s %s: %v\n%s%s", seed, name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// parseCSVBalances reads "account,balance" rows into fen per account.
func parseCSVBalances(t *testing.T, out string, beancount bool) map[string]int64 {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	got := map[string]int64{}
	for i, rec := range recs {
		if i == 0 || len(rec) < 2 {
			continue
		}
		acc := strings.TrimSpace(rec[0])
		amount := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rec[1]), "CNY"))
		if amount == "" || amount == "0" {
			got[acc] = 0
			continue
		}
		m, err := ledger.ParseMoney(amount)
		if err != nil {
			t.Fatalf("amount %q of %s: %v", rec[1], acc, err)
		}
		got[acc] = m.Fen()
	}
	return got
}

// compareBalances requires every trial balance row's closing balance to equal
// the tool's balance of the account (with its sub-accounts), and the roots to
// add up to zero. rollUp is set when the tool reports leaf balances only.
func compareBalances(t *testing.T, seed uint64, what string, tb ledger.TrialBalance, chart map[string]ledger.Account, got map[string]int64, rollUp bool) {
	t.Helper()
	balance := func(path string) int64 {
		if !rollUp {
			return got[path]
		}
		var sum int64
		for acc, v := range got {
			if acc == path || strings.HasPrefix(acc, path+":") {
				sum += v
			}
		}
		return sum
	}
	var roots int64
	for _, root := range []string{"Assets", "Liabilities", "Equity", "Income", "Expenses"} {
		roots += balance(root)
	}
	if roots != 0 {
		t.Errorf("seed %d: %s: the five roots add up to %s", seed, what, ledger.Fen(roots))
	}
	rows := 0
	for _, row := range tb.Rows {
		want := row.ClosingDebit.Sub(row.ClosingCredit).Fen()
		path := ledger.JournalAccount(chart, row.Code, "", "")
		if g := balance(path); g != want {
			t.Errorf("seed %d: %s: %s %s closing %s, tool says %s", seed, what, row.Code, row.Name, ledger.Fen(want), ledger.Fen(g))
		}
		if want != 0 {
			rows++
		}
	}
	if rows < 10 {
		t.Errorf("seed %d: %s: only %d non-zero rows compared", seed, what, rows)
	}
}
