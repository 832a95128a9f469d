package ledger_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// waitQueued waits (at most 10 s) until n writes wait for the writer lock.
func waitQueued(t *testing.T, s *ledger.Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.QueuedWrites() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", s.QueuedWrites(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupedWritesFailAlone queues creations and postings, some of them
// refused, behind the writer lock so that they run as one group sharing a
// commit (SQLite): each refusal answers its own error and leaves nothing,
// the others are committed with their audit entries, numbers and balances.
func TestGroupedWritesFailAlone(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	f := ledgertest.NewFixture(t, s, "G1", ledger.KindVillage, 3)
	ctx := context.Background()
	d1, err := s.CreateVoucher(ctx, f.Preparer, "G1", rentVoucher("2026-02-01", "H001", "10.00"))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.CreateVoucher(ctx, f.Preparer, "G1", rentVoucher("2026-02-02", "H002", "20.00"))
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	claim := ledger.IdempotencyClaim{UserID: f.Preparer.UserID, Key: "group-key-0001", RequestHash: "h"}
	createAs := func(c context.Context, a ledger.Actor, in ledger.VoucherInput) func() error {
		return func() error { _, err := s.CreateVoucher(c, a, "G1", in); return err }
	}
	create := func(c context.Context, in ledger.VoucherInput) func() error {
		return createAs(c, f.Preparer, in)
	}
	claiming := f.Preparer.With(ledger.WriteOptions{Idempotency: claim})
	writes := []struct {
		name string
		run  func() error
		ok   bool
	}{
		{"create", create(ctx, rentVoucher("2026-02-03", "H001", "30.00")), true},
		{"unknown household", create(ctx, rentVoucher("2026-02-03", "H999", "31.00")), false},
		{"post", func() error { _, err := s.PostVoucher(ctx, f.Reviewer, "G1", d1.ID); return err }, true},
		{"preparer posts", func() error { _, err := s.PostVoucher(ctx, f.Preparer, "G1", d2.ID); return err }, false},
		{"cancelled", create(cancelled, rentVoucher("2026-02-04", "H002", "32.00")), false},
		{"claims key", createAs(ctx, claiming, rentVoucher("2026-02-05", "H003", "33.00")), true},
		{"claims key again", createAs(ctx, claiming, rentVoucher("2026-02-05", "H003", "34.00")), false},
		{"create 2", create(ctx, rentVoucher("2026-02-06", "H002", "35.00")), true},
	}
	release := s.HoldWriter()
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w.run() }()
	}
	waitQueued(t, s, len(writes))
	release()
	wg.Wait()
	// The two claims of one key race: exactly one of them wins.
	if (errs[5] == nil) == (errs[6] == nil) {
		t.Fatalf("one key claimed twice or never: %v / %v", errs[5], errs[6])
	}
	for i, w := range writes {
		if i == 5 || i == 6 {
			continue
		}
		if (errs[i] == nil) != w.ok {
			t.Errorf("%s: err %v, want success %v", w.name, errs[i], w.ok)
		}
	}
	vs, err := s.Vouchers(ctx, f.Auditor, "G1", ledger.VoucherFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ledger.VoucherStatus{}
	for _, v := range vs {
		got[v.Total.String()] = v.Status
	}
	want := map[string]ledger.VoucherStatus{"10.00": ledger.StatusPosted, "20.00": ledger.StatusDraft, "30.00": ledger.StatusDraft, "35.00": ledger.StatusDraft}
	if errs[5] == nil {
		want["33.00"] = ledger.StatusDraft
	} else {
		want["34.00"] = ledger.StatusDraft
	}
	if len(got) != len(want) {
		t.Fatalf("vouchers %v, want %v", got, want)
	}
	for k, st := range want {
		if got[k] != st {
			t.Fatalf("vouchers %v, want %v", got, want)
		}
	}
	log, err := s.AuditLog(ctx, f.Auditor, "G1", ledger.AuditFilter{Entity: "voucher", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != len(want)+1 { // a "create" per voucher and one "post"
		t.Fatalf("%d audit entries for vouchers, want %d", len(log), len(want)+1)
	}
	if problems := ledgertest.Invariants(ctx, s, "G1"); len(problems) > 0 {
		t.Fatalf("invariants: %v", problems)
	}
	if rep, err := s.Verify(ctx, f.Auditor, "G1"); err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// TestGroupRerunsAloneWhenItsTransactionFails breaks the shared transaction
// from inside one write of a group: every write is then run again alone, so
// the one before it is committed once, not lost, and the one after it too.
func TestGroupRerunsAloneWhenItsTransactionFails(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	ctx := context.Background()
	count := func(name string) func(ctx context.Context, tx bun.Tx) error {
		return func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO counters (book_id, name, value) VALUES (0, ?, 1)
				ON CONFLICT (book_id, name) DO UPDATE SET value = counters.value + 1`, name)
			return err
		}
	}
	broken := errors.New("broke the transaction")
	writes := []func(ctx context.Context, tx bun.Tx) error{
		count("group-test-a"),
		func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "ROLLBACK"); err != nil {
				return err
			}
			return broken
		},
		count("group-test-c"),
	}
	release := s.HoldWriter()
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, fn := range writes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.WriteGrouped(ctx, fn) }()
		waitQueued(t, s, i+1) // in this order
	}
	release()
	wg.Wait()
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], broken) {
		t.Fatalf("errors %v", errs)
	}
	for _, name := range []string{"group-test-a", "group-test-c"} {
		var v int
		if err := s.DB().NewRaw("SELECT value FROM counters WHERE book_id = 0 AND name = ?", name).Scan(ctx, &v); err != nil || v != 1 {
			t.Fatalf("%s = %d (%v), want 1", name, v, err)
		}
	}
}

// TestGroupSurvivesAPanic: a write that panics (a bug) inside a group makes
// the goroutine running the group panic, as it would alone; every other
// write of the group is answered instead of waiting forever, and a write
// that was answered with an error left nothing behind.
func TestGroupSurvivesAPanic(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	ctx := context.Background()
	names := []string{"panic-test-a", "", "panic-test-c"}
	release := s.HoldWriter()
	errs := make([]error, len(names))
	panicked := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panicked[i] = recover() != nil }()
			errs[i] = s.WriteGrouped(ctx, func(ctx context.Context, tx bun.Tx) error {
				if name == "" {
					panic("a bug")
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO counters (book_id, name, value) VALUES (0, ?, 1)", name)
				return err
			})
		}()
		waitQueued(t, s, i+1)
	}
	release()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a write of the group still waits")
	}
	n := 0
	for i, name := range names {
		if panicked[i] {
			n++
			continue
		}
		if name == "" {
			continue
		}
		var v int
		err := s.DB().NewRaw("SELECT value FROM counters WHERE book_id = 0 AND name = ?", name).Scan(ctx, &v)
		if (errs[i] == nil) != (err == nil) {
			t.Errorf("%s: write answered %v, counter read %v", name, errs[i], err)
		}
	}
	if n != 1 {
		t.Fatalf("%d goroutines panicked, want the one that ran the group", n)
	}
	// The writer lock was released: a write after the panic goes through.
	if _, _, err := s.CreateUser(ctx, ledger.System, ledger.NewUser{Name: "之后", Role: ledger.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
}
