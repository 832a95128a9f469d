package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func TestImportVouchersCommand(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		s := openDSN(t, dsn)
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		f.GoLive(t, "2026-04")
		dir := t.TempDir()
		line := func(n int, date string, amount string) string {
			return fmt.Sprintf(`{"number":%d,"date":%q,"summary":"历史凭证","reviewed_by":"李审核","lines":[{"account":"102","debit":%q},{"account":"21101","household":"H001","credit":%q}]}`,
				n, date, amount, amount)
		}
		good := filepath.Join(dir, "good.jsonl")
		// Out of order in the file: the command imports month by month, number by number.
		body := strings.Join([]string{line(2, "2026-02-03", "20.00"), "", line(1, "2026-02-01", "10.00"), line(1, "2026-03-01", "5.00")}, "\n")
		if err := os.WriteFile(good, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{envToken: f.Tokens["preparer"]}
		out, errOut, err := invoke(context.Background(), vars, "import", "vouchers", "--db", dsn, "--book", "V1", good)
		if err != nil || !strings.Contains(out, "submitted 3 vouchers (6 lines, 2026-02 to 2026-03) to V1 as import #1, pending") {
			t.Fatalf("import: %v\n%s\n%s", err, out, errOut)
		}
		township := map[string]string{envToken: f.Tokens["township"]}
		out, errOut, err = invoke(context.Background(), township, "import", "pending", "--db", dsn, "--book", "V1")
		if err != nil || !strings.Contains(out, "#1\tbatch_import\t3 vouchers") {
			t.Fatalf("pending: %v\n%s\n%s", err, out, errOut)
		}
		out, errOut, err = invoke(context.Background(), township, "import", "approve", "--db", dsn, "--book", "V1", "1")
		if err != nil || !strings.Contains(out, "approved import #1: posted 3 vouchers (6 lines) into V1") {
			t.Fatalf("approve: %v\n%s\n%s", err, out, errOut)
		}
		bad := filepath.Join(dir, "bad.jsonl")
		if err := os.WriteFile(bad, []byte(line(4, "2026-03-02", "1.00")+"\n"+line(2, "2026-03-02", "1.00")), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, err = invoke(context.Background(), vars, "import", "vouchers", "--db", dsn, "--book", "V1", bad)
		if err == nil || !strings.Contains(errOut, "line 1: vouchers[1].number") || !strings.Contains(err.Error(), "nothing submitted") {
			t.Fatalf("bad file: %v\n%s", err, errOut)
		}
		opening := filepath.Join(dir, "opening.json")
		if err := os.WriteFile(opening, []byte(`{"lines":[{"account":"101","debit":"100.00"},{"account":"301","credit":"100.00"}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, err = invoke(context.Background(), vars, "import", "opening", "--db", dsn, "--book", "V1", opening)
		if err != nil || !strings.Contains(out, "2025-12 记-0001") {
			t.Fatalf("opening: %v\n%s\n%s", err, out, errOut)
		}
		r, err := s.Verify(context.Background(), ledger.System, "V1")
		if err != nil || !r.OK || r.Vouchers != 4 {
			t.Fatalf("verify: %v %+v", err, r)
		}
	})
}
