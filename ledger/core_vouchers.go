package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// checkAgainstBook validates lines against the chart, roster and periods.
// Accounts, households and parties are looked up once per voucher, not per line.
func (s *Store) checkAgainstBook(ctx context.Context, tx bun.IDB, b Book, date string, lines []Line) error {
	_, err := s.checkAgainstBookRefs(ctx, tx, b, date, lines)
	return err
}

// checkAgainstBookRefs is checkAgainstBook that also returns what it looked up.
func (s *Store) checkAgainstBookRefs(ctx context.Context, tx bun.IDB, b Book, date string, lines []Line) (lineRefs, error) {
	if err := s.checkPeriodOpen(ctx, tx, b, Period(date[:7])); err != nil {
		return lineRefs{}, err
	}
	refs, err := s.loadLineRefs(ctx, tx, b.ID, lines)
	if err != nil {
		return lineRefs{}, err
	}
	var v validation
	refs.check(lines, &v)
	if anyTrade(lines) {
		if err := s.checkTrade(ctx, tx, b, date, lines, &v); err != nil {
			return refs, err
		}
	}
	return refs, v.Err()
}

// lineRefsSQL looks up accounts, households and parties in one statement
// whose text does not depend on how many codes there are: the codes travel as
// one JSON array (SQLite) or text array (PostgreSQL) per table.
const (
	lineRefsSQLite = `SELECT 'a', code, name, category, normal_side, aux, parent_code, is_leaf FROM accounts
		WHERE book_id = ? AND code IN (SELECT value FROM json_each(?))
		UNION ALL SELECT 'h', code, '', '', '', '', '', FALSE FROM households WHERE book_id = ? AND code IN (SELECT value FROM json_each(?))
		UNION ALL SELECT 'p', code, '', '', '', '', '', FALSE FROM parties WHERE book_id = ? AND code IN (SELECT value FROM json_each(?))`
	lineRefsPostgres = `SELECT 'a', code, name, category, normal_side, aux, parent_code, is_leaf FROM accounts
		WHERE book_id = ? AND code = ANY(?::text[])
		UNION ALL SELECT 'h', code, '', '', '', '', '', FALSE FROM households WHERE book_id = ? AND code = ANY(?::text[])
		UNION ALL SELECT 'p', code, '', '', '', '', '', FALSE FROM parties WHERE book_id = ? AND code = ANY(?::text[])`
)

func (s *Store) loadLineRefs(ctx context.Context, tx bun.IDB, bookID int64, lines []Line) (lineRefs, error) {
	refs := lineRefs{accounts: map[string]Account{}, households: map[string]bool{}, parties: map[string]bool{}}
	var accounts, households, parties []string
	for _, l := range lines {
		accounts = append(accounts, l.Account)
		if l.Household != "" {
			households = append(households, l.Household)
		}
		if l.Party != "" {
			parties = append(parties, l.Party)
		}
	}
	accounts, households, parties = distinct(accounts), distinct(households), distinct(parties)
	q, list := lineRefsSQLite, func(xs []string) any { b, _ := json.Marshal(xs); return string(b) }
	if s.dialect == Postgres {
		q, list = lineRefsPostgres, func(xs []string) any { return xs }
	}
	rows, err := s.querySQL(ctx, tx, q, bookID, list(accounts), bookID, list(households), bookID, list(parties))
	if err != nil {
		return refs, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, code, name, category, side, aux, parent string
		var leaf bool
		if err := rows.Scan(&kind, &code, &name, &category, &side, &aux, &parent, &leaf); err != nil {
			return refs, err
		}
		switch kind {
		case "a":
			refs.accounts[code] = Account{Code: code, Name: name, Category: Category(category), NormalSide: Side(side),
				Aux: Aux(aux), Parent: parent, Leaf: leaf}
		case "h":
			refs.households[code] = true
		case "p":
			refs.parties[code] = true
		}
	}
	return refs, rows.Err()
}

// existingCodes marks which of codes exist in table for the book.
func existingCodes(ctx context.Context, tx bun.IDB, table string, bookID int64, codes []string, out map[string]bool) error {
	codes = distinct(codes)
	for start := 0; start < len(codes); start += maxLines {
		chunk := codes[start:min(start+maxLines, len(codes))]
		var found []string
		err := tx.NewRaw("SELECT code FROM "+table+" WHERE book_id = ? AND code IN (?)", bookID, bun.In(chunk)).Scan(ctx, &found)
		if err != nil && !isNoRows(err) {
			return err
		}
		for _, c := range found {
			out[c] = true
		}
	}
	return nil
}

