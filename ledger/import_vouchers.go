package ledger

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Batch import of historical books. Vouchers already reviewed in an earlier
// system come in with their original number and date and are posted at once,
// flagged imported: they join the hash chain in the order given, move the
// maintained balances, and each gets a "post" entry in the audit log (with the
// names of its original preparer and reviewer), exactly as a posted voucher
// does, so Verify checks them like any other. A batch is all or none.

// Limits on one import call.
const (
	MaxImportVouchers = 1000    // vouchers per batch
	maxImportLines    = 100_000 // lines per batch, all vouchers together
	maxImportNumber   = 99_999  // a month's voucher number
	maxPersonName     = 32      // runes, original preparer / reviewer
	maxOpeningLines   = 100_000 // lines of the opening balances
	maxImportDetails  = 50      // problems reported for one refused batch
)

// ImportVoucher is one voucher of an earlier system, already reviewed there.
type ImportVoucher struct {
	Number      int         `json:"number"` // its number in its month (记-0007 → 7), kept
	Date        string      `json:"date"`
	Summary     string      `json:"summary"`
	Attachments int         `json:"attachments"`
	PreparedBy  string      `json:"prepared_by,omitempty"` // original preparer (制单), as written in the old books
	ReviewedBy  string      `json:"reviewed_by"`           // original reviewer (审核); required: only reviewed vouchers are imported
	Lines       []LineInput `json:"lines"`
}

// ImportBatch is one call's vouchers, at most MaxImportVouchers.
type ImportBatch struct {
	Vouchers []ImportVoucher `json:"vouchers"`
}

// ImportedVoucher says where one voucher of a batch went.
type ImportedVoucher struct {
	Index  int    `json:"index"`
	ID     int64  `json:"id"`
	Period string `json:"period"`
	Number string `json:"number"`
}

// BatchImportResult is the answer to a successful batch.
type BatchImportResult struct {
	Book      string            `json:"book"`
	Imported  int               `json:"imported"`
	Lines     int               `json:"lines"`
	ChainSeq  int64             `json:"chain_seq"`
	ChainHead string            `json:"chain_head"`
	Vouchers  []ImportedVoucher `json:"vouchers"`
}

// importItem is a voucher ready to be written.
type importItem struct {
	v          Voucher
	preparedBy string
	reviewedBy string
}

// ImportVouchers submits a batch of already-reviewed vouchers of the old
// books: every voucher is checked now (a voucher that breaks a rule, a date
// not before the book's go-live month, a number that collides with one already
// in its month or elsewhere in the batch, numbers that would leave a gap in a
// month), each bad one named by its index ("vouchers[12]"), and the batch is
// stored pending: nothing posted, nothing numbered, until a township officer
// other than the submitter approves it (ApproveImport).
func (s *Store) ImportVouchers(ctx context.Context, a Actor, bookCode string, in ImportBatch) (PendingImport, error) {
	if len(in.Vouchers) == 0 || len(in.Vouchers) > MaxImportVouchers {
		return PendingImport{}, FieldError("vouchers", "每批导入 1 到 %d 张凭证，收到 %d 张", MaxImportVouchers, len(in.Vouchers))
	}
	return s.submitImport(ctx, a, bookCode, ViaBatchImport, FileImport{}, in.Vouchers, maxImportLines)
}

