package reports_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// voucherWorkbook fills the downloaded voucher template with rows from row 2,
// as an accountant would: strings typed into the text-formatted cells,
// numbers and dates as Excel numbers and dates.
func voucherWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	var tpl bytes.Buffer
	if err := reports.WriteImportTemplate(&tpl, ledger.ImportVoucherSheet); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := ledger.ImportVoucherSheet.Label()
	for i, row := range rows {
		for j, v := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
			switch x := v.(type) {
			case nil:
				continue
			case string:
				err = f.SetCellStr(sheet, ref, x)
			default:
				err = f.SetCellValue(sheet, ref, x)
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

// Columns: 日期, 原凭证号, 摘要, 科目编码, 户编号, 往来单位编号, 借方金额, 贷方金额, 附件张数, 原制单人, 原审核人.
var historicalRows = [][]any{
	{"2026-02-01", "1", "现金存银行", "102", nil, nil, 50, nil, nil, nil, "李审核"},
	{"2026-02-01", "记-0001", nil, "201", nil, nil, nil, "50.00"},
	{time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), "记-0001", "收到土地流转费", "102", nil, nil, 300, nil, 2, "张会计", "李审核"},
	{"2026-01-05", "0001", nil, "21101", "H001", nil, nil, 300, 2},
	{"2026-01-09", "2", "代付农户流转费", "21101", "H001", nil, 120.5, nil, nil, nil, "李审核"},
	{"2026-01-09", "2", "银行付款", "102", nil, nil, nil, "120.50", nil, nil, "李审核"},
}

func TestImportVoucherSheet(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-03")
		data := voucherWorkbook(t, historicalRows)
		req := reports.ImportRequest{Book: "V1", Kind: ledger.ImportVoucherSheet, FileName: "2026.xlsx", File: bytes.NewReader(data)}
		res, err := reports.Import(ctx, s, f.Preparer, req)
		if err != nil || res.Rows != 3 || res.AlreadyImported || res.Pending == nil || res.Pending.Status != ledger.ImportPending {
			t.Fatalf("import: %+v %v", res, err)
		}
		var progress []int
		if _, err := s.ApproveImport(ctx, f.Township, "V1", res.Pending.ID, func(done, total int) { progress = append(progress, done, total) }); err != nil {
			t.Fatal(err)
		}
		if len(progress) != 4 || progress[2] != 3 || progress[3] != 3 {
			t.Errorf("progress %v", progress)
		}
		vs, err := s.Vouchers(ctx, f.Auditor, "V1", ledger.VoucherFilter{})
		if err != nil || len(vs) != 3 {
			t.Fatalf("vouchers: %v %v", vs, err)
		}
		// Chained month by month, number by number, whatever the sheet's order.
		jan1, jan2, feb1 := vs[0], vs[1], vs[2]
		for _, c := range []struct {
			v                     ledger.Voucher
			date, number, summary string
			attachments           int
		}{{jan1, "2026-01-05", "记-0001", "收到土地流转费", 2}, {jan2, "2026-01-09", "记-0002", "代付农户流转费", 0}, {feb1, "2026-02-01", "记-0001", "现金存银行", 0}} {
			if c.v.Date != c.date || c.v.Number != c.number || c.v.Summary != c.summary || c.v.Attachments != c.attachments ||
				!c.v.Imported || c.v.Status != ledger.StatusPosted {
				t.Errorf("voucher %+v, want %s %s %s", c.v, c.date, c.number, c.summary)
			}
		}
		if l := jan1.Lines[1]; l.Household != "H001" || l.Credit.String() != "300.00" || l.Summary != "" {
			t.Errorf("line %+v", l)
		}
		if l := jan2.Lines[1]; l.Summary != "银行付款" || l.Credit.String() != "120.50" {
			t.Errorf("line summary %+v", l)
		}
		mustVerifyBook(t, s, "V1", 3)

		before := ledgertest.Digest(t, s)
		req.File = bytes.NewReader(data)
		again, err := reports.Import(ctx, s, f.Preparer, req)
		if err != nil || !again.AlreadyImported || again.Rows != 3 || ledgertest.Digest(t, s) != before {
			t.Fatalf("same file again: %+v %v", again, err)
		}
		// Numbering continues after the imported vouchers.
		if v := f.Post(t, ledger.VoucherInput{Date: "2026-01-20", Summary: "现金存银行", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("1.00")}, {Account: "201", Credit: ledgertest.Amount("1.00")}}}); v.Number != "记-0003" {
			t.Errorf("next number %s", v.Number)
		}
	})
}

