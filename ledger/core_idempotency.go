package ledger

import (
	"context"
	"strings"

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

// markClaimUsed records that the claim of ctx committed with a write.
func markClaimUsed(ctx context.Context) {
	if c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim); c != nil {
		c.used = true
	}
	if f, _ := ctx.Value(fileClaimKey{}).(*fileClaim); f != nil {
		f.used = true
	}
}

// ImportKind is what a file brings in.
type ImportKind string

// FileImport identifies an uploaded file applied to a target in a book: an
// agreement code (parcels, shares, work records), a payout run id (payments)
// or "" (households).
type FileImport struct {
	Book      string     `json:"book"`
	Kind      ImportKind `json:"kind"`
	Target    string     `json:"target,omitempty"`
	SHA256    string     `json:"sha256"`
	FileName  string     `json:"file_name"`
	Rows      int        `json:"rows"`
	UserID    int64      `json:"user_id,omitempty"`
	CreatedAt string     `json:"created_at,omitempty"`
}

// ErrFileAlreadyImported refuses applying a file a second time.
var ErrFileAlreadyImported = &Error{Code: ECodeConflict, Message: "该文件已导入过，未重复导入"}

type fileClaimKey struct{}

// fileClaim is a file import to record in the next write that commits.
type fileClaim struct {
	FileImport
	used bool
}

// withFileImport returns a context whose next write records f.
func withFileImport(ctx context.Context, a Actor, f FileImport) context.Context {
	f.UserID = a.UserID
	return context.WithValue(ctx, fileClaimKey{}, &fileClaim{FileImport: f})
}

// claimFileInTx records the file import of ctx, if any, in tx.
func (s *Store) claimFileInTx(ctx context.Context, tx bun.Tx) error {
	f, _ := ctx.Value(fileClaimKey{}).(*fileClaim)
	if f == nil || f.used {
		return nil
	}
	_, err := tx.NewRaw(`INSERT INTO file_imports (book_id, kind, target, sha256, file_name, rows, user_id, created_at)
		SELECT id, ?, ?, ?, ?, ?, ?, ? FROM books WHERE code = ?`,
		string(f.Kind), f.Target, f.SHA256, truncate(f.FileName, 200), f.Rows, f.UserID, s.timestamp(), f.Book).Exec(ctx)
	if err != nil && isUniqueViolation(err) {
		return ErrFileAlreadyImported
	}
	return err
}
