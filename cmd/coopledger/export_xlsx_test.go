package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportWorkbooks writes every workbook of the demo from the command line.
func TestExportWorkbooks(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "demo.db")
	mustInvoke(t, "demo", "--db", dsn)
	runs := openDSN(t, dsn)
	list, err := runs.PayoutRuns(t.Context(), reader, "HONGYA", "2026Q3")
	if err != nil || len(list) == 0 {
		t.Fatalf("demo runs: %v", err)
	}
	run := strconv.FormatInt(list[0].ID, 10)
	cases := [][]string{
		{"roster", "--book", "HONGYA", "--run", run},
		{"notice", "--book", "HONGYA", "--run", run, "--notice-from", "2026-10-09", "--days", "7"},
		{"township", "--township", "HX", "--quarter", "2026Q3"},
		{"trial-balance", "--book", "QINGZHU", "--from", "2026-01", "--to", "2026-09"},
		{"ledger", "--book", "QINGZHU", "--account", "102,21101", "--from", "2026-01", "--to", "2026-09"},
		{"statement", "--book", "QINGZHU", "--household", "H001", "--from", "2026-01", "--to", "2026-09"},
		{"reconciliation", "--book", "DAOXIANG", "--quarter", "2026Q1"},
		{"statements", "--book", "DAOXIANG", "--month", "2026-09"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, c[0]+".xlsx")
		args := append([]string{"export"}, c...)
		_, stderr, err := invoke(t.Context(), nil, append(args, "--db", dsn, "--out", out)...)
		if err != nil || !strings.Contains(stderr, "wrote "+out) {
			t.Fatalf("export %s: %v\n%s", c[0], err, stderr)
		}
		f, err := excelize.OpenFile(out)
		if err != nil || len(f.GetSheetList()) == 0 {
			t.Fatalf("%s: %v", out, err)
		}
		f.Close()
	}
	if _, _, err := invoke(t.Context(), nil, "export", "roster", "--db", dsn, "--book", "HONGYA", "--out", filepath.Join(dir, "x.xlsx")); err == nil || !strings.Contains(err.Error(), "--run is required") {
		t.Fatalf("missing --run: %v", err)
	}
	if _, _, err := invoke(t.Context(), nil, "export", "roster", "--db", dsn, "--book", "NOPE", "--run", "1", "--out", filepath.Join(dir, "y.xlsx")); err == nil || !strings.Contains(err.Error(), "账套不存在") {
		t.Fatalf("unknown book: %v", err)
	}
}
