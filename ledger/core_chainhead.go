package ledger

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/uptrace/bun"
)

// ChainHead is the last link of a book's hash chain: what is written into the
// paper archive so the books can be checked years later.
type ChainHead struct {
	Book      string `json:"book"`
	Seq       int64  `json:"seq"`  // number of posted vouchers in the chain
	Hash      string `json:"hash"` // hex SHA-256 of the head voucher, "" for an empty book
	VoucherID int64  `json:"voucher_id,omitempty"`
	Period    string `json:"period,omitempty"`
	Number    string `json:"number,omitempty"` // "记-0012"
	Label     string `json:"label,omitempty"`  // "2026年3月记-0012"
	PostedAt  string `json:"posted_at,omitempty"`
}

// String is the one line printed on exports and by `coopledger verify --head`.
func (h ChainHead) String() string {
	if h.Seq == 0 {
		return fmt.Sprintf("%s 链头：无已过账凭证", h.Book)
	}
	return fmt.Sprintf("%s 链头：%s（第 %d 张） sha256:%s", h.Book, h.Label, h.Seq, h.Hash)
}

// ChainHead returns the chain head of a book the actor may read.
func (s *Store) ChainHead(ctx context.Context, a Actor, bookCode string) (ChainHead, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return ChainHead{}, err
	}
	return chainHeadOf(ctx, s.db, b)
}

// ChainHeads returns the chain head of every book the actor sees.
func (s *Store) ChainHeads(ctx context.Context, a Actor) ([]ChainHead, error) {
	books, err := s.Books(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]ChainHead, 0, len(books))
	for _, b := range books {
		h, err := chainHeadOf(ctx, s.db, b)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// chainHeadOf reads the head the book records and the voucher at that seq.
func chainHeadOf(ctx context.Context, db bun.IDB, b Book) (ChainHead, error) {
	var seq int64
	var hash string
	if err := db.QueryRowContext(ctx, "SELECT chain_seq, chain_head FROM books WHERE id = ?", b.ID).Scan(&seq, &hash); err != nil {
		return ChainHead{}, err
	}
	h := ChainHead{Book: b.Code, Seq: seq, Hash: hash}
	if seq == 0 {
		return h, nil
	}
	var number int
	var postedAt *string
	err := db.QueryRowContext(ctx, "SELECT id, period, number, posted_at FROM vouchers WHERE book_id = ? AND chain_seq = ?", b.ID, seq).
		Scan(&h.VoucherID, &h.Period, &number, &postedAt)
	if isNoRows(err) {
		h.Label = fmt.Sprintf("链序号 %d 的凭证不存在", seq)
		return h, nil
	}
	if err != nil {
		return ChainHead{}, err
	}
	h.Number, h.Label, h.PostedAt = FormatNumber(number), VoucherLabel(h.Period, number), derefStr(postedAt)
	return h, nil
}

// VoucherLabel names a voucher the way accountants cite it: "2026年3月记-0012".
func VoucherLabel(period string, number int) string {
	if len(period) != 7 {
		return period + FormatNumber(number)
	}
	m, err := strconv.Atoi(period[5:])
	if err != nil {
		return period + FormatNumber(number)
	}
	return fmt.Sprintf("%s年%d月%s", period[:4], m, FormatNumber(number))
}

// voucherInfo is the header of a voucher as reconciliation cites it.
type voucherInfo struct {
	status   VoucherStatus
	period   string
	number   int
	preparer int64
	reviewer int64
	postedAt string
	via      string // posted_via
}

// voucherIndex maps a book's voucher ids to their headers.
type voucherIndex map[int64]voucherInfo

func loadVoucherIndex(ctx context.Context, db bun.IDB, bookID int64) (voucherIndex, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, status, period, COALESCE(number, 0), preparer_id, COALESCE(reviewer_id, 0),
		COALESCE(posted_at, ''), posted_via FROM vouchers WHERE book_id = ?`, bookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ix := voucherIndex{}
	for rows.Next() {
		var id int64
		var v voucherInfo
		if err := rows.Scan(&id, &v.status, &v.period, &v.number, &v.preparer, &v.reviewer, &v.postedAt, &v.via); err != nil {
			return nil, err
		}
		ix[id] = v
	}
	return ix, rows.Err()
}

func (ix voucherIndex) posted(id int64) bool { return ix[id].status == StatusPosted }

// label cites one voucher; drafts and missing vouchers say so.
func (ix voucherIndex) label(id int64) string {
	v, ok := ix[id]
	switch {
	case id == 0:
		return "（无凭证）"
	case !ok:
		return fmt.Sprintf("凭证#%d（不存在）", id)
	case v.status != StatusPosted:
		return fmt.Sprintf("草稿凭证#%d（未过账）", id)
	}
	return VoucherLabel(v.period, v.number)
}

// labels cites vouchers once each, in period and number order.
func (ix voucherIndex) labels(ids ...int64) []string {
	seen := map[int64]bool{}
	uniq := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	sort.Slice(uniq, func(i, j int) bool {
		a, b := ix[uniq[i]], ix[uniq[j]]
		if a.period != b.period {
			return a.period < b.period
		}
		if a.number != b.number {
			return a.number < b.number
		}
		return uniq[i] < uniq[j]
	})
	out := make([]string, len(uniq))
	for i, id := range uniq {
		out[i] = ix.label(id)
	}
	return out
}

// Label cites a posted voucher: "2026年3月记-0012" ("" for a draft).
func (v Voucher) Label() string {
	if v.number == 0 {
		return ""
	}
	return VoucherLabel(v.Period, v.number)
}