// checkShapes validates every voucher of vs on its own and returns them
// ready to be numbered (a bad one left zero); problems name the voucher by
// its index in the submission, index[k] for vs[k] (k itself when index is nil).
func checkShapes(vs []ImportVoucher, index []int) ([]importItem, []Detail) {
	var all []Detail
	items := make([]importItem, len(vs))
	for k, iv := range vs {
		field := fmt.Sprintf("vouchers[%d]", indexOf(index, k))
		in := VoucherInput{Date: iv.Date, Summary: iv.Summary, Attachments: iv.Attachments, Lines: iv.Lines}
		// Red-ink (negative) amounts are allowed: the old books may hold reversals.
		ls, total, err := in.checkShape(true)
		var v validation
		if err != nil {
			v.details = append(v.details, errDetails(err)...)
		}
		if iv.Number < 1 || iv.Number > maxImportNumber {
			v.Add("number", "凭证号应为 1 到 %d 的整数（记-0007 填 7），收到 %d", maxImportNumber, iv.Number)
		}
		if strings.TrimSpace(iv.ReviewedBy) == "" {
			v.Add("reviewed_by", "只能导入已审核的凭证：请填写原审核人")
		} else if !v.text("reviewed_by", iv.ReviewedBy) && !validName(iv.ReviewedBy, maxPersonName) {
			v.Add("reviewed_by", "原审核人姓名不超过 %d 个字", maxPersonName)
		}
		if iv.PreparedBy != "" && !v.text("prepared_by", iv.PreparedBy) && !validName(iv.PreparedBy, maxPersonName) {
			v.Add("prepared_by", "原制单人姓名不超过 %d 个字", maxPersonName)
		}
		for _, d := range v.details {
			all = append(all, Detail{Field: field + "." + d.Field, Message: d.Message})
		}
		if len(v.details) > 0 {
			continue
		}
		items[k] = importItem{
			v: Voucher{Date: iv.Date, Period: iv.Date[:7], Summary: strings.TrimSpace(iv.Summary), Attachments: iv.Attachments,
				Lines: ls, Total: total, number: iv.Number, Imported: true},
			preparedBy: strings.TrimSpace(iv.PreparedBy), reviewedBy: strings.TrimSpace(iv.ReviewedBy),
		}
	}
	return items, all
}

// indexOf is the submission's index of the k-th voucher of a chunk.
func indexOf(index []int, k int) int {
	if index == nil {
		return k
	}
	return index[k]
}

// countLines refuses vouchers of more than maxLines lines together.
func countLines(vs []ImportVoucher, maxLines int) (int, error) {
	lines := 0
	for _, v := range vs {
		lines += len(v.Lines)
	}
	if lines > maxLines {
		return lines, FieldError("vouchers", "每批导入的分录合计不超过 %d 行，收到 %d 行", maxLines, lines)
	}
	return lines, nil
}

// errDetails returns the field problems of a domain error, or one problem
// carrying its message.
func errDetails(err error) []Detail {
	e, ok := AsError(err)
	if !ok {
		return []Detail{{Field: "", Message: err.Error()}}
	}
	if len(e.Details) == 0 {
		return []Detail{{Message: e.Message}}
	}
	if e.Code == ECodeUnbalanced {
		return []Detail{{Field: "lines", Message: e.Message}}
	}
	return e.Details
}

// batchError refuses a batch; the message names the first bad voucher.
func batchError(code string, details []Detail) error {
	for i := range details {
		details[i].Field = strings.TrimSuffix(details[i].Field, ".")
	}
	first := details[0]
	msg := fmt.Sprintf("整批未导入：%s：%s", first.Field, first.Message)
	if len(details) > 1 {
		msg += fmt.Sprintf("（另有 %d 处错误）", len(details)-1)
	}
	if len(details) > maxImportDetails {
		details = details[:maxImportDetails]
	}
	return &Error{Code: code, Message: msg, Details: details}
}

// checkImportAgainstBook checks periods, accounts, households, parties and
// numbers of the whole batch with a handful of queries. opening admits the
// month before the book starts (where the opening balances live).
func (s *Store) checkImportAgainstBook(ctx context.Context, tx bun.Tx, b Book, items []importItem, opening bool) error {
	problems, last, err := s.checkItemsAgainstBook(ctx, tx, b, items, nil, opening)
	if err != nil {
		return err
	}
	numbers := make([]numberAt, len(items))
	for i, it := range items {
		numbers[i] = numberAt{it.v.Period, it.v.number, i}
	}
	return importProblems(append(problems, checkImportNumbers(numbers, last)...))
}

// importProblems refuses a batch with problems, ordered by voucher.
func importProblems(problems []Detail) error {
	if len(problems) == 0 {
		return nil
	}
	sort.SliceStable(problems, func(i, j int) bool { return detailIndex(problems[i]) < detailIndex(problems[j]) })
	return batchError(ECodeInvalid, problems)
}

