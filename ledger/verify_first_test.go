package ledger_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// deletePosted removes a posted voucher and its lines behind the triggers' back.
func deletePosted(t *testing.T, s *ledger.Store, bookID, id int64) {
	t.Helper()
	ctx := context.Background()
	drops := []string{"DROP TRIGGER voucher_lines_immutable_delete", "DROP TRIGGER vouchers_immutable_delete"}
	if s.Dialect() == ledger.Postgres {
		drops = []string{"DROP TRIGGER voucher_lines_immutable ON voucher_lines", "DROP TRIGGER vouchers_immutable ON vouchers"}
	}
	for _, q := range append(drops,
		"DELETE FROM voucher_lines WHERE book_id = ? AND voucher_id = ?",
		"DELETE FROM vouchers WHERE book_id = ? AND id = ?") {
		args := []any{}
		if q[0] == 'D' && q[1] == 'E' {
			args = []any{bookID, id}
		}
		if _, err := s.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestVerifyNamesDeletedVoucher(t *testing.T) {
	for name, which := range map[string]int{"middle": 1, "head": 3} {
		t.Run(name, func(t *testing.T) { testDeletedVoucher(t, which) })
	}
}

func testDeletedVoucher(t *testing.T, which int) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		f := ledgertest.NewFixture(t, s, "D1", ledger.KindVillage, 2)
		var vs []ledger.Voucher
		for _, d := range []string{"2026-02-01", "2026-02-02", "2026-03-01", "2026-03-02"} {
			vs = append(vs, f.Post(t, rentVoucher(d, "H001", "10.00")))
		}
		deletePosted(t, s, f.Book.ID, vs[which].ID)
		rep, err := s.Verify(context.Background(), f.Auditor, "D1")
		want := vs[which].Period + " " + vs[which].Number
		if err != nil || rep.OK || rep.FirstBad != want {
			t.Fatalf("deleted %s: first bad %q: %v %v", want, rep.FirstBad, rep.Problems, err)
		}
	})
}

func TestVerifyNamesVoucherOfChangedBalance(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		f := ledgertest.NewFixture(t, s, "D2", ledger.KindVillage, 2)
		f.Post(t, rentVoucher("2026-02-01", "H001", "10.00"))
		v := f.Post(t, rentVoucher("2026-03-01", "H002", "20.00"))
		if _, err := s.DB().ExecContext(context.Background(), "UPDATE balances SET credit_fen = credit_fen + 1 WHERE book_id = ? AND household_code = 'H002'",
			f.Book.ID); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Verify(context.Background(), f.Auditor, "D2")
		if err != nil || rep.OK || rep.FirstBad != v.Period+" "+v.Number {
			t.Fatalf("first bad %q: %v %v", rep.FirstBad, rep.Problems, err)
		}
	})
}
