package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/uptrace/bun"
)

// Group disclosure (disclosure*.go): what villagers may see without an account.
//
// Quarterly publications (disclosure.go: PublishDisclosure,
// WithdrawDisclosure, PublicDisclosure) and each household's private link
// to its own statement (disclosure_links.go: CreateHouseholdLink,
// PublicHousehold).
//
// Disclosure uses core, payouts and statements; nothing in ledger uses it.

// Public disclosure (财务公开) and household links. A disclosure publishes a
// book's quarter to anyone who has its link: the statements, the quarter's
// approved payouts and the public notice with masked ID numbers and
// accounts. A household link shows one household its own money and nothing
// of anyone else's. Neither needs a sign-in, so both are looked up by an
// unguessable value; for household links only its SHA-256 is stored, and
// the token itself is derived again when the roster or the slips print it.

// Disclosure is one publication of a book's quarter.
type Disclosure struct {
	Book        string `json:"book"`
	Quarter     string `json:"quarter"`
	Slug        string `json:"slug"` // the unguessable part of the public address
	PublishedAt string `json:"published_at"`
	PublishedBy int64  `json:"published_by"`
	WithdrawnAt string `json:"withdrawn_at,omitempty"`
	WithdrawnBy int64  `json:"withdrawn_by,omitempty"`
}

// Published reports whether the disclosure is still public.
func (d Disclosure) Published() bool { return d.WithdrawnAt == "" }

// randomBytes is the entropy of a slug or token: 128 bits.
const randomBytes = 16

var (
	slugEncoding  = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
	slugPattern   = regexp.MustCompile(`^[a-z2-7]{26}$`)
	tokenPattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	errNotPublic  = &Error{Code: ECodeNotFound, Message: "页面不存在，或已撤回"}
	maxDisclosure = 400 // disclosures listed per book (100 years of quarters)
)

func newRandom() ([]byte, error) {
	b := make([]byte, randomBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	return b, nil
}

// tokenHash is what is stored of a household link's token.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// PublishDisclosure publishes a book's quarter. Accountants of the book and
// the township may publish (the people who close its months). A quarter is
// published once at a time; a withdrawn quarter may be published again under
// a new address.
func (s *Store) PublishDisclosure(ctx context.Context, a Actor, bookCode, quarter string) (Disclosure, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return Disclosure{}, FieldError("quarter", "%s", err.Error())
	}
	var out Disclosure
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		if err := checkDisclosableQuarter(b, q, s.now().UTC().Format("2006-01")); err != nil {
			return err
		}
		if _, err := currentDisclosure(ctx, tx, b, q.String()); err == nil {
			return Errorf(ECodeConflict, "%s 已经公开，如需更新请先撤回再重新公开", q)
		} else if !isNotFound(err) {
			return err
		}
		raw, err := newRandom()
		if err != nil {
			return err
		}
		id, err := nextID(ctx, tx, b.ID, "disclosure")
		if err != nil {
			return err
		}
		out = Disclosure{Book: b.Code, Quarter: q.String(), Slug: slugEncoding.EncodeToString(raw), PublishedAt: s.timestamp(), PublishedBy: a.UserID}
		_, err = tx.NewRaw(`INSERT INTO disclosures (book_id, id, quarter, slug, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)`,
			b.ID, id, out.Quarter, out.Slug, out.PublishedAt, out.PublishedBy).Exec(ctx)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "publish", "disclosure", out.Quarter, "", nil, out)
	})
	return out, err
}

func checkDisclosableQuarter(b Book, q Quarter, thisMonth string) error {
	first := q.Periods()
	if string(first[2]) < b.StartPeriod {
		return FieldError("quarter", "账套从 %s 启用，%s 没有账可公开", b.StartPeriod, q)
	}
	if string(first[0]) > thisMonth {
		return FieldError("quarter", "%s 尚未开始，不能公开", q)
	}
	return nil
}

func isNotFound(err error) bool {
	e, ok := AsError(err)
	return ok && e.Code == ECodeNotFound
}

// WithdrawDisclosure takes a published quarter down; its address answers not
// found from then on.
func (s *Store) WithdrawDisclosure(ctx context.Context, a Actor, bookCode, quarter string) (Disclosure, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return Disclosure{}, FieldError("quarter", "%s", err.Error())
	}
	var out Disclosure
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		d, err := currentDisclosure(ctx, tx, b, q.String())
		if err != nil {
			return err
		}
		out = d
		out.WithdrawnAt, out.WithdrawnBy = s.timestamp(), a.UserID
		_, err = tx.NewRaw(`UPDATE disclosures SET withdrawn_at = ?, withdrawn_by = ? WHERE book_id = ? AND slug = ? AND withdrawn_at IS NULL`,
			out.WithdrawnAt, out.WithdrawnBy, b.ID, d.Slug).Exec(ctx)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "withdraw", "disclosure", out.Quarter, "", d, out)
	})
	return out, err
}

// Disclosures lists a book's publications, newest first, withdrawn ones too.
func (s *Store) Disclosures(ctx context.Context, a Actor, bookCode string) ([]Disclosure, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	return scanDisclosures(ctx, s.db, b, `WHERE book_id = ? ORDER BY id DESC LIMIT ?`, b.ID, maxDisclosure)
}

const disclosureColumns = `SELECT quarter, slug, published_at, published_by, COALESCE(withdrawn_at, ''), COALESCE(withdrawn_by, 0) FROM disclosures `

