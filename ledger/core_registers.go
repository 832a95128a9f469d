package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// register names one of a book's coded registers (households, parties) in
// the audit log and in "not found" errors.
type register struct{ entity, what string }

var (
	householdRegister = register{entity: "household", what: "农户"}
	partyRegister     = register{entity: "party", what: "单位"}
)

// byCode reads one row of a book's register by its code.
func byCode[T any](ctx context.Context, db bun.IDB, r register, bookID int64, code string) (T, error) {
	var row T
	err := db.NewSelect().Model(&row).Where("book_id = ? AND code = ?", bookID, code).Scan(ctx)
	if isNoRows(err) {
		return row, notFound(r.what, truncate(code, 32))
	}
	return row, err
}

// getByCode is the one read path of a register's row for an actor.
func getByCode[T any](ctx context.Context, s *Store, a Actor, r register, bookCode, code string) (T, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		var zero T
		return zero, err
	}
	return byCode[T](ctx, s.db, r, b.ID, code)
}

// updateByCode is the one update path of a register's row: read it, let
// change build (and check) the new row, write all but its key and creation
// time, and audit before and after.
func updateByCode[T any](ctx context.Context, s *Store, a Actor, r register, bookCode, code string,
	change func(tx bun.Tx, bookID int64, before T) (T, error)) (T, error) {
	var out T
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		before, err := byCode[T](ctx, tx, r, b.ID, code)
		if err != nil {
			return err
		}
		after, err := change(tx, b.ID, before)
		if err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model(&after).ExcludeColumn("book_id", "code", "created_at").WherePK().Exec(ctx)
		if err != nil {
			return err
		}
		out = after
		return s.audit(ctx, tx, a, b.ID, "update", r.entity, code, "", before, after)
	})
	return out, err
}
