package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// exportTime is the fixed export time of every test workbook.
var exportTime = time.Date(2026, 10, 8, 1, 30, 0, 0, time.UTC) // 09:30 in China

func testOptions() reports.Options {
	return reports.Options{ExportedAt: exportTime, Creator: "测试"}
}

// scenario is a village book with one agreement of each kind, an approved
// run for 2026Q3 and some payments; a second village in the same township
// with its own approved run.
type scenario struct {
	Store *ledger.Store
	F     ledgertest.Fixture // book P1
	G     ledgertest.Fixture // book P2
	RunP1 int64
	RunP2 int64
}

func newScenario(t *testing.T, s *ledger.Store) scenario {
	t.Helper()
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "P1", ledger.KindVillage, 6)
	agreements := []ledger.AgreementInput{
		{Code: "ZJ", Title: "土地流转协议", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{
			Schedule: "quarterly", ServiceFeeRate: dec("0.05"), Participants: []ledger.Participant{
				{Household: "H001", Parcels: []ledger.Parcel{{Name: "东坡", AreaMu: *dec("3.5"), Rate: *dec("800")}}},
				{Household: "H002", Parcels: []ledger.Parcel{{AreaMu: *dec("12.3456"), Rate: *dec("812.5")}}},
				{Household: "H003", Start: "2026-08-17", Parcels: []ledger.Parcel{{AreaMu: *dec("2"), Rate: *dec("650.5")}}},
				{Household: "H005", Parcels: []ledger.Parcel{{AreaMu: *dec("40"), Rate: *dec("1000")}}},
			}}},
		{Code: "GJ", Title: "光伏分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{
			Basis: "pool", Participants: []ledger.Participant{
				{Household: "H001", Shares: dec("1")}, {Household: "H002", Shares: dec("1")}, {Household: "H003", Shares: dec("1")},
				{Household: "H006", Shares: dec("2")},
			}}},
		{Code: "BG", Title: "包干协议", Kind: ledger.FixedSum, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{
			Schedule: "quarterly", YearlyAmount: ledgertest.Amount("10000.01"), SplitBy: "members", Participants: []ledger.Participant{
				{Household: "H001"}, {Household: "H004"},
			}}},
		{Code: "WG", Title: "基地务工", Kind: ledger.Wage, Party: "C01", Start: "2026-01-01"},
	}
	for _, in := range agreements {
		if _, err := s.CreateAgreement(ctx, f.Preparer, "P1", in); err != nil {
			t.Fatalf("agreement %s: %v", in.Code, err)
		}
	}
	if _, err := s.Declare(ctx, f.Preparer, "P1", "GJ", ledger.DeclarationInput{Quarter: "2026Q3", Amount: ledger.MustMoney("1000.00")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddWorkRecords(ctx, f.Preparer, "P1", "WG", []ledger.WorkRecord{
		{Household: "H004", Date: "2026-07-03", Quantity: *dec("12.5"), Unit: "天", UnitRate: *dec("120")},
		{Household: "H004", Date: "2026-07-04", Quantity: *dec("3"), Unit: "件", UnitRate: *dec("0.335")},
	}); err != nil {
		t.Fatal(err)
	}
	f.Post(t, ledger.VoucherInput{Date: "2026-07-15", Summary: "收到龙头企业土地流转费", Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount("20000.00")},
		{Account: "112", Party: "C01", Credit: ledgertest.Amount("20000.00")},
	}})
	run := createApprovedRun(t, s, f, "P1")
	if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run, []ledger.PaymentInput{
		{Household: "H001", Amount: ledger.MustMoney("1000.00"), Date: "2026-10-08", Method: "bank", Reference: "B1"},
		{Household: "H004", Amount: ledger.MustMoney("3286.72"), Date: "2026-10-08", Method: "bank", Reference: "B2"},
	}); err != nil {
		t.Fatalf("payments: %v", err)
	}
	g := secondVillage(t, s)
	return scenario{Store: s, F: f, G: g, RunP1: run, RunP2: createApprovedRun(t, s, g, "P2")}
}

