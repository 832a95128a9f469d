package ledger

import (
	"context"

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
}

// ErrIdempotencyClaimed is returned when another request already claimed the key.
var ErrIdempotencyClaimed = &Error{Code: ECodeConflict, Message: "相同幂等键的请求已处理或正在处理"}

// claimInTx inserts the claim c, if it has a key, in tx.
func (s *Store) claimInTx(ctx context.Context, tx bun.Tx, c IdempotencyClaim) error {
	if c.Key == "" {
		return nil
	}
	_, err := tx.NewRaw(`INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
		c.UserID, c.Key, c.RequestHash, s.timestamp()).Exec(ctx)
	if err != nil && isUniqueViolation(err) {
		return ErrIdempotencyClaimed
	}
	return err
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

// withFileImport returns a whose write records f in the transaction that commits.
func withFileImport(a Actor, f FileImport) Actor {
	f.UserID = a.UserID
	a.Write.file = &f
	return a
}

// claimFileInTx records the file import f, if any, in tx.
func (s *Store) claimFileInTx(ctx context.Context, tx bun.Tx, f *FileImport) error {
	if f == nil {
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
