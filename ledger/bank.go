package ledger

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Group bank (bank*.go): the bank's statement (流水) of a bank account, its
// matching to the account's voucher lines and the monthly 银行存款余额调节表.
// Entry points: ImportFileBankStatement, AutoMatchBank, MatchBankLine,
// UnmatchBankLine, BankLines (bank.go), BankReconciliation
// (bank_reconcile.go). It uses core and the file-import claim; nothing in
// ledger uses it.

// ImportBankStatement is the import kind of a bank's statement.
const ImportBankStatement ImportKind = "bank-statement"

// Limits and tolerances of bank statements.
const (
	maxBankLines   = 20_000 // rows of one statement file
	BankMatchDays  = 5      // automatic matching: a book line at most this many days from the bank's date
	maxBankSummary = 200    // runes of 摘要 and 对方户名
	maxBankSerial  = 64     // runes of 流水号
)

// BankLine is one row of a bank's statement.
type BankLine struct {
	ID           int64  `json:"id"`
	Account      string `json:"account"`
	Date         string `json:"date"`
	Summary      string `json:"summary"`
	Income       Money  `json:"income"`
	Expense      Money  `json:"expense"`
	Balance      Money  `json:"balance"`
	Counterparty string `json:"counterparty,omitempty"`
	Serial       string `json:"serial"`
	// The matched voucher line, if any, and how it was matched (auto, manual).
	VoucherID int64  `json:"voucher_id,omitempty"`
	LineNo    int    `json:"line_no,omitempty"`
	MatchKind string `json:"match_kind,omitempty"`
}

// checkBankAccount refuses an account that is not a leaf bank account (102
// or one of its sub-accounts).
func checkBankAccount(ctx context.Context, tx bun.IDB, bookID int64, code string) error {
	if code == "" {
		return FieldError("account", "请指定银行存款科目（102 或其明细科目）")
	}
	var leaf bool
	err := tx.NewRaw("SELECT is_leaf FROM accounts WHERE book_id = ? AND code = ?", bookID, code).Scan(ctx, &leaf)
	switch {
	case isNoRows(err):
		return FieldError("account", "科目 %s 不存在", code)
	case err != nil:
		return err
	case !strings.HasPrefix(code, "102"):
		return FieldError("account", "科目 %s 不是银行存款（102）科目", code)
	case !leaf:
		return FieldError("account", "科目 %s 有明细科目，请按明细科目（每个银行账户一个）导入", code)
	}
	return nil
}