func mustVerifyBook(t *testing.T, s *ledger.Store, book string, vouchers int) {
	t.Helper()
	r, err := s.Verify(context.Background(), ledger.System, book)
	if err != nil || !r.OK || r.Vouchers != vouchers {
		t.Fatalf("verify: %v %+v", err, r)
	}
}

// A refused voucher sheet names every bad cell (or a voucher's rows) and
// changes nothing.
func TestImportVoucherSheetRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-03")
		line := func(date, number string, summary any, account string, debit, credit, reviewer any) []any {
			return []any{date, number, summary, account, nil, nil, debit, credit, nil, nil, reviewer}
		}
		ok1 := [][]any{line("2026-01-05", "1", "现金存银行", "102", 50, nil, "李审核"), line("2026-01-05", "1", nil, "201", nil, 50, nil)}
		cases := []struct {
			name  string
			rows  [][]any
			limit int
			want  []string // cells, or messages for problems without one
		}{
			{"unbalanced", [][]any{line("2026-01-05", "1", "现金存银行", "102", 50, nil, "李审核"), line("2026-01-05", "1", nil, "201", nil, 40, nil)},
				0, []string{"借贷不平衡：借方合计 50.00，贷方合计 40.00（本凭证在第 2–3 行）"}},
			{"three decimals", [][]any{line("2026-01-05", "1", "现金存银行", "102", "12.345", nil, "李审核"), line("2026-01-05", "1", nil, "201", nil, 50, nil)},
				0, []string{"G2"}},
			{"no reviewer", [][]any{line("2026-01-05", "1", "现金存银行", "102", 50, nil, nil), line("2026-01-05", "1", nil, "201", nil, 50, nil)},
				0, []string{"K2"}},
			// A format problem in one voucher, and one the ledger finds in a dry run in another.
			{"bad amount and unknown account", [][]any{line("2026-01-05", "1", "现金存银行", "102", "12.345", nil, "李审核"), line("2026-01-05", "1", nil, "201", nil, 50, nil),
				line("2026-01-06", "2", "现金存银行", "999", 50, nil, "李审核"), line("2026-01-06", "2", nil, "201", nil, 50, nil)}, 0, []string{"G2", "D4"}},
			{"two reviewers", append(ok1[:1:1], line("2026-01-05", "1", nil, "201", nil, 50, "王审核")), 0, []string{"K3"}},
			{"bad number", [][]any{line("2026-01-05", "第一号", "现金存银行", "102", 50, nil, "李审核")}, 0, []string{"B2"}},
			{"gap", append(ok1, line("2026-01-06", "3", "现金存银行", "102", 50, nil, "李审核"), line("2026-01-06", "3", nil, "201", nil, 50, nil)),
				0, []string{"B4"}},
			// The first voucher is left out for its amount; the second's number is no gap then.
			{"bad first voucher", [][]any{line("2026-01-05", "1", "现金存银行", "102", "五十", nil, "李审核"), line("2026-01-05", "1", nil, "201", nil, 50, nil),
				line("2026-01-06", "2", "现金存银行", "102", 50, nil, "李审核"), line("2026-01-06", "2", nil, "201", nil, 50, nil)}, 0, []string{"G2"}},
			{"too many lines", ok1, 1, []string{"一次最多导入 1 行"}},
		}
		before := ledgertest.Digest(t, s)
		for _, c := range cases {
			req := reports.ImportRequest{Book: "V1", Kind: ledger.ImportVoucherSheet, FileName: c.name + ".xlsx",
				File: bytes.NewReader(voucherWorkbook(t, c.rows)), MaxVoucherLines: c.limit}
			_, err := reports.Import(ctx, s, f.Preparer, req)
			e, ok := err.(*ledger.Error)
			if !ok {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got []string
			for _, d := range e.Details {
				if d.Field == "file" || strings.HasPrefix(d.Field, "row ") {
					got = append(got, d.Message)
				} else {
					got = append(got, d.Field)
				}
			}
			match := len(got) == len(c.want)
			for k := 0; match && k < len(got); k++ {
				match = strings.Contains(got[k], c.want[k])
			}
			if !match {
				t.Errorf("%s: problems %q, want %q", c.name, got, c.want)
			}
			t.Log(c.name+":", e.Message)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused file changed the database")
		}
	})
}
