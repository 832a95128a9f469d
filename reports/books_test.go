package reports_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// TestAccountBooks ties the 总账, 明细账 and 日记账 to the trial balance and
// reads their printed PDFs.
func TestAccountBooks(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		f := sc.F
		f.Fund(t) // 100,000.00 of opening cash: cash may not go negative on any day
		// A payment, then two cash receipts on one day: daily totals.
		f.Post(t, ledger.VoucherInput{Date: "2026-10-09", Summary: "收到村民缴纳卫生费", Lines: []ledger.LineInput{
			{Account: "101", Debit: ledgertest.Amount("300.00")}, {Account: "504", Credit: ledgertest.Amount("300.00")}}})
		f.Post(t, ledger.VoucherInput{Date: "2026-10-09", Summary: "收到场地租金", Lines: []ledger.LineInput{
			{Account: "101", Debit: ledgertest.Amount("200.50")}, {Account: "504", Credit: ledgertest.Amount("200.50")}}})
		f.Post(t, ledger.VoucherInput{Date: "2026-10-08", Summary: "现金支付办公用品", Lines: []ledger.LineInput{
			{Account: "502", Debit: ledgertest.Amount("120.00")}, {Account: "101", Credit: ledgertest.Amount("120.00")}}})
		a := f.Auditor
		tb, err := s.TrialBalance(ctx, a, "P1", "2026-01", "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		row := func(code string) ledger.TrialBalanceRow {
			for _, r := range tb.Rows {
				if r.Code == code {
					return r
				}
			}
			t.Fatalf("no trial balance row %s", code)
			return ledger.TrialBalanceRow{}
		}
		// 科目余额表 本年累计 over July–October = the January–October movement.
		part, err := s.TrialBalance(ctx, a, "P1", "2026-07", "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range part.Rows {
			if r.YearDebit != tb.Rows[i].PeriodDebit || r.YearCredit != tb.Rows[i].PeriodCredit {
				t.Errorf("科目余额表 %s 本年累计 %s/%s, want %s/%s", r.Code, r.YearDebit, r.YearCredit, tb.Rows[i].PeriodDebit, tb.Rows[i].PeriodCredit)
			}
		}
		hidden := part.WithoutZeroRows()
		if len(hidden.Rows) == 0 || len(hidden.Rows) >= len(part.Rows) || hidden.Totals != part.Totals {
			t.Errorf("hide zero: %d of %d rows", len(hidden.Rows), len(part.Rows))
		}
		for _, r := range hidden.Rows {
			if r.Code == "101" && r.YearDebit != ledger.MustMoney("500.50") {
				t.Errorf("101 本年累计 %s", r.YearDebit)
			}
		}
		books := map[string]ledger.AccountBook{}
		for _, q := range []ledger.BookQuery{{Account: "101", Daily: true}, {Account: "102", Daily: true}, {Account: "211"}} {
			q.From, q.To = "2026-07", "2026-10"
			ab, err := s.AccountBookOf(ctx, a, "P1", q)
			if err != nil {
				t.Fatal(err)
			}
			books[q.Account] = ab
			last := ab.Months[len(ab.Months)-1]
			r := row(q.Account)
			// 本年累计 of October = the trial balance of January to October.
			if last.YearDebit != r.PeriodDebit || last.YearCredit != r.PeriodCredit {
				t.Errorf("%s 本年累计 %s/%s, trial balance %s/%s", q.Account, last.YearDebit, last.YearCredit, r.PeriodDebit, r.PeriodCredit)
			}
			// The journal's closing balance = the ledger balance of the account.
			if net := r.ClosingDebit.Add(r.ClosingCredit); ab.Closing.Amount != net || last.Closing != ab.Closing {
				t.Errorf("%s closing %+v, trial balance %s", q.Account, ab.Closing, net)
			}
		}
		cash := books["101"].Months[3]
		if len(cash.Days) != 2 || cash.Days[0].Date != "2026-10-08" || cash.Days[1].Debit != ledger.MustMoney("500.50") ||
			cash.Days[1].Balance.Amount != ledger.MustMoney("100380.50") || cash.Entries[0].Date != "2026-10-08" {
			t.Errorf("cash journal days: %+v", cash.Days)
		}
		gl, err := s.GeneralLedgerOf(ctx, a, "P1", "2026-07", "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range gl.Accounts {
			r, m := row(page.Account.Code), page.Months[3]
			if m.YearDebit != r.PeriodDebit || m.YearCredit != r.PeriodCredit || m.Closing.Amount != r.ClosingDebit.Add(r.ClosingCredit) {
				t.Errorf("总账 %s October %+v, trial balance %+v", page.Account.Code, m, r)
			}
		}
		if _, err := s.GeneralLedgerOf(ctx, a, "P1", "2026-01", "2027-01"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("13 months: %v", err)
		}

		b, err := s.Book(ctx, a, "P1")
		if err != nil {
			t.Fatal(err)
		}
		info, dir := reports.BookInfoOf(b), t.TempDir()
		write := func(name string, fn func(*bytes.Buffer) error) {
			var buf bytes.Buffer
			if err := fn(&buf); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("general-ledger.xlsx", func(w *bytes.Buffer) error {
			return reports.WriteGeneralLedger(w, reports.GeneralLedgerData{Book: info, GL: gl}, testOptions())
		})
		for name, kind := range map[string]struct{ title, account string }{"detail-ledger.xlsx": {"明细账", "211"},
			"cash-journal.xlsx": {"现金日记账", "101"}, "bank-journal.xlsx": {"银行存款日记账", "102"}} {
			write(name, func(w *bytes.Buffer) error {
				return reports.WriteAccountBooks(w, reports.AccountBooksData{Book: info, Title: kind.title,
					Books: []ledger.AccountBook{books[kind.account]}}, testOptions())
			})
		}
		if t.Name() != "TestAccountBooks/sqlite" {
			return
		}
		texts := pdfText(t, dir, []string{"general-ledger.xlsx", "detail-ledger.xlsx", "cash-journal.xlsx", "bank-journal.xlsx"})
		wants := map[string][]string{
			"general-ledger.xlsx": {"总账101库存现金", "本月合计", "本年累计"},
			"detail-ledger.xlsx":  {"明细账211应付款", "本月合计", "本年累计2,785.7116,198.45"},
			"cash-journal.xlsx":   {"现金日记账101库存现金", "2026-10-09本日合计500.50", "100,380.50", "本年累计"},
			"bank-journal.xlsx":   {"银行存款日记账102银行存款", "本日合计", "15,713.28"},
		}
		for file, ws := range wants {
			text := squash(texts[file])
			for _, w := range ws {
				if !strings.Contains(text, squash(w)) {
					t.Errorf("%s lacks %q:\n%s", file, w, texts[file])
				}
			}
		}
	})
}
