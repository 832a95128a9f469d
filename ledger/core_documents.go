package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// Source documents (原始凭证): scans or photos attached to a voucher or to a
// receipt (core_receipts.go). An upload is first spooled to a temporary file
// while its SHA-256 is computed (SpoolDocument), outside any transaction, so
// a slow upload never holds the writer lock and nothing is held whole in
// memory; the transaction then copies the file into document_chunks, 256 KiB
// a row. The bytes live in the database (not in files beside it) so that
// one backup, one replica and one set of permissions cover the books and
// their documents in both SQLite and PostgreSQL, and a document can never be
// missing from the books it belongs to.

const (
	// MaxDocumentBytes is the size limit of one document: 10 MiB, enough
	// for a phone photo or a multi-page scan as PDF.
	MaxDocumentBytes = 10 << 20
	// MaxDocuments is how many documents one voucher or receipt may hold.
	MaxDocuments = 20
	// documentChunk is the size of one stored chunk.
	documentChunk   = 256 << 10
	maxDocumentName = 100 // runes
)

// Document is a stored source document without its bytes.
type Document struct {
	ID          int64  `json:"id"`
	VoucherID   int64  `json:"voucher_id,omitempty"`
	ReceiptID   int64  `json:"receipt_id,omitempty"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Addendum: added after the voucher was posted; outside its hash, with
	// its own audit-log entry (action addendum).
	Addendum bool   `json:"addendum"`
	AddedBy  int64  `json:"added_by"`
	AddedAt  string `json:"added_at"`
}

// SpooledDocument is an upload copied to a temporary file, its type checked
// by its first bytes and its SHA-256 computed while copying. Close removes
// the file.
type SpooledDocument struct {
	Name, ContentType, SHA256 string
	Size                      int64
	f                         *os.File
}

// magic numbers of the accepted types: the content decides, never the name.
var documentMagic = []struct {
	prefix []byte
	ctype  string
}{
	{[]byte{0xFF, 0xD8, 0xFF}, "image/jpeg"},
	{[]byte("\x89PNG\r\n\x1a\n"), "image/png"},
	{[]byte("%PDF-"), "application/pdf"},
}

// headWriter keeps the first bytes written through it.
type headWriter struct{ b []byte }

func (h *headWriter) Write(p []byte) (int, error) {
	if n := 8 - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

// SpoolDocument reads an upload named name to its end (at most
// MaxDocumentBytes, or it is refused) into a temporary file. field names the
// form field in errors.
func SpoolDocument(field, name string, r io.Reader) (*SpooledDocument, error) {
	name, err := documentName(field, name)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "coopledger-document-*")
	if err != nil {
		return nil, err
	}
	d := &SpooledDocument{Name: name, f: f}
	h, head := sha256.New(), &headWriter{}
	n, err := io.Copy(io.MultiWriter(f, h, head), io.LimitReader(r, MaxDocumentBytes+1))
	if err == nil {
		err = checkSpooled(field, n, head.b, d)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Size, d.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return d, nil
}

func checkSpooled(field string, n int64, head []byte, d *SpooledDocument) error {
	switch {
	case n == 0:
		return FieldError(field, "文件“%s”是空的", d.Name)
	case n > MaxDocumentBytes:
		return FieldError(field, "文件“%s”超过 %d MB 的上限", d.Name, MaxDocumentBytes>>20)
	}
	for _, m := range documentMagic {
		if bytes.HasPrefix(head, m.prefix) {
			d.ContentType = m.ctype
			return nil
		}
	}
	return FieldError(field, "文件“%s”不是 JPEG、PNG 或 PDF（按文件内容判断，与文件名无关）", d.Name)
}

// documentName keeps the base name of an uploaded file, checked like any
// name; an empty one becomes 原始凭证.
func documentName(field, name string) (string, error) {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "." || name == "/" || name == "" {
		name = "原始凭证"
	}
	var v validation
	if v.text(field, name) {
		return "", v.Err()
	}
	if utf8.RuneCountInString(name) > maxDocumentName {
		return "", FieldError(field, "文件名不能超过 %d 个字", maxDocumentName)
	}
	return name, nil
}

// Close removes the temporary file.
func (d *SpooledDocument) Close() {
	if d != nil && d.f != nil {
		d.f.Close()
		os.Remove(d.f.Name())
		d.f = nil
	}
}

// CloseAll closes every spooled document.
func CloseAll(ds []*SpooledDocument) {
	for _, d := range ds {
		d.Close()
	}
}

// documentOwner is what a document belongs to: a voucher or a receipt.
type documentOwner struct {
	voucherID, receiptID int64
	addendum             bool
}

// storeDocument writes a spooled document's row and chunks in tx.
func (s *Store) storeDocument(ctx context.Context, tx bun.Tx, a Actor, bookID int64, o documentOwner, d *SpooledDocument) (Document, error) {
	id, err := s.nextID(ctx, tx, bookID, "document")
	if err != nil {
		return Document{}, err
	}
	doc := Document{ID: id, VoucherID: o.voucherID, ReceiptID: o.receiptID, Name: d.Name, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.SHA256, Addendum: o.addendum, AddedBy: a.UserID, AddedAt: s.timestamp()}
	_, err = s.execSQL(ctx, tx, `INSERT INTO documents (book_id, id, voucher_id, receipt_id, name, content_type, size_bytes,
		sha256, addendum, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, bookID, id, nullableID(o.voucherID),
		nullableID(o.receiptID), doc.Name, doc.ContentType, doc.Size, doc.SHA256, doc.Addendum, doc.AddedBy, doc.AddedAt)
	if err != nil {
		return Document{}, err
	}
	return doc, s.copyChunks(ctx, tx, bookID, id, d)
}

