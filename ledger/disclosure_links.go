package ledger

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// HouseholdLink is a household's statement link. Token is set in the answer
// that creates it; the store keeps its SHA-256 and the generation it was
// derived from (see deriveLinkToken).
type HouseholdLink struct {
	Book      string `json:"book"`
	Household string `json:"household"`
	Token     string `json:"-"`
	CreatedAt string `json:"created_at"`
}

// Household link tokens are derived, not drawn at random:
//
//	token = base64url(first 16 bytes of HMAC-SHA256(secret, "household-link|" book id "|" household "|" generation))
//
// with a 32-byte secret made once per database by crypto/rand (table
// link_secret). Why: the payout roster and the slips must print each
// household's current link at any later export, which a random token kept
// only as its hash cannot give back, and storing tokens in clear would hand
// them to every query and log of the table. Derived tokens keep what random
// ones gave: 128 bits nobody can guess without the secret; lookups still by
// the token's SHA-256; regenerating bumps the generation, so the old token is
// neither stored nor derived again (404); revoking marks the row and keeps its
// generation, so a later link is new as well; each token names one book and
// one household, so it never shows another. Whoever can read the database can
// derive the links — and could read every household's figures anyway.
const linkSecretBytes = 32

func deriveLinkToken(secret []byte, bookID int64, household string, generation int64) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "household-link|%d|%s|%d", bookID, household, generation)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:randomBytes])
}

// readLinkSecret returns the database's link secret, or nil before the first
// link was made.
func readLinkSecret(ctx context.Context, db bun.IDB) ([]byte, error) {
	var hexSecret string
	err := db.QueryRowContext(ctx, `SELECT secret FROM link_secret WHERE id = 1`).Scan(&hexSecret)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(hexSecret)
}

// linkSecret returns the link secret, making it on first use. Two first
// links at once both insert; the primary key keeps one and both read it.
func linkSecret(ctx context.Context, tx bun.Tx) ([]byte, error) {
	if secret, err := readLinkSecret(ctx, tx); err != nil || secret != nil {
		return secret, err
	}
	b := make([]byte, linkSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	if _, err := tx.NewRaw(`INSERT INTO link_secret (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, hex.EncodeToString(b)).Exec(ctx); err != nil {
		return nil, err
	}
	return readLinkSecret(ctx, tx)
}

// CreateHouseholdLink makes a new link for a household, replacing (and so
// disabling) any earlier one. The accountants of the book and the township
// may make links.
func (s *Store) CreateHouseholdLink(ctx context.Context, a Actor, bookCode, code string) (HouseholdLink, error) {
	var out HouseholdLink
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		secret, err := linkSecret(ctx, tx)
		if err != nil {
			return err
		}
		out, err = s.createLink(ctx, tx, a, b, secret, code)
		return err
	})
	return out, err
}

// createLink makes household code's next link in tx and audits it.
func (s *Store) createLink(ctx context.Context, tx bun.Tx, a Actor, b Book, secret []byte, code string) (HouseholdLink, error) {
	h, err := householdByCode(ctx, tx, b.ID, code)
	if err != nil {
		return HouseholdLink{}, err
	}
	var generation int64
	var revoked string
	err = tx.QueryRowContext(ctx, `SELECT generation, COALESCE(revoked_at, '') FROM household_links WHERE book_id = ? AND household_code = ?`,
		b.ID, h.Code).Scan(&generation, &revoked)
	exists := err == nil
	if err != nil && !isNoRows(err) {
		return HouseholdLink{}, err
	}
	generation++
	out := HouseholdLink{Book: b.Code, Household: h.Code, Token: deriveLinkToken(secret, b.ID, h.Code, generation), CreatedAt: s.timestamp()}
	action := "create"
	if exists {
		if revoked == "" {
			action = "regenerate"
		}
		_, err = tx.NewRaw(`UPDATE household_links SET token_sha256 = ?, generation = ?, created_at = ?, created_by = ?, revoked_at = NULL, revoked_by = NULL
			WHERE book_id = ? AND household_code = ?`, tokenHash(out.Token), generation, out.CreatedAt, a.UserID, b.ID, h.Code).Exec(ctx)
	} else {
		_, err = tx.NewRaw(`INSERT INTO household_links (book_id, household_code, token_sha256, generation, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
			b.ID, h.Code, tokenHash(out.Token), generation, out.CreatedAt, a.UserID).Exec(ctx)
	}
	if err != nil {
		return HouseholdLink{}, err
	}
	return out, s.audit(ctx, tx, a, b.ID, action, "household_link", h.Code, "", nil, map[string]any{"created_at": out.CreatedAt, "generation": generation})
}

// RevokeHouseholdLink disables a household's link. The row stays, so the
// next link is of a later generation and never the revoked one again.
func (s *Store) RevokeHouseholdLink(ctx context.Context, a Actor, bookCode, code string) error {
	return s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		res, err := tx.NewRaw(`UPDATE household_links SET revoked_at = ?, revoked_by = ? WHERE book_id = ? AND household_code = ? AND revoked_at IS NULL`,
			s.timestamp(), a.UserID, b.ID, code).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(ECodeNotFound, "农户 %s 没有对账链接", truncate(code, 32))
		}
		return s.audit(ctx, tx, a, b.ID, "revoke", "household_link", code, "", nil, nil)
	})
}

