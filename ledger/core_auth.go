package ledger

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// Actor is the user on whose behalf an operation runs. The zero Actor is
// nobody; System is the command line.
type Actor struct {
	UserID int64
	Name   string
	// Role is admin for the administrator; for anybody else the one role
	// all its grants share, or "" when they differ: what a book permits is
	// decided by the grants (rolesIn), Role only labels the user.
	Role     Role
	Township string  // the first township granted, if any
	BookIDs  []int64 // the books granted one by one
	// Grants are the roles per book and per township. An actor built
	// without grants (tests) holds Role on Township's books and on BookIDs.
	Grants   []Grant
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
	permRead     permission = iota // see the book's contents
	permWrite                      // households, accounts, drafts, agreements
	permPost                       // post or reverse others' vouchers
	permClose                      // close a month
	permReopen                     // reopen a month: township only
	permSegment                    // change the book's settings
	permPay                        // record payments of a payout run
	permCashBank                   // prepare and post vouchers with a cash or bank line
	permSubmit                     // hand in a draft voucher (a submission) for the accountant
	permSign                       // sign off a disclosure (民主理财小组)
)

// rolePermissions is what each role held on a book permits there.
var rolePermissions = map[Role][]permission{
	RoleAccountant: {permRead, permWrite, permPost, permClose, permPay, permCashBank, permSubmit},
	RoleTownship:   {permRead, permPost, permClose, permReopen, permSegment},
	RoleAuditor:    {permRead},
	RoleCashier:    {permRead, permPay, permCashBank},
	RoleReporter:   {permRead, permSubmit},
	RoleMember:     {permRead, permSign},
}

// rolesIn returns the roles the actor holds on book b: none means the book
// is out of its scope.
func (a Actor) rolesIn(b Book) []Role {
	if a.allBooks {
		// The command line reads every book and changes none.
		return []Role{RoleAuditor}
	}
	if a.Grants == nil {
		if (a.Township != "" && a.Township == b.Township.Code) || slices.Contains(a.BookIDs, b.ID) {
			return []Role{a.Role}
		}
		return nil
	}
	var out []Role
	for _, g := range a.Grants {
		if (g.bookID != 0 && g.bookID == b.ID) || (g.Township != "" && g.Township == b.Township.Code) {
			out = append(out, g.Role)
		}
	}
	return out
}

// inScope reports whether the book belongs to the actor's scope.
func (a Actor) inScope(b Book) bool { return len(a.rolesIn(b)) > 0 }

// can reports whether one of the actor's roles on b grants p.
func (a Actor) can(b Book, p permission) bool {
	for _, r := range a.rolesIn(b) {
		if slices.Contains(rolePermissions[r], p) {
			return true
		}
	}
	return false
}

// canChange reports whether the actor's roles on b permit any change.
func (a Actor) canChange(b Book) bool {
	for _, r := range a.rolesIn(b) {
		for _, p := range rolePermissions[r] {
			if p != permRead {
				return true
			}
		}
	}
	return false
}

// roleLabel names the actor's roles on b for a refusal.
func (a Actor) roleLabel(b Book) string {
	var names []string
	for _, r := range a.rolesIn(b) {
		names = append(names, string(r))
	}
	if len(names) == 0 {
		return string(a.Role)
	}
	return strings.Join(names, "、")
}

// authorize loads the book and checks the actor may do p on it. A book out of
// scope is reported as not found so its existence is not revealed.
func (s *Store) authorize(ctx context.Context, db bun.IDB, a Actor, bookCode string, p permission) (Book, error) {
	return s.authorizeAny(ctx, db, a, bookCode, p)
}

// authorizeAny is authorize for an operation that any of ps permits; the
// caller then checks what the permission it holds limits (cashBankOnly).
func (s *Store) authorizeAny(ctx context.Context, db bun.IDB, a Actor, bookCode string, ps ...permission) (Book, error) {
	b, err := s.bookByCode(ctx, db, bookCode)
	if err != nil {
		return Book{}, err
	}
	if !a.inScope(b) {
		return Book{}, notFound("账套", bookCode)
	}
	for _, p := range ps {
		if a.can(b, p) {
			return b, nil
		}
	}
	return Book{}, Errorf(ECodeForbidden, "当前角色（%s）无权执行此操作", a.roleLabel(b))
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
	if change && !a.canChange(b) {
		return Errorf(ECodeForbidden, "当前角色（%s）无权修改账套内容", a.roleLabel(b))
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
