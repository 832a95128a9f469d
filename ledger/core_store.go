package ledger

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// Group core (core_*.go): the store layer and the books every wing stands on.
//
//   - store layer: Store and its fields (core_store.go); Open, Connect,
//     Migrate, Close (core_open.go); transactions, retries, dry runs and group
//     commit (core_groupcommit.go); prepared SQL and nextID (core_sqlfast.go);
//     multi-row INSERTs and the maintained-balance accumulator (core_bulk.go);
//     scanAll, the one row-scan loop (core_scan.go);
//     idempotency claims (core_idempotency.go) and replayed responses
//     (core_replay.go); errors (core_errors.go); users, tokens and
//     authorisation (core_users.go, core_revoke.go, core_auth.go); the audit log
//     (core_audit.go); backups, panics, bounded parallelism; a new SQLite
//     file created private (core_sqlite_file.go).
//   - books: a book and its lookup (core_book.go), creating and listing books
//     (core_books.go), charts and accounts, households and parties (their one
//     get and update path in core_registers.go), the
//     invisible-character rule for names and the bank-reference key
//     (core_text.go), vouchers
//     (types and the one line and balance rule, checkBalancedLines, in
//     core_voucher_rules.go, drafts in
//     core_vouchers.go, posting and red reversal in core_posting.go), the
//     SHA-256 chain (core_chain.go, core_chainhead.go, core_verify.go), months
//     (core_periods.go), trial balance and account ledgers (core_queries.go),
//     hledger/beancount journals (core_journal.go).
//   - core_rules.go re-exports package rules (Money, Quarter, Period, …).
//
// Core imports rules and migrations and no wing: a core file never names a
// declaration of a payout_, import_, reconcile_, statement_, yearend or
// disclosure_ file.

// Dialect names the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

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

// Dialect reports which database is behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the bun handle for tests, benchmarks and tools in this module.
func (s *Store) DB() *bun.DB { return s.db }

// SetClock replaces the clock; tests use it for deterministic timestamps.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) timestamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

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

// writeLock is the writer lock of a SQLite store: a mutex that a waiter can
// give up on when its write was done by another (see writeGrouped).
type writeLock struct {
	once sync.Once
	ch   chan struct{}
}

func (l *writeLock) c() chan struct{} {
	l.once.Do(func() { l.ch = make(chan struct{}, 1) })
	return l.ch
}

func (l *writeLock) Lock()   { l.c() <- struct{}{} }
func (l *writeLock) Unlock() { <-l.c() }

// groupWrite is one write waiting for a group.
type groupWrite struct {
	ctx  context.Context
	opts WriteOptions
	fn   func(ctx context.Context, tx bun.Tx) error
	err  error
	done chan struct{}
}

// writeQueue holds the writes waiting for the writer lock, and the
// connection groups run on (used under the writer lock only).
type writeQueue struct {
	mu      sync.Mutex
	pending []*groupWrite
	conn    *bun.Conn
}

type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}
