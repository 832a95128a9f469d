package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
)

// AuditEntry is one recorded state change. The table refuses UPDATE and DELETE.
type AuditEntry struct {
	ID        int64           `json:"id"`
	At        string          `json:"at"`
	UserID    int64           `json:"user_id"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityKey string          `json:"entity_key"`
	Reason    string          `json:"reason,omitempty"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
}

// audit appends an entry inside tx; bookID 0 is for entries outside any book.
func (s *Store) audit(ctx context.Context, tx bun.IDB, by Actor, bookID int64, action, entity, key, reason string, before, after any) error {
	id, err := s.nextID(ctx, tx, bookID, "audit")
	if err != nil {
		return err
	}
	b, err := auditJSON(before)
	if err != nil {
		return err
	}
	a, err := auditJSON(after)
	if err != nil {
		return err
	}
	_, err = s.execSQL(ctx, tx, `INSERT INTO audit_log (book_id, id, at, user_id, action, entity, entity_key, reason, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, bookID, id, s.timestamp(), by.UserID, action, entity, key, reason, b, a)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// AuditFilter narrows an audit-log listing.
type AuditFilter struct {
	UserID int64  // 0: any user
	Action string // "": any action
	From   string // RFC 3339 or YYYY-MM-DD, inclusive; "" for no bound
	To     string // exclusive; "" for no bound
	After  int64  // cursor: entries with id greater than this
	Limit  int
	// Entity and EntityKey narrow the log to one thing ("voucher", "12"); "" for any.
	Entity    string
	EntityKey string
}

// AuditLog lists a book's audit entries in order, for readers of the book.
func (s *Store) AuditLog(ctx context.Context, a Actor, bookCode string, f AuditFilter) ([]AuditEntry, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	q := s.db.NewSelect().Table("audit_log").
		Column("id", "at", "user_id", "action", "entity", "entity_key", "reason", "before_json", "after_json").
		Where("book_id = ?", b.ID).Where("id > ?", f.After).OrderExpr("id").Limit(int64(clampLimit(f.Limit)))
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityKey != "" {
		q = q.Where("entity_key = ?", f.EntityKey)
	}
	if f.From != "" {
		q = q.Where("at >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("at < ?", f.To)
	}
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, e *AuditEntry) error {
		var before, after string
		err := rows.Scan(&e.ID, &e.At, &e.UserID, &e.Action, &e.Entity, &e.EntityKey, &e.Reason, &before, &after)
		e.Before, e.After = rawOrNil(before), rawOrNil(after)
		return err
	})
}

func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// Page sizes: every listing is bounded.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

func clampLimit(n int) int {
	if n <= 0 {
		return defaultPageSize
	}
	return min(n, maxPageSize)
}
