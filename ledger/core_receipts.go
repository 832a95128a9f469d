package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// Receipts (村账乡代管). A village's 报账员 hands in receipts — documents, a
// note, an amount and a date as hints — for a book; the township's 代理会计
// (an accountant of the book) prepares a draft voucher from one, and its
// documents move to the draft. The receipt keeps who submitted it and who
// prepared the voucher, and the audit log records both steps.

// Receipt statuses.
const (
	ReceiptSubmitted = "submitted" // waiting for the accountant
	ReceiptPrepared  = "prepared"  // a draft voucher was prepared from it
)

// Receipt is one receipt handed in, with its documents.
type Receipt struct {
	ID              int64      `json:"id"`
	Book            string     `json:"book"`
	Note            string     `json:"note"`
	Amount          *Money     `json:"amount,omitempty"`
	Date            string     `json:"date,omitempty"`
	Status          string     `json:"status"`
	SubmittedBy     int64      `json:"submitted_by"`
	SubmittedByName string     `json:"submitted_by_name"`
	SubmittedAt     string     `json:"submitted_at"`
	VoucherID       int64      `json:"voucher_id,omitempty"`
	PreparedBy      int64      `json:"prepared_by,omitempty"`
	PreparedByName  string     `json:"prepared_by_name,omitempty"`
	PreparedAt      string     `json:"prepared_at,omitempty"`
	Documents       []Document `json:"documents"`
}

// ReceiptInput is what a 报账员 writes on a receipt.
type ReceiptInput struct {
	Note   string `json:"note"`
	Amount *Money `json:"amount"` // a hint for the accountant, optional
	Date   string `json:"date"`   // the date on the receipt, optional
}

const maxReceiptNote = 200 // runes

func (in *ReceiptInput) check() error {
	in.Note, in.Date = strings.TrimSpace(in.Note), strings.TrimSpace(in.Date)
	var v validation
	switch {
	case in.Note == "":
		v.Add("note", "请写明这张单据是什么（用途、经手人等）")
	case utf8.RuneCountInString(in.Note) > maxReceiptNote:
		v.Add("note", "说明不能超过 %d 个字", maxReceiptNote)
	default:
		v.text("note", in.Note)
	}
	if in.Amount != nil && !in.Amount.IsPositive() {
		v.Add("amount", "金额应大于零")
	}
	if in.Date != "" {
		if _, err := ParseDate(in.Date); err != nil {
			v.Add("date", "日期格式应为 YYYY-MM-DD")
		}
	}
	return v.Err()
}

// SubmitReceipt hands in a receipt with its documents (at most
// MaxDocuments), all in one transaction. It needs the submit permission
// (报账员 or accountant of the book).
func (s *Store) SubmitReceipt(ctx context.Context, a Actor, bookCode string, in ReceiptInput, docs []*SpooledDocument) (Receipt, error) {
	if err := in.check(); err != nil {
		return Receipt{}, err
	}
	if len(docs) > MaxDocuments {
		return Receipt{}, FieldError("file", "最多只能附 %d 份原始凭证", MaxDocuments)
	}
	var out Receipt
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permSubmit)
		if err != nil {
			return err
		}
		id, err := s.nextID(ctx, tx, b.ID, "receipt")
		if err != nil {
			return err
		}
		var amount any
		if in.Amount != nil {
			amount = in.Amount.Fen()
		}
		if _, err := s.execSQL(ctx, tx, `INSERT INTO receipts (book_id, id, note, amount_fen, date_hint, status, submitted_by, submitted_at)
			VALUES (?, ?, ?, ?, ?, 'submitted', ?, ?)`, b.ID, id, in.Note, amount, nullable(in.Date), a.UserID, s.timestamp()); err != nil {
			return err
		}
		for _, d := range docs {
			if _, err := s.storeDocument(ctx, tx, a, b.ID, documentOwner{receiptID: id}, d); err != nil {
				return err
			}
		}
		if out, err = s.receiptByID(ctx, tx, b, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "submit", "receipt", fmt.Sprint(id), "", nil, out)
	})
	return out, err
}

// AddReceiptDocument adds a document to a receipt still waiting, by the one
// who submitted it.
func (s *Store) AddReceiptDocument(ctx context.Context, a Actor, bookCode string, id int64, d *SpooledDocument) (Document, error) {
	var out Document
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permSubmit)
		if err != nil {
			return err
		}
		r, err := s.receiptByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		if r.SubmittedBy != a.UserID {
			return Errorf(ECodeForbidden, "只有提交人可以为单据补充附件")
		}
		if r.Status != ReceiptSubmitted {
			return Errorf(ECodeConflict, "单据 %d 已由会计制成凭证，请在凭证上补充", id)
		}
		if err := checkDocumentRoom(ctx, tx, b.ID, "receipt_id", id, 1); err != nil {
			return err
		}
		if out, err = s.storeDocument(ctx, tx, a, b.ID, documentOwner{receiptID: id}, d); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "attach", "document", fmt.Sprintf("receipt %d/%d", id, out.ID), "", nil, out)
	})
	return out, err
}

const receiptColumns = `r.id, r.note, r.amount_fen, COALESCE(r.date_hint, ''), r.status, r.submitted_by, su.name, r.submitted_at,
	COALESCE(r.voucher_id, 0), COALESCE(r.prepared_by, 0), COALESCE(pu.name, ''), COALESCE(r.prepared_at, '')
	FROM receipts r JOIN users su ON su.id = r.submitted_by LEFT JOIN users pu ON pu.id = r.prepared_by`

