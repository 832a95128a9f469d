package ledger

import (
	"crypto/sha256"
	"encoding/hex"
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
const chainVersion = "coopledger-voucher-v1"

// canonicalVoucher appends the encoding hashed into the chain to b. It
// appends rather than formats (verify hashes every posted line again).
func canonicalVoucher(b []byte, v Voucher) []byte {
	field := func(k string) { b = append(append(b, k...), '=') }
	str := func(k, val string) { field(k); b = append(append(b, val...), '\n') }
	quoted := func(k, val string) { field(k); b = append(strconv.AppendQuote(b, val), '\n') }
	num := func(k string, n int64) { field(k); b = append(strconv.AppendInt(b, n, 10), '\n') }
	b = append(append(b, chainVersion...), '\n')
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
	sum := sha256.Sum256(canonicalVoucher(make([]byte, 0, 512+64*len(v.Lines)), v))
	return hex.EncodeToString(sum[:])
}
