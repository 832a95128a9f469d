package reports_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// pdfText prints workbooks to PDF with LibreOffice and returns each one's
// text as pdftotext reads it; it skips when either tool is absent.
func pdfText(t *testing.T, dir string, files []string) map[string]string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not installed")
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	out := filepath.Join(dir, "pdf")
	convert(t, soffice, dir, out, "pdf", files)
	texts := map[string]string{}
	for _, f := range files {
		pdf := filepath.Join(out, strings.TrimSuffix(f, ".xlsx")+".pdf")
		b, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", f, err)
		}
		texts[f] = string(b)
	}
	if docs := os.Getenv(EnvRenderDocs); docs != "" {
		renderPNGs(t, soffice, dir, docs, files)
	}
	return texts
}

func TestVoucherPrint(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		f := sc.F
		set, err := s.VoucherPrint(ctx, f.Auditor, "P1", "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Vouchers) != 1 {
			t.Fatalf("2026-10 has %d vouchers, want the payment voucher", len(set.Vouchers))
		}
		pay := set.Vouchers[0]
		// The bank file is the payment voucher's source document; the
		// reviewer who posted signs 审核, the preparer 记账 and 制单, who
		// recorded the payments 出纳.
		if pay.Attachments != 1 || pay.Reviewer != "审核会计" || pay.Bookkeeper != "制单会计" || pay.Preparer != "制单会计" ||
			pay.Cashier != "制单会计" || !pay.CashOrBank || pay.Bookkeeper == pay.Reviewer {
			t.Errorf("payment voucher signatures/attachments: %+v", pay)
		}
		l := pay.Lines[0]
		if l.GeneralCode != "211" || l.GeneralName != "应付款" || l.DetailName != "代收包干款" || l.SubjectName != "农户1" || l.SubjectCode != "H001" {
			t.Errorf("first line by name: %+v", l)
		}
		sep, err := s.VoucherPrint(ctx, f.Auditor, "P1", "2026-07")
		if err != nil || len(sep.Vouchers) != 1 {
			t.Fatalf("2026-07: %v %+v", err, sep)
		}
		if v := sep.Vouchers[0]; v.Attachments != 0 || v.Cashier != "" || !v.CashOrBank || v.Lines[1].SubjectName == "" {
			t.Errorf("a hand-made voucher keeps its count and leaves 出纳 blank: %+v", v)
		}
		if _, err := s.VoucherPrint(ctx, f.Auditor, "P1", "2026-13"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("bad period: %v", err)
		}
		if _, err := reports.ParseVoucherLayout("a5"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("bad layout: %v", err)
		}

		b, err := s.Book(ctx, f.Auditor, "P1")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var files []string
		for _, m := range []struct{ period, name string }{{"2026-09", "vouchers-2026-09.xlsx"}, {"2026-10", "vouchers.xlsx"}} {
			set, err := s.VoucherPrint(ctx, f.Auditor, "P1", m.period)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := reports.WriteVoucherPrint(&buf, reports.VoucherPrintData{Book: reports.BookInfoOf(b), Set: set, Layout: reports.LayoutHalf}, testOptions()); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, m.name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, m.name)
		}
		if t.Name() != "TestVoucherPrint/sqlite" {
			return // LibreOffice once is enough
		}
		texts := pdfText(t, dir, files)
		text := squash(texts["vouchers.xlsx"])
		for _, want := range []string{"记账凭证", "测试村P1", "211 应付款", "代收包干款—农户1 H001", "213 应付劳务费", "102 银行存款",
			"4,286.72", "附单据1张", "记账：制单会计", "审核：审核会计", "出纳：制单会计", "制单：制单会计", "会计主管："} {
			if !strings.Contains(text, squash(want)) {
				t.Errorf("printed payment voucher lacks %q:\n%s", want, texts["vouchers.xlsx"])
			}
		}
		t.Logf("2026-09:\n%s", texts["vouchers-2026-09.xlsx"])
	})
}

// squash drops the spaces pdftotext puts between laid-out words.
func squash(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "　", " ")), "")
}
