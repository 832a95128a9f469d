package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Historical imports need two people, like every other posting: the
// accountant submits the old books (a JSON batch or a workbook), which are
// checked and kept pending, nothing posted and nothing numbered; a township
// officer of the book's township, not the submitter, approves the import as a
// whole (it is checked again and posted all or none, the approver as its
// reviewer) or rejects it. Imports reach only the months before the book's
// go-live month: from go-live on, each voucher is entered and reviewed on its
// own. The old books' preparer and reviewer are kept as text beside each
// voucher; they are never taken for coopledger users.

// The paths that post a voucher, kept in its posted_via.
const (
	ViaReview         = "review"           // a draft posted by a reviewer (reversals and year-end closings too)
	ViaBatchImport    = "batch_import"     // an approved JSON batch of historical vouchers
	ViaWorkbookImport = "workbook_import"  // an approved voucher workbook of historical vouchers
	ViaOpening        = "opening_balances" // the opening balances of the month before the books begin
	ViaPayoutApproval = "payout_approval"  // the accrual of an approved payout run
	ViaPayment        = "payment"          // a payment of a payout run
)

// Statuses of a pending import.
const (
	ImportPending  = "pending"
	ImportApproved = "approved"
	ImportRejected = "rejected"
)

// PendingImport is a submitted import of historical vouchers and what became
// of it.
type PendingImport struct {
	ID         int64              `json:"id"`
	Book       string             `json:"book"`
	Via        string             `json:"via"` // batch_import or workbook_import
	Status     string             `json:"status"`
	Vouchers   int                `json:"vouchers"`
	Lines      int                `json:"lines"`
	FromPeriod string             `json:"from_period"`
	ToPeriod   string             `json:"to_period"`
	FileName   string             `json:"file_name,omitempty"`
	SHA256     string             `json:"sha256,omitempty"`
	UploadedBy int64              `json:"uploaded_by"`
	UploadedAt string             `json:"uploaded_at"`
	DecidedBy  int64              `json:"decided_by,omitempty"`
	DecidedAt  string             `json:"decided_at,omitempty"`
	Reason     string             `json:"reason,omitempty"`
	Result     *BatchImportResult `json:"result,omitempty"` // the posted vouchers, in the answer to an approval
}

