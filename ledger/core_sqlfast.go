package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Hot statements (posting, numbering, balances, audit) bypass bun's
// client-side interpolation: bun formats every argument into the SQL text, so
// SQLite parsed and planned each statement anew (a third of the CPU of
// posting). These helpers send the text with real placeholders instead. On
// SQLite each text is prepared once per connection and kept (database/sql
// re-uses a statement prepared on the transaction's connection); on
// PostgreSQL pgx caches the prepared statement per connection itself.
//
// Statement texts use ? placeholders, never inside string literals; they are
// turned into $1, $2… for PostgreSQL.

// maxCachedStmts bounds the prepared statements a store keeps; texts beyond it
// still run with placeholders, prepared for that one call.
const maxCachedStmts = 512

// pgTexts memoizes the $n form of statement texts (PostgreSQL).
var pgTexts sync.Map // string → string

func pgText(q string) string {
	if v, ok := pgTexts.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	pgTexts.Store(q, out)
	return out
}

// prepared returns the store's prepared statement for q, or nil when the
// cache is full.
func (s *Store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if st, ok := s.stmts.m[q]; ok {
		return st, nil
	}
	if len(s.stmts.m) >= maxCachedStmts {
		return nil, nil
	}
	st, err := s.db.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts.m == nil {
		s.stmts.m = map[string]*sql.Stmt{}
	}
	s.stmts.m[q] = st
	return st, nil
}

func (s *Store) closeStmts() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m = nil
}

// sqlRunner is what *sql.DB, *sql.Tx and *sql.Stmt-bound helpers share.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// raw returns the database/sql handle under db: the transaction's *sql.Tx,
// or the store's *sql.DB; nil for anything else (then bun formats).
func raw(db bun.IDB) (sqlRunner, *sql.Tx) {
	switch d := db.(type) {
	case bun.Tx:
		return d.Tx, d.Tx
	case *bun.Tx:
		return d.Tx, d.Tx
	case *bun.DB:
		return d.DB, nil
	}
	return nil, nil
}

// stmtFor returns the prepared statement for q bound to tx (or to the pool
// when tx is nil), or nil when q is not cached.
func (s *Store) stmtFor(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if s.dialect != SQLite {
		return nil, nil
	}
	st, err := s.prepared(ctx, q)
	if err != nil || st == nil {
		return nil, err
	}
	if tx != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

// execSQL runs a statement with placeholders (see the comment at the top).
func (s *Store) execSQL(ctx context.Context, db bun.IDB, q string, args ...any) (sql.Result, error) {
	r, tx := raw(db)
	if r == nil {
		return db.ExecContext(ctx, q, args...)
	}
	if s.dialect == Postgres {
		return r.ExecContext(ctx, pgText(q), args...)
	}
	st, err := s.stmtFor(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return r.ExecContext(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

// querySQL runs a query with placeholders.
func (s *Store) querySQL(ctx context.Context, db bun.IDB, q string, args ...any) (*sql.Rows, error) {
	r, tx := raw(db)
	if r == nil {
		return db.QueryContext(ctx, q, args...)
	}
	if s.dialect == Postgres {
		return r.QueryContext(ctx, pgText(q), args...)
	}
	st, err := s.stmtFor(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return r.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// scanRow is QueryRow with placeholders: it scans the first row into dest
// and answers sql.ErrNoRows when there is none.
func (s *Store) scanRow(ctx context.Context, db bun.IDB, q string, args []any, dest ...any) error {
	rows, err := s.querySQL(ctx, db, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// rawQuery runs a query with placeholders, not cached, for package functions
// without a store: bun does not format its arguments into the text.
func rawQuery(ctx context.Context, db bun.IDB, q string, args ...any) (*sql.Rows, error) {
	r, _ := raw(db)
	if r == nil {
		return db.QueryContext(ctx, q, args...)
	}
	if db.Dialect().Name() == dialect.PG {
		q = pgText(q)
	}
	return r.QueryContext(ctx, q, args...)
}

// rawExec runs a statement with placeholders, not cached.
func rawExec(ctx context.Context, db bun.IDB, q string, args ...any) (sql.Result, error) {
	r, _ := raw(db)
	if r == nil {
		return db.ExecContext(ctx, q, args...)
	}
	if db.Dialect().Name() == dialect.PG {
		q = pgText(q)
	}
	return r.ExecContext(ctx, q, args...)
}

// nextIDs reserves n values of a counter inside tx and returns the last one.
// Counters are per book (bookID 0 for global ones such as users and books).
func nextIDs(ctx context.Context, tx bun.IDB, bookID int64, name string, n int64) (int64, error) {
	var v int64
	if err := tx.NewRaw(nextIDSQL, bookID, name, n).Scan(ctx, &v); err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return v, nil
}

// nextID allocates the next value of a counter inside tx.
func nextID(ctx context.Context, tx bun.IDB, bookID int64, name string) (int64, error) {
	return nextIDs(ctx, tx, bookID, name, 1)
}

const nextIDSQL = `INSERT INTO counters (book_id, name, value) VALUES (?, ?, ?)
		ON CONFLICT (book_id, name) DO UPDATE SET value = counters.value + excluded.value
		RETURNING value`

// nextID is the package function nextID with a prepared statement.
func (s *Store) nextID(ctx context.Context, tx bun.IDB, bookID int64, name string) (int64, error) {
	var v int64
	if err := s.scanRow(ctx, tx, nextIDSQL, []any{bookID, name, int64(1)}, &v); err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	return v, nil
}
