package reports_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

func TestReconciliationWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, runID := importFixture(t, s)
		if _, err := s.RecordPayments(ctx, f.Preparer, "IM", runID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("100.00"), Date: "2026-09-30", Method: ledger.MethodBank, Reference: "R1"}}); err != nil {
			t.Fatal(err)
		}
		d, err := reports.LoadReconciliation(ctx, s, f.Auditor, "IM", "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		if !d.R.OK || len(d.Audit) == 0 || d.UserNames[f.Reviewer.UserID] == "" {
			t.Fatalf("reconciliation %+v, %d audit entries, names %v", d.R.Verdict, len(d.Audit), d.UserNames)
		}
		var buf bytes.Buffer
		if err := reports.WriteReconciliation(&buf, d, reports.Options{}); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		want := []string{reports.SheetVerdict, reports.SheetRows, reports.SheetControls, reports.SheetFindings, reports.SheetAudit}
		if got := x.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("sheets %v", got)
		}
		if v, _ := x.GetCellValue(reports.SheetVerdict, "A3"); !strings.Contains(v, ledger.VerdictReconciles) {
			t.Errorf("verdict cell %q", v)
		}
		total := 4 + len(d.R.Rows)
		for col, m := range map[string]ledger.Money{"E": d.R.Counts.Entitled, "F": d.R.Counts.Accrued, "G": d.R.Counts.Paid, "H": d.R.Counts.Outstanding} {
			cellRef := col + itoa(total)
			if fm, _ := x.GetCellFormula(reports.SheetRows, cellRef); !strings.HasPrefix(fm, "SUM(") {
				t.Errorf("%s formula %q", cellRef, fm)
			}
			if v, err := x.CalcCellValue(reports.SheetRows, cellRef); err != nil || !sameAmount(v, m) {
				t.Errorf("%s = %q (%v), want %s", cellRef, v, err, m)
			}
		}
		rows, _ := x.GetRows(reports.SheetAudit)
		if len(rows) != 3+len(d.Audit) || !strings.Contains(fmtRows(rows), "|审核会计|approve|") {
			t.Errorf("audit sheet: %d rows for %d entries; first %v", len(rows), len(d.Audit), rows[min(3, len(rows)-1)])
		}
		if _, err := reports.LoadReconciliation(ctx, s, f.Auditor, "IM", "2026Q5"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("bad quarter: %v", err)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// sameAmount compares a calculated cell with an amount to the fen.
func sameAmount(v string, m ledger.Money) bool {
	got, err := ledger.ParseMoney(strings.TrimSpace(v))
	if err != nil {
		if f, ferr := ledger.ParseMoney(trimZeros(v)); ferr == nil {
			got, err = f, nil
		}
	}
	return err == nil && got == m
}

func trimZeros(v string) string {
	if i := strings.IndexByte(v, '.'); i >= 0 && len(v)-i > 3 {
		return v[:i+3]
	}
	if !strings.Contains(v, ".") {
		return v + ".00"
	}
	return v
}

func fmtRows(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("|" + strings.Join(r, "|") + "|\n")
	}
	return b.String()
}
