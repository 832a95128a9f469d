package ledger

import (
	"context"
	"regexp"
	"strings"

	"github.com/uptrace/bun"
)

// Township is a town (乡镇) whose finance office oversees village books.
type Township struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Book is one set of books: a village collective or a cooperative.
type Book struct {
	ID                int64    `json:"-"`
	Code              string   `json:"code"`
	Name              string   `json:"name"`
	Kind              BookKind `json:"kind"`
	Township          Township `json:"township"`
	StartPeriod       string   `json:"start_period"`   // where its books begin: the first month the ledger holds
	GoLivePeriod      string   `json:"go_live_period"` // the first month kept in coopledger; earlier months come in as approved imports
	SegregationOptOut bool     `json:"segregation_opt_out"`
	OptOutReason      string   `json:"opt_out_reason,omitempty"`
	ChainSeq          int64    `json:"chain_seq"`
	ChainHead         string   `json:"chain_head"`
	CreatedAt         string   `json:"created_at"`
}

// codePattern keeps codes safe in URLs, file names and Excel sheet names.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// validCode reports whether s can serve as a book, township, household or party code.
func validCode(s string) bool { return codePattern.MatchString(s) }

func validName(s string, max int) bool {
	n := len([]rune(strings.TrimSpace(s)))
	_, invisible := invisibleIn(s)
	return n > 0 && n <= max && !invisible
}

const bookColumns = `b.id, b.code, b.name, b.kind, b.township_code, t.name, b.start_period, b.go_live_period,
	b.segregation_opt_out, b.opt_out_reason, b.chain_seq, b.chain_head, b.created_at`

func scanBook(row interface{ Scan(...any) error }) (Book, error) {
	var b Book
	err := row.Scan(&b.ID, &b.Code, &b.Name, &b.Kind, &b.Township.Code, &b.Township.Name, &b.StartPeriod, &b.GoLivePeriod,
		&b.SegregationOptOut, &b.OptOutReason, &b.ChainSeq, &b.ChainHead, &b.CreatedAt)
	return b, err
}

// scanner adapts a scanning function to scanBook.
type scanner func(dest ...any) error

func (f scanner) Scan(dest ...any) error { return f(dest...) }

// lockedBook re-reads a book by id inside a write transaction, taking its row
// lock on PostgreSQL (lockBook and a re-read in one statement).
func (s *Store) lockedBook(ctx context.Context, tx bun.Tx, id int64) (Book, error) {
	q := "SELECT " + bookColumns + " FROM books b JOIN townships t ON t.code = b.township_code WHERE b.id = ?"
	if s.dialect == Postgres {
		q += " FOR UPDATE OF b"
	}
	return scanBook(scanner(func(dest ...any) error { return s.scanRow(ctx, tx, q, []any{id}, dest...) }))
}

func (s *Store) bookByCode(ctx context.Context, db bun.IDB, code string) (Book, error) {
	if !validCode(code) {
		return Book{}, notFound("账套", truncate(code, 32))
	}
	b, err := scanBook(scanner(func(dest ...any) error {
		return s.scanRow(ctx, db, "SELECT "+bookColumns+" FROM books b JOIN townships t ON t.code = b.township_code WHERE b.code = ?", []any{code}, dest...)
	}))
	if isNoRows(err) {
		return Book{}, notFound("账套", code)
	}
	return b, err
}
