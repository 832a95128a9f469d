package ledger

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

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
	ctx = context.WithoutCancel(ctx)
	return s.write(ctx, WriteOptions{}, func(tx bun.Tx) error {
		_, err := tx.NewRaw("UPDATE idempotency_keys SET status_code = ?, body = ? WHERE user_id = ? AND key = ? AND status_code = 0",
			status, body, userID, key).Exec(ctx)
		return err
	})
}