// copyChunks copies the spooled file into document_chunks, one chunk in
// memory at a time.
func (s *Store) copyChunks(ctx context.Context, tx bun.Tx, bookID, id int64, d *SpooledDocument) error {
	if _, err := d.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, documentChunk)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(d.f, buf)
		if n > 0 {
			if _, err := s.execSQL(ctx, tx, "INSERT INTO document_chunks (book_id, document_id, seq, data) VALUES (?, ?, ?, ?)",
				bookID, id, seq, buf[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// checkDocumentRoom refuses more than MaxDocuments on one owner.
func checkDocumentRoom(ctx context.Context, tx bun.Tx, bookID int64, column string, ownerID int64, adding int) error {
	var n int
	if err := tx.NewRaw("SELECT COUNT(*) FROM documents WHERE book_id = ? AND "+column+" = ?", bookID, ownerID).Scan(ctx, &n); err != nil {
		return err
	}
	if n+adding > MaxDocuments {
		return FieldError("file", "最多只能附 %d 份原始凭证（已有 %d 份）", MaxDocuments, n)
	}
	return nil
}

// AddDocument attaches a spooled document to voucher id. To a draft only its
// preparer attaches, and the document enters the voucher's hash when it is
// posted; to a posted voucher an accountant or township officer adds an
// addendum, recorded in the audit log with its own hash and outside the
// voucher's hash.
func (s *Store) AddDocument(ctx context.Context, a Actor, bookCode string, id int64, d *SpooledDocument) (Document, error) {
	var out Document
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeAny(ctx, tx, a, bookCode, permWrite, permSubmit, permCashBank, permPost)
		if err != nil {
			return err
		}
		if err := s.lockBook(ctx, tx, b.ID); err != nil {
			return err
		}
		v, err := s.voucherByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		o, err := s.documentTarget(ctx, tx, a, b, v)
		if err != nil {
			return err
		}
		if err := checkDocumentRoom(ctx, tx, b.ID, "voucher_id", id, 1); err != nil {
			return err
		}
		if out, err = s.storeDocument(ctx, tx, a, b.ID, o, d); err != nil {
			return err
		}
		return s.auditDocument(ctx, tx, a, b.ID, v, out)
	})
	return out, err
}

// documentTarget decides whether a document added to v is part of the draft
// or an addendum, and whether the actor may add it.
func (s *Store) documentTarget(ctx context.Context, tx bun.Tx, a Actor, b Book, v Voucher) (documentOwner, error) {
	if v.Status == StatusPosted {
		if !a.can(b, permWrite) && !a.can(b, permPost) {
			return documentOwner{}, Errorf(ECodeForbidden, "只有会计或乡镇财政所可以为已过账凭证补充原始凭证")
		}
		return documentOwner{voucherID: v.ID, addendum: true}, nil
	}
	if v.PreparerID != a.UserID {
		return documentOwner{}, Errorf(ECodeForbidden, "只有制单人可以为草稿凭证附原始凭证")
	}
	return documentOwner{voucherID: v.ID}, s.checkPeriodOpen(ctx, tx, b, Period(v.Period))
}

// auditDocument records an attachment; an addendum's entry carries the
// voucher's number and the document's hash, which verification checks.
func (s *Store) auditDocument(ctx context.Context, tx bun.Tx, a Actor, bookID int64, v Voucher, d Document) error {
	key := fmt.Sprintf("%d/%d", v.ID, d.ID)
	if !d.Addendum {
		return s.audit(ctx, tx, a, bookID, "attach", "document", key, "", nil, d)
	}
	return s.audit(ctx, tx, a, bookID, "addendum", "document", key, "", nil, map[string]any{
		"voucher_id": v.ID, "period": v.Period, "number": v.Number, "voucher_hash": v.Hash,
		"document_id": d.ID, "name": d.Name, "size": d.Size, "sha256": d.SHA256})
}

const documentColumns = `id, COALESCE(voucher_id, 0), COALESCE(receipt_id, 0), name, content_type, size_bytes, sha256, addendum, added_by, added_at`

func scanDocument(rows *sql.Rows, d *Document) error {
	return rows.Scan(&d.ID, &d.VoucherID, &d.ReceiptID, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.Addendum, &d.AddedBy, &d.AddedAt)
}

func (s *Store) documentsWhere(ctx context.Context, db bun.IDB, bookID int64, column string, ownerID int64) ([]Document, error) {
	rows, err := s.querySQL(ctx, db, "SELECT "+documentColumns+" FROM documents WHERE book_id = ? AND "+column+" = ? ORDER BY id",
		bookID, ownerID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanDocument)
}

// chainedDocumentHashes are the hashes of voucher id's documents that enter
// its chain hash (all but addenda).
func (s *Store) chainedDocumentHashes(ctx context.Context, db bun.IDB, bookID, id int64) ([]string, error) {
	var out []string
	err := db.NewRaw("SELECT sha256 FROM documents WHERE book_id = ? AND voucher_id = ? AND addendum = ? ORDER BY sha256",
		bookID, id, false).Scan(ctx, &out)
	if isNoRows(err) {
		err = nil
	}
	return out, err
}

// Documents lists the documents of voucher id, addenda last.
func (s *Store) Documents(ctx context.Context, a Actor, bookCode string, id int64) ([]Document, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.voucherByID(ctx, s.db, b, id); err != nil {
		return nil, err
	}
	return s.documentsWhere(ctx, s.db, b.ID, "voucher_id", id)
}

// ReadDocument writes document doc of voucher id to the writer open returns
// (given the document first, for headers), one chunk at a time.
func (s *Store) ReadDocument(ctx context.Context, a Actor, bookCode string, id, doc int64, open func(Document) io.Writer) error {
	return s.readOwned(ctx, a, bookCode, "voucher_id", id, doc, open)
}

func (s *Store) readOwned(ctx context.Context, a Actor, bookCode, column string, ownerID, doc int64, open func(Document) io.Writer) error {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return err
	}
	ds, err := s.documentsWhere(ctx, s.db, b.ID, column, ownerID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.ID == doc {
			return s.copyDocument(ctx, b.ID, d, open(d))
		}
	}
	return notFound("原始凭证", doc)
}

