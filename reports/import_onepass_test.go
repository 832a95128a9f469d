package reports_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// A file with a cell that cannot be read, a row the rules refuse and a row
// the roster refuses lists all three in one response, and changes nothing.
func TestImportListsEveryKindOfProblemAtOnce(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, _ := importFixture(t, s)
		good := ledgertest.IDNumber(401)
		badCheck := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11])
		rows := [][]any{
			{"户编号", "户主姓名", "身份证号", "银行账号", "家庭人口", "村民小组", "户类型"},
			{"H401", "周一", ledgertest.IDNumber(402), nil, "三口", nil, "一般户"}, // row 2: the reader: text for a number
			{"H402", "周二", badCheck, nil, 3, nil, "一般户"},                    // row 3: the rules: check character
			{"H001", "周三", ledgertest.IDNumber(403), nil, 3, nil, "一般户"},    // row 4: the roster: code exists
		}
		before := ledgertest.Digest(t, s)
		_, err := reports.Import(ctx, s, f.Preparer, reports.ImportRequest{Book: "IM", Kind: ledger.ImportHouseholds,
			FileName: "three.xlsx", File: bytes.NewReader(sheetFile(t, rows))})
		e, ok := ledger.AsError(err)
		if !ok {
			t.Fatalf("want a refusal, got %v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused file changed the book")
		}
		named := map[string]bool{}
		for _, d := range e.Details {
			named[d.Field] = true
		}
		for _, cell := range []string{"E2", "C3", "A4"} {
			if !named[cell] {
				t.Errorf("cell %s not named in one pass: %+v", cell, e.Details)
			}
		}
	})
}

// A card typed as printed ("6222 0212 3456 7890") or in full-width digits,
// and an ID number with a space, are cleaned, accepted and stored clean.
func TestImportCleansCardAndIDNumbers(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f, _ := importFixture(t, s)
		id := ledgertest.IDNumber(411)
		rows := [][]any{
			{"户编号", "户主姓名", "身份证号", "银行账号", "家庭人口", "村民小组", "户类型"},
			{"H411", "吴一", id[:6] + " " + id[6:], "6222 0212 3456 7890", 3, nil, "一般户"},
			{"H412", "吴二", ledgertest.IDNumber(412), "６２２２０２１２３４５６７８９１", 3, nil, "一般户"},
		}
		if _, err := reports.Import(ctx, s, f.Preparer, reports.ImportRequest{Book: "IM", Kind: ledger.ImportHouseholds,
			FileName: "cards.xlsx", File: bytes.NewReader(sheetFile(t, rows))}); err != nil {
			t.Fatal(err)
		}
		for code, want := range map[string][2]string{"H411": {id, "6222021234567890"}, "H412": {ledgertest.IDNumber(412), "6222021234567891"}} {
			h, err := s.Household(ctx, f.Preparer, "IM", code)
			if err != nil || h.IDNumber != want[0] || h.BankAccount != want[1] {
				t.Errorf("%s stored as %q / %q (%v), want %q / %q", code, h.IDNumber, h.BankAccount, err, want[0], want[1])
			}
		}
	})
}
