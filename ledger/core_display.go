package ledger

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"coopledger/ledger/rules"
)

// GroupSortKey is the key households are ordered by (see rules.GroupSortKey).
func GroupSortKey(group string) string { return rules.GroupSortKey(group) }

// GroupNumber reads a village group's number: 第一村民小组, 一组 and 1组 are 1.
func GroupNumber(group string) (int, bool) { return rules.GroupNumber(group) }

// fillGroupKeys computes group_key for households recorded before migration
// 022 (the rule reads Chinese numerals, which SQL cannot), a batch at a time.
func (s *Store) fillGroupKeys(ctx context.Context) error {
	const batch, maxBatches = 1000, 100000
	for range maxBatches {
		type row struct {
			BookID int64  `bun:"book_id"`
			Code   string `bun:"code"`
			Group  string `bun:"village_group"`
		}
		var rows []row
		err := s.db.NewRaw("SELECT book_id, code, village_group FROM households WHERE group_key IS NULL ORDER BY book_id, code LIMIT ?", batch).Scan(ctx, &rows)
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("group keys: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, r := range rows {
				if _, err := tx.ExecContext(ctx, "UPDATE households SET group_key = ? WHERE book_id = ? AND code = ?",
					GroupSortKey(r.Group), r.BookID, r.Code); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("group keys: %w", err)
		}
	}
	return nil
}

// ShowTime prints a stored timestamp in Beijing time to the second (see rules.ShowTime).
func ShowTime(stored string) string { return rules.ShowTime(stored) }

// ShowDate is the Beijing date of a stored timestamp (see rules.ShowDate).
func ShowDate(stored string) string { return rules.ShowDate(stored) }
