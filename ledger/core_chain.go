package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// The hash chain. Each posted voucher stores
//
//	hash = hex(SHA-256(canonical encoding))
//
// where the canonical encoding is UTF-8 text, one field per line, in exactly
// this order ("\n" after every line, strings quoted with Go/JSON-compatible
// double-quote escaping so no field can forge a line break):
//
//	coopledger-voucher-v1
//	book=<book code, quoted>
//	seq=<position in the book's chain, 1, 2, …>
//	prev=<hash of the previous voucher in the chain, "" for the first>
//	id=<voucher id>
//	number=<period>/<number>          e.g. 2026-03/记-0007
//	date=<YYYY-MM-DD>
//	summary=<quoted>
//	attachments=<n>
//	preparer=<user id>
//	reviewer=<user id>
//	posted_at=<RFC 3339 UTC>
//	reverses=<voucher id or 0>
//	imported=<true|false>
//	line=<no>|<account>|<household>|<party>|<debit fen>|<credit fen>|<summary, quoted>[|trade]   (one per line, in order)
//
// "|trade" ends a line marked as a cooperative's trade with a member only, so
// the hashes of every voucher without such a line are those of earlier releases.
//
// The chain follows posting order (seq), not voucher numbers, because a
// voucher may be posted into an earlier open month after later ones.
//
// Version 2 (coopledger-voucher-v2, every voucher posted since migration 024)
// is version 1 with its first line naming v2 and, after the lines, the
// SHA-256 of each source document attached before posting, sorted:
//
//	document=<hex SHA-256>   (one per document, in ascending order; none when there are none)
//
// Each voucher stores the version it was hashed under (vouchers.chain_version)
// and verification recomputes it under that version, so the vouchers posted
// before version 2 keep their hashes. Documents added after posting
// (addenda) are outside the hash: each has its own audit-log entry.
const (
	chainVersion   = "coopledger-voucher-v1"
	chainVersion2  = "coopledger-voucher-v2"
	ChainVersionV1 = 1 // the encoding without documents
	ChainVersionV2 = 2 // the encoding with the documents' hashes
	// currentChainVersion is the version every new posting is hashed under.
	currentChainVersion = ChainVersionV2
)

// canonicalVoucher appends the encoding hashed into the chain to b, under
// the voucher's ChainVersion (0 reads as 1). It appends rather than formats
// (verify hashes every posted line again).
func canonicalVoucher(b []byte, v Voucher) []byte {
	if v.ChainVersion < ChainVersionV2 {
		return canonicalFields(b, chainVersion, v)
	}
	b = canonicalFields(b, chainVersion2, v)
	docs := slices.Clone(v.DocumentHashes)
	slices.Sort(docs)
	for _, h := range docs {
		b = append(append(append(b, "document="...), h...), '\n')
	}
	return b
}

// canonicalFields appends the version line and the fields both versions
// share.
func canonicalFields(b []byte, version string, v Voucher) []byte {
	field := func(k string) { b = append(append(b, k...), '=') }
	str := func(k, val string) { field(k); b = append(append(b, val...), '\n') }
	quoted := func(k, val string) { field(k); b = append(strconv.AppendQuote(b, val), '\n') }
	num := func(k string, n int64) { field(k); b = append(strconv.AppendInt(b, n, 10), '\n') }
	b = append(append(b, version...), '\n')
	quoted("book", v.Book)
	num("seq", v.ChainSeq)
	str("prev", v.PrevHash)
	num("id", v.ID)
	str("number", v.Period+"/"+v.Number)
	str("date", v.Date)
	quoted("summary", v.Summary)
	num("attachments", int64(v.Attachments))
	num("preparer", v.PreparerID)
	num("reviewer", v.ReviewerID)
	str("posted_at", v.PostedAt)
	num("reverses", v.ReversesID)
	str("imported", strconv.FormatBool(v.Imported))
	for _, l := range v.Lines {
		field("line")
		b = strconv.AppendInt(b, int64(l.LineNo), 10)
		b = append(append(append(append(append(append(b, '|'), l.Account...), '|'), l.Household...), '|'), l.Party...)
		b = strconv.AppendInt(append(b, '|'), l.Debit.Fen(), 10)
		b = strconv.AppendInt(append(b, '|'), l.Credit.Fen(), 10)
		b = strconv.AppendQuote(append(b, '|'), l.Summary)
		if l.Trade {
			b = append(b, "|trade"...)
		}
		b = append(b, '\n')
	}
	return b
}

// VoucherHash computes the chain hash of a posted voucher from its content
// and PrevHash; exported so tools can check a printed voucher independently.
func VoucherHash(v Voucher) string {
	sum := sha256.Sum256(canonicalVoucher(make([]byte, 0, 512+64*len(v.Lines)+74*len(v.DocumentHashes)), v))
	return hex.EncodeToString(sum[:])
}
