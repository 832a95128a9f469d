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

func TestTownshipWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		// A draft run in P2 for 2026Q4 must not appear in 2026Q3.
		if _, err := s.CreatePayoutRun(ctx, sc.G.Preparer, "P2", ledger.RunInput{Quarter: "2026Q4"}); err != nil {
			t.Fatal(err)
		}
		d, err := reports.LoadTownship(ctx, s, sc.F.Township, "T01", "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Villages) != 2 || d.TownshipName != "测试镇" {
			t.Fatalf("villages %+v", d)
		}
		var buf bytes.Buffer
		if err := reports.WriteTownship(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		lay := reports.TownshipLayoutOf(d)
		if got := strings.Join(f.GetSheetList(), ","); got != "汇总,"+strings.Join(lay.VillageSheets, ",") {
			t.Fatalf("sheets %s", got)
		}
		wantPackage(t, buf.Bytes(), "各村收益分配汇总表")
		wantSheetSetup(t, f, "汇总", 3, "")
		var total ledger.Money
		for i, code := range []string{"P1", "P2"} {
			book, _ := s.Book(ctx, sc.F.Township, code)
			runID := map[string]int64{"P1": sc.RunP1, "P2": sc.RunP2}[code]
			run, err := s.PayoutRun(ctx, sc.F.Township, code, runID)
			if err != nil {
				t.Fatal(err)
			}
			total = total.Add(run.Total)
			sheet := lay.VillageSheets[i]
			wantSheetSetup(t, f, sheet, 3, head16(book))
			r := fmt.Sprint(4 + i)
			for _, c := range []string{"F", "G", "H", "I", "J", "K", "L"} {
				want := fmt.Sprintf("'%s'!%s%d", sheet, c, lay.VillageTotalRow[i])
				if got := cellFormula(t, f, "汇总", c+r); got != want {
					t.Errorf("汇总!%s%s = %q, want %q", c, r, got, want)
				}
			}
			if got := cellFormula(t, f, "汇总", "E"+r); got != fmt.Sprintf("'%s'!B%d", sheet, lay.VillageTotalRow[i]) {
				t.Errorf("households formula %q", got)
			}
			wantCalc(t, f, "汇总", "E"+r, ledger.Fen(int64(len(run.Households))*100))
			wantCalc(t, f, "汇总", "J"+r, run.Total)
			wantCalc(t, f, "汇总", "K"+r, run.Paid)
			wantCalc(t, f, "汇总", "L"+r, run.Outstanding)
			wantMoneyCell(t, f, "汇总", "M"+r, run.Total)
			wantCalc(t, f, "汇总", "N"+r, ledger.Money{})
			if got := cellValue(t, f, "汇总", "O"+r); got != head16(book) {
				t.Errorf("chain head %q", got)
			}
			wantCalc(t, f, sheet, fmt.Sprint("J", lay.VillageTotalRow[i]), run.Total)
		}
		tr := fmt.Sprint(lay.SummaryTotalRow)
		wantCalc(t, f, "汇总", "J"+tr, total)
		wantCalc(t, f, "汇总", "N"+tr, ledger.Money{})
	})
}

// TestTownshipCheckColumn shows the check column is not 0 when a village
// sheet disagrees with the ledger figure.
func TestTownshipCheckColumn(t *testing.T) {
	v := reports.VillageFromRosters(reports.BookInfo{Code: "V1", Name: "一村"}, []reports.RosterData{{
		Run: reports.RunInfo{ID: 1, Quarter: "2026Q3"},
		Households: []reports.RosterHousehold{{Code: "H1", HeadName: "甲", Members: 2, Rent: ledger.MustMoney("10.00"),
			Total: ledger.MustMoney("10.00"), Outstanding: ledger.MustMoney("10.00")}},
		Total: ledger.MustMoney("10.00"), Outstanding: ledger.MustMoney("10.00"),
	}})
	d := reports.TownshipData{TownshipCode: "T9", TownshipName: "九镇", Quarter: "2026Q3", Villages: []reports.VillagePayouts{v}}
	var buf bytes.Buffer
	if err := reports.WriteTownship(&buf, d, testOptions()); err != nil {
		t.Fatal(err)
	}
	f := openWorkbook(t, buf.Bytes())
	wantCalc(t, f, "汇总", "N4", ledger.Money{})
	// Someone unprotects the village sheet and changes an amount.
	sheet := reports.TownshipLayoutOf(d).VillageSheets[0]
	if err := f.SetCellValue(sheet, "F4", 10.5); err != nil {
		t.Fatal(err)
	}
	wantCalc(t, f, "汇总", "N4", ledger.MustMoney("0.50"))
	// Inconsistent data is refused before anything is written.
	d.Villages[0].Total = ledger.MustMoney("11.00")
	if err := reports.WriteTownship(&bytes.Buffer{}, d, testOptions()); err == nil {
		t.Fatal("inconsistent village accepted")
	}
}
