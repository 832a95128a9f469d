package ledger

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"
)

// Household links in bulk, for the pages: the link state of every household
// of a book, and making or revoking the links of many households at once —
// all of a request in one transaction, each link audited as when made alone.

// MaxLinkBatch bounds one bulk request.
const MaxLinkBatch = 20_000

// LinkState is a household's link: active since CreatedAt, revoked, or none.
type LinkState struct {
	Active    bool   `json:"active"`
	Revoked   bool   `json:"revoked"`
	CreatedAt string `json:"created_at,omitempty"`
}

// HouseholdLinkStates is the link state of every household of the book that
// ever had a link, by household code.
func (s *Store) HouseholdLinkStates(ctx context.Context, a Actor, bookCode string) (map[string]LinkState, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	return linkStates(ctx, s.db, b.ID)
}

func linkStates(ctx context.Context, db bun.IDB, bookID int64) (map[string]LinkState, error) {
	rows, err := db.QueryContext(ctx, `SELECT household_code, created_at, COALESCE(revoked_at, '') FROM household_links WHERE book_id = ?`, bookID)
	if err != nil {
		return nil, err
	}
	type row struct{ code, created, revoked string }
	list, err := scanAll(rows, func(rows *sql.Rows, r *row) error { return rows.Scan(&r.code, &r.created, &r.revoked) })
	out := make(map[string]LinkState, len(list))
	for _, r := range list {
		out[r.code] = LinkState{Active: r.revoked == "", Revoked: r.revoked != "", CreatedAt: r.created}
	}
	return out, err
}

// CreateHouseholdLinks makes links for the households named: a new link for
// each (replacing an active one: regenerating), or with missingOnly only for
// those without an active link. It returns how many links were made.
func (s *Store) CreateHouseholdLinks(ctx context.Context, a Actor, bookCode string, codes []string, missingOnly bool) (int, error) {
	if err := checkLinkBatch(codes); err != nil {
		return 0, err
	}
	n := 0
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		n = 0
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		states, err := linkStates(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		secret, err := linkSecret(ctx, tx)
		if err != nil {
			return err
		}
		for _, code := range distinct(codes) {
			if missingOnly && states[code].Active {
				continue
			}
			if _, err := s.createLink(ctx, tx, a, b, secret, code); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// RevokeHouseholdLinks disables the active links among the households named
// and returns how many it disabled; a household without one is passed over.
func (s *Store) RevokeHouseholdLinks(ctx context.Context, a Actor, bookCode string, codes []string) (int, error) {
	if err := checkLinkBatch(codes); err != nil {
		return 0, err
	}
	n := 0
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		n = 0
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		now := s.timestamp()
		for _, code := range distinct(codes) {
			res, err := tx.NewRaw(`UPDATE household_links SET revoked_at = ?, revoked_by = ? WHERE book_id = ? AND household_code = ? AND revoked_at IS NULL`,
				now, a.UserID, b.ID, code).Exec(ctx)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			n++
			if err := s.audit(ctx, tx, a, b.ID, "revoke", "household_link", code, "", nil, nil); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

func checkLinkBatch(codes []string) error {
	switch {
	case len(codes) == 0:
		return FieldError("households", "请至少选择一户")
	case len(codes) > MaxLinkBatch:
		return FieldError("households", "一次最多处理 %d 户", MaxLinkBatch)
	}
	return nil
}