// submitImport checks vs against the book (as the accountant a may write it)
// and stores them pending, in chunks in the order they will be posted. f
// names the workbook, if any.
func (s *Store) submitImport(ctx context.Context, a Actor, bookCode, via string, f FileImport, vs []ImportVoucher, maxLines int) (PendingImport, error) {
	if len(vs) == 0 {
		return PendingImport{}, FieldError("vouchers", "文件中没有凭证")
	}
	lines, err := countLines(vs, maxLines)
	if err != nil {
		return PendingImport{}, err
	}
	order := postingOrder(vs, via)
	var out PendingImport
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if b, err = s.bookByCode(ctx, tx, b.Code); err != nil { // the chain head under the lock
			return err
		}
		if a.Write.DryRun { // only checked; the dry run commits nothing anyway
			_, err := s.checkImportChunks(ctx, tx, b, submittedChunks(vs, order), nil)
			return err
		}
		if err := refuseResubmit(ctx, tx, b.ID, f.SHA256); err != nil {
			return err
		}
		out = PendingImport{Book: b.Code, Via: via, Status: ImportPending, Vouchers: len(vs), Lines: lines, FileName: truncate(f.FileName, 200),
			SHA256: f.SHA256, UploadedBy: a.UserID, UploadedAt: s.timestamp()}
		out.FromPeriod, out.ToPeriod = monthOf(vs[order[0]].Date), monthOf(vs[order[0]].Date)
		for _, v := range vs {
			out.FromPeriod, out.ToPeriod = min(out.FromPeriod, monthOf(v.Date)), max(out.ToPeriod, monthOf(v.Date))
		}
		if out.ID, err = nextID(ctx, tx, b.ID, "pending_import"); err != nil {
			return err
		}
		_, err = tx.NewRaw(`INSERT INTO pending_imports (book_id, id, via, status, vouchers, lines, from_period, to_period,
			file_name, sha256, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, out.ID, via, ImportPending, out.Vouchers, out.Lines, out.FromPeriod, out.ToPeriod,
			out.FileName, out.SHA256, a.UserID, out.UploadedAt).Exec(ctx)
		if err != nil {
			return err
		}
		seq := 0
		store := func(c importChunk) error {
			seq++
			return insertChunk(ctx, tx, b.ID, out.ID, seq, c)
		}
		if _, err := s.checkImportChunks(ctx, tx, b, submittedChunks(vs, order), store); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "submit", "voucher_import", strconv.FormatInt(out.ID, 10), "", nil, out)
	})
	return out, err
}

// refuseResubmit refuses a workbook already waiting for approval.
func refuseResubmit(ctx context.Context, tx bun.Tx, bookID int64, sha string) error {
	if sha == "" {
		return nil
	}
	var id int64
	err := tx.NewRaw("SELECT id FROM pending_imports WHERE book_id = ? AND sha256 = ? AND status = ? LIMIT 1",
		bookID, sha, ImportPending).Scan(ctx, &id)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return Errorf(ECodeConflict, "该文件已提交导入，正在等待镇财政所审核（导入 #%d），未重复提交", id)
}

// authorizeImportDecision locks the book and checks that a may approve or
// reject its imports: a township officer of its township.
func (s *Store) authorizeImportDecision(ctx context.Context, tx bun.Tx, a Actor, bookCode string) (Book, error) {
	b, err := s.authorizeLocked(ctx, tx, a, bookCode, permRead)
	if err != nil {
		return b, err
	}
	if !a.holds(b, RoleTownship) {
		return b, Errorf(ECodeForbidden, "历史凭证导入须由本镇财政所（township 角色）审核，当前角色（%s）不能审核或驳回", a.roleLabel(b))
	}
	return s.bookByCode(ctx, tx, b.Code) // the chain head under the lock
}

// ApproveImport posts a pending import, all or none: its vouchers are checked
// again against the book as it is now, then numbered, chained and posted with
// the uploader as preparer and the approver a as reviewer. The approver must
// be a township officer of the book's township other than the uploader.
// progress, if not nil, is told how many vouchers are written after each step.
func (s *Store) ApproveImport(ctx context.Context, a Actor, bookCode string, id int64, progress func(done, total int)) (PendingImport, error) {
	var out PendingImport
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeImportDecision(ctx, tx, a, bookCode)
		if err != nil {
			return err
		}
		p, err := pendingImport(ctx, tx, b, id)
		if err != nil {
			return err
		}
		if err := checkDecidable(p, a, true); err != nil {
			return err
		}
		// Checked again against the book as it is now, a chunk at a time,
		// then posted a chunk at a time: all in this one transaction.
		chunks := storedChunks(ctx, tx, b.ID, p.ID)
		n, err := s.checkImportChunks(ctx, tx, b, chunks, nil)
		if err != nil {
			return err
		}
		if n != p.Vouchers {
			return fmt.Errorf("pending import %d: %d vouchers stored, %d submitted", p.ID, n, p.Vouchers)
		}
		var step func(int)
		if progress != nil {
			progress(0, p.Vouchers)
			step = func(done int) { progress(done, p.Vouchers) }
		}
		ip := importPosting{preparerID: p.UploadedBy, reviewerID: a.UserID, via: p.Via}
		res, err := s.postChunks(ctx, tx, a, ip, b, chunks, step)
		if err != nil {
			return err
		}
		if p.SHA256 != "" { // the workbook now counts as imported, under its uploader
			f := FileImport{Book: b.Code, Kind: ImportVoucherSheet, SHA256: p.SHA256, FileName: p.FileName, Rows: p.Vouchers}
			f.UserID = p.UploadedBy
			if err := s.claimFileInTx(ctx, tx, &f); err != nil {
				return err
			}
		}
		out, err = s.decideImport(ctx, tx, a, b, p, ImportApproved, "")
		out.Result = &res
		return err
	})
	return out, err
}

// RejectImport sets a pending import aside with a reason; nothing is posted.
// A township officer of the book's township rejects; the uploader may
// withdraw their own.
func (s *Store) RejectImport(ctx context.Context, a Actor, bookCode string, id int64, reason string) (PendingImport, error) {
	reason = strings.TrimSpace(reason)
	if !validName(reason, 500) {
		return PendingImport{}, FieldError("reason", "驳回导入须说明理由（不超过 500 字）")
	}
	var out PendingImport
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permRead)
		if err != nil {
			return err
		}
		p, err := pendingImport(ctx, tx, b, id)
		if err != nil {
			return err
		}
		if !a.holds(b, RoleTownship) && a.UserID != p.UploadedBy {
			return Errorf(ECodeForbidden, "只有本镇财政所或上传人本人可以驳回（撤回）该导入")
		}
		if err := checkDecidable(p, a, false); err != nil {
			return err
		}
		out, err = s.decideImport(ctx, tx, a, b, p, ImportRejected, reason)
		return err
	})
	return out, err
}

// checkDecidable refuses deciding an import twice, and an approval by its uploader.
func checkDecidable(p PendingImport, a Actor, approve bool) error {
	if p.Status != ImportPending {
		return Errorf(ECodeConflict, "导入 #%d 已%s，不能再审核或驳回", p.ID, statusLabel(p.Status))
	}
	if approve && p.UploadedBy == a.UserID {
		return Errorf(ECodeSegregation, "审核人不能是上传人本人（不相容职务分离）：请由本镇财政所的另一位人员审核导入 #%d", p.ID)
	}
	return nil
}

func statusLabel(status string) string {
	switch status {
	case ImportApproved:
		return "审核通过并记账"
	case ImportRejected:
		return "驳回"
	}
	return "提交"
}

// decideImport records the decision, exactly once, and audits it.
func (s *Store) decideImport(ctx context.Context, tx bun.Tx, a Actor, b Book, p PendingImport, status, reason string) (PendingImport, error) {
	before := p
	p.Status, p.DecidedBy, p.DecidedAt, p.Reason = status, a.UserID, s.timestamp(), reason
	res, err := tx.NewRaw(`UPDATE pending_imports SET status = ?, decided_by = ?, decided_at = ?, reason = ?
		WHERE book_id = ? AND id = ? AND status = ?`, status, a.UserID, p.DecidedAt, reason, b.ID, p.ID, ImportPending).Exec(ctx)
	if err := exactlyOneRow(res, err, "导入已被审核或驳回"); err != nil {
		return PendingImport{}, err
	}
	action := "approve"
	if status == ImportRejected {
		action = "reject"
	}
	return p, s.audit(ctx, tx, a, b.ID, action, "voucher_import", strconv.FormatInt(p.ID, 10), reason, before, p)
}

const pendingImportColumns = `id, via, status, vouchers, lines, from_period, to_period, file_name, sha256,
	uploaded_by, uploaded_at, COALESCE(decided_by, 0), COALESCE(decided_at, ''), reason`

func scanPendingImport(book string, row interface{ Scan(...any) error }) (PendingImport, error) {
	p := PendingImport{Book: book}
	return p, row.Scan(&p.ID, &p.Via, &p.Status, &p.Vouchers, &p.Lines, &p.FromPeriod, &p.ToPeriod, &p.FileName, &p.SHA256,
		&p.UploadedBy, &p.UploadedAt, &p.DecidedBy, &p.DecidedAt, &p.Reason)
}

// pendingImport reads one import.
func pendingImport(ctx context.Context, db bun.IDB, b Book, id int64) (PendingImport, error) {
	p, err := scanPendingImport(b.Code, db.QueryRowContext(ctx, "SELECT "+pendingImportColumns+" FROM pending_imports WHERE book_id = ? AND id = ?", b.ID, id))
	if isNoRows(err) {
		return PendingImport{}, notFound("导入", id)
	}
	return p, err
}

// PendingImportByID returns one import of the book.
func (s *Store) PendingImportByID(ctx context.Context, a Actor, bookCode string, id int64) (PendingImport, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return PendingImport{}, err
	}
	p, err := pendingImport(ctx, s.db, b, id)
	return p, err
}

// PendingImports lists the book's imports, newest first; status "" means all.
func (s *Store) PendingImports(ctx context.Context, a Actor, bookCode, status string) ([]PendingImport, error) {
	if status != "" && status != ImportPending && status != ImportApproved && status != ImportRejected {
		return nil, FieldError("status", "状态应为 pending、approved 或 rejected")
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + pendingImportColumns + " FROM pending_imports WHERE book_id = ?"
	args := []any{b.ID}
	if status != "" {
		q += " AND status = ?"
		args = append(args, status)
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id DESC LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, p *PendingImport) (err error) {
		*p, err = scanPendingImport(b.Code, rows)
		return err
	})
}

// givenOrder is 0, 1, …, n-1.
func givenOrder(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// SubmitHistory submits a whole file of historical vouchers (the command
// line's JSON lines, up to MaxFileVoucherLines lines) as one pending batch
// import, all or none once approved.
func (s *Store) SubmitHistory(ctx context.Context, a Actor, bookCode string, vs []ImportVoucher) (PendingImport, error) {
	lines := 0
	for _, v := range vs {
		lines += len(v.Lines)
	}
	switch {
	case len(vs) == 0:
		return PendingImport{}, FieldError("vouchers", "文件中没有凭证")
	case lines > MaxFileVoucherLines:
		return PendingImport{}, FieldError("vouchers", "一个文件的分录不超过 %d 行，收到 %d 行：请按年度拆分为几个文件", MaxFileVoucherLines, lines)
	}
	return s.submitImport(ctx, a, bookCode, ViaBatchImport, FileImport{}, vs, MaxFileVoucherLines)
}
