package ledger

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/uptrace/bun"
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
func (s *Store) writeGrouped(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.dialect != SQLite {
		return s.write(ctx, func(tx bun.Tx) error { return fn(ctx, tx) })
	}
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
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
			w.err = s.writeLocked(w.ctx, func(tx bun.Tx) error { return w.fn(context.WithoutCancel(w.ctx), tx) })
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
		err := s.inTx(context.WithoutCancel(w.ctx), tx, func(tx bun.Tx) error { return w.fn(context.WithoutCancel(w.ctx), tx) })
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
	for _, w := range group {
		if w.err == nil {
			markClaimUsed(w.ctx)
		}
	}
	return nil
}
