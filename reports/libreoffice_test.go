package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// EnvRenderDocs names a directory; when set, TestLibreOfficeRecalculates also
// renders the first page of each workbook there as PNG (for docs/excel).
const EnvRenderDocs = "COOPLEDGER_RENDER_DOCS"

// recalcCheck is a cell whose value, as LibreOffice calculates it, must equal
// the ledger's figure.
type recalcCheck struct {
	file, sheet, cell string
	want              ledger.Money
}

// TestLibreOfficeRecalculates writes every kind of workbook, lets LibreOffice
// open and recalculate them (soffice --convert-to xlsx), and compares every
// total it computed with the ledger's own figures.
func TestLibreOfficeRecalculates(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not installed; install libreoffice-calc to recalculate the workbooks")
	}
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		dir := t.TempDir()
		files, checks := writeAllWorkbooks(t, ctx, sc, dir)
		out := filepath.Join(dir, "out")
		convert(t, soffice, dir, out, "xlsx", files)
		for _, name := range files {
			f, err := excelize.OpenFile(filepath.Join(out, name))
			if err != nil {
				t.Fatalf("LibreOffice output %s: %v", name, err)
			}
			defer f.Close()
			for _, sh := range f.GetSheetList() {
				rows, err := f.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range rows {
					for j, v := range row {
						if strings.HasPrefix(v, "#") || strings.HasPrefix(v, "Err:") {
							t.Errorf("%s %s row %d col %d: %s", name, sh, i+1, j+1, v)
						}
					}
				}
			}
		}
		for _, c := range checks {
			f, err := excelize.OpenFile(filepath.Join(out, c.file))
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
			f.Close()
			got, perr := decimal.NewFromString(v)
			if err != nil || perr != nil || !got.Round(2).Equal(c.want.Decimal()) {
				t.Errorf("LibreOffice %s %s!%s = %q, want %s", c.file, c.sheet, c.cell, v, c.want)
			}
		}
		t.Logf("LibreOffice recalculated %d workbooks, %d totals agree with the ledger", len(files), len(checks))
		if docs := os.Getenv(EnvRenderDocs); docs != "" && t.Name() == "TestLibreOfficeRecalculates/sqlite" {
			renderPNGs(t, soffice, dir, docs, files)
		}
	})
}