func scanDisclosures(ctx context.Context, db bun.IDB, b Book, where string, args ...any) ([]Disclosure, error) {
	rows, err := db.QueryContext(ctx, disclosureColumns+where, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, d *Disclosure) error {
		d.Book = b.Code
		return rows.Scan(&d.Quarter, &d.Slug, &d.PublishedAt, &d.PublishedBy, &d.WithdrawnAt, &d.WithdrawnBy)
	})
}

func currentDisclosure(ctx context.Context, db bun.IDB, b Book, quarter string) (Disclosure, error) {
	ds, err := scanDisclosures(ctx, db, b, `WHERE book_id = ? AND quarter = ? AND withdrawn_at IS NULL`, b.ID, quarter)
	if err != nil {
		return Disclosure{}, err
	}
	if len(ds) == 0 {
		return Disclosure{}, Errorf(ECodeNotFound, "%s 没有公开的财务信息", quarter)
	}
	return ds[0], nil
}

// DisclosureView is everything a published quarter shows: the same figures as
// the statements and the public notice workbook.
type DisclosureView struct {
	Disclosure
	BookName     string
	Kind         BookKind
	TownshipName string
	Income       IncomeStatement // the quarter's three months
	Balance      BalanceSheet    // at the quarter's last month end
	Runs         []PayoutRun     // the quarter's approved runs, oldest first
	// Households holds the households of Runs with masked ID numbers and bank
	// accounts: the only personal data a disclosure carries.
	Households map[string]Household
	Titles     map[string]string // agreement code → title
	ChainHead  ChainHead
	Contact    BookContact // whom to ask; empty when the book set none
}

// PublicDisclosure returns a published quarter by its book and slug, for a
// page anyone may read. A withdrawn or unknown one is not found, without
// saying which.
func (s *Store) PublicDisclosure(ctx context.Context, bookCode, slug string) (DisclosureView, error) {
	if !slugPattern.MatchString(slug) {
		return DisclosureView{}, errNotPublic
	}
	b, err := s.bookByCode(ctx, s.db, bookCode)
	if err != nil {
		return DisclosureView{}, errNotPublic
	}
	ds, err := scanDisclosures(ctx, s.db, b, `WHERE book_id = ? AND slug = ? AND withdrawn_at IS NULL`, b.ID, slug)
	if err != nil {
		return DisclosureView{}, err
	}
	if len(ds) == 0 {
		return DisclosureView{}, errNotPublic
	}
	return s.disclosureView(ctx, s.db, b, ds[0])
}

func (s *Store) disclosureView(ctx context.Context, db bun.IDB, b Book, d Disclosure) (DisclosureView, error) {
	q, err := ParseQuarter(d.Quarter)
	if err != nil {
		return DisclosureView{}, err
	}
	ps := q.Periods()
	v := DisclosureView{Disclosure: d, BookName: b.Name, Kind: b.Kind, TownshipName: b.Township.Name, Titles: map[string]string{}}
	if v.Income, err = incomeStatement(ctx, db, b, PeriodRange{From: ps[0], To: ps[2]}); err != nil {
		return DisclosureView{}, err
	}
	if v.Balance, err = balanceSheet(ctx, db, b, ps[2]); err != nil {
		return DisclosureView{}, err
	}
	if v.Runs, err = approvedRuns(ctx, db, b, q); err != nil {
		return DisclosureView{}, err
	}
	if v.Households, err = maskedHouseholds(ctx, db, b.ID, v.Runs); err != nil {
		return DisclosureView{}, err
	}
	if v.Titles, err = agreementTitles(ctx, db, b.ID); err != nil {
		return DisclosureView{}, err
	}
	if v.Contact, err = bookContact(ctx, db, b.ID); err != nil {
		return DisclosureView{}, err
	}
	v.ChainHead, err = chainHeadOf(ctx, db, b)
	return v, err
}

// approvedRuns returns a quarter's approved runs with their lines.
func approvedRuns(ctx context.Context, db bun.IDB, b Book, q Quarter) ([]PayoutRun, error) {
	var ids []int64
	err := db.NewRaw(`SELECT id FROM payout_runs WHERE book_id = ? AND quarter = ? AND status = ? ORDER BY id`, b.ID, q.String(), RunApproved).
		Scan(ctx, &ids)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	out := make([]PayoutRun, 0, len(ids))
	for _, id := range ids {
		run, err := payoutRunByID(ctx, db, b, id)
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	return out, nil
}

// maskedHouseholds loads the households of runs with their ID numbers and
// bank accounts masked, so the unmasked values never reach a public page.
func maskedHouseholds(ctx context.Context, db bun.IDB, bookID int64, runs []PayoutRun) (map[string]Household, error) {
	out := map[string]Household{}
	for _, r := range runs {
		for _, l := range r.Lines {
			if _, ok := out[l.Household]; ok {
				continue
			}
			h, err := householdByCode(ctx, db, bookID, l.Household)
			if err != nil {
				return nil, err
			}
			h.IDNumber, h.BankAccount = MaskIDNumber(h.IDNumber), MaskBankAccount(h.BankAccount)
			h.CreatedAt, h.UpdatedAt = "", ""
			out[h.Code] = h
		}
	}
	return out, nil
}

func agreementTitles(ctx context.Context, db bun.IDB, bookID int64) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT code, title FROM agreements WHERE book_id = ?`, bookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, title string
		if err := rows.Scan(&code, &title); err != nil {
			return nil, err
		}
		out[code] = title
	}
	return out, rows.Err()
}
