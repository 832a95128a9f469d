package ledger

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Web sessions: signing in with a token on the pages creates a session whose
// random id is all the browser keeps, so the token never sits in a cookie.
// The database holds only the SHA-256 of the id. A session ends after Idle
// without a request, Absolute after sign-in, on sign-out, and when its
// user's token is revoked (revoke.go).

// SessionPolicy is how long a session lives.
type SessionPolicy struct {
	Idle     time.Duration // without a request
	Absolute time.Duration // after sign-in, however busy
}

const (
	sessionIDBytes = 32 // 256 bits from crypto/rand
	// sessionTouchEvery bounds the writes of a busy session: its last-seen
	// time moves at most once a minute, which an idle limit of minutes
	// tolerates.
	sessionTouchEvery = time.Minute
	// sessionTimeLayout is fixed-width, so stored times compare as strings.
	sessionTimeLayout = "2006-01-02T15:04:05.000000000Z"
)

func sessionTime(t time.Time) string { return t.UTC().Format(sessionTimeLayout) }

// CreateSession signs in with token: it returns a new session id for the
// cookie and the actor, or unauthorized when the token is not valid.
// Sessions past their time are swept on the way.
func (s *Store) CreateSession(ctx context.Context, token string, p SessionPolicy) (string, Actor, error) {
	a, err := s.Authenticate(ctx, token)
	if err != nil {
		return "", Actor{}, err
	}
	b := make([]byte, sessionIDBytes)
	if _, err := rand.Read(b); err != nil {
		return "", Actor{}, fmt.Errorf("session id: %w", err)
	}
	id := "s_" + base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	err = s.write(ctx, WriteOptions{}, func(tx bun.Tx) error {
		if _, err := s.execSQL(ctx, tx, "DELETE FROM web_sessions WHERE expires_at < ? OR last_seen_at < ?",
			sessionTime(now), sessionTime(now.Add(-p.Idle))); err != nil {
			return err
		}
		_, err := s.execSQL(ctx, tx, `INSERT INTO web_sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hashToken(id), a.UserID, sessionTime(now), sessionTime(now), sessionTime(now.Add(p.Absolute)))
		return err
	})
	if err != nil {
		return "", Actor{}, err
	}
	return id, a, nil
}

// SessionActor returns the actor of a live session, or unauthorized when
// the id is unknown, its session has expired (and is then deleted) or its
// user is disabled.
func (s *Store) SessionActor(ctx context.Context, id string, p SessionPolicy) (Actor, error) {
	denied := Errorf(ECodeUnauthorized, "登录已失效，请重新登录")
	if len(id) < 16 || len(id) > 128 {
		return Actor{}, denied
	}
	// The user and its grants, as Authenticate loads them for a token: what
	// the session may do is decided by the grants held now, not at sign-in.
	var a Actor
	var role, lastSeen, expires string
	var disabled bool
	err := s.scanRow(ctx, s.db, `SELECT u.id, u.name, u.role, u.disabled, ws.last_seen_at, ws.expires_at
		FROM web_sessions ws JOIN users u ON u.id = ws.user_id WHERE ws.id_hash = ?`,
		[]any{hashToken(id)}, &a.UserID, &a.Name, &role, &disabled, &lastSeen, &expires)
	if isNoRows(err) {
		return Actor{}, denied
	}
	if err != nil {
		return Actor{}, err
	}
	a.Role = Role(role)
	now := sessionTime(s.now())
	idleSince := sessionTime(s.now().Add(-p.Idle))
	if disabled || expires <= now || lastSeen <= idleSince {
		return Actor{}, s.endSession(ctx, id, denied)
	}
	if lastSeen < sessionTime(s.now().Add(-sessionTouchEvery)) {
		err := s.write(ctx, WriteOptions{}, func(tx bun.Tx) error {
			_, err := s.execSQL(ctx, tx, "UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?", now, hashToken(id))
			return err
		})
		if err != nil {
			return Actor{}, err
		}
	}
	gs, err := s.grantsOf(ctx, s.db, a.UserID)
	if err != nil {
		return Actor{}, err
	}
	return a.withGrants(gs), nil
}

// DeleteSession ends a session (signing out); an unknown id is no error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.endSession(ctx, id, nil)
}

// endSession deletes the session of id and answers then, unless the delete
// failed.
func (s *Store) endSession(ctx context.Context, id string, then error) error {
	err := s.write(ctx, WriteOptions{}, func(tx bun.Tx) error {
		_, err := s.execSQL(ctx, tx, "DELETE FROM web_sessions WHERE id_hash = ?", hashToken(id))
		return err
	})
	if err != nil {
		return err
	}
	return then
}

// deleteUserSessions ends every session of a user (its token was revoked).
func (s *Store) deleteUserSessions(ctx context.Context, tx bun.IDB, userID int64) error {
	_, err := s.execSQL(ctx, tx, "DELETE FROM web_sessions WHERE user_id = ?", userID)
	return err
}
