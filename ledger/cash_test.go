package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// cashVoucher moves amount between a cash account and 121 库存物资: receive
// debits acct, otherwise it is paid out of acct.
func cashVoucher(date, acct, amount string, receive bool) ledger.VoucherInput {
	a := ledgertest.Amount(amount)
	cash := ledger.LineInput{Account: acct, Summary: "现金"}
	other := ledger.LineInput{Account: "121", Summary: "物资"}
	if receive {
		cash.Debit, other.Credit = a, a
	} else {
		cash.Credit, other.Debit = a, a
	}
	return ledger.VoucherInput{Date: date, Summary: "收付款", Lines: []ledger.LineInput{cash, other}}
}

func refusedPosting(t *testing.T, f ledgertest.Fixture, in ledger.VoucherInput) error {
	t.Helper()
	ctx := context.Background()
	v, err := f.Store.CreateVoucher(ctx, f.Preparer, f.Book.Code, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Store.PostVoucher(ctx, f.Reviewer, f.Book.Code, v.ID)
	if err == nil {
		t.Fatalf("posting %+v was accepted", in)
	}
	return err
}

func wantCashRefusal(t *testing.T, err error, parts ...string) {
	t.Helper()
	if ledger.ErrorCode(err) != ledger.ECodeConflict {
		t.Fatalf("code %q for %v", ledger.ErrorCode(err), err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("refusal %q does not say %q", err, p)
		}
	}
}

func TestCashCannotGoNegative(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		f := ledgertest.NewFixture(t, s, "CASH", ledger.KindVillage, 0)
		f.Post(t, cashVoucher("2026-03-01", "101", "2921.92", true))
		err := refusedPosting(t, f, cashVoucher("2026-03-10", "101", "10000.00", false))
		wantCashRefusal(t, err, "库存现金（101）", "2026-03-10", "7078.08")

		// A later payment that fits today, then a back-dated one that fits its
		// own day but leaves the later day negative.
		f.Post(t, cashVoucher("2026-04-10", "101", "2000.00", false))
		err = refusedPosting(t, f, cashVoucher("2026-03-20", "101", "1000.00", false))
		wantCashRefusal(t, err, "2026-04-10", "78.08")
		f.Post(t, cashVoucher("2026-03-20", "101", "900.00", false)) // leaves 21.92

		// Reversing the receipt would leave every later day negative.
		journal := f.Post(t, cashVoucher("2026-05-01", "101", "50.00", true))
		rev, err := s.ReverseVoucher(context.Background(), f.Preparer, "CASH", journal.ID, ledger.ReverseInput{Date: "2026-05-02"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostVoucher(context.Background(), f.Reviewer, "CASH", rev.ID); err != nil {
			t.Fatalf("reversal leaving 21.92 refused: %v", err)
		}
		first, err := s.Vouchers(context.Background(), f.Auditor, "CASH", ledger.VoucherFilter{Period: "2026-03", Status: ledger.StatusPosted})
		if err != nil {
			t.Fatal(err)
		}
		rev2, err := s.ReverseVoucher(context.Background(), f.Preparer, "CASH", first[0].ID, ledger.ReverseInput{Date: "2026-03-05"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.PostVoucher(context.Background(), f.Reviewer, "CASH", rev2.ID)
		wantCashRefusal(t, err, "库存现金（101）", "2026-03-20", "900.00")

		// A bank sub-account is checked on its own.
		if _, err := s.AddAccount(context.Background(), f.Preparer, "CASH", ledger.NewAccount{Code: "10201", Name: "信用社基本户", Parent: "102"}); err != nil {
			t.Fatal(err)
		}
		err = refusedPosting(t, f, cashVoucher("2026-06-01", "10201", "0.01", false))
		wantCashRefusal(t, err, "信用社基本户（10201）", "2026-06-01", "0.01")
		if p := ledgertest.Invariants(context.Background(), s, "CASH"); len(p) > 0 {
			t.Fatal(p)
		}
	})
}

func TestCashImportRefused(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		f := ledgertest.NewFixture(t, s, "CASHI", ledger.KindVillage, 0)
		in := func(n int, v ledger.VoucherInput) ledger.ImportVoucher {
			return ledger.ImportVoucher{Number: n, Date: v.Date, Summary: v.Summary, ReviewedBy: "老会计", Lines: v.Lines}
		}
		f.GoLive(t, "2026-03")
		_, err := f.ImportHistory(context.Background(), ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{
			in(1, cashVoucher("2026-01-05", "101", "100.00", true)),
			in(2, cashVoucher("2026-01-06", "101", "100.01", false)),
		}})
		wantCashRefusal(t, err, "2026-01-06", "0.01")
	})
}

// cashAccount says whether random vouchers must leave code alone: 库存现金 and
// bank accounts may not go negative.
func cashAccount(code string) bool {
	return strings.HasPrefix(code, "101") || strings.HasPrefix(code, "102")
}
