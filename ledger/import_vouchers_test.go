package ledger_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// historical is a balanced 4-line voucher of an earlier system.
func historical(number int, date, household string) ledger.ImportVoucher {
	return ledger.ImportVoucher{Number: number, Date: date, Summary: "收到公司土地流转费并代付农户", Attachments: 2,
		PreparedBy: "张会计", ReviewedBy: "李审核",
		Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("300.00")},
			{Account: "21101", Household: household, Credit: ledgertest.Amount("300.00")},
			{Account: "21101", Household: household, Debit: ledgertest.Amount("120.50")},
			{Account: "102", Credit: ledgertest.Amount("120.50")},
		}}
}

func mustVerify(t *testing.T, s *ledger.Store, book string) ledger.VerifyReport {
	t.Helper()
	r, err := s.Verify(context.Background(), ledger.System, book)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("verify: %v", r.Problems)
	}
	return r
}

func TestImportVouchers(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-03")
		posted := f.Post(t, ledger.VoucherInput{Date: "2026-02-03", Summary: "取得短期借款", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("10.00")}, {Account: "201", Credit: ledgertest.Amount("10.00")}}})
		if posted.Number != "记-0001" {
			t.Fatalf("posted %s", posted.Number)
		}
		batch := ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{
			historical(1, "2026-01-05", "H001"), historical(3, "2026-01-20", "H002"), historical(2, "2026-01-09", "H003"),
			historical(2, "2026-02-11", "H001"),
		}}
		res, err := f.ImportHistory(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 4 || res.Lines != 16 || res.ChainSeq != 5 {
			t.Fatalf("result %+v", res)
		}
		v, err := s.Voucher(ctx, f.Auditor, "V1", res.Vouchers[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Imported || v.Status != ledger.StatusPosted || v.Number != "记-0003" || v.Date != "2026-01-20" ||
			v.ReviewerID != f.Township.UserID || v.PreparerID != f.Preparer.UserID || v.PostedVia != ledger.ViaBatchImport ||
			v.OrigPrepBy != "张会计" || v.OrigRevBy != "李审核" {
			t.Fatalf("imported voucher %+v", v)
		}
		// Numbering continues after the imported numbers.
		next := f.Post(t, ledger.VoucherInput{Date: "2026-01-28", Summary: "取得短期借款", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("1.00")}, {Account: "201", Credit: ledgertest.Amount("1.00")}}})
		if next.Number != "记-0004" {
			t.Fatalf("next number %s, want 记-0004", next.Number)
		}
		r := mustVerify(t, s, "V1")
		if r.Vouchers != 6 {
			t.Fatalf("verified %d vouchers", r.Vouchers)
		}
		tb, err := s.TrialBalance(ctx, f.Auditor, "V1", "2026-01", "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		if !tb.Balanced || tb.Totals.PeriodDebit.String() != "1693.00" {
			t.Fatalf("trial balance %v %s", tb.Balanced, tb.Totals.PeriodDebit)
		}
		st, err := s.HouseholdStatement(ctx, f.Auditor, "V1", "H001", "2026-01", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Accounts) != 1 || st.Accounts[0].Closing.String() != "359.00" {
			t.Fatalf("statement %+v", st.Accounts)
		}
	})
}

// TestImportRefusals: a bad voucher anywhere refuses the batch, naming its
// index and reason, and nothing is written.
func TestImportRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-05")
		f.Post(t, ledger.VoucherInput{Date: "2026-03-03", Summary: "取得短期借款", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("10.00")}, {Account: "201", Credit: ledgertest.Amount("10.00")}}})
		good := func(n int) ledger.ImportVoucher { return historical(n, "2026-04-02", "H001") }
		unbalanced := good(2)
		unbalanced.Lines[0].Debit = ledgertest.Amount("301.00")
		noReviewer := good(2)
		noReviewer.ReviewedBy = ""
		noHousehold := good(2)
		noHousehold.Lines[1].Household = "H999"
		early := historical(1, "2025-12-30", "H001")
		if _, err := s.ClosePeriod(ctx, f.Township, "V1", "2026-01"); err != nil {
			t.Fatal(err)
		}
		closed := historical(1, "2026-01-30", "H001")
		for _, c := range []struct {
			name  string
			batch []ledger.ImportVoucher
			field string
			text  string
		}{
			{"unbalanced", []ledger.ImportVoucher{good(1), unbalanced}, "vouchers[1].lines", "借贷不平衡"},
			{"no reviewer", []ledger.ImportVoucher{good(1), noReviewer}, "vouchers[1].reviewed_by", "已审核"},
			{"unknown household", []ledger.ImportVoucher{good(1), noHousehold}, "vouchers[1].lines[1].household", "H999"},
			{"collision with a posted number", []ledger.ImportVoucher{historical(1, "2026-03-09", "H001")}, "vouchers[0].number", "冲突"},
			{"duplicate in the batch", []ledger.ImportVoucher{good(1), good(2), good(2)}, "vouchers[2].number", "重复"},
			{"gap", []ledger.ImportVoucher{good(1), good(3)}, "vouchers[1].number", "不连续"},
			{"before the book starts", []ledger.ImportVoucher{early}, "vouchers[0].date", "启用期间"},
			{"closed month", []ledger.ImportVoucher{closed}, "vouchers[0].date", "已结账"},
			{"go-live month", []ledger.ImportVoucher{historical(1, "2026-05-02", "H001")}, "vouchers[0].date", "上线月份 2026-05"},
			{"empty", nil, "vouchers", "1 到 1000"},
			{"bad number", []ledger.ImportVoucher{good(0)}, "vouchers[0].number", "凭证号"},
		} {
			before := ledgertest.Digest(t, s)
			_, err := s.ImportVouchers(ctx, f.Preparer, "V1", ledger.ImportBatch{Vouchers: c.batch})
			var e *ledger.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s: err %v", c.name, err)
			}
			if len(e.Details) == 0 || e.Details[0].Field != c.field || !strings.Contains(e.Message, c.text) {
				t.Errorf("%s: %s %+v", c.name, e.Message, e.Details)
			}
			if ledgertest.Digest(t, s) != before {
				t.Errorf("%s: refused batch changed the database", c.name)
			}
		}
		// Roles: an auditor or a township officer cannot import.
		for _, a := range []ledger.Actor{f.Auditor, f.Township} {
			if _, err := s.ImportVouchers(ctx, a, "V1", ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{good(1)}}); ledger.ErrorCode(err) != ledger.ECodeForbidden {
				t.Errorf("%s imports: %v", a.Role, err)
			}
		}
		big := make([]ledger.ImportVoucher, ledger.MaxImportVouchers+1)
		for i := range big {
			big[i] = good(i + 1)
		}
		if _, err := s.ImportVouchers(ctx, f.Preparer, "V1", ledger.ImportBatch{Vouchers: big}); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("1,001 vouchers: %v", err)
		}
		if _, err := f.ImportHistory(ctx, ledger.ImportBatch{Vouchers: big[:ledger.MaxImportVouchers]}); err != nil {
			t.Fatalf("1,000 vouchers: %v", err)
		}
		mustVerify(t, s, "V1")
	})
}

