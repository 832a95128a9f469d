package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// The township's review queue (files review.go, review_status.go): what in a
// township's books awaits someone's approval, approving several items at
// once with a result per item, and returning a draft voucher to its preparer
// with a reason (驳回). Entry points: ReviewQueue, ApproveReviewItems,
// ReturnDraft, DraftReturns, TownshipStatus. It uses the core (posting,
// periods), payouts (ApprovePayoutRun), imports (ApproveImport) and
// reconciliation (reconcileBook), and nothing uses it but the pages and API.

// Kinds of review items.
const (
	ReviewDraft     = "draft"      // a draft voucher: 审核记账
	ReviewYearEnd   = "year_end"   // a year-end closing draft (年终结转凭证)
	ReviewPayoutRun = "payout_run" // a payout run awaiting approval
	ReviewImport    = "import"     // historical vouchers awaiting the township's approval
	ReviewReceipt   = "receipt"    // receipts submitted by a 报账员: see reporterReceipts
)

// ReviewItem is one thing awaiting approval.
type ReviewItem struct {
	Kind       string `json:"kind"`
	Book       string `json:"book"`
	BookName   string `json:"book_name"`
	ID         int64  `json:"id"`
	Period     string `json:"period"` // the voucher's month, the run's quarter, the import's months
	Date       string `json:"date,omitempty"`
	Summary    string `json:"summary"`
	Amount     Money  `json:"amount"`
	PreparerID int64  `json:"preparer_id"`
	Preparer   string `json:"preparer"`
	Own        bool   `json:"own"` // prepared by the reader: someone else must approve it
}

// Ref names the item for a batch: kind/book/id.
func (it ReviewItem) Ref() string {
	return it.Kind + "/" + it.Book + "/" + strconv.FormatInt(it.ID, 10)
}

// ReviewRef is one item of a batch approval.
type ReviewRef struct {
	Kind string `json:"kind"`
	Book string `json:"book"`
	ID   int64  `json:"id"`
}

// ParseReviewRef reads kind/book/id.
func ParseReviewRef(s string) (ReviewRef, error) {
	parts := strings.Split(s, "/")
	if len(parts) == 3 {
		id, err := strconv.ParseInt(parts[2], 10, 64)
		if err == nil && id > 0 && parts[1] != "" {
			switch parts[0] {
			case ReviewDraft, ReviewYearEnd, ReviewPayoutRun, ReviewImport:
				return ReviewRef{Kind: parts[0], Book: parts[1], ID: id}, nil
			}
		}
	}
	return ReviewRef{}, FieldError("items", "待审核事项 %q 的格式应为 种类/账套/编号", truncate(s, 60))
}

// ReviewResult is what became of one item of a batch approval.
type ReviewResult struct {
	Ref     ReviewRef `json:"ref"`
	OK      bool      `json:"ok"`
	Message string    `json:"message"` // the voucher number posted, or why it was refused
}

// MaxReviewBatch bounds one batch approval.
const MaxReviewBatch = 200

