package ledger

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Aids to voucher entry a book keeps for its preparers, as 用友 and 金蝶 do:
// the 常用摘要 library offered in the 摘要 fields, and templates of
// recurring vouchers (monthly wages, a utility bill). Whoever may prepare
// vouchers in the book may change them; everyone who reads the book sees them.

// maxPhrases and maxTemplates bound one book's library: a list to pick
// from, not a store of every summary ever typed.
const (
	maxPhrases   = 500
	maxTemplates = 200
)

// SummaryPhrase is one entry of a book's 常用摘要.
type SummaryPhrase struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
}

// SummaryPhrases lists a book's 常用摘要 in the order they were added.
func (s *Store) SummaryPhrases(ctx context.Context, a Actor, bookCode string) ([]SummaryPhrase, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.querySQL(ctx, s.db, "SELECT id, text FROM summary_phrases WHERE book_id = ? ORDER BY id", b.ID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, p *SummaryPhrase) error { return rows.Scan(&p.ID, &p.Text) })
}

// AddSummaryPhrase adds text to the book's 常用摘要; text already there is refused.
func (s *Store) AddSummaryPhrase(ctx context.Context, a Actor, bookCode, text string) (SummaryPhrase, error) {
	text = strings.TrimSpace(text)
	if !validName(text, maxSummary) {
		return SummaryPhrase{}, FieldError("text", "常用摘要不能为空且不超过 %d 个字", maxSummary)
	}
	var out SummaryPhrase
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.entryAidBook(ctx, tx, a, bookCode)
		if err != nil {
			return err
		}
		var n, same int
		if err := s.scanRow(ctx, tx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN text = ? THEN 1 ELSE 0 END), 0) FROM summary_phrases WHERE book_id = ?",
			[]any{text, b.ID}, &n, &same); err != nil {
			return err
		}
		if same > 0 {
			return &Error{Code: ECodeConflict, Message: "常用摘要已有：" + text, Details: []Detail{{Field: "text", Message: "已有相同的常用摘要"}}}
		}
		if n >= maxPhrases {
			return FieldError("text", "每个账套至多 %d 条常用摘要，请先删除不用的", maxPhrases)
		}
		id, err := s.nextID(ctx, tx, b.ID, "summary_phrase")
		if err != nil {
			return err
		}
		if _, err := s.execSQL(ctx, tx, "INSERT INTO summary_phrases (book_id, id, text, created_at) VALUES (?, ?, ?, ?)",
			b.ID, id, text, s.timestamp()); err != nil {
			return err
		}
		out = SummaryPhrase{ID: id, Text: text}
		return s.audit(ctx, tx, a, b.ID, "create", "summary_phrase", strconv.FormatInt(id, 10), "", nil, out)
	})
	return out, err
}

// DeleteSummaryPhrase removes one entry of the book's 常用摘要.
func (s *Store) DeleteSummaryPhrase(ctx context.Context, a Actor, bookCode string, id int64) error {
	return s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.entryAidBook(ctx, tx, a, bookCode)
		if err != nil {
			return err
		}
		var before SummaryPhrase
		err = s.scanRow(ctx, tx, "SELECT id, text FROM summary_phrases WHERE book_id = ? AND id = ?", []any{b.ID, id}, &before.ID, &before.Text)
		if isNoRows(err) {
			return notFound("常用摘要", id)
		}
		if err != nil {
			return err
		}
		if _, err := s.execSQL(ctx, tx, "DELETE FROM summary_phrases WHERE book_id = ? AND id = ?", b.ID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "delete", "summary_phrase", strconv.FormatInt(id, 10), "", before, nil)
	})
}

// entryAidBook authorizes a change to the book's entry aids: whoever may
// prepare a voucher there may.
func (s *Store) entryAidBook(ctx context.Context, tx bun.Tx, a Actor, bookCode string) (Book, error) {
	b, err := s.authorizeAny(ctx, tx, a, bookCode, permWrite, permSubmit, permCashBank)
	if err != nil {
		return Book{}, err
	}
	return b, s.lockBook(ctx, tx, b.ID)
}

// LastEntryDate is the date of the last voucher the actor prepared in the
// book, "" when there is none: the entry form starts on it, as a preparer
// typing a month's vouchers expects.
func (s *Store) LastEntryDate(ctx context.Context, a Actor, bookCode string) (string, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return "", err
	}
	var date string
	err = s.scanRow(ctx, s.db, `SELECT date FROM vouchers WHERE book_id = ? AND preparer_id = ? AND imported = ?
		ORDER BY id DESC LIMIT 1`, []any{b.ID, a.UserID, false}, &date)
	if isNoRows(err) {
		return "", nil
	}
	return date, err
}