// checkItemsAgainstBook returns the problems each of items has against the
// book (its month, accounts, households and parties), naming the voucher as
// checkShapes does, and the last number taken in each of their months.
func (s *Store) checkItemsAgainstBook(ctx context.Context, tx bun.Tx, b Book, items []importItem, index []int, opening bool) ([]Detail, map[string]int, error) {
	var problems []Detail
	bad := func(k int, field, format string, args ...any) {
		f := fmt.Sprintf("vouchers[%d]", indexOf(index, k))
		if field != "" {
			f += "." + field
		}
		problems = append(problems, Detail{Field: f, Message: fmt.Sprintf(format, args...)})
	}
	var all []Line
	periods := map[string]bool{}
	for _, it := range items {
		all = append(all, it.v.Lines...)
		periods[it.v.Period] = true
	}
	closed, last, err := importPeriods(ctx, tx, b.ID, periods)
	if err != nil {
		return nil, nil, err
	}
	refs, err := s.loadLineRefs(ctx, tx, b.ID, all)
	if err != nil {
		return nil, nil, err
	}
	for i, it := range items {
		switch {
		case !opening && it.v.Period < b.StartPeriod:
			bad(i, "date", "日期早于账套启用期间 %s（启用前的余额请作为期初余额录入）", b.StartPeriod)
		case !opening && it.v.Period >= b.GoLivePeriod:
			bad(i, "date", "%s 不早于账套上线月份 %s：上线后的凭证须逐张录入、由他人审核过账，只有上线前的历史凭证可以导入", it.v.Period, b.GoLivePeriod)
		case closed[it.v.Period]:
			bad(i, "date", "%s 期间已结账，不能导入", it.v.Period)
		}
		var v validation
		refs.check(it.v.Lines, &v)
		if anyTrade(it.v.Lines) {
			if err := s.checkTrade(ctx, tx, b, it.v.Date, it.v.Lines, &v); err != nil {
				return nil, nil, err
			}
		}
		for _, d := range v.details {
			bad(i, d.Field, "%s", d.Message)
		}
	}
	return problems, last, nil
}

// detailIndex is the voucher index a problem names, for ordering.
func detailIndex(d Detail) int {
	var i int
	fmt.Sscanf(d.Field, "vouchers[%d]", &i)
	return i
}

// importPeriods returns which of periods are closed and the last voucher
// number taken in each.
func importPeriods(ctx context.Context, tx bun.Tx, bookID int64, periods map[string]bool) (closed map[string]bool, last map[string]int, err error) {
	list := make([]string, 0, len(periods))
	for p := range periods {
		list = append(list, p)
	}
	closed, last = map[string]bool{}, map[string]int{}
	var closedList []string
	err = tx.NewRaw("SELECT period FROM periods WHERE book_id = ? AND closed = ? AND period IN (?)", bookID, true, bun.In(list)).Scan(ctx, &closedList)
	if err != nil && !isNoRows(err) {
		return nil, nil, err
	}
	for _, p := range closedList {
		closed[p] = true
	}
	rows, err := tx.QueryContext(ctx, "SELECT period, last_number FROM voucher_numbers WHERE book_id = ? AND period IN (?)", bookID, bun.In(list))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, nil, err
		}
		last[p] = n
	}
	return closed, last, rows.Err()
}

// numberAt is a voucher's month and number, and its index in the submission.
type numberAt struct {
	period   string
	n, index int
}

