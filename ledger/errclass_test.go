package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// Errors are classified by the drivers' codes: a real unique violation and a
// real trigger refusal are recognised on both databases; text that merely
// looks like one is not.
func TestErrorClassification(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		db := s.DB()
		if _, err := db.ExecContext(ctx, "CREATE TABLE errclass (k TEXT PRIMARY KEY, u TEXT UNIQUE)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO errclass (k, u) VALUES ('a', 'x')"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"INSERT INTO errclass (k, u) VALUES ('a', 'y')", "INSERT INTO errclass (k, u) VALUES ('b', 'x')"} {
			_, err := db.ExecContext(ctx, q)
			if err == nil || !ledger.IsUniqueViolation(err) || ledger.Transient(err) || ledger.RaisedByTrigger(err) {
				t.Errorf("%s: %v not classified as a unique violation only", q, err)
			}
		}
		f := ledgertest.NewFixture(t, s, "E1", ledger.KindVillage, 1)
		v := f.Post(t, rentVoucher("2026-03-05", "H001", "10.00"))
		_, err := db.ExecContext(ctx, "UPDATE vouchers SET summary = 'x' WHERE id = ?", v.ID)
		if !ledger.RaisedByTrigger(err) || ledger.IsUniqueViolation(err) {
			t.Fatalf("changing a posted voucher: %v not classified as a trigger's refusal", err)
		}
		if code := ledger.ErrorCode(ledger.Translate(err)); code != ledger.ECodeImmutable {
			t.Fatalf("translated to %q, want %q", code, ledger.ECodeImmutable)
		}
		for _, text := range []string{"UNIQUE constraint failed: x.k", "SQLSTATE 23505", "SQLSTATE 40001", "database is locked (5) (SQLITE_BUSY)", "immutable: x"} {
			err := errors.New(text)
			if ledger.IsUniqueViolation(err) || ledger.Transient(err) || ledger.RaisedByTrigger(err) {
				t.Errorf("plain text %q classified as a driver error", text)
			}
		}
	})
}

// A write that loses a race is transient on both databases: SQLite busy
// (another process holds the write lock), PostgreSQL serialization failure.
func TestTransientErrors(t *testing.T) {
	for _, d := range ledgertest.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			dsn := ledgertest.DSN(t, d)
			driver, name := "pgx", dsn
			if d == "sqlite" {
				driver, name = "sqlite", strings.TrimPrefix(dsn, "sqlite:")
			}
			db, err := sql.Open(driver, name)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ExecContext(ctx, "CREATE TABLE race (id INTEGER PRIMARY KEY, n INTEGER)"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, "INSERT INTO race (id, n) VALUES (1, 0)"); err != nil {
				t.Fatal(err)
			}
			c1, c2 := conn(t, db), conn(t, db)
			begin := "BEGIN IMMEDIATE"
			if d == "postgres" {
				begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
			}
			for _, c := range []*sql.Conn{c1, c2} {
				if _, err := c.ExecContext(ctx, begin); err != nil && d == "postgres" {
					t.Fatal(err)
				} else if err != nil {
					if !ledger.Transient(err) || ledger.IsUniqueViolation(err) {
						t.Fatalf("SQLite busy: %v not transient", err)
					}
					return
				}
				var n int
				if err := c.QueryRowContext(ctx, "SELECT n FROM race WHERE id = 1").Scan(&n); err != nil {
					t.Fatal(err)
				}
			}
			if d == "sqlite" {
				t.Fatal("a second immediate transaction began beside the first")
			}
			if _, err := c1.ExecContext(ctx, "UPDATE race SET n = 1 WHERE id = 1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c1.ExecContext(ctx, "COMMIT"); err != nil {
				t.Fatal(err)
			}
			_, err = c2.ExecContext(ctx, "UPDATE race SET n = 2 WHERE id = 1")
			c2.ExecContext(ctx, "ROLLBACK")
			if !ledger.Transient(err) {
				t.Fatalf("PostgreSQL serialization failure: %v not transient", err)
			}
		})
	}
}

func conn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