// copyDocument streams a document's chunks to w. Chunks never change once
// written, so reading them one statement each needs no transaction.
func (s *Store) copyDocument(ctx context.Context, bookID int64, d Document, w io.Writer) error {
	for seq := 0; int64(seq)*documentChunk < d.Size; seq++ {
		var data []byte
		err := s.scanRow(ctx, s.db, "SELECT data FROM document_chunks WHERE book_id = ? AND document_id = ? AND seq = ?",
			[]any{bookID, d.ID, seq}, &data)
		if err != nil {
			return fmt.Errorf("document %d chunk %d: %w", d.ID, seq, err)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// releaseDocuments runs when draft id is deleted: documents that came from
// a receipt go back to it (and the receipt is submitted again); the others
// are deleted with the draft.
func (s *Store) releaseDocuments(ctx context.Context, tx bun.Tx, bookID, id int64) error {
	stmts := []string{
		"UPDATE documents SET voucher_id = NULL WHERE book_id = ? AND voucher_id = ? AND receipt_id IS NOT NULL",
		`DELETE FROM document_chunks WHERE book_id = ? AND document_id IN
			(SELECT id FROM documents WHERE book_id = ? AND voucher_id = ?)`,
		"DELETE FROM documents WHERE book_id = ? AND voucher_id = ?",
		`UPDATE receipts SET status = 'submitted', voucher_id = NULL, prepared_by = NULL, prepared_at = NULL
			WHERE book_id = ? AND voucher_id = ?`,
	}
	for i, q := range stmts {
		args := []any{bookID, id}
		if i == 1 {
			args = []any{bookID, bookID, id}
		}
		if _, err := tx.NewRaw(q, args...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// documentCounts counts the documents of each of the vouchers vs (one month
// of one book), addenda included.
func documentCounts(ctx context.Context, s *Store, bookID int64, vs []Voucher) (map[int64]int, error) {
	out := map[int64]int{}
	if len(vs) == 0 {
		return out, nil
	}
	rows, err := s.querySQL(ctx, s.db, `SELECT d.voucher_id, COUNT(*) FROM documents d JOIN vouchers v ON v.book_id = d.book_id AND v.id = d.voucher_id
		WHERE d.book_id = ? AND v.period = ? GROUP BY d.voucher_id`, bookID, vs[0].Period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// CheckDocumentAccess is the check a document upload makes before its file
// is read: the actor may attach to some voucher of the book (the draft's
// preparer or, after posting, an accountant or township officer; AddDocument
// decides for the voucher).
func (s *Store) CheckDocumentAccess(ctx context.Context, a Actor, bookCode string) error {
	_, err := s.authorizeAny(ctx, s.db, a, bookCode, permWrite, permSubmit, permCashBank, permPost)
	return err
}
