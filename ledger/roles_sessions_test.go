package ledger

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"coopledger/migrations"
)

// TestRolesMigrationKeepsWebSessions: SQLite's migration 016 rebuilds users,
// which web_sessions refers to; a database with sessions must migrate, and a
// session opened before the upgrade still signs its user in, now with the
// rights its grants give.
func TestRolesMigrationKeepsWebSessions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := openSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.ApplyThrough(ctx, db, "sqlite", "20260101000013"); err != nil {
		t.Fatal(err)
	}
	const sessionID = "s_session-opened-before-the-upgrade"
	seen := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []string{
		"INSERT INTO townships (code, name) VALUES ('T9', '测试镇')",
		`INSERT INTO users (id, name, role, township_code, token_hash, disabled, created_at, created_by)
			VALUES (7, '镇经管站', 'township', 'T9', 'h7', 0, '2026-01-01T00:00:00Z', 0)`,
		`INSERT INTO web_sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES ('` + hashToken(sessionID) + `', 7, '` + sessionTime(seen) + `', '` + sessionTime(seen) + `', '` + sessionTime(seen.Add(24*time.Hour)) + `')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatalf("migrating a database with web sessions: %v", err)
	}
	defer s.Close()
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM web_sessions WHERE user_id = 7").Scan(&n); err != nil || n != 1 {
		t.Fatalf("sessions after the upgrade: %d, %v", n, err)
	}
	s.SetClock(func() time.Time { return seen.Add(time.Hour) })
	a, err := s.SessionActor(ctx, sessionID, SessionPolicy{Idle: 24 * time.Hour, Absolute: 48 * time.Hour})
	if err != nil {
		t.Fatalf("session after the upgrade: %v", err)
	}
	if a.UserID != 7 || len(a.Grants) != 1 || a.Grants[0].Township != "T9" || a.Grants[0].Role != RoleTownship {
		t.Fatalf("session actor after the upgrade: %+v", a)
	}
}