// HouseholdLinkStatus says whether a household has a link and since when,
// for the accountants' pages.
func (s *Store) HouseholdLinkStatus(ctx context.Context, a Actor, bookCode, code string) (HouseholdLink, bool, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return HouseholdLink{}, false, err
	}
	l := HouseholdLink{Book: b.Code, Household: code}
	err = s.db.QueryRowContext(ctx, `SELECT created_at FROM household_links WHERE book_id = ? AND household_code = ? AND revoked_at IS NULL`,
		b.ID, code).Scan(&l.CreatedAt)
	if isNoRows(err) {
		return l, false, nil
	}
	return l, err == nil, err
}

// HouseholdLinkTokens returns the current token of every household of a
// book with an active link, for the roster and the slips: readers of the
// book may print them. A link made before tokens were derived (generation 0)
// cannot be recovered and is left out, as is one whose derived token does
// not match the stored hash (a secret from another database). A book without
// links costs one query that returns nothing.
func (s *Store) HouseholdLinkTokens(ctx context.Context, a Actor, bookCode string) (map[string]string, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT household_code, generation, token_sha256 FROM household_links
		WHERE book_id = ? AND revoked_at IS NULL AND generation > 0`, b.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type link struct {
		code, hash string
		generation int64
	}
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.code, &l.generation, &l.hash); err != nil {
			return nil, err
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(links))
	if len(links) == 0 {
		return out, nil
	}
	secret, err := readLinkSecret(ctx, s.db)
	if err != nil || secret == nil {
		return out, err
	}
	for _, l := range links {
		if t := deriveLinkToken(secret, b.ID, l.code, l.generation); tokenHash(t) == l.hash {
			out[l.code] = t
		}
	}
	return out, nil
}

// PublicPayout is one agreement's money for the household in one quarter,
// as approved runs accrued it, with the vouchers behind it by number.
type PublicPayout struct {
	Agreement   string   `json:"agreement"`
	Title       string   `json:"title"`
	Kind        string   `json:"kind"`
	Entitled    Money    `json:"entitled"` // accrued by approved runs
	Paid        Money    `json:"paid"`
	Outstanding Money    `json:"outstanding"`
	Vouchers    []string `json:"vouchers"` // "2026年3月记-0012"
	// Basis lists the approved lines behind Entitled, Payments the payments
	// made (disclosure_basis.go).
	Basis    []PublicBasis   `json:"basis"`
	Payments []PublicPayment `json:"payments"`
}

// PublicQuarter is a household's quarter.
type PublicQuarter struct {
	Quarter     string         `json:"quarter"`
	Payouts     []PublicPayout `json:"payouts"`
	Entitled    Money          `json:"entitled"`
	Paid        Money          `json:"paid"`
	Outstanding Money          `json:"outstanding"`
}

// HouseholdView is what a household's link shows: that household only.
type HouseholdView struct {
	Book         string          `json:"book"`
	BookName     string          `json:"book_name"`
	TownshipName string          `json:"township_name"`
	Household    string          `json:"household"`
	HeadName     string          `json:"head_name"` // surname only, the rest starred
	BankTail     string          `json:"bank_tail"` // last four digits
	Agreements   []string        `json:"agreements"`
	Quarters     []PublicQuarter `json:"quarters"` // newest first
	Entitled     Money           `json:"entitled"`
	Paid         Money           `json:"paid"`
	Outstanding  Money           `json:"outstanding"`
	AsOf         string          `json:"as_of"`
	Contact      BookContact     `json:"contact"` // whom to ask; empty when the book set none
}

// PublicHousehold returns what a household's link shows. An unknown, revoked
// or replaced token is not found.
func (s *Store) PublicHousehold(ctx context.Context, bookCode, token string) (HouseholdView, error) {
	if !tokenPattern.MatchString(token) {
		return HouseholdView{}, errNotPublic
	}
	b, err := s.bookByCode(ctx, s.db, bookCode)
	if err != nil {
		return HouseholdView{}, errNotPublic
	}
	var code string
	err = s.db.QueryRowContext(ctx, `SELECT household_code FROM household_links WHERE book_id = ? AND token_sha256 = ? AND revoked_at IS NULL`, b.ID, tokenHash(token)).Scan(&code)
	if isNoRows(err) {
		return HouseholdView{}, errNotPublic
	}
	if err != nil {
		return HouseholdView{}, err
	}
	return s.householdView(ctx, s.db, b, code)
}

func (s *Store) householdView(ctx context.Context, db bun.IDB, b Book, code string) (HouseholdView, error) {
	h, err := householdByCode(ctx, db, b.ID, code)
	if err != nil {
		return HouseholdView{}, err
	}
	now := s.now().UTC()
	r := PeriodRange{From: Period(b.StartPeriod), To: Period(now.Format("2006-01"))}
	if r.To < r.From {
		r.To = r.From
	}
	payouts, err := s.householdPayouts(ctx, db, b, code, r)
	if err != nil {
		return HouseholdView{}, err
	}
	titles, err := agreementTitles(ctx, db, b.ID)
	if err != nil {
		return HouseholdView{}, err
	}
	ix, err := loadVoucherIndex(ctx, db, b.ID)
	if err != nil {
		return HouseholdView{}, err
	}
	v := HouseholdView{Book: b.Code, BookName: b.Name, TownshipName: b.Township.Name, Household: h.Code,
		HeadName: maskName(h.HeadName), BankTail: lastRunes(h.BankAccount, 4), Agreements: []string{}, Quarters: []PublicQuarter{},
		AsOf: now.Format("2006-01-02")}
	byQuarter := map[string]*PublicQuarter{}
	agreements := map[string]bool{}
	for _, p := range payouts {
		if p.Accrued.IsZero() && p.Paid.IsZero() {
			continue // nothing approved yet for this quarter and agreement
		}
		var labels []string
		for _, id := range p.Vouchers {
			if ix.posted(id) {
				labels = append(labels, ix.label(id))
			}
		}
		if labels == nil {
			labels = []string{}
		}
		pq := byQuarter[p.Quarter]
		if pq == nil {
			pq = &PublicQuarter{Quarter: p.Quarter}
			byQuarter[p.Quarter] = pq
		}
		pq.Payouts = append(pq.Payouts, PublicPayout{Agreement: p.Agreement, Title: titles[p.Agreement], Kind: p.Kind,
			Entitled: p.Accrued, Paid: p.Paid, Outstanding: p.Outstanding, Vouchers: labels})
		pq.Entitled, pq.Paid, pq.Outstanding = pq.Entitled.Add(p.Accrued), pq.Paid.Add(p.Paid), pq.Outstanding.Add(p.Outstanding)
		agreements[p.Agreement] = true
	}
	for _, pq := range byQuarter {
		v.Quarters = append(v.Quarters, *pq)
		v.Entitled, v.Paid, v.Outstanding = v.Entitled.Add(pq.Entitled), v.Paid.Add(pq.Paid), v.Outstanding.Add(pq.Outstanding)
	}
	sort.Slice(v.Quarters, func(i, j int) bool { return v.Quarters[i].Quarter > v.Quarters[j].Quarter })
	for a := range agreements {
		v.Agreements = append(v.Agreements, a)
	}
	sort.Strings(v.Agreements)
	if v.Contact, err = bookContact(ctx, db, b.ID); err != nil {
		return HouseholdView{}, err
	}
	return v, addBasisAndPayments(ctx, db, b.ID, &v)
}

// maskName keeps the first character of a name (the surname, as a rule) and
// stars the rest: 刘春梅 → 刘**.
func maskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	return string(r[:1]) + strings.Repeat("*", max(len(r)-1, 1))
}

func lastRunes(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), ""))
	if len(r) <= n {
		return string(r)
	}
	return string(r[len(r)-n:])
}
