package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

func TestRosterWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		d, err := reports.LoadRoster(ctx, s, sc.F.Auditor, "P1", sc.RunP1)
		if err != nil {
			t.Fatal(err)
		}
		run, err := s.PayoutRun(ctx, sc.F.Auditor, "P1", sc.RunP1)
		if err != nil {
			t.Fatal(err)
		}
		book, err := s.Book(ctx, sc.F.Auditor, "P1")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := reports.WriteRoster(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		if got := f.GetSheetList(); strings.Join(got, ",") != "花名册,分户明细,汇总" {
			t.Fatalf("sheets %v", got)
		}
		for _, sh := range f.GetSheetList() {
			wantSheetSetup(t, f, sh, 3, head16(book))
		}
		wantPackage(t, buf.Bytes(), "土地租金、股金分红、薪金、包干款发放花名册")
		if v := cellValue(t, f, "花名册", "A1"); !strings.Contains(v, "2026年第三季度") || !strings.Contains(v, "测试村P1") {
			t.Errorf("title %q", v)
		}
		for i, name := range reports.RosterColumns {
			if got := cellValue(t, f, "花名册", fmt.Sprintf("%c3", 'A'+i)); got != name {
				t.Errorf("header %d = %q, want %q", i, got, name)
			}
		}
		lay := reports.LayoutOf(d)
		if lay.RosterTotalRow != 4+len(run.Households) {
			t.Fatalf("total row %d for %d households", lay.RosterTotalRow, len(run.Households))
		}
		households := map[string]ledger.HouseholdPayout{}
		for _, h := range run.Households {
			households[h.Household] = h
		}
		byCode := map[string]reports.RosterHousehold{}
		for _, h := range d.Households {
			byCode[h.Code] = h
		}
		for r := 4; r < lay.RosterTotalRow; r++ {
			row := fmt.Sprint(r)
			name := cellValue(t, f, "花名册", "C"+row)
			code := strings.TrimPrefix(name, "农户")
			h := byCode[fmt.Sprintf("H%03s", code)]
			hp := households[h.Code]
			if h.Code == "" || cellValue(t, f, "花名册", "D"+row) != ledgertest.IDNumber(mustAtoi(t, code)) ||
				cellValue(t, f, "花名册", "E"+row) != h.BankAccount || len(h.BankAccount) < 16 {
				t.Errorf("row %d: %q %q %q", r, name, cellValue(t, f, "花名册", "D"+row), cellValue(t, f, "花名册", "E"+row))
			}
			if got := cellFormula(t, f, "花名册", "K"+row); got != fmt.Sprintf("SUM(G%d:J%d)", r, r) {
				t.Errorf("K%d formula %q", r, got)
			}
			if got := cellFormula(t, f, "花名册", "N"+row); got != fmt.Sprintf("K%d-M%d", r, r) {
				t.Errorf("N%d formula %q", r, got)
			}
			wantCalc(t, f, "花名册", "K"+row, hp.Entitled)
			wantCalc(t, f, "花名册", "N"+row, hp.Outstanding)
			wantMoneyCell(t, f, "花名册", "M"+row, hp.Paid)
			wantMoneyFormat(t, f, "花名册", "K"+row)
			words, _ := reports.ChineseCapitals(hp.Entitled.Decimal())
			if got := cellValue(t, f, "花名册", "L"+row); got != words {
				t.Errorf("L%d = %q, want %q", r, got, words)
			}
		}
		// H001's columns: rent 665.00, dividend 200.00, fixed sum 714.29.
		h1 := byCode["H001"]
		if h1.Rent.String() != "665.00" || h1.Other.String() != "714.29" || h1.Wage.String() != "0.00" {
			t.Errorf("H001 %+v", h1)
		}
		tr := fmt.Sprint(lay.RosterTotalRow)
		for _, c := range []string{"G", "H", "I", "J", "K", "M", "N"} {
			want := fmt.Sprintf("SUM(%s4:%s%d)", c, c, lay.RosterTotalRow-1)
			if got := cellFormula(t, f, "花名册", c+tr); got != want {
				t.Errorf("%s%s formula %q, want %q", c, tr, got, want)
			}
			wantMoneyFormat(t, f, "花名册", c+tr)
		}
		wantCalc(t, f, "花名册", "K"+tr, run.Total)
		wantCalc(t, f, "花名册", "M"+tr, run.Paid)
		wantCalc(t, f, "花名册", "N"+tr, run.Outstanding)
		words, _ := reports.ChineseCapitals(run.Total.Decimal())
		if got := cellValue(t, f, "花名册", "L"+tr); got != words {
			t.Errorf("total capitals %q, want %q", got, words)
		}
		if note := cellValue(t, f, "花名册", fmt.Sprint("A", lay.RosterTotalRow+1)); !strings.Contains(note, "最大余额法") || !strings.Contains(note, words) {
			t.Errorf("rounding rule note %q", note)
		}
		// Sheet 2: one line per household × agreement, with its basis.
		if lay.LinesTotalRow != 4+len(run.Lines) {
			t.Fatalf("lines total row %d for %d lines", lay.LinesTotalRow, len(run.Lines))
		}
		bases := 0
		for r := 4; r < lay.LinesTotalRow; r++ {
			if strings.Contains(cellValue(t, f, "分户明细", fmt.Sprint("M", r)), "亩") {
				bases++
			}
		}
		if bases != 4 {
			t.Errorf("%d land-rent bases with 亩, want 4", bases)
		}
		lt := fmt.Sprint(lay.LinesTotalRow)
		wantCalc(t, f, "分户明细", "I"+lt, run.Total)
		wantCalc(t, f, "分户明细", "K"+lt, run.Paid)
		wantCalc(t, f, "分户明细", "L"+lt, run.Outstanding)
		// Sheet 3: totals per agreement and kind, and checks that show 0.
		tl := reports.TotalsLayoutOf(d)
		wantCalc(t, f, "汇总", fmt.Sprint("E", tl.AgreementTotalRow), run.Total)
		wantCalc(t, f, "汇总", fmt.Sprint("E", tl.KindTotalRow), run.Total)
		for i, a := range run.ByAgreement {
			if cellValue(t, f, "汇总", fmt.Sprint("A", 4+i)) != a.Key {
				t.Errorf("agreement row %d: %q", i, cellValue(t, f, "汇总", fmt.Sprint("A", 4+i)))
			}
			wantMoneyCell(t, f, "汇总", fmt.Sprint("E", 4+i), a.Amount)
			wantMoneyCell(t, f, "汇总", fmt.Sprint("F", 4+i), a.Fee)
		}
		for r := tl.FirstCheckRow; r < tl.FirstCheckRow+3; r++ {
			wantCalc(t, f, "汇总", fmt.Sprint("E", r), ledger.Money{})
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("atoi %q", s)
	}
	return n
}