// checkImportNumbers requires that each month's imported numbers continue its
// numbering exactly: none already taken (numbers 1..last are, numbering being
// gapless), none twice in the batch, and no gap after them.
func checkImportNumbers(numbers []numberAt, last map[string]int) []Detail {
	var out []Detail
	type at struct{ n, index int }
	byPeriod := map[string][]at{}
	for _, x := range numbers {
		byPeriod[x.period] = append(byPeriod[x.period], at{x.n, x.index})
	}
	periods := make([]string, 0, len(byPeriod))
	for p := range byPeriod {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	for _, p := range periods {
		list := byPeriod[p]
		sort.SliceStable(list, func(i, j int) bool { return list[i].n < list[j].n })
		want := last[p] + 1
		for k, x := range list {
			field := fmt.Sprintf("vouchers[%d].number", x.index)
			switch {
			case x.n <= last[p]:
				out = append(out, Detail{Field: field, Message: fmt.Sprintf("%s %s 与账中已有凭证编号冲突（该月已编至 %s）", p, FormatNumber(x.n), FormatNumber(last[p]))})
			case k > 0 && list[k-1].n == x.n:
				out = append(out, Detail{Field: field, Message: fmt.Sprintf("%s %s 与本批第 %d 张凭证（vouchers[%d]）编号重复", p, FormatNumber(x.n), list[k-1].index, list[k-1].index)})
			case x.n != want:
				out = append(out, Detail{Field: field, Message: fmt.Sprintf("%s 凭证号不连续：缺少 %s 至 %s（该月已编至 %s）", p, FormatNumber(want), FormatNumber(x.n-1), FormatNumber(want-1))})
				want = x.n + 1
			default:
				want = x.n + 1
			}
		}
	}
	return out
}

// importPosting says who posts an import and how: the poster a (the approving
// township officer, or the accountant entering opening balances), the user
// who prepared it (the uploader) and the path.
type importPosting struct {
	preparerID, reviewerID int64
	via                    string
}

// writeImport numbers, chains and writes a checked batch with multi-row
// statements: vouchers, lines, the status flip to posted, numbering, chain
// head, maintained balances and the audit log (as a, the poster).
func (s *Store) writeImport(ctx context.Context, tx bun.Tx, a Actor, ip importPosting, b Book, items []importItem) (BatchImportResult, error) {
	n := int64(len(items))
	lastID, err := nextIDs(ctx, tx, b.ID, "voucher", n)
	if err != nil {
		return BatchImportResult{}, err
	}
	lastAudit, err := nextIDs(ctx, tx, b.ID, "audit", n)
	if err != nil {
		return BatchImportResult{}, err
	}
	now := s.timestamp()
	res := BatchImportResult{Book: b.Code, Imported: len(items), Vouchers: make([]ImportedVoucher, len(items))}
	seq, prev := b.ChainSeq, b.ChainHead
	maxNumber := map[string]int{}
	for i := range items {
		v := &items[i].v
		v.ID, v.Book, v.Status, v.Number = lastID-n+1+int64(i), b.Code, StatusPosted, FormatNumber(v.number)
		v.PreparerID, v.ReviewerID, v.PostedVia, v.PostedAt, v.CreatedAt, v.UpdatedAt = ip.preparerID, ip.reviewerID, ip.via, now, now, now
		v.OrigPrepBy, v.OrigRevBy = items[i].preparedBy, items[i].reviewedBy
		seq++
		v.ChainSeq, v.PrevHash, v.ChainVersion = seq, prev, currentChainVersion
		v.Hash = VoucherHash(*v)
		prev = v.Hash
		maxNumber[v.Period] = max(maxNumber[v.Period], v.number)
		res.Vouchers[i] = ImportedVoucher{Index: i, ID: v.ID, Period: v.Period, Number: v.Number}
		res.Lines += len(v.Lines)
	}
	res.ChainSeq, res.ChainHead = seq, prev
	if err := s.insertImported(ctx, tx, b.ID, items); err != nil {
		return BatchImportResult{}, err
	}
	// Lines may join only a draft (a trigger guards posted ones), so the
	// vouchers went in as drafts with their posting fields and turn posted now.
	updated, err := tx.NewRaw("UPDATE vouchers SET status = 'posted' WHERE book_id = ? AND id >= ? AND id <= ? AND status = 'draft'",
		b.ID, lastID-n+1, lastID).Exec(ctx)
	if err != nil {
		return BatchImportResult{}, err
	}
	if got, err := updated.RowsAffected(); err != nil {
		return BatchImportResult{}, err
	} else if got != n {
		return BatchImportResult{}, Errorf(ECodeConflict, "导入的 %d 张凭证中只有 %d 张可以记账，已全部撤销", n, got)
	}
	for p, num := range maxNumber {
		if _, err := tx.NewRaw(`INSERT INTO voucher_numbers (book_id, period, last_number) VALUES (?, ?, ?)
			ON CONFLICT (book_id, period) DO UPDATE SET last_number = excluded.last_number`, b.ID, p, num).Exec(ctx); err != nil {
			return BatchImportResult{}, err
		}
	}
	if _, err := tx.NewRaw("UPDATE books SET chain_seq = ?, chain_head = ? WHERE id = ?", seq, prev, b.ID).Exec(ctx); err != nil {
		return BatchImportResult{}, err
	}
	if err := s.addBatchBalances(ctx, tx, b.ID, items); err != nil {
		return BatchImportResult{}, err
	}
	dated := make([]datedLines, len(items))
	for i, it := range items {
		dated[i] = datedLines{it.v.Date, it.v.Lines}
	}
	if err := s.checkCash(ctx, tx, b.ID, dated); err != nil {
		return BatchImportResult{}, err
	}
	return res, s.auditImported(ctx, tx, a, b.ID, lastAudit-n+1, now, items)
}

// nullableID stores 0 as NULL.
func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// bulkInsert writes rows (each cols values) with as few multi-row INSERTs as
// the parameter limit allows.
func (s *Store) bulkInsert(ctx context.Context, tx bun.IDB, head string, cols int, rows [][]any, suffix string) error {
	return multiInsert{head: head, cols: cols, suffix: suffix}.exec(ctx, s, tx, rows)
}

// insertImported writes the batch's vouchers (as drafts) and their lines.
func (s *Store) insertImported(ctx context.Context, tx bun.Tx, bookID int64, items []importItem) error {
	vrows := make([][]any, 0, len(items))
	var lrows [][]any
	for _, it := range items {
		v := it.v
		vrows = append(vrows, []any{bookID, v.ID, string(StatusDraft), v.Date, v.Period, v.Summary, v.Attachments, v.PreparerID,
			nullableID(v.ReviewerID), v.number, v.PostedAt, true, v.ChainSeq, v.PrevHash, v.Hash, v.Total.Fen(), v.CreatedAt, v.UpdatedAt,
			v.PostedVia, v.OrigPrepBy, v.OrigRevBy, v.ChainVersion})
		for _, l := range v.Lines {
			lrows = append(lrows, []any{bookID, v.ID, l.LineNo, l.Account, nullable(l.Household), nullable(l.Party),
				l.Debit.Fen(), l.Credit.Fen(), l.Summary, l.Trade})
		}
	}
	err := s.bulkInsert(ctx, tx, `INSERT INTO vouchers (book_id, id, status, date, period, summary, attachments, preparer_id,
		reviewer_id, number, posted_at, imported, chain_seq, prev_hash, hash, total_fen, created_at, updated_at,
		posted_via, orig_prepared_by, orig_reviewed_by, chain_version) VALUES `, 22, vrows, "")
	if err != nil {
		return err
	}
	return s.bulkInsert(ctx, tx, `INSERT INTO voucher_lines (book_id, voucher_id, line_no, account_code, household_code,
		party_code, debit_fen, credit_fen, summary, trade) VALUES `, 10, lrows, "")
}

// addBatchBalances adds every line of the batch to the maintained balances,
// summed per row first, in bulk statements.
func (s *Store) addBatchBalances(ctx context.Context, tx bun.Tx, bookID int64, items []importItem) error {
	d := balanceDeltas{}
	for _, it := range items {
		d.add(it.v.Period, it.v.Lines)
	}
	return s.addBalanceDeltas(ctx, tx, bookID, d, 0)
}

// auditImported records one "post" entry per imported voucher, as posting does,
// with the path, the uploader and the original preparer and reviewer.
func (s *Store) auditImported(ctx context.Context, tx bun.Tx, a Actor, bookID, firstID int64, at string, items []importItem) error {
	rows := make([][]any, len(items))
	for i, it := range items {
		after, err := auditJSON(map[string]any{"number": it.v.Number, "period": it.v.Period, "hash": it.v.Hash,
			"imported": true, "posted_via": it.v.PostedVia, "uploaded_by": it.v.PreparerID,
			"prepared_by": it.preparedBy, "reviewed_by": it.reviewedBy})
		if err != nil {
			return err
		}
		reason := "审核通过导入的历史凭证"
		if it.v.PostedVia == ViaOpening {
			reason = "录入期初余额"
		}
		rows[i] = []any{bookID, firstID + int64(i), at, a.UserID, "post", "voucher", fmt.Sprint(it.v.ID), reason, "", after}
	}
	return s.bulkInsert(ctx, tx, `INSERT INTO audit_log (book_id, id, at, user_id, action, entity, entity_key, reason, before_json, after_json) VALUES `,
		10, rows, "")
}

// OpeningInput is a book's opening balances (期初余额) at the start of its
// first month: one line per account (and household or party on ★ accounts),
// the balance on its side. Debits must equal credits.
type OpeningInput struct {
	Lines []LineInput `json:"lines"`
}

// OpeningSummary is the summary of the opening-balances voucher.
const OpeningSummary = "期初余额"

// SetOpeningBalances records opening balances of a book that starts
// mid-life. They are posted, flagged imported, as vouchers of the month before
// the book's first month, dated its last day (记-0001, then 记-0002 for a
// further part): the trial balance of any range from the first month shows
// them as opening balances, household statements open with them, and Verify
// checks them with the chain. Each part must balance on its own; a large book
// may enter them in parts (one per account group, say), and a mistake is
// corrected by a further part. Nothing is accepted once a month is closed.
func (s *Store) SetOpeningBalances(ctx context.Context, a Actor, bookCode string, in OpeningInput) (Voucher, error) {
	if len(in.Lines) < 1 || len(in.Lines) > maxOpeningLines {
		return Voucher{}, FieldError("lines", "期初余额应有 1 到 %d 行，收到 %d 行", maxOpeningLines, len(in.Lines))
	}
	var v validation
	lines, debit, err := checkBalancedLines(&v, in.Lines, false, openingBalance)
	if err != nil {
		return Voucher{}, err
	}
	var out Voucher
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if b, err = s.bookByCode(ctx, tx, b.Code); err != nil {
			return err
		}
		if err := s.checkOpeningAllowed(ctx, tx, b); err != nil {
			return err
		}
		out, err = s.postOpening(ctx, tx, a, b, lines, debit)
		return err
	})
	return out, err
}

