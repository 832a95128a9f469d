package ledger

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"
)

// NewBook describes a book to create. StartPeriod is the first month that
// accepts vouchers ("" means the current month); GoLivePeriod the first month
// kept in coopledger ("" means StartPeriod: no history to import).
type NewBook struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Kind         BookKind `json:"kind"`
	Township     Township `json:"township"`
	StartPeriod  string   `json:"start_period"`
	GoLivePeriod string   `json:"go_live_period,omitempty"`
}

// CreateBook creates a book and seeds its chart of accounts. Admins only.
func (s *Store) CreateBook(ctx context.Context, by Actor, in NewBook) (Book, error) {
	if by.Role != RoleAdmin {
		return Book{}, Errorf(ECodeForbidden, "只有管理员可以创建账套")
	}
	if in.StartPeriod == "" {
		in.StartPeriod = s.now().Format("2006-01")
	}
	if in.GoLivePeriod == "" {
		in.GoLivePeriod = in.StartPeriod
	}
	if err := validateNewBook(in); err != nil {
		return Book{}, err
	}
	chart, err := ChartTemplate(in.Kind)
	if err != nil {
		return Book{}, err
	}
	var b Book
	err = s.write(ctx, by.Write, func(tx bun.Tx) error {
		b, err = s.insertBook(ctx, tx, by, in, chart)
		return err
	})
	return b, err
}

func validateNewBook(in NewBook) error {
	var v validation
	if !validCode(in.Code) {
		v.Add("code", "账套代码只能由字母、数字、- 和 _ 组成，不超过 32 个字符")
	}
	if !v.text("name", in.Name) && !validName(in.Name, 64) {
		v.Add("name", "账套名称不能为空且不超过 64 个字")
	}
	if !in.Kind.Valid() {
		v.Add("kind", "账套类型应为 village（村集体）或 cooperative（合作社）")
	}
	if !validCode(in.Township.Code) {
		v.Add("township.code", "乡镇代码只能由字母、数字、- 和 _ 组成")
	}
	if !v.text("township.name", in.Township.Name) && !validName(in.Township.Name, 64) {
		v.Add("township.name", "乡镇名称不能为空且不超过 64 个字")
	}
	if _, err := ParsePeriod(in.StartPeriod); err != nil {
		v.Add("start_period", "%s", err.Error())
	} else if _, err := ParsePeriod(in.GoLivePeriod); err != nil {
		v.Add("go_live_period", "%s", err.Error())
	} else if in.GoLivePeriod < in.StartPeriod {
		v.Add("go_live_period", "上线月份 %s 不能早于账套启用期间 %s", in.GoLivePeriod, in.StartPeriod)
	}
	return v.Err()
}

func (s *Store) insertBook(ctx context.Context, tx bun.Tx, by Actor, in NewBook, chart []ChartAccount) (Book, error) {
	if err := ensureTownship(ctx, tx, in.Township); err != nil {
		return Book{}, err
	}
	if exists, err := tx.NewSelect().Table("books").Where("code = ?", in.Code).Exists(ctx); err != nil {
		return Book{}, err
	} else if exists {
		return Book{}, &Error{Code: ECodeConflict, Message: "账套代码已存在：" + in.Code, Details: []Detail{{Field: "code", Message: "已存在"}}}
	}
	id, err := nextID(ctx, tx, 0, "book")
	if err != nil {
		return Book{}, err
	}
	now := s.timestamp()
	_, err = tx.NewRaw(`INSERT INTO books (id, code, name, kind, township_code, start_period, go_live_period, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.Code, strings.TrimSpace(in.Name), in.Kind, in.Township.Code, in.StartPeriod, in.GoLivePeriod, now, by.UserID).Exec(ctx)
	if err != nil {
		return Book{}, err
	}
	if err := s.seedChart(ctx, tx, by, id, chart); err != nil {
		return Book{}, err
	}
	b, err := s.bookByCode(ctx, tx, in.Code)
	if err != nil {
		return Book{}, err
	}
	return b, s.audit(ctx, tx, by, id, "create", "book", b.Code, "", nil, b)
}

func ensureTownship(ctx context.Context, tx bun.Tx, t Township) error {
	var name string
	err := tx.NewRaw("SELECT name FROM townships WHERE code = ?", t.Code).Scan(ctx, &name)
	if isNoRows(err) {
		_, err = tx.NewRaw("INSERT INTO townships (code, name) VALUES (?, ?)", t.Code, strings.TrimSpace(t.Name)).Exec(ctx)
		return err
	}
	if err == nil && name != strings.TrimSpace(t.Name) {
		return FieldError("township.name", "乡镇 %s 已登记为“%s”，名称不一致", t.Code, name)
	}
	return err
}

func (s *Store) seedChart(ctx context.Context, tx bun.Tx, by Actor, bookID int64, chart []ChartAccount) error {
	now := s.timestamp()
	rows := make([]accountRow, 0, len(chart))
	for _, c := range chart {
		rows = append(rows, accountRow{BookID: bookID, Code: c.Code, Name: c.Name, Category: string(c.Category),
			NormalSide: string(c.NormalSide), Aux: string(c.Aux), ParentCode: c.Parent, IsLeaf: c.Leaf,
			CreatedAt: now, CreatedBy: by.UserID})
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// Book returns one book the actor may read; admins may read any book's header.
func (s *Store) Book(ctx context.Context, a Actor, code string) (Book, error) {
	if a.Role == RoleAdmin {
		return s.bookByCode(ctx, s.db, code)
	}
	return s.authorize(ctx, s.db, a, code, permRead)
}

// Books lists the books the actor can see (admins: all), ordered by code.
func (s *Store) Books(ctx context.Context, a Actor) ([]Book, error) {
	q := "SELECT " + bookColumns + " FROM books b JOIN townships t ON t.code = b.township_code"
	var args []any
	if a.Role != RoleAdmin && !a.allBooks {
		q += ` WHERE b.township_code = ? OR b.id IN (SELECT book_id FROM user_books WHERE user_id = ?)
			OR b.township_code IN (SELECT township_code FROM user_townships WHERE user_id = ?)`
		args = append(args, a.Township, a.UserID, a.UserID)
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY b.code", args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, b *Book) (err error) {
		*b, err = scanBook(rows)
		return err
	})
}

// SetSegregationOptOut records that a one-person village lets the preparer
// post their own vouchers, or withdraws that. Township officers only; the
// reason is kept in the audit log.
func (s *Store) SetSegregationOptOut(ctx context.Context, a Actor, bookCode string, optOut bool, reason string) (Book, error) {
	if err := textError("reason", reason); err != nil {
		return Book{}, err
	}
	if optOut && !validName(reason, 500) {
		return Book{}, FieldError("reason", "豁免不相容职务分离必须说明理由（不超过 500 字）")
	}
	var out Book
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permSegment)
		if err != nil {
			return err
		}
		if !optOut {
			reason = ""
		}
		if _, err := tx.NewRaw("UPDATE books SET segregation_opt_out = ?, opt_out_reason = ? WHERE id = ?", optOut, reason, b.ID).Exec(ctx); err != nil {
			return err
		}
		before := b
		b.SegregationOptOut, b.OptOutReason = optOut, reason
		out = b
		return s.audit(ctx, tx, a, b.ID, "segregation", "book", b.Code, reason, before, b)
	})
	return out, err
}
