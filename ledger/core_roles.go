package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// Roles per book (issue 19). A user other than the administrator holds a
// role on a book (user_books) or over every book of a township
// (user_townships); rolePermissions (core_auth.go) says what each permits.
// The administrator grants and revokes any role; a township officer grants
// and revokes roles on the books of its township (but no township grant).

// Grant is one role held on one book or over one township.
type Grant struct {
	Role     Role   `json:"role"`
	Book     string `json:"book,omitempty"`     // book code
	Township string `json:"township,omitempty"` // township code
	bookID   int64
}

// GrantInput names a role to grant to or revoke from a user: exactly one of
// Book and Township.
type GrantInput struct {
	Role     Role   `json:"role"`
	Book     string `json:"book"`
	Township string `json:"township"`
}

// RoleNames are the roles' names for people.
var RoleNames = map[Role]string{
	RoleAdmin: "系统管理员", RoleAccountant: "会计", RoleTownship: "乡镇财政所", RoleAuditor: "审计",
	RoleCashier: "出纳", RoleReporter: "报账员", RoleMember: "民主理财小组成员",
}

func validateGrant(in GrantInput) error {
	var v validation
	if !in.Role.bookRole() {
		v.Add("role", "角色应为 accountant、township、auditor、cashier、reporter 或 member")
	}
	switch {
	case (in.Book == "") == (in.Township == ""):
		v.Add("book", "必须且只能指定账套或乡镇之一")
	case in.Township != "" && in.Role != RoleTownship && in.Role != RoleAuditor:
		v.Add("township", "整个乡镇只能授予乡镇（township）或审计（auditor）角色")
	}
	return v.Err()
}

// GrantRole gives user id the role on a book or township; a role already
// held there is replaced (one role per user and book).
func (s *Store) GrantRole(ctx context.Context, by Actor, id int64, in GrantInput) (User, error) {
	return s.changeGrant(ctx, by, id, in, true)
}

// RevokeRole takes the role on a book or township from user id.
func (s *Store) RevokeRole(ctx context.Context, by Actor, id int64, in GrantInput) (User, error) {
	return s.changeGrant(ctx, by, id, in, false)
}

func (s *Store) changeGrant(ctx context.Context, by Actor, id int64, in GrantInput, grant bool) (User, error) {
	in.Book, in.Township = strings.TrimSpace(in.Book), strings.TrimSpace(in.Township)
	if err := validateGrant(in); err != nil {
		return User{}, err
	}
	var out User
	err := s.write(ctx, by.Write, func(tx bun.Tx) error {
		var row userRow
		if err := tx.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
			if isNoRows(err) {
				return Errorf(ECodeNotFound, "用户 %d 不存在", id)
			}
			return err
		}
		if row.Role == string(RoleAdmin) {
			return FieldError("role", "系统管理员不持有账套角色")
		}
		bookID, err := s.grantTarget(ctx, tx, by, in)
		if err != nil {
			return err
		}
		if err := s.applyGrant(ctx, tx, id, bookID, in, grant); err != nil {
			return err
		}
		action := map[bool]string{true: "grant", false: "revoke"}[grant]
		if err := s.audit(ctx, tx, by, bookID, action, "role", fmt.Sprint(id), "", nil, in); err != nil {
			return err
		}
		out, err = s.userByID(ctx, tx, id)
		return err
	})
	return out, err
}

// grantTarget checks who may grant on the book or township and returns the
// book's id (0 for a township). A book out of a township officer's scope is
// not found, as everywhere.
func (s *Store) grantTarget(ctx context.Context, tx bun.Tx, by Actor, in GrantInput) (int64, error) {
	if in.Township != "" {
		if by.Role != RoleAdmin {
			return 0, Errorf(ECodeForbidden, "只有管理员可以授予整个乡镇的角色")
		}
		exists, err := tx.NewSelect().Table("townships").Where("code = ?", in.Township).Exists(ctx)
		if err != nil {
			return 0, err
		}
		if !exists {
			return 0, FieldError("township", "乡镇不存在：%s", in.Township)
		}
		return 0, nil
	}
	b, err := s.bookByCode(ctx, tx, in.Book)
	if err != nil {
		return 0, FieldError("book", "账套不存在：%s", in.Book)
	}
	if by.Role == RoleAdmin {
		return b.ID, nil
	}
	if !by.inScope(b) {
		return 0, notFound("账套", in.Book)
	}
	if !by.can(b, permSegment) {
		return 0, Errorf(ECodeForbidden, "只有管理员或本乡镇财政所可以授予账套角色")
	}
	return b.ID, nil
}

func (s *Store) applyGrant(ctx context.Context, tx bun.Tx, id, bookID int64, in GrantInput, grant bool) error {
	var err error
	switch {
	case in.Township != "" && grant:
		_, err = tx.NewRaw(`INSERT INTO user_townships (user_id, township_code, role) VALUES (?, ?, ?)
			ON CONFLICT (user_id, township_code) DO UPDATE SET role = EXCLUDED.role`, id, in.Township, string(in.Role)).Exec(ctx)
	case in.Township != "":
		err = s.deleteGrant(ctx, tx, "DELETE FROM user_townships WHERE user_id = ? AND township_code = ? AND role = ?", id, in.Township, string(in.Role))
	case grant:
		_, err = tx.NewRaw(`INSERT INTO user_books (user_id, book_id, role) VALUES (?, ?, ?)
			ON CONFLICT (user_id, book_id) DO UPDATE SET role = EXCLUDED.role`, id, bookID, string(in.Role)).Exec(ctx)
	default:
		err = s.deleteGrant(ctx, tx, "DELETE FROM user_books WHERE user_id = ? AND book_id = ? AND role = ?", id, bookID, string(in.Role))
	}
	return err
}

