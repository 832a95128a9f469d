package ledger

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Revoking a token disables its user: the token's hash stays in the database
// (so the same token can never be issued again) but Authenticate refuses it
// from the next request on, and its web sessions are deleted. A revoked
// user gets a new token as a new user.

// Revoked describes a user whose token was revoked.
type Revoked struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Already is true when the user was disabled before this call.
	Already bool `json:"already"`
}

// RevokeUser disables the user with id.
func (s *Store) RevokeUser(ctx context.Context, by Actor, id int64) (Revoked, error) {
	return s.revoke(ctx, by, "id = ?", id, fmt.Sprintf("用户 %d", id))
}

// RevokeToken disables the user holding token.
func (s *Store) RevokeToken(ctx context.Context, by Actor, token string) (Revoked, error) {
	return s.revoke(ctx, by, "token_hash = ?", hashToken(token), "该令牌对应的用户")
}

func (s *Store) revoke(ctx context.Context, by Actor, where string, arg any, what string) (Revoked, error) {
	if by.Role != RoleAdmin {
		return Revoked{}, Errorf(ECodeForbidden, "只有管理员可以吊销令牌")
	}
	var out Revoked
	err := s.write(ctx, by.Write, func(tx bun.Tx) error {
		var row userRow
		if err := tx.NewSelect().Model(&row).Where(where, arg).Scan(ctx); err != nil {
			if isNoRows(err) {
				return Errorf(ECodeNotFound, "%s不存在", what)
			}
			return err
		}
		out = Revoked{ID: row.ID, Name: row.Name, Role: Role(row.Role), Already: row.Disabled}
		if row.Disabled {
			return nil
		}
		if _, err := tx.NewUpdate().Table("users").Set("disabled = ?", true).Where("id = ?", row.ID).Exec(ctx); err != nil {
			return err
		}
		if err := s.deleteUserSessions(ctx, tx, row.ID); err != nil { // its web sign-ins end now
			return err
		}
		return s.audit(ctx, tx, by, 0, "revoke", "user", fmt.Sprint(row.ID), "", nil, out)
	})
	return out, err
}
