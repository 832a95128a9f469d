package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// HoldWriter takes the writer lock (SQLite) until release is called, so a
// test can queue writes that then run as one group.
func (s *Store) HoldWriter() (release func()) {
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

// QueuedWrites is how many writes wait to join a group.
func (s *Store) QueuedWrites() int {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	return len(s.queue.pending)
}

// WriteGrouped exposes writeGrouped.
func (s *Store) WriteGrouped(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.writeGrouped(ctx, WriteOptions{}, fn)
}

// Error classification, for tests that provoke real driver errors.
var (
	IsUniqueViolation = isUniqueViolation
	Transient         = transient
	RaisedByTrigger   = raisedByTrigger
	Translate         = translate
)
