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

// User is a person with a role and a scope (a set of books or a township).
type User struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Role     Role     `json:"role"`
	Township string   `json:"township,omitempty"`
	Books    []string `json:"books,omitempty"` // book codes
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`
	ID            int64  `bun:"id,pk"`
	Name          string `bun:"name"`
	Role          string `bun:"role"`
	TownshipCode  string `bun:"township_code"`
	TokenHash     string `bun:"token_hash"`
	Disabled      bool   `bun:"disabled"`
	CreatedAt     string `bun:"created_at"`
	CreatedBy     int64  `bun:"created_by"`
}

// NewUser describes a user to create.
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
		v.add("name", "用户名称不能为空且不超过 64 个字")
	}
	if !in.Role.Valid() {
		v.add("role", "角色应为 admin、accountant、township 或 auditor")
	}
	switch in.Role {
	case RoleTownship:
		if in.Township == "" {
			v.add("township", "乡镇角色必须指定乡镇代码")
		}
	case RoleAccountant, RoleAuditor:
		if in.Township == "" && len(in.Books) == 0 {
			v.add("books", "会计和审计角色必须指定账套或乡镇")
		}
		if in.Role == RoleAccountant && in.Township != "" {
			v.add("township", "会计角色只能指定账套，不能指定整个乡镇")
		}
	}
	if len(in.Books) > 1000 {
		v.add("books", "账套数量不能超过 1000")
	}
	return v.err()
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
	row := userRow{ID: id, Name: strings.TrimSpace(in.Name), Role: string(in.Role), TownshipCode: in.Township,
		TokenHash: hash, CreatedAt: s.timestamp(), CreatedBy: by.UserID}
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		return User{}, err
	}
	for _, bid := range bookIDs {
		if _, err := tx.NewRaw("INSERT INTO user_books (user_id, book_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, bid).Exec(ctx); err != nil {
			return User{}, err
		}
	}
	u := User{ID: id, Name: row.Name, Role: in.Role, Township: in.Township, Books: in.Books}
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
	// Every request authenticates: the user and the books in one statement
	// with placeholders (see sqlfast.go). A user without books yields one row
	// whose book_id is NULL.
	rows, err := s.querySQL(ctx, s.db, `SELECT u.id, u.name, u.role, u.township_code, u.disabled, ub.book_id
		FROM users u LEFT JOIN user_books ub ON ub.user_id = u.id WHERE u.token_hash = ? ORDER BY ub.book_id`, hashToken(token))
	if err != nil {
		return Actor{}, err
	}
	defer rows.Close()
	var a Actor
	var found, disabled bool
	for rows.Next() {
		var role string
		var bookID *int64
		if err := rows.Scan(&a.UserID, &a.Name, &role, &a.Township, &disabled, &bookID); err != nil {
			return Actor{}, err
		}
		a.Role, found = Role(role), true
		if bookID != nil {
			a.BookIDs = append(a.BookIDs, *bookID)
		}
	}
	if err := rows.Err(); err != nil {
		return Actor{}, err
	}
	if !found || disabled {
		return Actor{}, Errorf(ECodeUnauthorized, "令牌无效或已停用")
	}
	return a, nil
}

// Me describes the actor as a User with book codes.
func (s *Store) Me(ctx context.Context, a Actor) (User, error) {
	u := User{ID: a.UserID, Name: a.Name, Role: a.Role, Township: a.Township, Books: []string{}}
	if len(a.BookIDs) > 0 {
		err := s.db.NewRaw("SELECT code FROM books WHERE id IN (?) ORDER BY code", bun.In(a.BookIDs)).Scan(ctx, &u.Books)
		if err != nil && !isNoRows(err) {
			return User{}, err
		}
	}
	return u, nil
}
