package reports_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// sheetFile builds an upload: rows of cells; a string starting with "=" is a
// formula, a *textNumber is a number typed into a text cell.
func sheetFile(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		for j, v := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			var err error
			switch x := v.(type) {
			case nil:
				continue
			case string:
				if strings.HasPrefix(x, "=") {
					err = f.SetCellFormula("Sheet1", ref, x[1:])
				} else {
					err = f.SetCellStr("Sheet1", ref, x)
				}
			default:
				err = f.SetCellValue("Sheet1", ref, x)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importFixture is a village with households H001..H003, a land-rent, a
// share and a wage agreement, and an approved 2026Q3 run.
func importFixture(t *testing.T, s *ledger.Store) (ledgertest.Fixture, int64) {
	t.Helper()
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "IM", ledger.KindVillage, 3)
	f.Fund(t) // payments need money in the bank
	d := func(v string) decimal.Decimal { return decimal.RequireFromString(v) }
	sh := d("1")
	for _, in := range []ledger.AgreementInput{
		{Code: "ZJ", Title: "土地流转", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly",
			Participants: []ledger.Participant{{Household: "H001", Parcels: []ledger.Parcel{{AreaMu: d("2"), Rate: d("800")}}}}}},
		{Code: "GJ", Title: "分红", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{Basis: "pool",
			Participants: []ledger.Participant{{Household: "H001", Shares: &sh}, {Household: "H002", Shares: &sh}}}},
		{Code: "WG", Title: "务工", Kind: ledger.Wage, Party: "C01", Start: "2026-01-01"},
	} {
		if _, err := s.CreateAgreement(ctx, f.Preparer, "IM", in); err != nil {
			t.Fatal(err)
		}
	}
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "IM", ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "IM", run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	return f, run.ID
}

func TestImportsApplyAllOnce(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, runID := importFixture(t, s)
		cases := []struct {
			req  reports.ImportRequest
			rows [][]any
			want int
		}{
			{reports.ImportRequest{Kind: ledger.ImportHouseholds}, [][]any{
				{"户编号*", "户主姓名*", "身份证号*", "银行账号", "家庭人口*", "村民小组", "户类型*"},
				{"H101", "赵大山", ledgertest.IDNumber(101), "6217991015365358798", 4, "第一村民小组", "一般户"},
				{"H102", "钱小河", ledgertest.IDNumber(102), nil, "5", nil, "脱贫户"},
			}, 2},
			{reports.ImportRequest{Kind: ledger.ImportParcels, Agreement: "ZJ", EffectiveFrom: "2026-10-01"}, [][]any{
				{"户编号", "地块名称", "面积（亩）", "租金单价（元/亩/年）"},
				{"H001", "东坡", 2, 800}, {"H001", "西坡", 0.0001, 800}, {"H003", "河滩", 1.2345, 650.5},
			}, 3},
			{reports.ImportRequest{Kind: ledger.ImportShares, Agreement: "GJ", EffectiveFrom: "2026-10-01"}, [][]any{
				{"股数", "户编号"}, {1.5, "H001"}, {0.1, "H003"},
			}, 2},
			{reports.ImportRequest{Kind: ledger.ImportWorkRecords, Agreement: "WG"}, [][]any{
				{"户编号", "日期", "数量", "单位", "单价（元）", "备注"},
				{"H002", "2026-07-03", 12.5, "天", 120, "除草"}, {"H003", 46212, 3, "件", 0.335, nil},
			}, 2},
			{reports.ImportRequest{Kind: ledger.ImportPayments, Run: runID}, [][]any{
				{"户编号", "金额", "日期", "银行流水号", "结果"},
				{"H001", 100.1, "2026-10-08", "NX-0001", "成功"}, {"H001", 50, "2026-10-08", "NX-0002", "失败"},
			}, 1},
		}
		for _, c := range cases {
			data := sheetFile(t, c.rows)
			c.req.Book, c.req.FileName, c.req.File = "IM", string(c.req.Kind)+".xlsx", bytes.NewReader(data)
			res, err := reports.Import(ctx, s, f.Preparer, c.req)
			if err != nil || res.Rows != c.want || res.AlreadyImported {
				t.Fatalf("%s: %+v %v", c.req.Kind, res, err)
			}
			before := ledgertest.Digest(t, s)
			c.req.File = bytes.NewReader(data)
			again, err := reports.Import(ctx, s, f.Preparer, c.req)
			if err != nil || !again.AlreadyImported || again.Rows != c.want || ledgertest.Digest(t, s) != before {
				t.Fatalf("%s uploaded again: %+v %v", c.req.Kind, again, err)
			}
		}
		h, err := s.Household(ctx, f.Auditor, "IM", "H102")
		if err != nil || h.Members != 5 || h.Status != "脱贫户" {
			t.Fatalf("imported household: %+v %v", h, err)
		}
		wr, err := s.WorkRecords(ctx, f.Auditor, "IM", "WG", "")
		if err != nil || len(wr) != 2 || wr[1].Date != "2026-07-09" || wr[1].UnitRate.String() != "0.335" {
			t.Fatalf("work records: %+v %v", wr, err)
		}
		run, err := s.PayoutRun(ctx, f.Auditor, "IM", runID)
		if err != nil || run.Paid.String() != "100.10" {
			t.Fatalf("paid %s %v", run.Paid, err)
		}
		ag, err := s.Agreement(ctx, f.Auditor, "IM", "ZJ")
		if err != nil || ag.Versions[1].Terms.Participants[0].Parcels[1].AreaMu.String() != "0.0001" {
			t.Fatalf("parcels: %+v %v", ag, err)
		}
	})
}