func distinct(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// CreateVoucher saves a draft. Nothing is numbered or posted yet.
func (s *Store) CreateVoucher(ctx context.Context, a Actor, bookCode string, in VoucherInput) (Voucher, error) {
	lines, total, err := in.checkShape(false)
	if err != nil {
		return Voucher{}, err
	}
	var out Voucher
	err = s.writeGrouped(ctx, a.Write, func(ctx context.Context, tx bun.Tx) error {
		b, err := s.authorizeAny(ctx, tx, a, bookCode, permWrite, permSubmit, permCashBank)
		if err != nil {
			return err
		}
		if !a.can(b, permSubmit) {
			if err := cashBankOnly(a, b, permWrite, lines); err != nil {
				return err
			}
		}
		out, err = s.insertDraft(ctx, tx, a, b, in, lines, total, 0)
		return err
	})
	return out, err
}

func (s *Store) insertDraft(ctx context.Context, tx bun.Tx, a Actor, b Book, in VoucherInput, lines []Line, total Money, reverses int64) (Voucher, error) {
	if err := s.lockBook(ctx, tx, b.ID); err != nil {
		return Voucher{}, err
	}
	refs, err := s.checkAgainstBookRefs(ctx, tx, b, in.Date, lines)
	if err != nil {
		return Voucher{}, err
	}
	id, err := s.nextID(ctx, tx, b.ID, "voucher")
	if err != nil {
		return Voucher{}, err
	}
	now := s.timestamp()
	var rev any
	if reverses != 0 {
		rev = reverses
	}
	summary := strings.TrimSpace(in.Summary)
	_, err = s.execSQL(ctx, tx, `INSERT INTO vouchers (book_id, id, status, date, period, summary, attachments, preparer_id,
		reverses_id, total_fen, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, id, in.Date, in.Date[:7], summary, in.Attachments, a.UserID, rev, total.Fen(), now, now)
	if err != nil {
		return Voucher{}, err
	}
	if err := s.insertLines(ctx, tx, b.ID, id, lines); err != nil {
		return Voucher{}, err
	}
	// The draft as voucherByID would read it back, built from what was just
	// written instead of read again.
	v := Voucher{ID: id, Book: b.Code, Status: StatusDraft, Date: in.Date, Period: in.Date[:7], Summary: summary,
		Attachments: in.Attachments, PreparerID: a.UserID, ReversesID: reverses, Total: Fen(total.Fen()),
		Lines: make([]Line, len(lines)), CreatedAt: now, UpdatedAt: now}
	for i, l := range lines {
		l.AccountName = refs.accounts[l.Account].Name
		l.Debit, l.Credit = Fen(l.Debit.Fen()), Fen(l.Credit.Fen())
		v.Lines[i] = l
	}
	return v, s.audit(ctx, tx, a, b.ID, "create", "voucher", strconv.FormatInt(id, 10), "", nil, v)
}

var insertLinesSQL = multiInsert{head: `INSERT INTO voucher_lines (book_id, voucher_id, line_no, account_code, household_code,
			party_code, debit_fen, credit_fen, summary, trade) VALUES `, cols: 10, perStmt: 100}

// insertLines writes a voucher's lines with multi-row INSERTs, 100 rows a statement.
func (s *Store) insertLines(ctx context.Context, tx bun.Tx, bookID, voucherID int64, lines []Line) error {
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{bookID, voucherID, l.LineNo, l.Account, nullable(l.Household), nullable(l.Party), l.Debit.Fen(), l.Credit.Fen(), l.Summary, l.Trade}
	}
	return insertLinesSQL.exec(ctx, s, tx, rows)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// VoucherPatch replaces parts of a draft; Lines, when given, replace all lines.
type VoucherPatch struct {
	Date        *string      `json:"date"`
	Summary     *string      `json:"summary"`
	Attachments *int         `json:"attachments"`
	Lines       *[]LineInput `json:"lines"`
}

// UpdateVoucher edits a draft. Only its preparer may; posted vouchers are immutable.
func (s *Store) UpdateVoucher(ctx context.Context, a Actor, bookCode string, id int64, p VoucherPatch) (Voucher, error) {
	var out Voucher
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, before, err := s.draftForPreparer(ctx, tx, a, bookCode, id)
		if err != nil {
			return err
		}
		if before.ReversesID != 0 && p.Lines != nil {
			return FieldError("lines", "红字冲销凭证的分录由原凭证决定，不能修改")
		}
		in := before.input()
		applyVoucherPatch(&in, p)
		lines, total, err := in.checkShape(before.ReversesID != 0)
		if err != nil {
			return err
		}
		if err := s.checkAgainstBook(ctx, tx, b, in.Date, lines); err != nil {
			return err
		}
		if !a.can(b, permSubmit) {
			if err := cashBankOnly(a, b, permWrite, lines); err != nil {
				return err
			}
		}
		if _, err := tx.NewRaw(`UPDATE vouchers SET date = ?, period = ?, summary = ?, attachments = ?, total_fen = ?, updated_at = ?
			WHERE book_id = ? AND id = ?`, in.Date, in.Date[:7], strings.TrimSpace(in.Summary), in.Attachments, total.Fen(), s.timestamp(), b.ID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM voucher_lines WHERE book_id = ? AND voucher_id = ?", b.ID, id).Exec(ctx); err != nil {
			return err
		}
		if err := s.insertLines(ctx, tx, b.ID, id, lines); err != nil {
			return err
		}
		if err := clearDraftReturn(ctx, tx, b.ID, id); err != nil { // edited: back in the review queue
			return err
		}
		if out, err = s.voucherByID(ctx, tx, b, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "update", "voucher", fmt.Sprint(id), "", before, out)
	})
	return out, err
}

func applyVoucherPatch(in *VoucherInput, p VoucherPatch) {
	if p.Date != nil {
		in.Date = *p.Date
	}
	if p.Summary != nil {
		in.Summary = *p.Summary
	}
	if p.Attachments != nil {
		in.Attachments = *p.Attachments
	}
	if p.Lines != nil {
		in.Lines = *p.Lines
	}
}

// input turns a stored voucher back into what a preparer would submit.
func (v Voucher) input() VoucherInput {
	in := VoucherInput{Date: v.Date, Summary: v.Summary, Attachments: v.Attachments}
	for _, l := range v.Lines {
		li := LineInput{Account: l.Account, Household: l.Household, Party: l.Party, Summary: l.Summary, Trade: l.Trade}
		if !l.Debit.IsZero() {
			d := l.Debit
			li.Debit = &d
		} else {
			c := l.Credit
			li.Credit = &c
		}
		in.Lines = append(in.Lines, li)
	}
	return in
}

// DeleteVoucher discards a draft; it never had a number, so no gap is left.
func (s *Store) DeleteVoucher(ctx context.Context, a Actor, bookCode string, id int64) error {
	return s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, before, err := s.draftForPreparer(ctx, tx, a, bookCode, id)
		if err != nil {
			return err
		}
		if err := s.releaseDocuments(ctx, tx, b.ID, id); err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM voucher_lines WHERE book_id = ? AND voucher_id = ?", b.ID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw("DELETE FROM vouchers WHERE book_id = ? AND id = ?", b.ID, id).Exec(ctx); err != nil {
			return err
		}
		if err := clearDraftReturn(ctx, tx, b.ID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "delete", "voucher", fmt.Sprint(id), "", before, nil)
	})
}

// draftForPreparer loads a draft the actor prepared, locking the book.
func (s *Store) draftForPreparer(ctx context.Context, tx bun.Tx, a Actor, bookCode string, id int64) (Book, Voucher, error) {
	b, err := s.authorizeAny(ctx, tx, a, bookCode, permWrite, permSubmit, permCashBank)
	if err != nil {
		return Book{}, Voucher{}, err
	}
	if err := s.lockBook(ctx, tx, b.ID); err != nil {
		return Book{}, Voucher{}, err
	}
	v, err := s.voucherByID(ctx, tx, b, id)
	if err != nil {
		return Book{}, Voucher{}, err
	}
	if v.Status != StatusDraft {
		return Book{}, Voucher{}, Errorf(ECodeImmutable, "凭证 %s 已过账，不能修改或删除；如有错误请红字冲销", v.Number)
	}
	if v.PreparerID != a.UserID {
		return Book{}, Voucher{}, Errorf(ECodeForbidden, "只有制单人可以修改或删除草稿凭证")
	}
	if err := s.checkPeriodOpen(ctx, tx, b, Period(v.Period)); err != nil {
		return Book{}, Voucher{}, err
	}
	return b, v, nil
}

const voucherColumns = `id, status, date, period, summary, attachments, preparer_id, reviewer_id, number, posted_at,
	reverses_id, reversed_by_id, imported, chain_seq, prev_hash, hash, total_fen, created_at, updated_at,
	posted_via, orig_prepared_by, orig_reviewed_by, chain_version`

type voucherScan struct {
	v                                      Voucher
	reviewer, number, reverses, reversedBy *int64
	chainSeq                               *int64
	postedAt, prevHash, hash               *string
	totalFen                               int64
}

func (r *voucherScan) dest() []any {
	v := &r.v
	return []any{&v.ID, &v.Status, &v.Date, &v.Period, &v.Summary, &v.Attachments, &v.PreparerID, &r.reviewer, &r.number,
		&r.postedAt, &r.reverses, &r.reversedBy, &v.Imported, &r.chainSeq, &r.prevHash, &r.hash, &r.totalFen, &v.CreatedAt, &v.UpdatedAt,
		&v.PostedVia, &v.OrigPrepBy, &v.OrigRevBy, &v.ChainVersion}
}

func (r *voucherScan) voucher(book string) Voucher {
	v := r.v
	v.Book = book
	v.ReviewerID, v.ReversesID, v.ReversedBy, v.ChainSeq = deref(r.reviewer), deref(r.reverses), deref(r.reversedBy), deref(r.chainSeq)
	v.PostedAt, v.PrevHash, v.Hash = derefStr(r.postedAt), derefStr(r.prevHash), derefStr(r.hash)
	if r.number != nil {
		v.number = int(*r.number)
		v.Number = FormatNumber(v.number)
	}
	v.Total = Fen(r.totalFen)
	v.Lines = []Line{}
	if v.Status != StatusPosted {
		v.ChainVersion = 0 // chosen at posting
	}
	return v
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func derefStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Store) voucherByID(ctx context.Context, db bun.IDB, b Book, id int64) (Voucher, error) {
	var r voucherScan
	err := s.scanRow(ctx, db, "SELECT "+voucherColumns+" FROM vouchers WHERE book_id = ? AND id = ?", []any{b.ID, id}, r.dest()...)
	if isNoRows(err) {
		return Voucher{}, notFound("凭证", id)
	}
	if err != nil {
		return Voucher{}, err
	}
	v := r.voucher(b.Code)
	if v.Lines, err = s.loadLines(ctx, db, b.ID, id); err != nil {
		return Voucher{}, err
	}
	v.DocumentHashes, err = s.chainedDocumentHashes(ctx, db, b.ID, id)
	return v, err
}

func (s *Store) loadLines(ctx context.Context, db bun.IDB, bookID, voucherID int64) ([]Line, error) {
	rows, err := s.querySQL(ctx, db, `SELECT l.line_no, l.account_code, a.name, COALESCE(l.household_code, ''), COALESCE(l.party_code, ''),
		l.debit_fen, l.credit_fen, l.summary, l.trade FROM voucher_lines l
		JOIN accounts a ON a.book_id = l.book_id AND a.code = l.account_code
		WHERE l.book_id = ? AND l.voucher_id = ? ORDER BY l.line_no`, bookID, voucherID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, l *Line) error {
		var d, c int64
		err := rows.Scan(&l.LineNo, &l.Account, &l.AccountName, &l.Household, &l.Party, &d, &c, &l.Summary, &l.Trade)
		l.Debit, l.Credit = Fen(d), Fen(c)
		return err
	})
}

// Voucher returns one voucher with its lines.
func (s *Store) Voucher(ctx context.Context, a Actor, bookCode string, id int64) (Voucher, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Voucher{}, err
	}
	return s.voucherByID(ctx, s.db, b, id)
}

// VoucherFilter narrows a voucher listing. Pages go by id: After is the last
// id of the previous page.
type VoucherFilter struct {
	Period    string
	Status    VoucherStatus
	Account   string // any line on this account or its sub-accounts
	Household string
	After     int64
	Limit     int
	// Newest lists newest first; pages then go by Before, the last id of
	// the previous page.
	Newest bool
	Before int64
}

// Vouchers lists vouchers with their lines, oldest first (newest first with f.Newest).
func (s *Store) Vouchers(ctx context.Context, a Actor, bookCode string, f VoucherFilter) ([]Voucher, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + voucherColumns + " FROM vouchers v WHERE book_id = ? AND id > ?"
	args := []any{b.ID, f.After}
	if f.Before > 0 {
		q, args = q+" AND id < ?", append(args, f.Before)
	}
	if f.Period != "" {
		q, args = q+" AND period = ?", append(args, f.Period)
	}
	if f.Status != "" {
		q, args = q+" AND status = ?", append(args, f.Status)
	}
	if f.Account != "" {
		q, args = q+" AND EXISTS (SELECT 1 FROM voucher_lines l WHERE l.book_id = v.book_id AND l.voucher_id = v.id AND l.account_code LIKE ? ESCAPE '\\')", append(args, escapeLike(f.Account)+"%")
	}
	if f.Household != "" {
		q, args = q+" AND EXISTS (SELECT 1 FROM voucher_lines l WHERE l.book_id = v.book_id AND l.voucher_id = v.id AND l.household_code = ?)", append(args, f.Household)
	}
	order := "id"
	if f.Newest {
		order = "id DESC"
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT %d", order, clampLimit(f.Limit))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows, func(rows *sql.Rows, v *Voucher) error {
		var r voucherScan
		err := rows.Scan(r.dest()...)
		*v = r.voucher(b.Code)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Lines, err = s.loadLines(ctx, s.db, b.ID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
