package ledger

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Group commit (SQLite). SQLite has one writer, and committing a transaction
// (writing its pages to the WAL, one system call each) took over a third of
// the writer's time per voucher. Short hot writes (creating and posting a
// voucher) that arrive while the writer is busy wait in a queue; whoever gets
// the writer lock next runs the whole queue in one transaction, each write
// in its own SAVEPOINT: a write that fails is rolled back to its savepoint
// alone and answers its own error, the others commit together. If the shared
// transaction fails as a whole (a savepoint cannot be rolled back, the
// commit fails), every write of the group is run again alone, as write runs
// it — so no write ever depends on another's fate. Writes within a group run
// one after another, in arrival order, as they would have without grouping.

// Groups run on one connection kept for them, whose temporary storage is in
// memory: a savepoint keeps the pages it changes in a sub-journal, which
// SQLite otherwise writes to a temporary file (a system call a page) once it
// exceeds 64 KiB, as posting a voucher does. Only these short writes run
// there; a large sort elsewhere still spills to disk.

// maxGroup bounds the writes of one group, so one commit's latency stays short.
const maxGroup = 32

func (q *writeQueue) push(w *groupWrite) {
	q.mu.Lock()
	q.pending = append(q.pending, w)
	q.mu.Unlock()
}

// take removes and returns up to maxGroup writes, oldest first.
func (q *writeQueue) take() []*groupWrite {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.pending), maxGroup)
	out := append([]*groupWrite(nil), q.pending[:n]...)
	q.pending = append(q.pending[:0], q.pending[n:]...)
	return out
}

// writeGrouped is write for short transactions that may share a commit with
// others on SQLite (see the top of this file). fn gets a context that is
// never cancelled while it runs: cancelling a statement interrupts SQLite,
// which may roll back the whole shared transaction. A write whose context is
// done before it starts is not run. On PostgreSQL it is write.
func (s *Store) writeGrouped(ctx context.Context, o WriteOptions, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.dialect != SQLite {
		return s.write(ctx, o, func(tx bun.Tx) error { return fn(ctx, tx) })
	}
	w := &groupWrite{ctx: ctx, opts: o, fn: fn, done: make(chan struct{})}
	s.queue.push(w)
	select {
	case <-w.done: // a group that took w has committed or failed
		return w.err
	case s.writeMu.c() <- struct{}{}:
	}
	defer s.writeMu.Unlock()
	// Writers that were answered together come back together: let the
	// others that are ready join before taking the queue.
	runtime.Gosched()
	// Groups run under the lock, so w is either done or still queued.
	for {
		select {
		case <-w.done:
			return w.err
		default:
		}
		s.runGroup(s.queue.take())
	}
}

// errWriteAbandoned answers the writes of a group in which another write
// panicked (a bug): the panic goes on in the goroutine that ran the group.
var errWriteAbandoned = errors.New("ledger: write abandoned: another write of its group failed unexpectedly")

// runGroup runs a group of writes under the writer lock and closes their done.
func (s *Store) runGroup(group []*groupWrite) {
	defer func() {
		if p := recover(); p != nil {
			s.closeGroupConn()
			for _, w := range group {
				select {
				case <-w.done:
				default:
					w.err = errWriteAbandoned
					close(w.done)
				}
			}
			panic(p)
		}
	}()
	if err := s.commitGroup(group); err != nil {
		s.closeGroupConn() // it may be what failed
		for _, w := range group {
			w.err = s.writeLocked(w.ctx, w.opts, func(tx bun.Tx) error { return w.fn(context.WithoutCancel(w.ctx), tx) })
		}
	}
	for _, w := range group {
		close(w.done)
	}
}

// groupConn returns the connection groups run on, opening it if need be.
func (s *Store) groupConn(ctx context.Context) (*bun.Conn, error) {
	if s.queue.conn != nil {
		return s.queue.conn, nil
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		c.Close()
		return nil, err
	}
	s.queue.conn = &c
	return s.queue.conn, nil
}

// closeGroupConn returns the groups' connection to the pool (writer lock held).
func (s *Store) closeGroupConn() {
	if s.queue.conn != nil {
		_ = s.queue.conn.Close()
		s.queue.conn = nil
	}
}

