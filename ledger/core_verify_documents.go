package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"

	"github.com/uptrace/bun"
)

// Verification of source documents (core_documents.go). A document attached
// before posting is in its voucher's hash (chain version 2) through the
// sha256 column, so a changed or removed row changes the voucher's hash; the
// bytes are hashed again here against that column; an addendum is checked
// against the hash its audit-log entry recorded.

// attachDocumentHashes hands the chunk's vouchers the hashes of their
// documents that are in their chain hash.
func attachDocumentHashes(ctx context.Context, tx bun.Tx, bookID int64, c []Voucher) error {
	rows, err := rawQuery(ctx, tx, `SELECT voucher_id, sha256 FROM documents WHERE book_id = ? AND voucher_id >= ? AND voucher_id <= ?
		AND addendum = ? ORDER BY voucher_id`, bookID, c[0].ID, c[len(c)-1].ID, false)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		for i < len(c) && c[i].ID < id {
			i++
		}
		if i < len(c) && c[i].ID == id {
			c[i].DocumentHashes = append(c[i].DocumentHashes, h)
		}
	}
	return rows.Err()
}

// storedDocument is a document row as verification reads it.
type storedDocument struct {
	id, size   int64
	sha, label string
	addendum   bool
	unchained  bool // on a voucher posted under version 1, not an addendum
	sum        hash.Hash
	read       int64
}

// verifyDocuments rehashes every document's chunks (in one pass over the
// book's chunks, one chunk in memory at a time) and checks each addendum
// against its audit-log entry.
func verifyDocuments(ctx context.Context, tx bun.Tx, bookID int64, w *recomputed, r *VerifyReport) error {
	docs, err := loadStoredDocuments(ctx, tx, bookID)
	if err != nil || len(docs) == 0 {
		return err
	}
	rows, err := rawQuery(ctx, tx, "SELECT document_id, data FROM document_chunks WHERE book_id = ? ORDER BY document_id, seq", bookID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return err
		}
		if d := docs[id]; d != nil {
			d.sum.Write(data)
			d.read += int64(len(data))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range docs {
		if got := hex.EncodeToString(d.sum.Sum(nil)); got != d.sha || d.read != d.size {
			seq, _ := w.seqOf(d.label)
			r.fail(d.label, seq, "原始凭证 %d（%s）的内容与其 SHA-256 不符（文件在保存后被改动）", d.id, labelOr(d.label))
		}
		if d.unchained {
			seq, _ := w.seqOf(d.label)
			r.fail(d.label, seq, "凭证 %s 按第 1 版链编码过账，不含原始凭证，却有未经审计补充的原始凭证 %d", d.label, d.id)
		}
	}
	return verifyAddenda(ctx, tx, bookID, docs, w, r)
}

func labelOr(label string) string {
	if label == "" {
		return "未过账"
	}
	return "凭证 " + label
}

func loadStoredDocuments(ctx context.Context, tx bun.Tx, bookID int64) (map[int64]*storedDocument, error) {
	rows, err := rawQuery(ctx, tx, `SELECT d.id, d.size_bytes, d.sha256, d.addendum, COALESCE(v.status, ''), COALESCE(v.period, ''),
		COALESCE(v.number, 0), COALESCE(v.chain_version, 1) FROM documents d LEFT JOIN vouchers v ON v.book_id = d.book_id AND v.id = d.voucher_id
		WHERE d.book_id = ?`, bookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*storedDocument{}
	for rows.Next() {
		d := &storedDocument{sum: sha256.New()}
		var status, period string
		var number, version int
		if err := rows.Scan(&d.id, &d.size, &d.sha, &d.addendum, &status, &period, &number, &version); err != nil {
			return nil, err
		}
		if status == string(StatusPosted) {
			d.label = period + " " + FormatNumber(number)
			d.unchained = !d.addendum && version < ChainVersionV2
		}
		out[d.id] = d
	}
	return out, rows.Err()
}

// verifyAddenda checks every addendum the audit log recorded: the document
// is still there, on a posted voucher, with the hash recorded.
func verifyAddenda(ctx context.Context, tx bun.Tx, bookID int64, docs map[int64]*storedDocument, w *recomputed, r *VerifyReport) error {
	rows, err := rawQuery(ctx, tx, "SELECT after_json FROM audit_log WHERE book_id = ? AND action = 'addendum' AND entity = 'document' ORDER BY id", bookID)
	if err != nil {
		return err
	}
	defer rows.Close()
	recorded := map[int64]bool{}
	for rows.Next() {
		var after string
		if err := rows.Scan(&after); err != nil {
			return err
		}
		var e struct {
			Period, Number, SHA256 string
			DocumentID             int64 `json:"document_id"`
		}
		if json.Unmarshal([]byte(after), &e) != nil {
			continue
		}
		label := e.Period + " " + e.Number
		recorded[e.DocumentID] = true
		if d := docs[e.DocumentID]; d == nil || !d.addendum || d.sha != e.SHA256 || d.label != label {
			seq, _ := w.seqOf(label)
			r.fail(label, seq, "凭证 %s 过账后补充的原始凭证 %d 与审计日志记录的哈希不符或已不在账中", label, e.DocumentID)
		}
	}
	for _, d := range docs {
		if d.addendum && !recorded[d.id] {
			seq, _ := w.seqOf(d.label)
			r.fail(d.label, seq, "原始凭证 %d 标为过账后补充，但审计日志没有它的记录", d.id)
		}
	}
	return rows.Err()
}
