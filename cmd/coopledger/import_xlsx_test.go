package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// fillTemplate writes rows into the template at path from row 2 and saves it as out.
func fillTemplate(t *testing.T, path, out string, rows [][]any) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, row := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("历史凭证", ref, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
}

// `import template vouchers` writes the template; `import vouchers FILE.xlsx`
// submits the filled-in copy whole as a pending import, refuses a bad one
// naming its cells; the township officer's `import approve` posts it with a
// progress report; the same file (by content) applies only once.
func TestImportVoucherWorkbookCommand(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openDSN(t, dsn)
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		f.GoLive(t, "2026-03")
		dir := t.TempDir()
		tpl := filepath.Join(dir, "template.xlsx")
		if _, errOut, err := invoke(ctx, nil, "import", "template", "vouchers", "--out", tpl); err != nil {
			t.Fatalf("template: %v\n%s", err, errOut)
		}
		vars := map[string]string{envToken: f.Tokens["preparer"]}
		bad := filepath.Join(dir, "bad.xlsx")
		fillTemplate(t, tpl, bad, [][]any{
			{"2026-01-05", "1", "收到土地流转费", "102", "", "", 300, "", "", "", "李审核"},
			{"2026-01-05", "1", "", "21101", "H001", "", "", "三百"},
		})
		before := ledgertest.Digest(t, s)
		_, errOut, err := invoke(ctx, vars, "import", "vouchers", "--db", dsn, "--book", "V1", bad)
		if err == nil || !strings.Contains(errOut, "H3: 第 3 行「贷方金额」") || !strings.Contains(err.Error(), "nothing submitted") {
			t.Fatalf("bad file: %v\n%s", err, errOut)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused file changed the database")
		}
		good := filepath.Join(dir, "2026.xlsx")
		fillTemplate(t, tpl, good, [][]any{
			{"2026-02-01", "1", "取得短期借款", "102", "", "", 50, "", "", "", "李审核"},
			{"2026-02-01", "1", "", "201", "", "", "", 50},
			{"2026-01-05", "记-0001", "收到土地流转费", "102", "", "", 300, "", 2, "张会计", "李审核"},
			{"2026-01-05", "记-0001", "", "21101", "H001", "", "", 300},
		})
		out, errOut, err := invoke(ctx, vars, "import", "vouchers", "--db", dsn, "--book", "V1", good)
		if err != nil || !strings.Contains(out, "submitted 2 vouchers (4 lines, 2026-01 to 2026-02) to V1 as import #1, pending") {
			t.Fatalf("import: %v\n%s\n%s", err, out, errOut)
		}
		if r, err := s.Verify(ctx, ledger.System, "V1"); err != nil || r.Vouchers != 0 {
			t.Fatalf("posted before approval: %v %+v", err, r)
		}
		if _, errOut, err := invoke(ctx, vars, "import", "approve", "--db", dsn, "--book", "V1", "1"); err == nil || !strings.Contains(err.Error(), "nothing posted") {
			t.Fatalf("the submitter approves: %v\n%s", err, errOut)
		}
		township := map[string]string{envToken: f.Tokens["township"]}
		out, errOut, err = invoke(ctx, township, "import", "approve", "--db", dsn, "--book", "V1", "1")
		if err != nil || !strings.Contains(out, "approved import #1: posted 2 vouchers (4 lines) into V1") || !strings.Contains(errOut, "2/2 vouchers") {
			t.Fatalf("approve: %v\n%s\n%s", err, out, errOut)
		}
		r, err := s.Verify(ctx, ledger.System, "V1")
		if err != nil || !r.OK || r.Vouchers != 2 {
			t.Fatalf("verify: %v %+v", err, r)
		}
		// The same file under another name, told from JSON lines by its content.
		raw, err := os.ReadFile(good)
		if err != nil {
			t.Fatal(err)
		}
		same := filepath.Join(dir, "copy.dat")
		if err := os.WriteFile(same, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		after := ledgertest.Digest(t, s)
		out, errOut, err = invoke(ctx, vars, "import", "vouchers", "--db", dsn, "--book", "V1", same)
		if err != nil || !strings.Contains(out, "already imported") || ledgertest.Digest(t, s) != after {
			t.Fatalf("same file again: %v\n%s\n%s", err, out, errOut)
		}
		if _, _, err := invoke(ctx, nil, "import", "template", "people", "--out", tpl); err == nil {
			t.Fatal("unknown template kind accepted")
		}
	})
}