// ReviewQueue lists what in the township's books awaits approval, book by
// book: draft vouchers not returned to their preparer (year-end closings
// marked), payout runs awaiting approval and historical imports awaiting the
// township. Books outside the reader's scope are left out.
func (s *Store) ReviewQueue(ctx context.Context, a Actor, township string) ([]ReviewItem, error) {
	books, err := s.townshipBooks(ctx, a, township)
	if err != nil {
		return nil, err
	}
	out := []ReviewItem{}
	for _, b := range books {
		for _, load := range []func(context.Context, Book) ([]ReviewItem, error){s.draftItems, s.runItems, s.importItems, s.reporterReceipts} {
			items, err := load(ctx, b)
			if err != nil {
				return nil, err
			}
			for i := range items {
				items[i].Book, items[i].BookName, items[i].Own = b.Code, b.Name, items[i].PreparerID == a.UserID
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

// townshipBooks are the books of township the actor may read; none is "not found".
func (s *Store) townshipBooks(ctx context.Context, a Actor, township string) ([]Book, error) {
	all, err := s.Books(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []Book
	for _, b := range all {
		if b.Township.Code == township && (a.Role == RoleAdmin || a.inScope(b)) {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, notFound("乡镇", township)
	}
	return out, nil
}

func (s *Store) draftItems(ctx context.Context, b Book) ([]ReviewItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.id, v.period, v.date, v.summary, v.total_fen, v.preparer_id, COALESCE(u.name, ''),
		CASE WHEN y.voucher_id IS NULL THEN 0 ELSE 1 END
		FROM vouchers v LEFT JOIN users u ON u.id = v.preparer_id
		LEFT JOIN year_end_vouchers y ON y.book_id = v.book_id AND y.voucher_id = v.id
		WHERE v.book_id = ? AND v.status = 'draft'
		AND NOT EXISTS (SELECT 1 FROM draft_returns r WHERE r.book_id = v.book_id AND r.voucher_id = v.id)
		ORDER BY v.period, v.date, v.id`, b.ID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, it *ReviewItem) error {
		var fen int64
		var yearEnd int
		err := rows.Scan(&it.ID, &it.Period, &it.Date, &it.Summary, &fen, &it.PreparerID, &it.Preparer, &yearEnd)
		it.Kind, it.Amount = ReviewDraft, Fen(fen)
		if yearEnd == 1 {
			it.Kind = ReviewYearEnd
		}
		return err
	})
}

func (s *Store) runItems(ctx context.Context, b Book) ([]ReviewItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.quarter, r.adjustment, r.total_fen, r.preparer_id, COALESCE(u.name, ''), r.computed_at
		FROM payout_runs r LEFT JOIN users u ON u.id = r.preparer_id
		WHERE r.book_id = ? AND r.status = ? ORDER BY r.id`, b.ID, string(RunDraft))
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, it *ReviewItem) error {
		var fen int64
		var adjustment bool
		err := rows.Scan(&it.ID, &it.Period, &adjustment, &fen, &it.PreparerID, &it.Preparer, &it.Date)
		it.Kind, it.Amount, it.Summary = ReviewPayoutRun, Fen(fen), it.Period+" 收益分配"
		if adjustment {
			it.Summary += "（调整）"
		}
		it.Date = strings.SplitN(it.Date, "T", 2)[0]
		return err
	})
}

func (s *Store) importItems(ctx context.Context, b Book) ([]ReviewItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.from_period, p.to_period, p.vouchers, p.file_name, p.uploaded_by, COALESCE(u.name, ''), p.uploaded_at
		FROM pending_imports p LEFT JOIN users u ON u.id = p.uploaded_by
		WHERE p.book_id = ? AND p.status = ? ORDER BY p.id`, b.ID, ImportPending)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, it *ReviewItem) error {
		var from, to, file string
		var n int
		err := rows.Scan(&it.ID, &from, &to, &n, &file, &it.PreparerID, &it.Preparer, &it.Date)
		it.Kind, it.Period = ReviewImport, from
		if to != from {
			it.Period += "～" + to
		}
		it.Summary = fmt.Sprintf("历史凭证导入 %d 张", n)
		if file != "" {
			it.Summary += "（" + file + "）"
		}
		it.Date = strings.SplitN(it.Date, "T", 2)[0]
		return err
	})
}

// reporterReceipts is the place for receipts a 报账员 submits with their
// images once that feature exists (kind ReviewReceipt). Until then a
// 报账员's submission is a draft voucher and is listed by draftItems.
func (s *Store) reporterReceipts(context.Context, Book) ([]ReviewItem, error) { return nil, nil }

// ApproveReviewItems approves each item on its own — a draft is posted, a
// payout run approved with the default accrual date, an import approved —
// each in its own transaction, so one refused item (its preparer may not
// approve it, say) leaves the others approved. Every refusal is reported
// with the item.
func (s *Store) ApproveReviewItems(ctx context.Context, a Actor, refs []ReviewRef) ([]ReviewResult, error) {
	if len(refs) == 0 {
		return nil, FieldError("items", "请至少选择一项")
	}
	if len(refs) > MaxReviewBatch {
		return nil, FieldError("items", "一次最多审核 %d 项", MaxReviewBatch)
	}
	out := make([]ReviewResult, 0, len(refs))
	for _, r := range refs {
		msg, err := s.approveOne(ctx, a, r)
		if err != nil {
			if ErrorCode(err) == ECodeInternal {
				return out, err // a failure of the server, not a refusal
			}
			msg = errorMessage(err)
		}
		out = append(out, ReviewResult{Ref: r, OK: err == nil, Message: msg})
	}
	return out, nil
}

func (s *Store) approveOne(ctx context.Context, a Actor, r ReviewRef) (string, error) {
	switch r.Kind {
	case ReviewDraft, ReviewYearEnd:
		v, err := s.PostVoucher(ctx, a, r.Book, r.ID)
		return "已记账：" + v.Period + " " + v.Number, err
	case ReviewPayoutRun:
		run, err := s.ApprovePayoutRun(ctx, a, r.Book, r.ID, ApproveInput{})
		return fmt.Sprintf("已审核，计提 %s 元", run.Total.String()), err
	case ReviewImport:
		p, err := s.ApproveImport(ctx, a, r.Book, r.ID, nil)
		return fmt.Sprintf("已审核并记账 %d 张", p.Vouchers), err
	}
	return "", FieldError("items", "未知的待审核种类 %q", r.Kind)
}

// errorMessage is the message of a ledger error with its first field detail.
func errorMessage(err error) string {
	var le *Error
	if !errors.As(err, &le) {
		return ErrorMessage(err)
	}
	if len(le.Details) > 0 && le.Details[0].Message != le.Message {
		return le.Message + "：" + le.Details[0].Message
	}
	return le.Message
}

// DraftReturn is a draft returned to its preparer (驳回) with the reason.
type DraftReturn struct {
	VoucherID  int64  `json:"voucher_id"`
	Reason     string `json:"reason"`
	ReturnedBy int64  `json:"returned_by"`
	By         string `json:"returned_by_name"`
	ReturnedAt string `json:"returned_at"`
}

// ReturnDraft sends a draft back to its preparer with a reason: it leaves the
// review queue and shows on the preparer's home page until the preparer edits
// it. A reviewer of the book (not the preparer) returns; the return is audited.
func (s *Store) ReturnDraft(ctx context.Context, a Actor, bookCode string, id int64, reason string) (DraftReturn, error) {
	reason = strings.TrimSpace(reason)
	if !validName(reason, 500) {
		return DraftReturn{}, FieldError("reason", "驳回须说明理由（不超过 500 字）")
	}
	out := DraftReturn{VoucherID: id, Reason: reason, ReturnedBy: a.UserID, By: a.Name}
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permPost)
		if err != nil {
			return err
		}
		v, err := s.voucherByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		if v.Status != StatusDraft {
			return Errorf(ECodeConflict, "凭证 %s %s 已记账，不能驳回；如有错误请红字冲销", v.Period, v.Number)
		}
		if v.PreparerID == a.UserID {
			return Errorf(ECodeForbidden, "不能驳回自己制单的凭证；请直接修改或删除草稿")
		}
		var n int
		if err := tx.NewRaw("SELECT COUNT(*) FROM draft_returns WHERE book_id = ? AND voucher_id = ?", b.ID, id).Scan(ctx, &n); err != nil {
			return err
		}
		if n > 0 {
			return Errorf(ECodeConflict, "草稿 #%d 已被驳回，等待制单人修改", id)
		}
		out.ReturnedAt = s.timestamp()
		if _, err := tx.NewRaw(`INSERT INTO draft_returns (book_id, voucher_id, reason, returned_by, returned_at) VALUES (?, ?, ?, ?, ?)`,
			b.ID, id, reason, a.UserID, out.ReturnedAt).Exec(ctx); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "return", "voucher", strconv.FormatInt(id, 10), reason, nil, out)
	})
	return out, err
}

// clearDraftReturn forgets a return once the preparer edits or deletes the draft.
func clearDraftReturn(ctx context.Context, tx bun.Tx, bookID, id int64) error {
	_, err := tx.NewRaw("DELETE FROM draft_returns WHERE book_id = ? AND voucher_id = ?", bookID, id).Exec(ctx)
	return err
}

// DraftReturns lists the book's drafts now returned to their preparers, by voucher id.
func (s *Store) DraftReturns(ctx context.Context, a Actor, bookCode string) (map[int64]DraftReturn, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.voucher_id, r.reason, r.returned_by, COALESCE(u.name, ''), r.returned_at
		FROM draft_returns r JOIN vouchers v ON v.book_id = r.book_id AND v.id = r.voucher_id AND v.status = 'draft'
		LEFT JOIN users u ON u.id = r.returned_by WHERE r.book_id = ? ORDER BY r.voucher_id`, b.ID)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(rows, func(rows *sql.Rows, d *DraftReturn) error {
		return rows.Scan(&d.VoucherID, &d.Reason, &d.ReturnedBy, &d.By, &d.ReturnedAt)
	})
	out := make(map[int64]DraftReturn, len(list))
	for _, d := range list {
		out[d.VoucherID] = d
	}
	return out, err
}