func TestOpeningBalances(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		unbalanced := ledger.OpeningInput{Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("50000.00")},
			{Account: "301", Credit: ledgertest.Amount("49000.00")},
		}}
		before := ledgertest.Digest(t, s)
		if _, err := s.SetOpeningBalances(ctx, f.Preparer, "V1", unbalanced); ledger.ErrorCode(err) != ledger.ECodeUnbalanced {
			t.Fatalf("unbalanced opening: %v", err)
		}
		badAux := ledger.OpeningInput{Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("50000.00")},
			{Account: "21101", Credit: ledgertest.Amount("50000.00")},
		}}
		if _, err := s.SetOpeningBalances(ctx, f.Preparer, "V1", badAux); err == nil || !strings.Contains(err.Error(), "lines[1].household") {
			t.Fatalf("opening without household: %v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("refused opening balances changed the database")
		}
		in := ledger.OpeningInput{Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("50000.00")},
			{Account: "101", Debit: ledgertest.Amount("800.00")},
			{Account: "21101", Household: "H001", Credit: ledgertest.Amount("1200.00")},
			{Account: "21101", Household: "H002", Credit: ledgertest.Amount("600.00")},
			{Account: "301", Credit: ledgertest.Amount("49000.00")},
		}}
		v, err := s.SetOpeningBalances(ctx, f.Preparer, "V1", in)
		if err != nil {
			t.Fatal(err)
		}
		if v.Period != "2025-12" || v.Date != "2025-12-31" || v.Number != "记-0001" || !v.Imported {
			t.Fatalf("opening voucher %+v", v)
		}
		part2, err := s.SetOpeningBalances(ctx, f.Preparer, "V1", ledger.OpeningInput{Lines: []ledger.LineInput{
			{Account: "101", Debit: ledgertest.Amount("200.00")},
			{Account: "301", Credit: ledgertest.Amount("200.00")},
		}})
		if err != nil || part2.Number != "记-0002" || part2.Period != "2025-12" {
			t.Fatalf("second part: %+v %v", part2, err)
		}
		got, err := s.OpeningBalances(ctx, f.Auditor, "V1")
		if err != nil || len(got) != 2 || got[0].ID != v.ID {
			t.Fatalf("opening balances: %v %v", len(got), err)
		}
		f.Post(t, ledger.VoucherInput{Date: "2026-01-15", Summary: "支付农户土地流转费", Lines: []ledger.LineInput{
			{Account: "21101", Household: "H001", Debit: ledgertest.Amount("1200.00")}, {Account: "102", Credit: ledgertest.Amount("1200.00")}}})
		tb, err := s.TrialBalance(ctx, f.Auditor, "V1", "2026-01", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		row := func(code string) ledger.TrialBalanceRow {
			for _, r := range tb.Rows {
				if r.Code == code {
					return r
				}
			}
			t.Fatalf("no row %s", code)
			return ledger.TrialBalanceRow{}
		}
		if !tb.Balanced || row("102").OpeningDebit.String() != "50000.00" || row("101").ClosingDebit.String() != "1000.00" ||
			row("21101").OpeningCredit.String() != "1800.00" || tb.Totals.PeriodDebit.String() != "1200.00" {
			t.Fatalf("trial balance %+v %+v", row("102"), tb.Totals)
		}
		st, err := s.HouseholdStatement(ctx, f.Auditor, "V1", "H001", "2026-01", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Accounts) != 1 || st.Accounts[0].Opening.String() != "1200.00" || st.Accounts[0].Closing.String() != "0.00" {
			t.Fatalf("statement %+v", st.Accounts)
		}
		mustVerify(t, s, "V1")
		if _, err := s.ClosePeriod(ctx, f.Township, "V1", "2026-01"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetOpeningBalances(ctx, f.Preparer, "V1", in); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("opening after a close: %v", err)
		}
	})
}
