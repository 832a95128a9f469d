package ledger

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Idempotency: a creating request may carry a key. The key is claimed inside
// the very transaction that creates the thing, so two concurrent requests with
// one key create one thing, and a crash can never leave a created thing whose
// key was not claimed. The response is saved right after commit for replays.

// IdempotencyClaim is a key to claim in the next write transaction.
type IdempotencyClaim struct {
	UserID      int64
	Key         string
	RequestHash string
	used        bool // set once a transaction carrying the claim committed
}

type claimKey struct{}

// WithIdempotency returns a context whose next write claims c.
func WithIdempotency(ctx context.Context, c IdempotencyClaim) context.Context {
	return context.WithValue(ctx, claimKey{}, &c)
}

// ErrIdempotencyClaimed is returned when another request already claimed the key.
var ErrIdempotencyClaimed = &Error{Code: ECodeConflict, Message: "相同幂等键的请求已处理或正在处理"}

// claimInTx inserts the claim of ctx, if any, in tx. Claims are used once:
// a write that runs several transactions claims in the first that succeeds.
func (s *Store) claimInTx(ctx context.Context, tx bun.Tx) error {
	c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim)
	if c == nil || c.Key == "" || c.used {
		return nil
	}
	_, err := tx.NewRaw(`INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
		c.UserID, c.Key, c.RequestHash, s.timestamp()).Exec(ctx)
	if err != nil && isUniqueViolation(err) {
		return ErrIdempotencyClaimed
	}
	return err
}

func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed")
}

// IdempotentResponse is a saved response for a claimed key.
type IdempotentResponse struct {
	RequestHash string
	StatusCode  int // 0 while the response is not saved yet
	Body        string
	ClaimedAt   time.Time // when the creating transaction claimed the key
}

// LookupIdempotency returns the saved state of a key, or found=false.
func (s *Store) LookupIdempotency(ctx context.Context, userID int64, key string) (r IdempotentResponse, found bool, err error) {
	var claimed string
	err = s.db.QueryRowContext(ctx, "SELECT request_hash, status_code, body, created_at FROM idempotency_keys WHERE user_id = ? AND key = ?",
		userID, key).Scan(&r.RequestHash, &r.StatusCode, &r.Body, &claimed)
	if isNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.ClaimedAt, err = time.Parse(time.RFC3339Nano, claimed)
	return r, err == nil, err
}

// SaveIdempotentResponse records the response of a claimed key for replays.
func (s *Store) SaveIdempotentResponse(ctx context.Context, userID int64, key string, status int, body string) error {
	ctx = context.WithValue(context.WithoutCancel(ctx), claimKey{}, (*IdempotencyClaim)(nil))
	return s.write(ctx, func(tx bun.Tx) error {
		_, err := tx.NewRaw("UPDATE idempotency_keys SET status_code = ?, body = ? WHERE user_id = ? AND key = ? AND status_code = 0",
			status, body, userID, key).Exec(ctx)
		return err
	})
}

// markClaimUsed records that the claim of ctx committed with a write.
func markClaimUsed(ctx context.Context) {
	if c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim); c != nil {
		c.used = true
	}
	if f, _ := ctx.Value(fileClaimKey{}).(*fileClaim); f != nil {
		f.used = true
	}
}