// postOpening posts one part of the opening balances, inside tx, as a
// voucher of the month before the book's first month.
func (s *Store) postOpening(ctx context.Context, tx bun.Tx, a Actor, b Book, lines []Line, total Money) (Voucher, error) {
	start, _ := time.Parse("2006-01", b.StartPeriod)
	date := start.AddDate(0, 0, -1).Format("2006-01-02")
	var last int
	err := tx.NewRaw("SELECT last_number FROM voucher_numbers WHERE book_id = ? AND period = ?", b.ID, date[:7]).Scan(ctx, &last)
	if err != nil && !isNoRows(err) {
		return Voucher{}, err
	}
	it := importItem{v: Voucher{Date: date, Period: date[:7], Summary: OpeningSummary + "（账套启用期间 " + b.StartPeriod + "）",
		Lines: lines, Total: total, number: last + 1, Imported: true}}
	items := []importItem{it}
	if err := s.checkImportAgainstBook(ctx, tx, b, items, true); err != nil {
		return Voucher{}, openingError(err)
	}
	// Opening balances stay as they were: posted by the accountant who
	// enters them, in the month before the books begin, with no reviewer.
	res, err := s.writeImport(ctx, tx, a, importPosting{preparerID: a.UserID, via: ViaOpening}, b, items)
	if err != nil {
		return Voucher{}, err
	}
	return s.voucherByID(ctx, tx, b, res.Vouchers[0].ID)
}

