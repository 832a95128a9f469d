package ledger

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Voucher templates: a voucher saved under a name (每月工资, 电费) so the
// next month's starts filled in. A template holds no date and no number; a
// draft made from it is checked like any entered voucher.

// VoucherTemplate is a named voucher shape of a book.
type VoucherTemplate struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Summary     string `json:"summary"`
	Attachments int    `json:"attachments"`
	Lines       []Line `json:"lines"`
}

// TemplateInput saves voucher Voucher of the book as template Name.
type TemplateInput struct {
	Name    string `json:"name"`
	Voucher int64  `json:"voucher"`
}

// Input is the template as a preparer's voucher dated date.
func (t VoucherTemplate) Input(date string) VoucherInput {
	in := Voucher{Date: date, Summary: t.Summary, Attachments: t.Attachments, Lines: t.Lines}.input()
	return in
}

// VoucherTemplates lists a book's templates by name, with their lines.
func (s *Store) VoucherTemplates(ctx context.Context, a Actor, bookCode string) ([]VoucherTemplate, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.querySQL(ctx, s.db, "SELECT id, name, summary, attachments FROM voucher_templates WHERE book_id = ? ORDER BY name, id", b.ID)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(rows, func(rows *sql.Rows, t *VoucherTemplate) error {
		return rows.Scan(&t.ID, &t.Name, &t.Summary, &t.Attachments)
	})
	for i := range out {
		if err == nil {
			out[i].Lines, err = s.templateLines(ctx, s.db, b.ID, out[i].ID)
		}
	}
	return out, err
}

// VoucherTemplateByID returns one template of the book.
func (s *Store) VoucherTemplateByID(ctx context.Context, a Actor, bookCode string, id int64) (VoucherTemplate, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return VoucherTemplate{}, err
	}
	return s.templateByID(ctx, s.db, b, id)
}

func (s *Store) templateByID(ctx context.Context, db bun.IDB, b Book, id int64) (VoucherTemplate, error) {
	t := VoucherTemplate{ID: id}
	err := s.scanRow(ctx, db, "SELECT name, summary, attachments FROM voucher_templates WHERE book_id = ? AND id = ?", []any{b.ID, id},
		&t.Name, &t.Summary, &t.Attachments)
	if isNoRows(err) {
		return VoucherTemplate{}, notFound("凭证模板", id)
	}
	if err != nil {
		return VoucherTemplate{}, err
	}
	t.Lines, err = s.templateLines(ctx, db, b.ID, id)
	return t, err
}

func (s *Store) templateLines(ctx context.Context, db bun.IDB, bookID, id int64) ([]Line, error) {
	rows, err := s.querySQL(ctx, db, `SELECT l.line_no, l.account_code, COALESCE(a.name, ''), COALESCE(l.household_code, ''),
		COALESCE(l.party_code, ''), l.debit_fen, l.credit_fen, l.summary FROM voucher_template_lines l
		LEFT JOIN accounts a ON a.book_id = l.book_id AND a.code = l.account_code
		WHERE l.book_id = ? AND l.template_id = ? ORDER BY l.line_no`, bookID, id)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, l *Line) error {
		var d, c int64
		err := rows.Scan(&l.LineNo, &l.Account, &l.AccountName, &l.Household, &l.Party, &d, &c, &l.Summary)
		l.Debit, l.Credit = Fen(d), Fen(c)
		return err
	})
}

var insertTemplateLinesSQL = multiInsert{head: `INSERT INTO voucher_template_lines (book_id, template_id, line_no, account_code,
	household_code, party_code, debit_fen, credit_fen, summary) VALUES `, cols: 9, perStmt: 100}

// SaveVoucherTemplate saves a voucher of the book (draft or posted) as a
// template under a name not yet used in the book. A red reversal is refused:
// its lines follow the voucher it reverses.
func (s *Store) SaveVoucherTemplate(ctx context.Context, a Actor, bookCode string, in TemplateInput) (VoucherTemplate, error) {
	name := strings.TrimSpace(in.Name)
	if !validName(name, 32) {
		return VoucherTemplate{}, FieldError("name", "模板名称不能为空且不超过 32 个字")
	}
	var out VoucherTemplate
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.entryAidBook(ctx, tx, a, bookCode)
		if err != nil {
			return err
		}
		v, err := s.voucherByID(ctx, tx, b, in.Voucher)
		if err != nil {
			return FieldError("voucher", "凭证不存在：%d", in.Voucher)
		}
		if v.ReversesID != 0 {
			return FieldError("voucher", "红字冲销凭证不能存为模板")
		}
		var n, same int
		if err := s.scanRow(ctx, tx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN name = ? THEN 1 ELSE 0 END), 0) FROM voucher_templates WHERE book_id = ?",
			[]any{name, b.ID}, &n, &same); err != nil {
			return err
		}
		if same > 0 {
			return &Error{Code: ECodeConflict, Message: "已有同名的凭证模板：" + name, Details: []Detail{{Field: "name", Message: "已有同名的模板"}}}
		}
		if n >= maxTemplates {
			return FieldError("name", "每个账套至多 %d 个凭证模板，请先删除不用的", maxTemplates)
		}
		id, err := s.nextID(ctx, tx, b.ID, "voucher_template")
		if err != nil {
			return err
		}
		if _, err := s.execSQL(ctx, tx, "INSERT INTO voucher_templates (book_id, id, name, summary, attachments, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			b.ID, id, name, v.Summary, v.Attachments, s.timestamp()); err != nil {
			return err
		}
		rows := make([][]any, len(v.Lines))
		for i, l := range v.Lines {
			rows[i] = []any{b.ID, id, l.LineNo, l.Account, nullable(l.Household), nullable(l.Party), l.Debit.Fen(), l.Credit.Fen(), l.Summary}
		}
		if err := insertTemplateLinesSQL.exec(ctx, s, tx, rows); err != nil {
			return err
		}
		out = VoucherTemplate{ID: id, Name: name, Summary: v.Summary, Attachments: v.Attachments, Lines: v.Lines}
		return s.audit(ctx, tx, a, b.ID, "create", "voucher_template", strconv.FormatInt(id, 10), "", nil, out)
	})
	return out, err
}

// DeleteVoucherTemplate removes a template; drafts made from it stay.
func (s *Store) DeleteVoucherTemplate(ctx context.Context, a Actor, bookCode string, id int64) error {
	return s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.entryAidBook(ctx, tx, a, bookCode)
		if err != nil {
			return err
		}
		before, err := s.templateByID(ctx, tx, b, id)
		if err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM voucher_template_lines WHERE book_id = ? AND template_id = ?",
			"DELETE FROM voucher_templates WHERE book_id = ? AND id = ?"} {
			if _, err := s.execSQL(ctx, tx, q, b.ID, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, b.ID, "delete", "voucher_template", strconv.FormatInt(id, 10), "", before, nil)
	})
}

// VoucherFromTemplate saves a draft dated date from a template, checked
// like any entered voucher.
func (s *Store) VoucherFromTemplate(ctx context.Context, a Actor, bookCode string, id int64, date string) (Voucher, error) {
	t, err := s.VoucherTemplateByID(ctx, a, bookCode, id)
	if err != nil {
		return Voucher{}, err
	}
	return s.CreateVoucher(ctx, a, bookCode, t.Input(date))
}
