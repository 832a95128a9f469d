package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // SQLite driver "sqlite", pure Go

	"coopledger/migrations"
)

// sqlitePragmas make SQLite safe under concurrency: WAL, a busy timeout, foreign
// keys, and immediate transactions (deferred ones fail with SQLITE_BUSY when
// two writers upgrade their locks at once). Each connection's page cache may
// grow to 64 MiB (the default 2 MiB): a batch import's transaction dirties more
// than 2 MiB of index pages, which then spilled to the WAL and were read back
// mid-transaction; the cache fills only with pages actually read.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)&_txlock=immediate"

// Open connects to dsn ("sqlite:PATH" or "postgres://…"), applies pending
// migrations and returns the store.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Connect opens the database without migrating it.
func Connect(ctx context.Context, dsn string) (*Store, error) {
	var (
		s   = &Store{now: time.Now}
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		s.dialect = SQLite
		s.db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = Postgres
		s.db, err = openPostgres(dsn)
	default:
		return nil, fmt.Errorf("database %q: expected sqlite:PATH or postgres://URL", dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to %s: %w", s.dialect, err)
	}
	return s, nil
}

func openSQLite(path string) (*bun.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	sqldb, err := sql.Open("sqlite", "file:"+path+sep+sqlitePragmas)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(8)
	// Keep every connection: the default keeps two idle, so under eight
	// concurrent requests connections were closed and reopened all the time
	// (each open runs the pragmas and maps the WAL index) and the hot
	// statements prepared on them were lost with them.
	sqldb.SetMaxIdleConns(8)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

func openPostgres(dsn string) (*bun.DB, error) {
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(32)
	sqldb.SetMaxIdleConns(32)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// Migrate applies pending migrations and returns their names.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	if s.dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	applied, err := migrations.Apply(ctx, s.db, string(s.dialect))
	if err != nil {
		return applied, err
	}
	if err := s.fillReferenceKeys(ctx); err != nil {
		return applied, err
	}
	return applied, s.fillGroupKeys(ctx)
}

// Close releases the database.
func (s *Store) Close() error {
	if s.dialect == SQLite {
		s.writeMu.Lock()
		s.closeGroupConn()
		s.writeMu.Unlock()
	}
	s.closeStmts()
	return s.db.Close()
}