// checkOpeningAllowed refuses opening balances once a month of the book is closed.
func (s *Store) checkOpeningAllowed(ctx context.Context, tx bun.Tx, b Book) error {
	var n int
	if err := tx.NewRaw("SELECT COUNT(*) FROM periods WHERE book_id = ? AND closed = ?", b.ID, true).Scan(ctx, &n); err != nil {
		return err
	}
	if n > 0 {
		return Errorf(ECodeConflict, "账套已有结账的期间，不能再录入期初余额；如需更正请在未结账期间填制调整凭证")
	}
	return nil
}

// openingError renames "vouchers[0].lines[…]" to "lines[…]" for the opening input.
func openingError(err error) error {
	e, ok := AsError(err)
	if !ok {
		return err
	}
	out := &Error{Code: e.Code, Message: strings.ReplaceAll(strings.TrimPrefix(e.Message, "整批未导入："), "vouchers[0].", "")}
	for _, d := range e.Details {
		out.Details = append(out.Details, Detail{Field: strings.TrimPrefix(d.Field, "vouchers[0]."), Message: d.Message})
	}
	return out
}

// OpeningBalances returns the book's opening-balance vouchers, in order;
// none when no opening balances were entered.
func (s *Store) OpeningBalances(ctx context.Context, a Actor, bookCode string) ([]Voucher, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = s.db.NewRaw("SELECT id FROM vouchers WHERE book_id = ? AND period < ? AND status = 'posted' ORDER BY id",
		b.ID, b.StartPeriod).Scan(ctx, &ids)
	if err != nil && !isNoRows(err) {
		return nil, err
	}
	out := make([]Voucher, 0, len(ids))
	for _, id := range ids {
		v, err := s.voucherByID(ctx, s.db, b, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
