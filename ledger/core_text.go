package ledger

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/uptrace/bun"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// invisibleRune reports control characters (Cc) and format characters (Cf:
// zero-width spaces and joiners, the byte-order mark, bidi embeddings,
// overrides and isolates): none belongs in a name, summary or reference, and
// bidi controls make a reference or name display as something it is not.
func invisibleRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

// invisibleIn returns the first invisible rune of s.
func invisibleIn(s string) (rune, bool) {
	for _, r := range s {
		if invisibleRune(r) {
			return r, true
		}
	}
	return 0, false
}

// text refuses control and bidi characters in a name, summary or reference
// field and reports whether it did.
func (v *validation) text(field, s string) bool {
	r, bad := invisibleIn(s)
	if bad {
		v.Add(field, "含有不可见的控制字符或文字方向控制符（U+%04X），请删除后重新输入", r)
	}
	return bad
}

var foldCase = cases.Fold()

// ReferenceKey is the form in which bank references are stored and compared:
// NFKC (full-width letters become ASCII), invisible characters dropped, spaces
// trimmed and case folded, so "DUPREF-1", " dupref-1", "DUPREF\u200b-1" and
// "ＤＵＰＲＥＦ-1" are one reference.
func ReferenceKey(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if invisibleRune(r) && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(foldCase.String(norm.NFKC.String(s)))
}

// fillReferenceKeys computes reference_key for payments recorded before the
// key existed (migration 012 leaves it NULL), a bounded number of batches.
func (s *Store) fillReferenceKeys(ctx context.Context) error {
	const batch, maxBatches = 1000, 100000
	for i := 0; i < maxBatches; i++ {
		type row struct {
			BookID    int64  `bun:"book_id"`
			ID        int64  `bun:"id"`
			Reference string `bun:"reference"`
		}
		var rows []row
		err := s.db.NewRaw("SELECT book_id, id, reference FROM payments WHERE reference_key IS NULL ORDER BY book_id, id LIMIT ?", batch).Scan(ctx, &rows)
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("reference keys: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, r := range rows {
				if _, err := tx.ExecContext(ctx, "UPDATE payments SET reference_key = ? WHERE book_id = ? AND id = ?",
					ReferenceKey(r.Reference), r.BookID, r.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reference keys: %w", err)
		}
	}
	return nil
}

// textError is v.text for a single field checked on its own.
func textError(field, s string) error {
	var v validation
	v.text(field, s)
	return v.Err()
}
