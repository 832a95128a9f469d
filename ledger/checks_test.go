package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestDatabaseHoldsSimpleInvariants: rows the code never writes are refused
// by the database itself (migration 010), on both databases.
func TestDatabaseHoldsSimpleInvariants(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		v, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-01-05", line("101", "", "10.00", ""), line("501", "", "", "10.00")))
		if err != nil {
			t.Fatal(err)
		}
		db := s.DB()
		refused := []struct{ what, sql string }{
			{"line with two sides", "INSERT INTO voucher_lines (book_id, voucher_id, line_no, account_code, debit_fen, credit_fen) VALUES (?, ?, 9, '101', 100, 100)"},
			{"line with no side", "INSERT INTO voucher_lines (book_id, voucher_id, line_no, account_code, debit_fen, credit_fen) VALUES (?, ?, 9, '101', 0, 0)"},
			{"line made two-sided", "UPDATE voucher_lines SET credit_fen = 5 WHERE book_id = ? AND voucher_id = ? AND line_no = 1"},
		}
		for _, r := range refused {
			_, err := db.ExecContext(ctx, db.NewRaw(r.sql, f.Book.ID, v.ID).String())
			refusedByRule(t, r.what, "one", err)
		}
		if _, err := db.ExecContext(ctx, db.NewRaw("INSERT INTO voucher_lines (book_id, voucher_id, line_no, account_code, debit_fen, credit_fen) VALUES (?, ?, 9, '101', -100, 0)",
			f.Book.ID, v.ID).String()); err != nil {
			t.Errorf("a red (negative) one-sided line refused: %v", err)
		}
		for _, r := range []struct{ what, sql string }{
			{"zero payment", "INSERT INTO payments (book_id, id, run_id, household_code, amount_fen, date, method, voucher_id, created_at, created_by) VALUES (?, 1, 1, 'H001', 0, '2026-01-05', 'bank', 1, 'x', 1)"},
			{"zero allocation", "INSERT INTO payment_allocations (book_id, payment_id, run_id, line_no, amount_fen) VALUES (?, 1, 1, 1, 0)"},
			{"negative declaration", "INSERT INTO declarations (book_id, agreement_code, quarter, amount_fen, created_at, created_by) VALUES (?, 'X', '2026Q1', -1, 'x', 1)"},
		} {
			_, err := db.ExecContext(ctx, db.NewRaw(r.sql, f.Book.ID).String())
			refusedByRule(t, r.what, "positive", err)
		}
	})
}

// refusedByRule checks that the statement failed on the named rule (the
// trigger's message on SQLite, the constraint's name on PostgreSQL), not on
// some other constraint such as a missing foreign key.
func refusedByRule(t *testing.T, what, rule string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted by the database", what)
	} else if msg := strings.ReplaceAll(err.Error(), "_", " "); !strings.Contains(msg, rule) {
		t.Errorf("%s: refused, but not by the %q rule: %v", what, rule, err)
	}
}