// commitGroup runs the writes of group in one transaction, each in its own
// savepoint, and sets their errors. An error means the transaction as a
// whole failed and nothing of it was committed.
func (s *Store) commitGroup(group []*groupWrite) error {
	ctx := context.Background() // a member's cancellation must not end the others' transaction
	conn, err := s.groupConn(ctx)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	for _, w := range group {
		if w.err = w.ctx.Err(); w.err != nil {
			continue
		}
		if _, err := s.execSQL(ctx, tx, "SAVEPOINT grouped_write"); err != nil {
			return err
		}
		err := s.inTx(context.WithoutCancel(w.ctx), tx, w.opts, func(tx bun.Tx) error { return w.fn(context.WithoutCancel(w.ctx), tx) })
		if err != nil && transient(err) {
			return err // retried alone, as write retries it
		}
		if err != nil {
			if _, rerr := s.execSQL(ctx, tx, "ROLLBACK TO grouped_write"); rerr != nil {
				return rerr
			}
		}
		// RELEASE also proves the transaction is still open: a savepoint
		// no longer exists once SQLite rolled back the whole transaction.
		if _, rerr := s.execSQL(ctx, tx, "RELEASE grouped_write"); rerr != nil {
			return rerr
		}
		w.err = translate(err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	committed = true
	return nil
}

// WriteOptions say how a write commits, apart from who makes it and what it
// writes. They ride on the Actor every write method takes, never in the
// context: a caller that wants one sees it in its own call.
type WriteOptions struct {
	// DryRun runs every check and then rolls back, answering ErrDryRun where
	// the write would have committed. Imports use it to list the problems of
	// every row in one answer.
	DryRun bool
	// Idempotency, if its Key is set, is claimed in the transaction that
	// commits the write (see core_idempotency.go).
	Idempotency IdempotencyClaim
	// file is an uploaded file to record in the same transaction (withFileImport).
	file *FileImport
}

// With returns a with the write options o.
func (a Actor) With(o WriteOptions) Actor {
	a.Write = o
	return a
}

// ErrDryRun is what a write in a dry-run context returns instead of committing.
var ErrDryRun = &Error{Code: ECodeConflict, Message: "试算：检查通过，未写入"}

// maxWriteAttempts bounds retries of a write transaction that lost a race
// (PostgreSQL deadlock or serialization failure, SQLite busy from another process).
const maxWriteAttempts = 6

// write runs fn in one transaction, retrying transient conflicts. fn must be
// idempotent up to its side effects inside tx.
func (s *Store) write(ctx context.Context, o WriteOptions, fn func(tx bun.Tx) error) error {
	if s.dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	return s.writeLocked(ctx, o, fn)
}

// writeLocked is write for a caller that holds the writer lock (SQLite).
func (s *Store) writeLocked(ctx context.Context, o WriteOptions, fn func(tx bun.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxWriteAttempts; attempt++ {
		err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return s.inTx(ctx, tx, o, fn)
		})
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

// inTx is the body of every write transaction: fn, then the claims of o
// (an upload's file, an idempotency key); a dry run answers ErrDryRun here
// so that its caller rolls back.
func (s *Store) inTx(ctx context.Context, tx bun.Tx, o WriteOptions, fn func(tx bun.Tx) error) error {
	if err := fn(tx); err != nil {
		return err
	}
	if err := s.claimFileInTx(ctx, tx, o.file); err != nil {
		return err
	}
	if err := s.claimInTx(ctx, tx, o.Idempotency); err != nil {
		return err
	}
	if o.DryRun {
		return ErrDryRun
	}
	return nil
}

// Errors are classified by the drivers' codes, never by their text:
// PostgreSQL's SQLSTATE and SQLite's extended result codes.
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgUniqueViolation      = "23505"
	pgRaiseException       = "P0001" // RAISE EXCEPTION in a trigger function
)

// pgCode is the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// sqliteCode is the extended result code of an SQLite error, or 0. Its low
// byte is the primary code (SQLITE_BUSY, SQLITE_CONSTRAINT, …).
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// transient reports errors worth retrying the whole transaction for.
func transient(err error) bool {
	switch pgCode(err) {
	case pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// isUniqueViolation reports an insert refused by a unique index or key.
func isUniqueViolation(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return pgCode(err) == pgUniqueViolation
}

// raisedByTrigger reports an error one of our triggers raised; its message
// starts with the trigger's tag ("immutable: …").
func raisedByTrigger(err error) bool {
	return pgCode(err) == pgRaiseException || sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_TRIGGER
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
	switch {
	case raisedByTrigger(err) && strings.Contains(err.Error(), "immutable:"):
		return &Error{Code: ECodeImmutable, Message: "已过账的凭证和审计日志不可修改或删除"}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	return err
}
