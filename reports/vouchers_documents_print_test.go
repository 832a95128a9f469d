package reports_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// TestVoucherPrintCountsDocuments: a voucher with three scans attached (two
// before posting, one addendum) prints 附单据 3 张 although 1 was typed.
func TestVoucherPrintCountsDocuments(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		draft, err := s.CreateVoucher(ctx, f.Preparer, "V1", ledger.VoucherInput{Date: "2026-03-02", Summary: "计提办公费", Attachments: 1,
			Lines: []ledger.LineInput{{Account: "513", Debit: ledgertest.Amount("100.00")}, {Account: "214", Credit: ledgertest.Amount("100.00")}}})
		if err != nil {
			t.Fatal(err)
		}
		attach := func(a ledger.Actor, id int64, name string) {
			d, err := ledger.SpoolDocument("file", name, strings.NewReader("%PDF-1.4\n"+name))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := s.AddDocument(ctx, a, "V1", id, d); err != nil {
				t.Fatal(err)
			}
		}
		attach(f.Preparer, draft.ID, "发票.pdf")
		attach(f.Preparer, draft.ID, "收据.pdf")
		v, err := s.PostVoucher(ctx, f.Reviewer, "V1", draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		attach(f.Reviewer, v.ID, "合同.pdf")
		set, err := s.VoucherPrint(ctx, f.Auditor, "V1", "2026-03")
		if err != nil || len(set.Vouchers) != 1 || set.Vouchers[0].Attachments != 3 {
			t.Fatalf("printed: %v %+v", err, set.Vouchers)
		}
		if t.Name() != "TestVoucherPrintCountsDocuments/sqlite" {
			return
		}
		var buf bytes.Buffer
		if err := reports.WriteVoucherPrint(&buf, reports.VoucherPrintData{Book: reports.BookInfoOf(f.Book), Set: set, Layout: reports.LayoutHalf}, testOptions()); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "vouchers.xlsx"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if text := squash(pdfText(t, dir, []string{"vouchers.xlsx"})["vouchers.xlsx"]); !strings.Contains(text, "附单据3张") {
			t.Errorf("the printed voucher lacks 附单据3张:\n%s", text)
		}
	})
}
