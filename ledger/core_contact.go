package ledger

import (
	"context"
	"regexp"
	"strings"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"
)

// BookContact is whom villagers ask about a book's figures: a name and a
// phone number, printed on the book's public pages. Both empty means none.
type BookContact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Bounds of a contact.
const (
	maxContactName = 32
)

// contactPhone is a mainland mobile or landline number as people write it:
// digits with an optional area code, hyphens or spaces, an extension.
var contactPhone = regexp.MustCompile(`^\+?[0-9][0-9 \-]{4,22}[0-9]$`)

// normalContact trims the fields and turns full-width digits and hyphens
// into ASCII, so "１３８ ０１３８ ０００１" is kept as "138 0138 0001".
func normalContact(c BookContact) BookContact {
	return BookContact{Name: strings.TrimSpace(c.Name), Phone: strings.TrimSpace(norm.NFKC.String(c.Phone))}
}

// checkContact reports every problem of a contact at once.
func checkContact(c BookContact) error {
	var v validation
	bad := v.text("name", c.Name)
	bad = v.text("phone", c.Phone) || bad
	if bad {
		return v.Err()
	}
	switch {
	case c.Name == "" && c.Phone == "":
		return nil // clears the contact
	case c.Name == "":
		v.Add("name", "请填写联系人姓名")
	case len([]rune(c.Name)) > maxContactName:
		v.Add("name", "联系人姓名不超过 %d 个字", maxContactName)
	}
	if c.Phone == "" {
		v.Add("phone", "请填写联系电话")
	} else if !contactPhone.MatchString(c.Phone) {
		v.Add("phone", "联系电话应为手机号或带区号的固定电话，只含数字、空格和连字符，如 138 0000 0000 或 0791-8888 6666")
	}
	return v.Err()
}

// SetBookContact sets (or, with both fields empty, clears) the book's
// contact. The book's accountants and its township may; the change is in
// the audit log with the old and the new contact.
func (s *Store) SetBookContact(ctx context.Context, a Actor, bookCode string, c BookContact) (BookContact, error) {
	c = normalContact(c)
	if err := checkContact(c); err != nil {
		return BookContact{}, err
	}
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		before, err := bookContact(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM book_contacts WHERE book_id = ?", b.ID).Exec(ctx); err != nil {
			return err
		}
		if c.Name != "" {
			if _, err := tx.NewRaw("INSERT INTO book_contacts (book_id, name, phone, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)",
				b.ID, c.Name, c.Phone, s.timestamp(), a.UserID).Exec(ctx); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, b.ID, "contact", "book", b.Code, "", before, c)
	})
	if err != nil {
		return BookContact{}, err
	}
	return c, nil
}

// BookContactOf returns the book's contact, empty when none is set.
func (s *Store) BookContactOf(ctx context.Context, a Actor, bookCode string) (BookContact, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return BookContact{}, err
	}
	return bookContact(ctx, s.db, b.ID)
}

func bookContact(ctx context.Context, db bun.IDB, bookID int64) (BookContact, error) {
	var c BookContact
	err := db.QueryRowContext(ctx, "SELECT name, phone FROM book_contacts WHERE book_id = ?", bookID).Scan(&c.Name, &c.Phone)
	if isNoRows(err) {
		return BookContact{}, nil
	}
	return c, err
}
