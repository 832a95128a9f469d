package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

func TestNoticeWorkbook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		sc := newScenario(t, s)
		d, err := reports.LoadRoster(ctx, s, sc.F.Auditor, "P1", sc.RunP1)
		if err != nil {
			t.Fatal(err)
		}
		book, _ := s.Book(ctx, sc.F.Auditor, "P1")
		var buf bytes.Buffer
		n := reports.Notice{From: time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC), Contact: "监督电话 0797-1234567"}
		if err := reports.WriteNotice(&buf, d, n, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		wantSheetSetup(t, f, "公示表", 3, head16(book))
		wantPackage(t, buf.Bytes(), "土地租金、股金分红、薪金、包干款公示表")
		total := reports.NoticeTotalRow(d)
		for r := 4; r < total; r++ {
			id, acct := cellValue(t, f, "公示表", fmt.Sprint("D", r)), cellValue(t, f, "公示表", fmt.Sprint("E", r))
			h := d.Households[r-4]
			if id != ledger.MaskIDNumber(h.IDNumber) || strings.Count(id, "*") != 10 || strings.Contains(id, h.IDNumber[4:14]) {
				t.Errorf("row %d ID %q not masked", r, id)
			}
			if acct != ledger.MaskBankAccount(h.BankAccount) || !strings.Contains(acct, "****") {
				t.Errorf("row %d account %q not masked", r, acct)
			}
			wantCalc(t, f, "公示表", fmt.Sprint("K", r), h.Total)
			wantMoneyCell(t, f, "公示表", fmt.Sprint("G", r), h.Rent)
		}
		wantCalc(t, f, "公示表", fmt.Sprint("K", total), d.Total)
		for _, c := range []string{"G", "H", "I", "J", "K"} {
			if got := cellFormula(t, f, "公示表", fmt.Sprint(c, total)); got != fmt.Sprintf("SUM(%s4:%s%d)", c, c, total-1) {
				t.Errorf("%s%d = %q", c, total, got)
			}
		}
		// Nothing in the sheet shows a full ID number or bank account.
		rows, err := f.GetRows("公示表")
		if err != nil {
			t.Fatal(err)
		}
		all := fmt.Sprint(rows)
		for _, h := range d.Households {
			if strings.Contains(all, h.IDNumber) || strings.Contains(all, h.BankAccount) {
				t.Errorf("full ID or account of %s on the notice", h.Code)
			}
		}
		note := cellValue(t, f, "公示表", fmt.Sprint("A", total+1))
		if !strings.Contains(note, "2026年10月9日至2026年10月15日（共7天）") || !strings.Contains(note, "0797-1234567") {
			t.Errorf("notice period %q", note)
		}
		if !strings.Contains(all, "民主理财小组成员签字") {
			t.Errorf("no signature space")
		}
	})
}

func TestNoticePeriod(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		n        reports.Notice
		from, to string
	}{
		{reports.Notice{From: day("2026-10-09")}, "2026-10-09", "2026-10-15"},
		{reports.Notice{From: day("2026-10-09"), Days: 3}, "2026-10-09", "2026-10-11"},
		// 7 working days from Friday 9 October: 9, 12–16 October, 19 October.
		{reports.Notice{From: day("2026-10-09"), WorkingDays: true}, "2026-10-09", "2026-10-19"},
		// Starting on a Saturday moves to Monday.
		{reports.Notice{From: day("2026-10-10"), Days: 1, WorkingDays: true}, "2026-10-12", "2026-10-12"},
	} {
		from, to, err := c.n.Period()
		if err != nil || from.Format("2006-01-02") != c.from || to.Format("2006-01-02") != c.to {
			t.Errorf("%+v: %s–%s %v, want %s–%s", c.n, from, to, err, c.from, c.to)
		}
	}
	for _, n := range []reports.Notice{{}, {From: day("2026-10-09"), Days: -1}, {From: day("2026-10-09"), Days: 91}} {
		if _, _, err := n.Period(); err == nil {
			t.Errorf("%+v accepted", n)
		}
	}
}
