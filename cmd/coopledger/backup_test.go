package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestBackupUnderLoad: `coopledger backup` copies a SQLite database while
// four writers keep posting; the copy, restored by copying it into place,
// verifies clean, keeps every invariant and holds a consistent prefix of the
// posted vouchers.
func TestBackupUnderLoad(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "live.db")
	s := openDSN(t, dsn)
	f := ledgertest.NewFixture(t, s, "BK", ledger.KindVillage, 4)
	before := postedCount(t, s)

	var posted atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ { // bounded: the backup ends the loop long before
				select {
				case <-stop:
					return
				default:
				}
				f.Post(t, loadVoucher(w, i, f.Households[i%len(f.Households)]))
				posted.Add(1)
			}
		}()
	}
	for posted.Load() < 20 {
		time.Sleep(5 * time.Millisecond)
	}
	backup := filepath.Join(dir, "copy.db")
	out := mustInvoke(t, "backup", "--db", dsn, backup)
	atBackup := posted.Load()
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "OK   BK") {
		t.Errorf("backup did not verify the copy:\n%s", out)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", st, err)
	}

	restored := filepath.Join(dir, "restored.db")
	copyFile(t, backup, restored)
	mustInvoke(t, "verify", "--db", "sqlite:"+restored)
	r := openDSN(t, "sqlite:"+restored)
	if p := ledgertest.Invariants(context.Background(), r, "BK"); len(p) > 0 {
		t.Fatalf("restored backup: %v", p)
	}
	n := postedCount(t, r)
	if n <= before || n > before+int(posted.Load()) {
		t.Errorf("restored backup holds %d posted vouchers; %d before the writers, %d posted by the end (%d at the backup)",
			n, before, before+int(posted.Load()), atBackup)
	}
	if _, _, err := invoke(context.Background(), nil, "backup", "--db", dsn, backup); err == nil {
		t.Error("backup over an existing file succeeded")
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	if os.Getenv(ledgertest.EnvPostgres) == "" {
		t.Skip("no PostgreSQL")
	}
	dsn := ledgertest.DSN(t, "postgres")
	_, _, err := invoke(context.Background(), nil, "backup", "--db", dsn, filepath.Join(t.TempDir(), "x.db"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of PostgreSQL: %v", err)
	}
}

func loadVoucher(w, i int, household string) ledger.VoucherInput {
	amount := fmt.Sprintf("%d.%02d", 1+i%50, (w*7+i)%100)
	return ledger.VoucherInput{Date: fmt.Sprintf("2026-%02d-%02d", 1+i%6, 1+i%28), Summary: fmt.Sprintf("备份负载 w%d-%d", w, i),
		Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount(amount)},
			{Account: "21101", Household: household, Credit: ledgertest.Amount(amount)},
		}}
}

func postedCount(t *testing.T, s *ledger.Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM vouchers WHERE status = 'posted'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
