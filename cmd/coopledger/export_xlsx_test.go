package main

import (
	"fmt"
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

// TestExportRosterPublicURL: with --public-url the command-line roster
// carries a QR code for each household with a link, without it none.
func TestExportRosterPublicURL(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "demo.db")
	mustInvoke(t, "demo", "--db", dsn)
	token := lastLine(mustInvoke(t, "token", "create", "--db", dsn, "--role", "accountant", "--book", "HONGYA", "--name", "会计"))
	s := openDSN(t, dsn)
	a, err := s.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.PayoutRuns(t.Context(), reader, "HONGYA", "2026Q3")
	if err != nil || len(list) == 0 || len(list[0].Households) < 2 {
		t.Fatalf("demo runs: %v", err)
	}
	for _, h := range list[0].Households[:2] {
		if _, err := s.CreateHouseholdLink(t.Context(), a, "HONGYA", h.Household); err != nil {
			t.Fatal(err)
		}
	}
	run := strconv.FormatInt(list[0].ID, 10)
	for _, tt := range []struct {
		flags []string
		want  int
	}{{nil, 0}, {[]string{"--public-url", "https://cun.example.cn"}, 2}} {
		out := filepath.Join(dir, fmt.Sprintf("roster-%d.xlsx", tt.want))
		args := append([]string{"export", "roster", "--db", dsn, "--book", "HONGYA", "--run", run, "--out", out}, tt.flags...)
		if _, stderr, err := invoke(t.Context(), nil, args...); err != nil {
			t.Fatalf("%v: %v\n%s", tt.flags, err, stderr)
		}
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := f.GetPictureCells("花名册")
		f.Close()
		if err != nil || len(cells) != tt.want {
			t.Errorf("%v: pictures in %v, want %d (%v)", tt.flags, cells, tt.want, err)
		}
	}
	_, _, err = invoke(t.Context(), nil, "export", "roster", "--db", dsn, "--book", "HONGYA", "--run", run, "--out", filepath.Join(dir, "z.xlsx"), "--public-url", "ftp://x")
	if err == nil || !strings.Contains(err.Error(), "--public-url") {
		t.Errorf("bad --public-url: %v", err)
	}
}
