package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // SQLite driver "sqlite", pure Go

	"coopledger/migrations"
)

// Dialect names the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// sqlitePragmas make SQLite safe under concurrency: WAL, a busy timeout, foreign
// keys, and immediate transactions (deferred ones fail with SQLITE_BUSY when
// two writers upgrade their locks at once). Each connection's page cache may
// grow to 64 MiB (the default 2 MiB): a batch import's transaction dirties more
// than 2 MiB of index pages, which then spilled to the WAL and were read back
// mid-transaction; the cache fills only with pages actually read.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)&_txlock=immediate"

// Store is the ledger over one database. It is safe for concurrent use.
type Store struct {
	db      *bun.DB
	dialect Dialect
	// writeMu serializes writers on SQLite, which allows one writer at a time
	// anyway; waiting here instead of in the driver means no SQLITE_BUSY ever
	// reaches a caller of this process.
	writeMu writeLock
	queue   writeQueue // writes waiting to share a commit (groupcommit.go)
	now     func() time.Time
	stmts   stmtCache // prepared hot statements (SQLite), see sqlfast.go
	scopes  sync.Map  // book code → the book's id and township (bookScope)
}

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
	return migrations.Apply(ctx, s.db, string(s.dialect))
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

// Dialect reports which database is behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the bun handle for tests, benchmarks and tools in this module.
func (s *Store) DB() *bun.DB { return s.db }

// SetClock replaces the clock; tests use it for deterministic timestamps.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) timestamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

type dryRunKey struct{}

// WithDryRun returns a context in which writes run every check and then roll
// back, answering ErrDryRun where they would have committed. Imports use it
// to list the problems of every row in one answer.
func WithDryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, dryRunKey{}, true)
}

// ErrDryRun is what a write in a dry-run context returns instead of committing.
var ErrDryRun = &Error{Code: ECodeConflict, Message: "试算：检查通过，未写入"}

// maxWriteAttempts bounds retries of a write transaction that lost a race
// (PostgreSQL deadlock or serialization failure, SQLite busy from another process).
const maxWriteAttempts = 6

// write runs fn in one transaction, retrying transient conflicts. fn must be
// idempotent up to its side effects inside tx.
func (s *Store) write(ctx context.Context, fn func(tx bun.Tx) error) error {
	if s.dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	return s.writeLocked(ctx, fn)
}

// writeLocked is write for a caller that holds the writer lock (SQLite).
func (s *Store) writeLocked(ctx context.Context, fn func(tx bun.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxWriteAttempts; attempt++ {
		err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return s.inTx(ctx, tx, fn)
		})
		if err == nil {
			markClaimUsed(ctx)
		}
		if err == nil || !transient(err) {
			return translate(err)
		}
		backoff := time.Duration(5<<attempt)*time.Millisecond + time.Duration(rand.IntN(5))*time.Millisecond
		select {
		case <-ctx.Done():
			return translate(ctx.Err())
		case <-time.After(backoff):
		}
	}
	return translate(err)
}

// inTx is the body of every write transaction: fn, then the claims of ctx
// (an upload's file, an idempotency key); a dry run answers ErrDryRun here
// so that its caller rolls back.
func (s *Store) inTx(ctx context.Context, tx bun.Tx, fn func(tx bun.Tx) error) error {
	if err := fn(tx); err != nil {
		return err
	}
	if err := s.claimFileInTx(ctx, tx); err != nil {
		return err
	}
	if err := s.claimInTx(ctx, tx); err != nil {
		return err
	}
	if ctx.Value(dryRunKey{}) != nil {
		return ErrDryRun
	}
	return nil
}

// transient reports errors worth retrying the whole transaction for.
func transient(err error) bool {
	msg := err.Error()
	for _, s := range []string{"SQLSTATE 40001", "SQLSTATE 40P01", "SQLITE_BUSY", "database is locked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// translate turns database errors our triggers and constraints raise into
// domain errors; everything else passes through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "immutable:"):
		return &Error{Code: ECodeImmutable, Message: "已过账的凭证和审计日志不可修改或删除"}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	return err
}

// nextID allocates the next value of a counter inside tx. Counters are per
// book (bookID 0 for global ones such as users and books).
func nextID(ctx context.Context, tx bun.IDB, bookID int64, name string) (int64, error) {
	var v int64
	err := tx.NewRaw(nextIDSQL, bookID, name).Scan(ctx, &v)
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return v, nil
}

const nextIDSQL = `INSERT INTO counters (book_id, name, value) VALUES (?, ?, 1)
		ON CONFLICT (book_id, name) DO UPDATE SET value = counters.value + 1
		RETURNING value`

// nextID is the package function nextID with a prepared statement.
func (s *Store) nextID(ctx context.Context, tx bun.IDB, bookID int64, name string) (int64, error) {
	var v int64
	if err := s.scanRow(ctx, tx, nextIDSQL, []any{bookID, name}, &v); err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return v, nil
}

// forUpdate is the row-lock suffix; SQLite needs none (one writer at a time).
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func notFound(what string, key any) *Error {
	return Errorf(ECodeNotFound, "%s不存在：%v", what, key)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func (d Dialect) String() string { return string(d) }