func scanReceipt(rows *sql.Rows, r *Receipt) error {
	var amount *int64
	err := rows.Scan(&r.ID, &r.Note, &amount, &r.Date, &r.Status, &r.SubmittedBy, &r.SubmittedByName, &r.SubmittedAt,
		&r.VoucherID, &r.PreparedBy, &r.PreparedByName, &r.PreparedAt)
	if amount != nil {
		m := Fen(*amount)
		r.Amount = &m
	}
	r.Documents = []Document{}
	return err
}

func (s *Store) receiptsWhere(ctx context.Context, db bun.IDB, b Book, where string, args ...any) ([]Receipt, error) {
	rows, err := s.querySQL(ctx, db, "SELECT "+receiptColumns+" WHERE r.book_id = ? "+where+" ORDER BY r.id", append([]any{b.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows, scanReceipt)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Book = b.Code
		if out[i].Documents, err = s.documentsWhere(ctx, db, b.ID, "receipt_id", out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) receiptByID(ctx context.Context, db bun.IDB, b Book, id int64) (Receipt, error) {
	rs, err := s.receiptsWhere(ctx, db, b, "AND r.id = ?", id)
	if err != nil {
		return Receipt{}, err
	}
	if len(rs) == 0 {
		return Receipt{}, notFound("单据", id)
	}
	return rs[0], nil
}

// Receipts lists a book's receipts with the status given ("" for all),
// oldest first.
func (s *Store) Receipts(ctx context.Context, a Actor, bookCode, status string) ([]Receipt, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	switch status {
	case "":
		return s.receiptsWhere(ctx, s.db, b, "")
	case ReceiptSubmitted, ReceiptPrepared:
		return s.receiptsWhere(ctx, s.db, b, "AND r.status = ?", status)
	}
	return nil, FieldError("status", "应为 submitted 或 prepared")
}

// Receipt returns one receipt.
func (s *Store) Receipt(ctx context.Context, a Actor, bookCode string, id int64) (Receipt, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Receipt{}, err
	}
	return s.receiptByID(ctx, s.db, b, id)
}

// ReceiptOfVoucher returns the receipt voucher id was prepared from, if any.
func (s *Store) ReceiptOfVoucher(ctx context.Context, a Actor, bookCode string, id int64) (Receipt, bool, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Receipt{}, false, err
	}
	rs, err := s.receiptsWhere(ctx, s.db, b, "AND r.voucher_id = ?", id)
	if err != nil || len(rs) == 0 {
		return Receipt{}, false, err
	}
	return rs[0], true, nil
}

// ReadReceiptDocument writes document doc of receipt id like ReadDocument.
func (s *Store) ReadReceiptDocument(ctx context.Context, a Actor, bookCode string, id, doc int64, open func(Document) io.Writer) error {
	return s.readOwned(ctx, a, bookCode, "receipt_id", id, doc, open)
}

// PrepareFromReceipt prepares a draft voucher from a waiting receipt: an
// accountant of the book (代理会计) is its preparer, the receipt's documents
// move to the draft (and enter its hash when it is posted). A 报账员 may not.
func (s *Store) PrepareFromReceipt(ctx context.Context, a Actor, bookCode string, id int64, in VoucherInput) (Voucher, error) {
	lines, total, err := in.checkShape(false)
	if err != nil {
		return Voucher{}, err
	}
	var out Voucher
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		r, err := s.receiptByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		if r.Status != ReceiptSubmitted {
			return Errorf(ECodeConflict, "单据 %d 已制成凭证（草稿 %d），不能重复制单", id, r.VoucherID)
		}
		if out, err = s.insertDraft(ctx, tx, a, b, in, lines, total, 0); err != nil {
			return err
		}
		return s.markPrepared(ctx, tx, a, b, r, out)
	})
	return out, err
}

// markPrepared moves the receipt's documents to draft v and records who
// prepared it.
func (s *Store) markPrepared(ctx context.Context, tx bun.Tx, a Actor, b Book, r Receipt, v Voucher) error {
	now := s.timestamp()
	res, err := s.execSQL(ctx, tx, `UPDATE receipts SET status = 'prepared', voucher_id = ?, prepared_by = ?, prepared_at = ?
		WHERE book_id = ? AND id = ? AND status = 'submitted'`, v.ID, a.UserID, now, b.ID, r.ID)
	if err := exactlyOneRow(res, err, "单据已被制成凭证"); err != nil {
		return err
	}
	if _, err := s.execSQL(ctx, tx, "UPDATE documents SET voucher_id = ? WHERE book_id = ? AND receipt_id = ?", v.ID, b.ID, r.ID); err != nil {
		return err
	}
	return s.audit(ctx, tx, a, b.ID, "prepare", "receipt", fmt.Sprint(r.ID), "", nil, map[string]any{
		"voucher_id": v.ID, "submitted_by": r.SubmittedBy, "submitted_by_name": r.SubmittedByName,
		"prepared_by": a.UserID, "prepared_by_name": a.Name, "documents": len(r.Documents)})
}

// CheckReceiptAccess is the check a receipt upload makes before its file is
// read: the actor may submit receipts to the book.
func (s *Store) CheckReceiptAccess(ctx context.Context, a Actor, bookCode string) error {
	_, err := s.authorize(ctx, s.db, a, bookCode, permSubmit)
	return err
}