// writeAllWorkbooks writes one workbook of each kind and lists the totals to
// compare after recalculation.
func writeAllWorkbooks(t *testing.T, ctx context.Context, sc scenario, dir string) ([]string, []recalcCheck) {
	t.Helper()
	s, a := sc.Store, sc.F.Township
	var checks []recalcCheck
	save := func(name string, write func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	opts := testOptions()
	roster, err := reports.LoadRoster(ctx, s, sc.F.Auditor, "P1", sc.RunP1)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.PayoutRun(ctx, a, "P1", sc.RunP1)
	if err != nil {
		t.Fatal(err)
	}
	save("roster.xlsx", func(b *bytes.Buffer) error { return reports.WriteRoster(b, roster, opts) })
	lay, tl := reports.LayoutOf(roster), reports.TotalsLayoutOf(roster)
	add := func(file, sheet, cell string, want ledger.Money) {
		checks = append(checks, recalcCheck{file, sheet, cell, want})
	}
	tr := lay.RosterTotalRow
	add("roster.xlsx", "花名册", fmt.Sprint("K", tr), run.Total)
	add("roster.xlsx", "花名册", fmt.Sprint("M", tr), run.Paid)
	add("roster.xlsx", "花名册", fmt.Sprint("N", tr), run.Outstanding)
	for i, h := range roster.Households {
		add("roster.xlsx", "花名册", fmt.Sprint("K", 4+i), h.Total)
		add("roster.xlsx", "花名册", fmt.Sprint("N", 4+i), h.Outstanding)
	}
	byColumn := map[string]ledger.Money{}
	for _, l := range run.Lines {
		byColumn[reports.KindColumn(l.Kind)] = byColumn[reports.KindColumn(l.Kind)].Add(l.Amount)
	}
	for i, c := range []string{reports.ColumnRent, reports.ColumnDividend, reports.ColumnWage, reports.ColumnOther} {
		add("roster.xlsx", "花名册", fmt.Sprintf("%c%d", 'G'+i, tr), byColumn[c])
	}
	add("roster.xlsx", "分户明细", fmt.Sprint("I", lay.LinesTotalRow), run.Total)
	add("roster.xlsx", "分户明细", fmt.Sprint("K", lay.LinesTotalRow), run.Paid)
	add("roster.xlsx", "汇总", fmt.Sprint("E", tl.AgreementTotalRow), run.Total)
	add("roster.xlsx", "汇总", fmt.Sprint("E", tl.KindTotalRow), run.Total)
	for r := tl.FirstCheckRow; r < tl.FirstCheckRow+3; r++ {
		add("roster.xlsx", "汇总", fmt.Sprint("E", r), ledger.Money{})
	}

	notice := reports.Notice{From: time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC)}
	save("notice.xlsx", func(b *bytes.Buffer) error { return reports.WriteNotice(b, roster, notice, opts) })
	add("notice.xlsx", "公示表", fmt.Sprint("K", reports.NoticeTotalRow(roster)), run.Total)

	town, err := reports.LoadTownship(ctx, s, a, "T01", "2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	save("township.xlsx", func(b *bytes.Buffer) error { return reports.WriteTownship(b, town, opts) })
	tlay := reports.TownshipLayoutOf(town)
	var townTotal, townPaid ledger.Money
	for i, v := range town.Villages {
		r := 4 + i
		add("township.xlsx", "汇总", fmt.Sprint("J", r), v.Total)
		add("township.xlsx", "汇总", fmt.Sprint("K", r), v.Paid)
		add("township.xlsx", "汇总", fmt.Sprint("L", r), v.Outstanding)
		add("township.xlsx", "汇总", fmt.Sprint("N", r), ledger.Money{})
		add("township.xlsx", "汇总", fmt.Sprint("E", r), ledger.Fen(int64(len(v.Households))*100))
		add("township.xlsx", tlay.VillageSheets[i], fmt.Sprint("J", tlay.VillageTotalRow[i]), v.Total)
		townTotal, townPaid = townTotal.Add(v.Total), townPaid.Add(v.Paid)
	}
	p2, err := s.PayoutRun(ctx, a, "P2", sc.RunP2)
	if err != nil {
		t.Fatal(err)
	}
	if townTotal != run.Total.Add(p2.Total) {
		t.Fatalf("township total %s, runs %s + %s", townTotal, run.Total, p2.Total)
	}
	add("township.xlsx", "汇总", fmt.Sprint("J", tlay.SummaryTotalRow), townTotal)
	add("township.xlsx", "汇总", fmt.Sprint("K", tlay.SummaryTotalRow), townPaid)
	add("township.xlsx", "汇总", fmt.Sprint("N", tlay.SummaryTotalRow), ledger.Money{})

	tb, err := reports.LoadTrialBalance(ctx, s, a, "P1", "2026-07", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	save("trial-balance.xlsx", func(b *bytes.Buffer) error { return reports.WriteTrialBalance(b, tb, opts) })
	tbr := reports.TrialBalanceTotalRow(tb)
	for c, want := range map[string]ledger.Money{"D": tb.TB.Totals.OpeningDebit, "E": tb.TB.Totals.OpeningCredit,
		"F": tb.TB.Totals.PeriodDebit, "G": tb.TB.Totals.PeriodCredit, "H": tb.TB.Totals.ClosingDebit, "I": tb.TB.Totals.ClosingCredit} {
		add("trial-balance.xlsx", "科目余额表", fmt.Sprint(c, tbr), want)
	}
	add("trial-balance.xlsx", "科目余额表", fmt.Sprint("F", tbr+1), ledger.Money{})

	ld, err := reports.LoadAccountLedgers(ctx, s, a, "P1", nil, "", "2026-07", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	save("ledger.xlsx", func(b *bytes.Buffer) error { return reports.WriteAccountLedgers(b, ld, opts) })
	for i, l := range reports.LedgerLayoutOf(ld) {
		add("ledger.xlsx", l.Sheet, fmt.Sprint("E", l.TotalRow), ld.Ledgers[i].Debit)
		add("ledger.xlsx", l.Sheet, fmt.Sprint("F", l.TotalRow), ld.Ledgers[i].Credit)
	}

	st, err := reports.LoadHouseholdStatement(ctx, s, a, "P1", "H001", "2026-07", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	save("statement.xlsx", func(b *bytes.Buffer) error { return reports.WriteHouseholdStatement(b, st, opts) })
	var accrued, paid ledger.Money
	for _, p := range st.Statement.Payouts {
		accrued, paid = accrued.Add(p.Accrued), paid.Add(p.Paid)
	}
	add("statement.xlsx", "收益明细", fmt.Sprint("E", reports.StatementTotalRow(st)), accrued)
	add("statement.xlsx", "收益明细", fmt.Sprint("F", reports.StatementTotalRow(st)), paid)
	return []string{"roster.xlsx", "notice.xlsx", "township.xlsx", "trial-balance.xlsx", "ledger.xlsx", "statement.xlsx"}, checks
}

// convert runs LibreOffice headless with a private profile, so it neither
// touches nor waits for a user's running instance.
func convert(t *testing.T, soffice, dir, out, format string, files []string) {
	t.Helper()
	profile := "file://" + filepath.ToSlash(filepath.Join(dir, "lo-profile"))
	args := []string{"--headless", "--norestore", "--nolockcheck", "-env:UserInstallation=" + profile, "--convert-to", format, "--outdir", out}
	for _, f := range files {
		args = append(args, filepath.Join(dir, f))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", format, err, output)
	}
	for _, f := range files {
		name := strings.TrimSuffix(f, filepath.Ext(f)) + "." + strings.SplitN(format, ":", 2)[0]
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Fatalf("LibreOffice did not convert %s (%v):\n%s", f, err, output)
		}
	}
}

// renderPNGs prints each workbook to PDF with LibreOffice and renders its
// first page as PNG with pdftoppm.
func renderPNGs(t *testing.T, soffice, dir, docs string, files []string) {
	t.Helper()
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Fatalf("%s set but pdftoppm is not installed", EnvRenderDocs)
	}
	pdf := filepath.Join(dir, "pdf")
	convert(t, soffice, dir, pdf, "pdf", files)
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		base := strings.TrimSuffix(f, ".xlsx")
		cmd := exec.Command(pdftoppm, "-png", "-r", "130", "-f", "1", "-l", "1", "-singlefile",
			filepath.Join(pdf, base+".pdf"), filepath.Join(docs, base))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm %s: %v\n%s", base, err, out)
		}
	}
}