func (s *Store) deleteGrant(ctx context.Context, tx bun.Tx, q string, args ...any) error {
	res, err := tx.NewRaw(q, args...).Exec(ctx)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return Errorf(ECodeNotFound, "该用户在此没有%s角色", RoleNames[Role(args[len(args)-1].(string))])
	}
	return nil
}

// grantsOf loads a user's grants, books first (by code), then townships.
func (s *Store) grantsOf(ctx context.Context, db bun.IDB, userID int64) ([]Grant, error) {
	rows, err := s.querySQL(ctx, db, `SELECT ub.role, b.code, '', ub.book_id FROM user_books ub JOIN books b ON b.id = ub.book_id
		WHERE ub.user_id = ?
		UNION ALL SELECT ut.role, '', ut.township_code, 0 FROM user_townships ut WHERE ut.user_id = ?
		ORDER BY 2, 3`, userID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		var role string
		if err := rows.Scan(&role, &g.Book, &g.Township, &g.bookID); err != nil {
			return nil, err
		}
		g.Role = Role(role)
		out = append(out, g)
	}
	return out, rows.Err()
}

// withGrants fills the actor's scope from its grants.
func (a Actor) withGrants(gs []Grant) Actor {
	a.Grants = gs
	if a.Role == RoleAdmin {
		return a
	}
	a.Role = ""
	for i, g := range gs {
		if i == 0 {
			a.Role = g.Role
		} else if g.Role != a.Role {
			a.Role = ""
			break
		}
	}
	for _, g := range gs {
		if g.Township != "" && a.Township == "" {
			a.Township = g.Township
		}
		if g.bookID != 0 {
			a.BookIDs = append(a.BookIDs, g.bookID)
		}
	}
	return a
}

// userByID describes a user with its grants.
func (s *Store) userByID(ctx context.Context, db bun.IDB, id int64) (User, error) {
	var row userRow
	if err := db.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return User{}, err
	}
	gs, err := s.grantsOf(ctx, db, id)
	if err != nil {
		return User{}, err
	}
	a := Actor{UserID: row.ID, Name: row.Name, Role: Role(row.Role)}.withGrants(gs)
	return s.describe(ctx, db, a)
}

// cashBankAccounts are the accounts of cash and bank (库存现金, 银行存款):
// a voucher with a line on one of them (or their sub-accounts) is a cash or
// bank voucher, the only kind a cashier prepares and posts.
var cashBankAccounts = []string{"101", "102"}

// cashBankOnly refuses lines without a cash or bank line to an actor who
// lacks full, the permission for any voucher, and holds only permCashBank.
func cashBankOnly(a Actor, b Book, full permission, lines []Line) error {
	if a.can(b, full) {
		return nil
	}
	for _, l := range lines {
		for _, code := range cashBankAccounts {
			if strings.HasPrefix(l.Account, code) {
				return nil
			}
		}
	}
	return Errorf(ECodeForbidden, "当前角色（%s）只能处理现金、银行存款凭证（收款、付款凭证），不能处理转账凭证", a.roleLabel(b))
}

// permissionNames name the permissions for Permissions (and the pages).
var permissionNames = map[permission]string{
	permRead: "read", permWrite: "write", permPost: "post", permClose: "close", permReopen: "reopen",
	permSegment: "settings", permPay: "pay", permCashBank: "cash_bank", permSubmit: "submit", permSign: "sign",
}

// Permissions lists what the actor may do in a book, by name in the order
// of the permission list: read, write, post, close, reopen, settings, pay,
// cash_bank (cash and bank vouchers only), submit (a draft for the
// accountant), sign (a disclosure's sign-off). A book out of scope is not
// found.
func (s *Store) Permissions(ctx context.Context, a Actor, bookCode string) ([]string, error) {
	b, err := s.bookScope(ctx, bookCode)
	if err != nil {
		return nil, err
	}
	if !a.inScope(b) {
		return nil, notFound("账套", bookCode)
	}
	out := []string{}
	for p := permRead; p <= permSign; p++ {
		if a.can(b, p) {
			out = append(out, permissionNames[p])
		}
	}
	return out, nil
}

// CheckSign is the check a sign-off (公示 review by the 民主理财小组) makes:
// the actor holds a role on the book that may sign.
func (s *Store) CheckSign(ctx context.Context, a Actor, bookCode string) (Book, error) {
	return s.authorize(ctx, s.db, a, bookCode, permSign)
}

// holds reports whether the actor holds role r on book b.
func (a Actor) holds(b Book, r Role) bool { return slices.Contains(a.rolesIn(b), r) }

// HasRole reports whether the actor holds r on the book with code bookCode:
// granted on that book, or r is the one role all its grants share (a
// township officer's). The pages use it to show what a role may do; the
// ledger's own checks are per book (authorize).
func (a Actor) HasRole(bookCode string, r Role) bool {
	if a.Role == r {
		return true
	}
	for _, g := range a.Grants {
		if g.Book == bookCode && g.Role == r {
			return true
		}
	}
	return false
}
