package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// A new SQLite database in an existing directory is private to its owner,
// and so are its -wal and -shm files.
func TestSQLiteFileIsCreatedPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "books.db")
	s, err := ledger.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ledgertest.NewFixture(t, s, "FM", ledger.KindVillage, 1) // writes, so the WAL exists
	for _, name := range []string{"books.db", "books.db-wal", "books.db-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, perm)
		}
	}
}
