package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
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
//	line=<no>|<account>|<household>|<party>|<debit fen>|<credit fen>|<summary, quoted>   (one per line, in order)
//
// The chain follows posting order (seq), not voucher numbers, because a
// voucher may be posted into an earlier open month after later ones.
const chainVersion = "coopledger-voucher-v1"

// canonicalVoucher returns the encoding hashed into the chain.
func canonicalVoucher(v Voucher) string {
	var b strings.Builder
	field := func(k, val string) { b.WriteString(k + "=" + val + "\n") }
	b.WriteString(chainVersion + "\n")
	field("book", strconv.Quote(v.Book))
	field("seq", strconv.FormatInt(v.ChainSeq, 10))
	field("prev", v.PrevHash)
	field("id", strconv.FormatInt(v.ID, 10))
	field("number", v.Period+"/"+v.Number)
	field("date", v.Date)
	field("summary", strconv.Quote(v.Summary))
	field("attachments", strconv.Itoa(v.Attachments))
	field("preparer", strconv.FormatInt(v.PreparerID, 10))
	field("reviewer", strconv.FormatInt(v.ReviewerID, 10))
	field("posted_at", v.PostedAt)
	field("reverses", strconv.FormatInt(v.ReversesID, 10))
	field("imported", strconv.FormatBool(v.Imported))
	for _, l := range v.Lines {
		field("line", fmt.Sprintf("%d|%s|%s|%s|%d|%d|%s", l.LineNo, l.Account, l.Household, l.Party,
			l.Debit.Fen(), l.Credit.Fen(), strconv.Quote(l.Summary)))
	}
	return b.String()
}

// VoucherHash computes the chain hash of a posted voucher from its content
// and PrevHash; exported so tools can check a printed voucher independently.
func VoucherHash(v Voucher) string {
	sum := sha256.Sum256([]byte(canonicalVoucher(v)))
	return hex.EncodeToString(sum[:])
}