// checkBankLines checks every row on its own and against the others: a
// date, either 收入 or 支出 (not both), a unique 流水号, and 余额 following
// from the row before. Problems name rows[i].field.
func checkBankLines(ls []BankLine) []Detail {
	var out []Detail
	bad := func(i int, field, format string, args ...any) {
		out = append(out, Detail{Field: fmt.Sprintf("rows[%d].%s", i, field), Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]int{}
	for i, l := range ls {
		if _, err := ParseDate(l.Date); err != nil {
			bad(i, "date", "%s", err.Error())
		}
		switch {
		case l.Income.IsNegative() || l.Expense.IsNegative():
			bad(i, "income", "收入和支出不能为负数")
		case l.Income.IsZero() == l.Expense.IsZero():
			bad(i, "income", "每行应只有收入或只有支出一项金额")
		}
		if msg := badText(l.Summary, maxBankSummary); msg != "" {
			bad(i, "summary", "%s", msg)
		}
		if msg := badText(l.Counterparty, maxBankSummary); msg != "" {
			bad(i, "counterparty", "%s", msg)
		}
		key := ReferenceKey(l.Serial)
		switch {
		case key == "":
			bad(i, "serial", "流水号不能为空")
		case len([]rune(l.Serial)) > maxBankSerial:
			bad(i, "serial", "流水号不超过 %d 个字符", maxBankSerial)
		case seen[key] > 0:
			bad(i, "serial", "流水号与第 %d 条重复", seen[key])
		default:
			seen[key] = i + 1
		}
		if i > 0 {
			want := ls[i-1].Balance.Add(l.Income).Sub(l.Expense)
			if want != l.Balance {
				bad(i, "balance", "余额应为上一行余额 %s 加收入减支出即 %s，文件中为 %s（流水缺行或未按时间先后排列）", ls[i-1].Balance, want, l.Balance)
			}
			if l.Date < ls[i-1].Date {
				bad(i, "date", "日期早于上一行 %s：流水应按时间先后排列", ls[i-1].Date)
			}
		}
	}
	return out
}

// badText says what is wrong with a free-text field, "" when nothing.
func badText(s string, maxRunes int) string {
	if len([]rune(s)) > maxRunes {
		return fmt.Sprintf("不超过 %d 个字符", maxRunes)
	}
	if r, bad := invisibleIn(s); bad {
		return fmt.Sprintf("含有控制字符或不可见字符（U+%04X）", r)
	}
	return ""
}

// ImportFileBankStatement stores a bank statement of account (all rows or
// none, every problem reported at once), then matches it automatically. A
// row whose 流水号 the account already has refuses the file; a statement
// continues the stored one: its first 余额 must follow from the last stored
// row. Returns the rows stored.
func (s *Store) ImportFileBankStatement(ctx context.Context, a Actor, f FileImport, account string, ls []BankLine) (int, error) {
	f.Kind, f.Target, f.Rows = ImportBankStatement, account, len(ls)
	if len(ls) == 0 || len(ls) > maxBankLines {
		return 0, FieldError("rows", "每次导入应有 1 到 %d 条流水", maxBankLines)
	}
	if err := s.refuseReimport(ctx, a, f); err != nil {
		return 0, err
	}
	a = withFileImport(a, f)
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, f.Book, permWrite)
		if err != nil {
			return err
		}
		if err := checkBankAccount(ctx, tx, b.ID, account); err != nil {
			return err
		}
		problems := checkBankLines(ls)
		more, err := s.checkBankAgainstStored(ctx, tx, b.ID, account, ls)
		if err != nil {
			return err
		}
		if problems = append(problems, more...); len(problems) > 0 {
			sort.SliceStable(problems, func(i, j int) bool { return bankRowIndex(problems[i]) < bankRowIndex(problems[j]) })
			return batchError(ECodeInvalid, problems)
		}
		if err := s.insertBankLines(ctx, tx, b.ID, account, ls); err != nil {
			return err
		}
		matched, err := s.autoMatch(ctx, tx, b.ID, account)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "import", "bank_statement", account, "", nil,
			map[string]any{"rows": len(ls), "matched": matched, "sha256": f.SHA256})
	})
	return len(ls), err
}

func bankRowIndex(d Detail) int {
	i, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(d.Field, "]", 2)[0], "rows["))
	return i
}

