package ledger

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
)

// Account is one account of a book's chart.
type Account struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Category   Category `json:"category"`
	NormalSide Side     `json:"normal_side"`
	Aux        Aux      `json:"aux"`
	Parent     string   `json:"parent,omitempty"`
	Leaf       bool     `json:"leaf"`
}

type accountRow struct {
	bun.BaseModel `bun:"table:accounts"`
	BookID        int64  `bun:"book_id,pk"`
	Code          string `bun:"code,pk"`
	Name          string `bun:"name"`
	Category      string `bun:"category"`
	NormalSide    string `bun:"normal_side"`
	Aux           string `bun:"aux"`
	ParentCode    string `bun:"parent_code"`
	IsLeaf        bool   `bun:"is_leaf"`
	CreatedAt     string `bun:"created_at"`
	CreatedBy     int64  `bun:"created_by"`
}

func (r accountRow) account() Account {
	return Account{Code: r.Code, Name: r.Name, Category: Category(r.Category), NormalSide: Side(r.NormalSide),
		Aux: Aux(r.Aux), Parent: r.ParentCode, Leaf: r.IsLeaf}
}

// NewAccount describes a sub-account to add. Aux defaults to the parent's.
type NewAccount struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
	Aux    Aux    `json:"aux,omitempty"`
}

// Accounts lists a book's chart in code order.
func (s *Store) Accounts(ctx context.Context, a Actor, bookCode string) ([]Account, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	return loadAccounts(ctx, s.db, b.ID)
}

func loadAccounts(ctx context.Context, db bun.IDB, bookID int64) ([]Account, error) {
	var rows []accountRow
	if err := db.NewSelect().Model(&rows).Where("book_id = ?", bookID).OrderExpr("code").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

func accountByCode(ctx context.Context, db bun.IDB, bookID int64, code string) (Account, error) {
	var r accountRow
	err := db.NewSelect().Model(&r).Where("book_id = ? AND code = ?", bookID, code).Scan(ctx)
	if isNoRows(err) {
		return Account{}, notFound("科目", truncate(code, 16))
	}
	return r.account(), err
}

// AddAccount adds a sub-account under parent. A leaf parent becomes a parent
// only while no voucher line (draft or posted) uses it, so history never
// moves between accounts.
func (s *Store) AddAccount(ctx context.Context, a Actor, bookCode string, in NewAccount) (Account, error) {
	if err := validateNewAccount(in); err != nil {
		return Account{}, err
	}
	var out Account
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		out, err = s.insertAccount(ctx, tx, a, b, in)
		return err
	})
	return out, err
}

func validateNewAccount(in NewAccount) error {
	var v validation
	if !v.text("name", in.Name) && !validName(in.Name, 64) {
		v.Add("name", "科目名称不能为空且不超过 64 个字")
	}
	if in.Aux != "" && !in.Aux.Valid() {
		v.Add("aux", "辅助核算应为 none、household 或 party")
	}
	if !isDigits(in.Parent) {
		v.Add("parent", "上级科目代码应为数字")
	} else if !isDigits(in.Code) || len(in.Code) != len(in.Parent)+2 || !strings.HasPrefix(in.Code, in.Parent) {
		v.Add("code", "明细科目代码应为上级科目代码后加两位数字，如 %s01", in.Parent)
	}
	return v.Err()
}

func isDigits(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (s *Store) insertAccount(ctx context.Context, tx bun.Tx, a Actor, b Book, in NewAccount) (Account, error) {
	parent, err := accountByCode(ctx, tx, b.ID, in.Parent)
	if err != nil {
		return Account{}, FieldError("parent", "上级科目不存在：%s", in.Parent)
	}
	if _, err := accountByCode(ctx, tx, b.ID, in.Code); err == nil {
		return Account{}, &Error{Code: ECodeConflict, Message: "科目代码已存在：" + in.Code, Details: []Detail{{Field: "code", Message: "已存在"}}}
	}
	if parent.Leaf {
		used, err := tx.NewSelect().Table("voucher_lines").Where("book_id = ? AND account_code = ?", b.ID, parent.Code).Exists(ctx)
		if err != nil {
			return Account{}, err
		}
		if used {
			return Account{}, &Error{Code: ECodeConflict, Message: "科目 " + parent.Code + " 已有凭证使用，不能再增设明细科目",
				Details: []Detail{{Field: "parent", Message: "已有凭证使用"}}}
		}
		if _, err := tx.NewRaw("UPDATE accounts SET is_leaf = ? WHERE book_id = ? AND code = ?", false, b.ID, parent.Code).Exec(ctx); err != nil {
			return Account{}, err
		}
	}
	aux := in.Aux
	if aux == "" {
		aux = parent.Aux
	}
	row := accountRow{BookID: b.ID, Code: in.Code, Name: strings.TrimSpace(in.Name), Category: string(parent.Category),
		NormalSide: string(parent.NormalSide), Aux: string(aux), ParentCode: parent.Code, IsLeaf: true,
		CreatedAt: s.timestamp(), CreatedBy: a.UserID}
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return Account{}, err
	}
	acc := row.account()
	return acc, s.audit(ctx, tx, a, b.ID, "create", "account", acc.Code, "", nil, acc)
}
