package httpapi

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestCooperativeStatementsOverHTTP reads a cooperative's 会农社01/02/03表
// through the API (responses checked against the OpenAPI document) and its
// statements workbook, which carries the 成员权益变动表 as a third sheet.
func TestCooperativeStatementsOverHTTP(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		coop := ledgertest.NewFixture(t, s, "K1", ledger.KindCooperative, 3)
		coop.Post(t, ledger.VoucherInput{Date: "2026-03-05", Summary: "成员入股", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("3000.00")},
			{Account: "301", Household: "H001", Credit: ledgertest.Amount("3000.00")}}})
		coop.Post(t, ledger.VoucherInput{Date: "2026-03-31", Summary: "银行手续费", Lines: []ledger.LineInput{
			{Account: "524", Debit: ledgertest.Amount("13.00")}, {Account: "102", Credit: ledgertest.Amount("13.00")}}})
		token := coop.Tokens["auditor"]

		var ec ledger.EquityChanges
		e.decode(e.expect(req{method: "GET", path: "/api/v1/books/K1/equity-changes?month=2026-12", token: token}, http.StatusOK), &ec)
		if len(ec.Lines) != 4 || ec.Lines[1].Name != "二、本年增加数" || ec.Lines[1].Values[0] != ledger.MustMoney("3000.00") ||
			ec.Lines[3].Values[4] != ledger.MustMoney("-13.00") || ec.Lines[3].Values[5] != ledger.MustMoney("2987.00") {
			t.Errorf("成员权益变动表: %+v", ec)
		}
		var is ledger.IncomeStatement
		e.decode(e.expect(req{method: "GET", path: "/api/v1/books/K1/income-statement?from=2026-01&to=2026-12", token: token}, http.StatusOK), &is)
		if len(is.Lines) != 20 || is.Lines[5].Row != 6 || is.Lines[5].First != ledger.MustMoney("13.00") || is.Columns[1] != "上年金额" {
			t.Errorf("盈余及盈余分配表: %d lines, row 6 %+v, columns %v", len(is.Lines), is.Lines[5], is.Columns)
		}
		res := e.expect(req{method: "GET", path: "/api/v1/books/K1/statements.xlsx?month=2026-12", token: token}, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if sheets := f.GetSheetList(); len(sheets) != 3 || sheets[2] != "成员权益变动表" {
			t.Fatalf("sheets %v", sheets)
		}
		if v, _ := f.GetCellValue("盈余及盈余分配表", "C3"); v != "本年金额" {
			t.Errorf("02表 header C3 = %q", v)
		}
		if v, _ := f.GetCellValue("成员权益变动表", "C5"); v != "3000.00" && v != "3,000.00" && v != "3000" {
			t.Errorf("03表 股金 本年增加数 = %q", v)
		}
		// A village has no 成员权益变动表: the refusal names the book.
		e.expect(req{method: "GET", path: "/api/v1/books/V1/equity-changes?month=2026-12", role: roleAuditor}, http.StatusBadRequest)
	})
}