func secondVillage(t *testing.T, s *ledger.Store) ledgertest.Fixture {
	t.Helper()
	g := ledgertest.NewFixture(t, s, "P2", ledger.KindVillage, 3)
	_, err := s.CreateAgreement(context.Background(), g.Preparer, "P2", ledger.AgreementInput{Code: "BG2", Title: "四方协议包干",
		Kind: ledger.FixedSum, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly",
			YearlyAmount: ledgertest.Amount("3000.00"), SplitBy: "equal", Participants: []ledger.Participant{
				{Household: "H001"}, {Household: "H002"}, {Household: "H003"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func createApprovedRun(t *testing.T, s *ledger.Store, f ledgertest.Fixture, book string) int64 {
	t.Helper()
	ctx := context.Background()
	run, err := s.CreatePayoutRun(ctx, f.Preparer, book, ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, book, run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatalf("approve: %v", err)
	}
	return run.ID
}

// openWorkbook reads a written workbook back.
func openWorkbook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("read workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cellValue(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

func cellFormula(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellFormula(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// wantMoneyCell checks a cell holds the amount as a number formatted #,##0.00.
func wantMoneyCell(t *testing.T, f *excelize.File, sheet, ref string, want ledger.Money) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s has type %v, want a number", sheet, ref, typ)
	}
	got, err := decimal.NewFromString(cellValue(t, f, sheet, ref))
	if err != nil || !got.Equal(want.Decimal()) {
		t.Errorf("%s!%s = %q, want %s", sheet, ref, cellValue(t, f, sheet, ref), want)
	}
	wantMoneyFormat(t, f, sheet, ref)
}

func wantMoneyFormat(t *testing.T, f *excelize.File, sheet, ref string) {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if !(st.CustomNumFmt != nil && *st.CustomNumFmt == reports.FormatMoney) && st.NumFmt != 4 {
		t.Errorf("%s!%s number format %v/%d, want %s", sheet, ref, st.CustomNumFmt, st.NumFmt, reports.FormatMoney)
	}
}

// wantCalc evaluates a formula cell with excelize and compares it with an amount.
func wantCalc(t *testing.T, f *excelize.File, sheet, ref string, want ledger.Money) {
	t.Helper()
	v, err := f.CalcCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("calc %s!%s: %v", sheet, ref, err)
	}
	got, err := decimal.NewFromString(v)
	if err != nil || !got.Round(2).Equal(want.Decimal()) {
		t.Errorf("calc %s!%s = %q, want %s", sheet, ref, v, want)
	}
}

// wantSheetSetup checks the frozen header, print titles, A4 fit to width,
// footer and protection of a sheet.
func wantSheetSetup(t *testing.T, f *excelize.File, sheet string, header int, chainHead string) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != header || panes.TopLeftCell != "A"+strconv.Itoa(header+1) {
		t.Errorf("%s panes %+v %v", sheet, panes, err)
	}
	titles := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			titles = strings.HasSuffix(dn.RefersTo, "!$"+strconv.Itoa(header)+":$"+strconv.Itoa(header))
		}
	}
	if !titles {
		t.Errorf("%s: no print titles for row %d: %+v", sheet, header, f.GetDefinedName())
	}
	pl, err := f.GetPageLayout(sheet)
	if err != nil || pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		t.Errorf("%s page layout %+v %v", sheet, pl, err)
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("%s: fit to page not set", sheet)
	}
	hf, err := f.GetHeaderFooter(sheet)
	if err != nil || hf == nil || !strings.Contains(hf.OddFooter, "&P") || !strings.Contains(hf.OddFooter, "&N") ||
		!strings.Contains(hf.OddFooter, "2026-10-08 09:30") || !strings.Contains(hf.OddFooter, chainHead) {
		t.Errorf("%s footer %+v (want chain head %s)", sheet, hf, chainHead)
	}
	// Locked (report content cannot be edited), no password, columns may be widened.
	prot, err := f.GetSheetProtection(sheet)
	if err != nil || prot.Password != "" || prot.FormatCells || prot.DeleteRows || !prot.FormatColumns || !prot.SelectLockedCells {
		t.Errorf("%s protection %+v %v", sheet, prot, err)
	}
}

// wantPackage checks the parts of the file itself: no workbook protection or
// encryption, document properties present, calculation on load.
func wantPackage(t *testing.T, b []byte, title string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, zf := range zr.File {
		if zf.Name == "xl/workbook.xml" || zf.Name == "docProps/core.xml" {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			parts[zf.Name] = string(data)
		}
	}
	if wbx := parts["xl/workbook.xml"]; strings.Contains(wbx, "workbookProtection") || !strings.Contains(wbx, `fullCalcOnLoad="true"`) {
		t.Errorf("workbook.xml: protection or missing fullCalcOnLoad: %s", wbx)
	}
	if core := parts["docProps/core.xml"]; !strings.Contains(core, title) || !strings.Contains(core, "zh-CN") {
		t.Errorf("core properties: %s", core)
	}
}

func head16(b ledger.Book) string { return b.ChainHead[:16] }
