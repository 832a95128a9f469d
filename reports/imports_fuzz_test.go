package reports_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/reports"
)

// FuzzReadImport fills the second row of each import template with fuzzed
// cell texts (tab-separated) and reads the workbook back: ReadImport must not
// panic, and either reads exactly one item or refuses with an ImportError
// whose problems are listed.
func FuzzReadImport(f *testing.F) {
	for _, s := range []string{
		"H001\t张三\t362426199001011234\t6217000012345678\t3\t第一组\t一般户",
		"H001\t东坡\t3.5\t800\t2026-01-01",
		"H001\t1.5\t2026-01-01",
		"H001\t2026-03-05\t2\t天\t120.00\t备注",
		"H001\t300.00\t2026-12-31\tbank\tYKT-1",
		"2026-01-05\t记-0007\t收到流转费\t102\tH001\t\t-12.50\t\t1\t张会计\t李审核",
		"=1+1\t-1e400\t2026-02-30\t\u0000\t99999999999999999999",
		"\t\t\t\t\t\t\t\t\t\t\t",
	} {
		for i := range ledger.ImportKinds {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, kindIndex uint8, cells string) {
		kind := ledger.ImportKinds[int(kindIndex)%len(ledger.ImportKinds)]
		data := filledTemplate(t, kind, strings.Split(cells, "\t"))
		p, err := reports.ReadImport(kind, bytes.NewReader(data))
		if err == nil {
			if p.Len() != 1 {
				t.Fatalf("%s %q: read %d items from one row", kind, cells, p.Len())
			}
			return
		}
		var ie *reports.ImportError
		if !errors.As(err, &ie) || len(ie.Problems) == 0 || ie.Error() == "" {
			t.Fatalf("%s %q: refusal is not an ImportError with problems: %v", kind, cells, err)
		}
	})
}

// FuzzReadImportBytes feeds arbitrary bytes, seeded with real templates.
func FuzzReadImportBytes(f *testing.F) {
	for _, kind := range ledger.ImportKinds {
		var buf bytes.Buffer
		if err := reports.WriteImportTemplate(&buf, kind); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range ledger.ImportKinds {
			if _, err := reports.ReadImport(kind, bytes.NewReader(data)); err != nil {
				var ie *reports.ImportError
				if !errors.As(err, &ie) {
					t.Fatalf("%s: refusal is not an ImportError: %v", kind, err)
				}
			}
		}
	})
}

func filledTemplate(t *testing.T, kind ledger.ImportKind, cells []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteImportTemplate(&buf, kind); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for i, c := range cells {
		if i >= 16 {
			break
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		if err := x.SetCellStr(kind.Label(), cell, c); err != nil {
			return buf.Bytes() // text excelize itself refuses (too long): nothing to read
		}
	}
	var out bytes.Buffer
	if err := x.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
