package ledger

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// formattedVoucher is the canonical encoding written the plain way, with
// fmt; canonicalVoucher must produce exactly these bytes, or every hash
// already in a book would stop matching.
func formattedVoucher(v Voucher) string {
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

func TestCanonicalVoucherEncoding(t *testing.T) {
	vs := []Voucher{
		{},
		{Book: "V1 \"村\"", ChainSeq: 7, PrevHash: "ab12", ID: 42, Period: "2026-03", Number: "记-0007", Date: "2026-03-05",
			Summary: "收到\n土地流转费\t\"引号\"", Attachments: 3, PreparerID: 2, ReviewerID: 3, PostedAt: "2026-03-05T08:00:00Z",
			ReversesID: 9, Imported: true, Lines: []Line{
				{LineNo: 1, Account: "102", Debit: Fen(123456)},
				{LineNo: 2, Account: "21101", Household: "H001", Credit: Fen(-100), Summary: "红字\\冲销"},
				{LineNo: 3, Account: "113", Party: "C01", Credit: Fen(123556), Summary: "\x00\u2028"},
			}},
	}
	for i, v := range vs {
		if got, want := string(canonicalVoucher(nil, v)), formattedVoucher(v); got != want {
			t.Errorf("voucher %d:\n got %q\nwant %q", i, got, want)
		}
	}
}
