package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// User is a person with its roles per book and per township (Grants).
// Role, Township and Books summarise them as before roles were per book:
// Role is admin, or the role every grant shares ("" when they differ).
type User struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Role     Role     `json:"role,omitempty"`
	Township string   `json:"township,omitempty"`
	Books    []string `json:"books,omitempty"` // book codes
	Grants   []Grant  `json:"grants"`
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`
	ID            int64  `bun:"id,pk"`
	Name          string `bun:"name"`
	Role          string `bun:"role"`
	TokenHash     string `bun:"token_hash"`
	Disabled      bool   `bun:"disabled"`
	CreatedAt     string `bun:"created_at"`
	CreatedBy     int64  `bun:"created_by"`
}

// NewUser describes a user to create: Role is granted on each of Books and
// over Township (more roles are granted afterwards, GrantRole).
type NewUser struct {
	Name     string   `json:"name"`
	Role     Role     `json:"role"`
	Township string   `json:"township"`
	Books    []string `json:"books"`
}

// tokenBytes is the entropy of a token: 32 random bytes.
const tokenBytes = 32

// CreateUser makes a user and returns it with its token, which is shown once
// and stored only as a SHA-256 hash.
func (s *Store) CreateUser(ctx context.Context, by Actor, in NewUser) (User, string, error) {
	if by.Role != RoleAdmin {
		return User{}, "", Errorf(ECodeForbidden, "只有管理员可以创建用户")
	}
	if err := validateNewUser(in); err != nil {
		return User{}, "", err
	}
	token, hash, err := newToken()
	if err != nil {
		return User{}, "", err
	}
	var u User
	err = s.write(ctx, by.Write, func(tx bun.Tx) error {
		u, err = s.insertUser(ctx, tx, by, in, hash)
		return err
	})
	return u, token, err
}

func validateNewUser(in NewUser) error {
	var v validation
	if n := len([]rune(strings.TrimSpace(in.Name))); !v.text("name", in.Name) && (n == 0 || n > 64) {
		v.Add("name", "用户名称不能为空且不超过 64 个字")
	}
	if !in.Role.Valid() {
		v.Add("role", "角色应为 admin、accountant、township、auditor、cashier、reporter 或 member")
	}
	switch in.Role {
	case RoleAdmin:
	case RoleTownship:
		if in.Township == "" {
			v.Add("township", "乡镇角色必须指定乡镇代码")
		}
	case RoleAuditor:
		if in.Township == "" && len(in.Books) == 0 {
			v.Add("books", "审计角色必须指定账套或乡镇")
		}
	default:
		if len(in.Books) == 0 {
			v.Add("books", "%s角色必须指定账套", RoleNames[in.Role])
		}
		if in.Township != "" {
			v.Add("township", "%s角色只能指定账套，不能指定整个乡镇", RoleNames[in.Role])
		}
	}
	if len(in.Books) > 1000 {
		v.Add("books", "账套数量不能超过 1000")
	}
	return v.Err()
}

func (s *Store) insertUser(ctx context.Context, tx bun.Tx, by Actor, in NewUser, hash string) (User, error) {
	if in.Township != "" {
		if exists, err := tx.NewSelect().Table("townships").Where("code = ?", in.Township).Exists(ctx); err != nil {
			return User{}, err
		} else if !exists {
			return User{}, FieldError("township", "乡镇不存在：%s", in.Township)
		}
	}
	bookIDs := make([]int64, 0, len(in.Books))
	for i, code := range in.Books {
		b, err := s.bookByCode(ctx, tx, code)
		if err != nil {
			return User{}, FieldError(fmt.Sprintf("books[%d]", i), "账套不存在：%s", code)
		}
		bookIDs = append(bookIDs, b.ID)
	}
	id, err := nextID(ctx, tx, 0, "user")
	if err != nil {
		return User{}, err
	}
	kind := "user"
	if in.Role == RoleAdmin {
		kind = string(RoleAdmin)
	}
	row := userRow{ID: id, Name: strings.TrimSpace(in.Name), Role: kind,
		TokenHash: hash, CreatedAt: s.timestamp(), CreatedBy: by.UserID}
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return User{}, err
	}
	if in.Role != RoleAdmin {
		for _, bid := range bookIDs {
			if _, err := tx.NewRaw("INSERT INTO user_books (user_id, book_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", id, bid, string(in.Role)).Exec(ctx); err != nil {
				return User{}, err
			}
		}
		if in.Township != "" {
			if _, err := tx.NewRaw("INSERT INTO user_townships (user_id, township_code, role) VALUES (?, ?, ?)", id, in.Township, string(in.Role)).Exec(ctx); err != nil {
				return User{}, err
			}
		}
	}
	u, err := s.userByID(ctx, tx, id)
	if err != nil {
		return User{}, err
	}
	return u, s.audit(ctx, tx, by, 0, "create", "user", fmt.Sprint(id), "", nil, u)
}

func newToken() (token, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("token: %w", err)
	}
	token = "cl_" + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the actor holding token, or unauthorized.
func (s *Store) Authenticate(ctx context.Context, token string) (Actor, error) {
	if len(token) < 16 || len(token) > 256 {
		return Actor{}, Errorf(ECodeUnauthorized, "令牌无效")
	}
	// Every request authenticates: the user and its grants, two statements
	// with placeholders (see sqlfast.go).
	var a Actor
	var role string
	var disabled bool
	err := s.scanRow(ctx, s.db, "SELECT id, name, role, disabled FROM users WHERE token_hash = ?",
		[]any{hashToken(token)}, &a.UserID, &a.Name, &role, &disabled)
	if isNoRows(err) || (err == nil && disabled) {
		return Actor{}, Errorf(ECodeUnauthorized, "令牌无效或已停用")
	}
	if err != nil {
		return Actor{}, err
	}
	a.Role = Role(role)
	gs, err := s.grantsOf(ctx, s.db, a.UserID)
	if err != nil {
		return Actor{}, err
	}
	return a.withGrants(gs), nil
}

// Me describes the actor as a User with its grants.
func (s *Store) Me(ctx context.Context, a Actor) (User, error) {
	return s.describe(ctx, s.db, a)
}

// describe is the User an actor is: its grants and their summary.
func (s *Store) describe(ctx context.Context, db bun.IDB, a Actor) (User, error) {
	u := User{ID: a.UserID, Name: a.Name, Role: a.Role, Township: a.Township, Books: []string{}, Grants: a.Grants}
	if u.Grants == nil {
		u.Grants = []Grant{}
	}
	if len(a.BookIDs) > 0 {
		err := db.NewRaw("SELECT code FROM books WHERE id IN (?) ORDER BY code", bun.In(a.BookIDs)).Scan(ctx, &u.Books)
		if err != nil && !isNoRows(err) {
			return User{}, err
		}
	}
	return u, nil
}