func TestImportRefusesBadFilesWhole(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, runID := importFixture(t, s)
		good := ledgertest.IDNumber(201)
		badCheck := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11])
		households := [][]any{
			{"户编号", "户主姓名", "身份证号", "银行账号", "家庭人口", "村民小组", "户类型"},
			{"H201", "孙一", badCheck, nil, 3, nil, "一般户"},                      // row 2: check digit
			{"H202", "孙二", ledgertest.IDNumber(202), nil, 3, nil, "一般户"},      // row 3: fine
			{"H202", "孙三", ledgertest.IDNumber(203), nil, 3, nil, "一般户"},      // row 4: duplicate code
			{"H204", nil, ledgertest.IDNumber(204), nil, 3, nil, "一般户"},       // row 5: empty name
			{"H205", "孙五", ledgertest.IDNumber(205), nil, "=1+2", nil, "一般户"}, // row 6: formula
			{"H206", "孙六", 360730197909028575, nil, 3, nil, "一般户"},            // row 7: ID as a number
			{"H207", "孙七", ledgertest.IDNumber(207), nil, "三口", nil, "一般户"},   // row 8: text for a number
		}
		parcels := [][]any{
			{"户编号", "地块名称", "面积（亩）", "租金单价（元/亩/年）"},
			{"H001", "东坡", 1.00001, 800}, // row 2: five decimals
			{"H009", "西坡", 1, 800},       // row 3: unknown household
			{"H002", "南坡", 1, -5},        // row 4: negative rate
		}
		payments := [][]any{
			{"户编号", "金额", "日期", "银行流水号"},
			{"H001", "一百元", "2026-10-08", "NX-1"},  // row 2: text amount
			{"H001", 12.345, "2026-10-08", "NX-2"}, // row 3: three decimals
			{"H001", 10, "2026-02-30", "NX-3"},     // row 4: impossible date
		}
		big := make([]byte, 20<<20)
		if _, err := rand.Read(big); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			req   reports.ImportRequest
			data  []byte
			cells []string // every cell that must be named
		}{
			{"households", reports.ImportRequest{Kind: ledger.ImportHouseholds}, sheetFile(t, households), []string{"C2", "B5", "E6", "C7", "E8"}},
			{"households against the roster", reports.ImportRequest{Kind: ledger.ImportHouseholds}, sheetFile(t, [][]any{
				households[0], {"H001", "重名", ledgertest.IDNumber(301), nil, 2, nil, "一般户"}}), []string{"A2"}},
			{"duplicate code in the file", reports.ImportRequest{Kind: ledger.ImportHouseholds}, sheetFile(t, [][]any{
				households[0], households[2], households[3]}), []string{"A3"}},
			{"parcels", reports.ImportRequest{Kind: ledger.ImportParcels, Agreement: "ZJ", EffectiveFrom: "2026-10-01"}, sheetFile(t, parcels), []string{"C2"}},
			{"parcels against the book", reports.ImportRequest{Kind: ledger.ImportParcels, Agreement: "ZJ", EffectiveFrom: "2026-10-01"},
				sheetFile(t, [][]any{parcels[0], parcels[2], parcels[3]}), []string{"A2", "D3"}},
			{"payments", reports.ImportRequest{Kind: ledger.ImportPayments, Run: runID}, sheetFile(t, payments), []string{"B2", "B3", "C4"}},
			{"missing column", reports.ImportRequest{Kind: ledger.ImportShares, Agreement: "GJ", EffectiveFrom: "2026-10-01"}, sheetFile(t, [][]any{{"户编号"}, {"H001"}}), nil},
			{"not xlsx", reports.ImportRequest{Kind: ledger.ImportHouseholds}, []byte("户编号,户主姓名\nH1,张三\n"), nil},
			{"20 MB", reports.ImportRequest{Kind: ledger.ImportHouseholds}, big, nil},
			{"empty sheet", reports.ImportRequest{Kind: ledger.ImportHouseholds}, sheetFile(t, [][]any{households[0]}), nil},
		}
		for _, c := range cases {
			before := ledgertest.Digest(t, s)
			c.req.Book, c.req.FileName, c.req.File = "IM", "bad.xlsx", bytes.NewReader(c.data)
			_, err := reports.Import(ctx, s, f.Preparer, c.req)
			e, ok := err.(*ledger.Error)
			if !ok || ledgertest.Digest(t, s) != before {
				t.Fatalf("%s: %v (database changed: %v)", c.name, err, ledgertest.Digest(t, s) != before)
			}
			named := map[string]bool{}
			for _, d := range e.Details {
				named[d.Field] = true
				if !strings.Contains(d.Message, "第") && !strings.Contains(d.Message, "文件") && !strings.Contains(d.Message, "表头") {
					t.Errorf("%s: message does not say where: %q", c.name, d.Message)
				}
			}
			for _, cell := range c.cells {
				if !named[cell] {
					t.Errorf("%s: cell %s not named in %+v", c.name, cell, e.Details)
				}
			}
			if len(e.Details) < len(c.cells) || len(e.Details) == 0 {
				t.Errorf("%s: %d problems, want %d: %+v", c.name, len(e.Details), len(c.cells), e.Details)
			}
			t.Log(c.name+":", e.Message)
		}
	})
}

func TestImportTemplatesReadBack(t *testing.T) {
	for _, kind := range ledger.ImportKinds {
		var buf bytes.Buffer
		if err := reports.WriteImportTemplate(&buf, kind); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(kind.Label())
		if err != nil || len(rows) != 1 || len(rows[0]) < 2 || !strings.HasSuffix(rows[0][0], "*") { // the first column is required
			t.Fatalf("%s: template rows %v %v", kind, rows, err)
		}
		if help, _ := f.GetRows("填写说明"); len(help) < 6 {
			t.Fatalf("%s: help sheet %v", kind, help)
		}
		// An empty template read back is refused as having no rows, not as malformed.
		var again bytes.Buffer
		if err := f.Write(&again); err != nil {
			t.Fatal(err)
		}
		_, err = reports.ReadImport(kind, &again)
		if ie, ok := err.(*reports.ImportError); !ok || !strings.Contains(ie.Error(), "没有数据行") {
			t.Fatalf("%s: empty template: %v", kind, err)
		}
		f.Close()
	}
}