// checkBankAgainstStored refuses 流水号 the account has and a first 余额 that
// does not follow from the last stored row dated on or before it.
func (s *Store) checkBankAgainstStored(ctx context.Context, tx bun.Tx, bookID int64, account string, ls []BankLine) ([]Detail, error) {
	var out []Detail
	keys := map[string]int{}
	for i, l := range ls {
		keys[ReferenceKey(l.Serial)] = i
	}
	rows, err := rawQuery(ctx, tx, "SELECT serial_key, date, balance_fen FROM bank_lines WHERE book_id = ? AND account_code = ? ORDER BY date, row_no", bookID, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lastDate string
	var lastBal int64
	stored := false
	for rows.Next() {
		var key, date string
		var bal int64
		if err := rows.Scan(&key, &date, &bal); err != nil {
			return nil, err
		}
		if i, ok := keys[key]; ok {
			out = append(out, Detail{Field: fmt.Sprintf("rows[%d].serial", i), Message: fmt.Sprintf("流水号 %s 已导入过（%s）", ls[i].Serial, date)})
		}
		stored, lastDate, lastBal = true, date, bal
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if stored && len(out) == 0 {
		first := ls[0]
		if first.Date < lastDate {
			out = append(out, Detail{Field: "rows[0].date", Message: fmt.Sprintf("已导入的流水到 %s，新流水应从此日起接续", lastDate)})
		} else if want := Fen(lastBal).Add(first.Income).Sub(first.Expense); want != first.Balance {
			out = append(out, Detail{Field: "rows[0].balance", Message: fmt.Sprintf("余额应接续已导入流水的余额 %s，即 %s，文件中为 %s", Fen(lastBal), want, first.Balance)})
		}
	}
	return out, nil
}

func (s *Store) insertBankLines(ctx context.Context, tx bun.Tx, bookID int64, account string, ls []BankLine) error {
	last, err := nextIDs(ctx, tx, bookID, "bank_line", int64(len(ls)))
	if err != nil {
		return err
	}
	var rowBase int64
	if err := tx.NewRaw("SELECT COALESCE(MAX(row_no), 0) FROM bank_lines WHERE book_id = ? AND account_code = ?", bookID, account).Scan(ctx, &rowBase); err != nil {
		return err
	}
	now := s.timestamp()
	first := last - int64(len(ls)) + 1
	rows := make([][]any, len(ls))
	for i, l := range ls {
		rows[i] = []any{bookID, first + int64(i), account, l.Date, strings.TrimSpace(l.Summary), l.Income.Fen(), l.Expense.Fen(), l.Balance.Fen(),
			strings.TrimSpace(l.Counterparty), strings.TrimSpace(l.Serial), ReferenceKey(l.Serial), rowBase + int64(i) + 1, now}
	}
	return s.bulkInsert(ctx, tx, `INSERT INTO bank_lines (book_id, id, account_code, date, summary, income_fen, expense_fen, balance_fen,
		counterparty, serial, serial_key, row_no, created_at) VALUES `, 13, rows, "")
}

// bookLine is a line of a posted voucher on a bank account.
type bookLine struct {
	VoucherID int64  `json:"voucher_id"`
	LineNo    int    `json:"line_no"`
	Date      string `json:"date"`
	Period    string `json:"period"`
	Number    string `json:"number"`
	Summary   string `json:"summary"`
	Net       int64  `json:"-"` // debit − credit, fen
	refs      []string
	matched   bool
}

// bookLines reads the posted lines of account dated in [from, to] ("" for
// open), with whether each is matched and the payment references of its voucher.
func (s *Store) bookLines(ctx context.Context, db bun.IDB, bookID int64, account, from, to string) ([]bookLine, error) {
	q := `SELECT l.voucher_id, l.line_no, v.date, v.period, v.number, v.summary, l.summary, l.debit_fen - l.credit_fen,
		(SELECT COUNT(*) FROM bank_lines bl WHERE bl.book_id = l.book_id AND bl.voucher_id = l.voucher_id AND bl.line_no = l.line_no)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND l.account_code = ? AND v.status = 'posted' AND v.date >= ?`
	args := []any{bookID, account, from}
	if to != "" {
		q += " AND v.date <= ?"
		args = append(args, to)
	}
	rows, err := rawQuery(ctx, db, q+" ORDER BY v.date, l.voucher_id, l.line_no", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bookLine
	for rows.Next() {
		var b bookLine
		var number int64
		var vsum, lsum string
		var n int
		if err := rows.Scan(&b.VoucherID, &b.LineNo, &b.Date, &b.Period, &number, &vsum, &lsum, &b.Net, &n); err != nil {
			return nil, err
		}
		b.Number, b.Summary, b.matched = FormatNumber(int(number)), vsum, n > 0
		if lsum != "" {
			b.Summary = lsum
		}
		b.refs = []string{ReferenceKey(vsum), ReferenceKey(lsum)}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.addPaymentRefs(ctx, db, bookID, out)
}

// addPaymentRefs adds the bank references of the payments each voucher records.
func (s *Store) addPaymentRefs(ctx context.Context, db bun.IDB, bookID int64, ls []bookLine) error {
	if len(ls) == 0 {
		return nil
	}
	rows, err := rawQuery(ctx, db, "SELECT voucher_id, reference_key FROM payments WHERE book_id = ? AND reference_key <> ''", bookID)
	if err != nil {
		return err
	}
	defer rows.Close()
	refs := map[int64][]string{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		refs[id] = append(refs[id], key)
	}
	for i := range ls {
		ls[i].refs = append(ls[i].refs, refs[ls[i].VoucherID]...)
	}
	return rows.Err()
}

// storedBankLines reads account's statement rows dated in [from, to] ("" open).
func storedBankLines(ctx context.Context, db bun.IDB, bookID int64, account, from, to string) ([]BankLine, error) {
	q := `SELECT id, account_code, date, summary, income_fen, expense_fen, balance_fen, counterparty, serial,
		COALESCE(voucher_id, 0), COALESCE(line_no, 0), COALESCE(match_kind, '') FROM bank_lines
		WHERE book_id = ? AND account_code = ? AND date >= ?`
	args := []any{bookID, account, from}
	if to != "" {
		q += " AND date <= ?"
		args = append(args, to)
	}
	rows, err := rawQuery(ctx, db, q+" ORDER BY date, row_no", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BankLine
	for rows.Next() {
		var l BankLine
		var in, ex, bal int64
		if err := rows.Scan(&l.ID, &l.Account, &l.Date, &l.Summary, &in, &ex, &bal, &l.Counterparty, &l.Serial, &l.VoucherID, &l.LineNo, &l.MatchKind); err != nil {
			return nil, err
		}
		l.Income, l.Expense, l.Balance = Fen(in), Fen(ex), Fen(bal)
		out = append(out, l)
	}
	return out, rows.Err()
}

func (l BankLine) net() int64 { return l.Income.Fen() - l.Expense.Fen() }

// autoMatch pairs unmatched statement rows of account with unmatched book
// lines of the same signed amount within BankMatchDays: first those whose
// voucher names the row's 流水号 (in a payment's bank reference or a summary),
// then the nearest date (the earlier book line on a tie). Returns the pairs made.
func (s *Store) autoMatch(ctx context.Context, tx bun.Tx, bookID int64, account string) (int, error) {
	bank, err := storedBankLines(ctx, tx, bookID, account, "", "")
	if err != nil {
		return 0, err
	}
	var open []BankLine
	for _, l := range bank {
		if l.VoucherID == 0 {
			open = append(open, l)
		}
	}
	if len(open) == 0 {
		return 0, nil
	}
	from := shiftDate(open[0].Date, -BankMatchDays)
	book, err := s.bookLines(ctx, tx, bookID, account, from, "")
	if err != nil {
		return 0, err
	}
	made := 0
	for _, byRef := range []bool{true, false} {
		for i := range open {
			if open[i].VoucherID != 0 {
				continue
			}
			j := bestBookLine(open[i], book, byRef)
			if j < 0 {
				continue
			}
			book[j].matched = true
			open[i].VoucherID = book[j].VoucherID
			if err := setMatch(ctx, tx, bookID, open[i].ID, book[j].VoucherID, book[j].LineNo, "auto"); err != nil {
				return made, err
			}
			made++
		}
	}
	return made, nil
}

// bestBookLine picks the unmatched book line for row l, -1 for none.
func bestBookLine(l BankLine, book []bookLine, byRef bool) int {
	best, bestDist := -1, BankMatchDays+1
	key := ReferenceKey(l.Serial)
	for j, b := range book {
		if b.matched || b.Net != l.net() {
			continue
		}
		d := dayDistance(b.Date, l.Date)
		if d > BankMatchDays {
			continue
		}
		if byRef && !namesRef(b.refs, key) {
			continue
		}
		if d < bestDist {
			best, bestDist = j, d
		}
	}
	return best
}

func namesRef(refs []string, key string) bool {
	for _, r := range refs {
		if r != "" && (r == key || strings.Contains(r, key)) {
			return true
		}
	}
	return false
}

func dayDistance(a, b string) int {
	ta, _ := time.Parse(time.DateOnly, a)
	tb, _ := time.Parse(time.DateOnly, b)
	d := int(ta.Sub(tb).Hours() / 24)
	return max(d, -d)
}

func shiftDate(date string, days int) string {
	t, _ := time.Parse(time.DateOnly, date)
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}

func setMatch(ctx context.Context, tx bun.IDB, bookID, id, voucherID int64, lineNo int, kind string) error {
	_, err := tx.NewRaw("UPDATE bank_lines SET voucher_id = ?, line_no = ?, match_kind = ? WHERE book_id = ? AND id = ?",
		voucherID, lineNo, kind, bookID, id).Exec(ctx)
	if err != nil && isUniqueViolation(err) {
		return Errorf(ECodeConflict, "该凭证分录已与另一条银行流水对应")
	}
	return err
}

// AutoMatchBank matches what is still unmatched on account; returns the pairs made.
func (s *Store) AutoMatchBank(ctx context.Context, a Actor, bookCode, account string) (int, error) {
	var made int
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := checkBankAccount(ctx, tx, b.ID, account); err != nil {
			return err
		}
		if made, err = s.autoMatch(ctx, tx, b.ID, account); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "auto_match", "bank_statement", account, "", nil, map[string]any{"matched": made})
	})
	return made, err
}

// MatchInput names the voucher line a statement row is matched to by hand.
type MatchInput struct {
	VoucherID int64 `json:"voucher_id"`
	LineNo    int   `json:"line_no"`
}

// MatchBankLine matches statement row id to a line of a posted voucher on the
// same account with the same signed amount (any date); both must be unmatched.
func (s *Store) MatchBankLine(ctx context.Context, a Actor, bookCode string, id int64, in MatchInput) (BankLine, error) {
	var out BankLine
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		l, err := bankLineByID(ctx, tx, b.ID, id)
		if err != nil {
			return err
		}
		if l.VoucherID != 0 {
			return Errorf(ECodeConflict, "流水 %s 已与凭证对应，请先取消对应", l.Serial)
		}
		var acct, status string
		var net int64
		err = tx.NewRaw(`SELECT l.account_code, v.status, l.debit_fen - l.credit_fen FROM voucher_lines l
			JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id WHERE l.book_id = ? AND l.voucher_id = ? AND l.line_no = ?`,
			b.ID, in.VoucherID, in.LineNo).Scan(ctx, &acct, &status, &net)
		switch {
		case isNoRows(err):
			return FieldError("voucher_id", "凭证 %d 没有第 %d 行分录", in.VoucherID, in.LineNo)
		case err != nil:
			return err
		case status != string(StatusPosted):
			return FieldError("voucher_id", "只能与已记账凭证对应")
		case acct != l.Account:
			return FieldError("line_no", "该分录的科目是 %s，流水属于 %s", acct, l.Account)
		case net != l.net():
			return FieldError("line_no", "金额不符：分录为 %s，流水为 %s（收入为正，支出为负）", Fen(net), Fen(l.net()))
		}
		if err := setMatch(ctx, tx, b.ID, id, in.VoucherID, in.LineNo, "manual"); err != nil {
			return err
		}
		l.VoucherID, l.LineNo, l.MatchKind = in.VoucherID, in.LineNo, "manual"
		out = l
		return s.audit(ctx, tx, a, b.ID, "match", "bank_line", strconv.FormatInt(id, 10), "", nil, in)
	})
	return out, err
}

