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

// TestChainVersions: a voucher of version 1 (or 0, as read before
// migration 024) hashes exactly as before whatever documents it has; version
// 2 is the same fields under its own first line, then the documents' hashes
// sorted.
func TestChainVersions(t *testing.T) {
	v := Voucher{Book: "V1", ChainSeq: 3, PrevHash: "ab", ID: 5, Period: "2026-03", Number: "记-0002", Date: "2026-03-05",
		Summary: "购办公用品", Attachments: 1, PreparerID: 2, ReviewerID: 3, PostedAt: "2026-03-05T08:00:00Z",
		Lines: []Line{{LineNo: 1, Account: "513", Debit: Fen(100)}, {LineNo: 2, Account: "101", Credit: Fen(100)}}}
	v1 := formattedVoucher(v)
	for _, version := range []int{0, ChainVersionV1} {
		old := v
		old.ChainVersion, old.DocumentHashes = version, []string{"ff", "00"}
		if got := string(canonicalVoucher(nil, old)); got != v1 {
			t.Errorf("version %d with documents:\n got %q\nwant %q", version, got, v1)
		}
	}
	v2 := v
	v2.ChainVersion, v2.DocumentHashes = ChainVersionV2, []string{"ff", "00"}
	want := strings.Replace(v1, chainVersion+"\n", chainVersion2+"\n", 1) + "document=00\ndocument=ff\n"
	if got := string(canonicalVoucher(nil, v2)); got != want {
		t.Errorf("version 2:\n got %q\nwant %q", got, want)
	}
	if VoucherHash(v2) == VoucherHash(v) {
		t.Error("version 2 hashes like version 1")
	}
	v2.DocumentHashes = []string{"00", "ff"}
	if string(canonicalVoucher(nil, v2)) != want {
		t.Error("the documents' order changes the version 2 encoding")
	}
}
