package ledger

import (
	"context"
	"slices"

	"github.com/uptrace/bun"
)

// Actor is the user on whose behalf an operation runs. The zero Actor is
// nobody; System is the command line.
type Actor struct {
	UserID   int64
	Name     string
	Role     Role
	Township string
	BookIDs  []int64
	allBooks bool // the command line: reads every book
	// Write says how this actor's writes commit (dry run, idempotency key).
	Write WriteOptions
}

// System is the one actor of the command line: an administrator (users,
// tokens, books) who also reads every book — exports, verification and
// reconciliation run on the server's own machine by whoever can already
// read the database file. Like any administrator it changes no book's
// contents.
var System = Actor{UserID: 0, Name: "system", Role: RoleAdmin, allBooks: true}

// permission is what an operation needs on a book.
type permission int

const (
	permRead    permission = iota // see the book's contents
	permWrite                     // households, accounts, drafts, agreements
	permPost                      // post or reverse others' vouchers
	permClose                     // close a month
	permReopen                    // reopen a month: township only
	permSegment                   // change the book's settings
)

// inScope reports whether the book belongs to the actor's scope.
func (a Actor) inScope(b Book) bool {
	if a.allBooks {
		return true
	}
	if a.Township != "" && a.Township == b.Township.Code {
		return true
	}
	return slices.Contains(a.BookIDs, b.ID)
}

// allowed reports whether the actor's role grants p (scope checked separately).
func (a Actor) allowed(p permission) bool {
	if a.allBooks && p == permRead {
		return true
	}
	switch a.Role {
	case RoleAccountant:
		return p == permRead || p == permWrite || p == permPost || p == permClose
	case RoleTownship:
		return p == permRead || p == permPost || p == permClose || p == permReopen || p == permSegment
	case RoleAuditor:
		return p == permRead
	}
	return false
}

// authorize loads the book and checks the actor may do p on it. A book out of
// scope is reported as not found so its existence is not revealed.
func (s *Store) authorize(ctx context.Context, db bun.IDB, a Actor, bookCode string, p permission) (Book, error) {
	b, err := s.bookByCode(ctx, db, bookCode)
	if err != nil {
		return Book{}, err
	}
	if !a.inScope(b) {
		return Book{}, notFound("账套", bookCode)
	}
	if !a.allowed(p) {
		return Book{}, Errorf(ECodeForbidden, "当前角色（%s）无权执行此操作", a.Role)
	}
	return b, nil
}

// CheckBookAccess is the coarse check made before a request's input is
// read, so that nobody learns anything about a book from its answers: the
// book must be in the actor's scope (else not found), and a change needs a
// role that may change something in a book (else forbidden). The ledger
// function that does the work makes the precise check.
func (s *Store) CheckBookAccess(ctx context.Context, a Actor, bookCode string, change bool) error {
	b, err := s.bookScope(ctx, bookCode)
	if err != nil {
		return err
	}
	if !a.inScope(b) {
		return notFound("账套", bookCode)
	}
	if change && a.Role != RoleAccountant && a.Role != RoleTownship {
		return Errorf(ECodeForbidden, "当前角色（%s）无权修改账套内容", a.Role)
	}
	return nil
}

// bookScope returns a book with what decides who may see it: its id and its
// township, which never change once it exists (books are never deleted or
// renumbered), so they are kept after the first look-up instead of read on
// every request. A book not found is not remembered.
func (s *Store) bookScope(ctx context.Context, code string) (Book, error) {
	if b, ok := s.scopes.Load(code); ok {
		return b.(Book), nil
	}
	b, err := s.bookByCode(ctx, s.db, code)
	if err != nil {
		return Book{}, err
	}
	scope := Book{ID: b.ID, Code: b.Code, Township: Township{Code: b.Township.Code}}
	s.scopes.Store(code, scope)
	return scope, nil
}

// lockBook takes the book's row lock (PostgreSQL) so that every write to one
// book is serialized: numbering, the hash chain and period closing stay exact.
// On SQLite every write transaction already holds the database's one write
// lock (BEGIN IMMEDIATE, under writeMu), so there is nothing to take.
// authorizeLocked is authorize for a write: the book is then locked for the
// rest of the transaction (PostgreSQL; SQLite has one writer already).
func (s *Store) authorizeLocked(ctx context.Context, tx bun.Tx, a Actor, bookCode string, p permission) (Book, error) {
	b, err := s.authorize(ctx, tx, a, bookCode, p)
	if err != nil {
		return b, err
	}
	return b, s.lockBook(ctx, tx, b.ID)
}

func (s *Store) lockBook(ctx context.Context, tx bun.Tx, bookID int64) error {
	if s.dialect == SQLite {
		return nil
	}
	var id int64
	return s.scanRow(ctx, tx, "SELECT id FROM books WHERE id = ? FOR UPDATE", []any{bookID}, &id)
}