// UnmatchBankLine undoes the match of statement row id.
func (s *Store) UnmatchBankLine(ctx context.Context, a Actor, bookCode string, id int64) (BankLine, error) {
	var out BankLine
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		l, err := bankLineByID(ctx, tx, b.ID, id)
		if err != nil {
			return err
		}
		if l.VoucherID == 0 {
			return Errorf(ECodeConflict, "流水 %s 尚未与凭证对应", l.Serial)
		}
		before := MatchInput{VoucherID: l.VoucherID, LineNo: l.LineNo}
		if _, err := tx.NewRaw("UPDATE bank_lines SET voucher_id = NULL, line_no = NULL, match_kind = NULL WHERE book_id = ? AND id = ?", b.ID, id).Exec(ctx); err != nil {
			return err
		}
		l.VoucherID, l.LineNo, l.MatchKind = 0, 0, ""
		out = l
		return s.audit(ctx, tx, a, b.ID, "unmatch", "bank_line", strconv.FormatInt(id, 10), "", before, nil)
	})
	return out, err
}

func bankLineByID(ctx context.Context, db bun.IDB, bookID, id int64) (BankLine, error) {
	var acct string
	if err := db.NewRaw("SELECT account_code FROM bank_lines WHERE book_id = ? AND id = ?", bookID, id).Scan(ctx, &acct); isNoRows(err) {
		return BankLine{}, Errorf(ECodeNotFound, "银行流水 %d 不存在", id)
	} else if err != nil {
		return BankLine{}, err
	}
	ls, err := storedBankLines(ctx, db, bookID, acct, "", "")
	if err != nil {
		return BankLine{}, err
	}
	for _, l := range ls {
		if l.ID == id {
			return l, nil
		}
	}
	return BankLine{}, Errorf(ECodeNotFound, "银行流水 %d 不存在", id)
}

// BankLines lists account's statement rows of period (YYYY-MM; "" for all).
func (s *Store) BankLines(ctx context.Context, a Actor, bookCode, account, period string) ([]BankLine, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	if err := checkBankAccount(ctx, s.db, b.ID, account); err != nil {
		return nil, err
	}
	from, to := "", ""
	if period != "" {
		if from, to, err = monthRange(period); err != nil {
			return nil, err
		}
	}
	return storedBankLines(ctx, s.db, b.ID, account, from, to)
}

// monthRange returns the first and last day of period (YYYY-MM).
func monthRange(period string) (string, string, error) {
	t, err := time.Parse("2006-01", period)
	if err != nil || t.Format("2006-01") != period {
		return "", "", FieldError("period", "月份应为 YYYY-MM，如 2026-03（收到 %q）", period)
	}
	return t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly), nil
}
