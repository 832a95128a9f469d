package ledgertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"coopledger/ledger"
)

// contentTables lists every table whose content a refused request must leave
// unchanged, with the columns that order its rows.
var contentTables = []struct{ name, order string }{
	{"counters", "book_id, name"},
	{"townships", "code"},
	{"books", "id"},
	{"users", "id"},
	{"user_books", "user_id, book_id"},
	{"accounts", "book_id, code"},
	{"households", "book_id, code"},
	{"parties", "book_id, code"},
	{"file_imports", "book_id, kind, target, sha256"},
	{"vouchers", "book_id, id"},
	{"voucher_lines", "book_id, voucher_id, line_no"},
	{"voucher_numbers", "book_id, period"},
	{"periods", "book_id, period"},
	{"balances", "book_id, account_code, household_code, party_code, period"},
	{"account_balances", "book_id, account_code, period"},
	{"audit_log", "book_id, id"},
	{"idempotency_keys", "user_id, key"},
	{"agreements", "book_id, code"},
	{"agreement_versions", "book_id, agreement_code, version"},
	{"declarations", "book_id, agreement_code, quarter"},
	{"work_records", "book_id, agreement_code, id"},
	{"payout_runs", "book_id, id"},
	{"payout_lines", "book_id, run_id, line_no"},
	{"payout_approvals", "book_id, quarter, agreement_code"},
	{"payments", "book_id, id"},
	{"payment_allocations", "book_id, payment_id, line_no"},
	{"year_ends", "book_id, year"},
	{"year_end_vouchers", "book_id, voucher_id"},
	{"disclosures", "book_id, id"},
	{"household_links", "book_id, household_code"},
	{"link_secret", "id"},
	{"bank_lines", "book_id, id"},
	{"pending_imports", "book_id, id"},
	{"pending_import_chunks", "book_id, import_id, seq"},
	{"members", "book_id, code"},
	{"coop_charters", "book_id"},
	{"member_quantifications", "book_id, year"},
	{"member_quantified_shares", "book_id, year, member_code"},
	{"surplus_plans", "book_id, id"},
	{"surplus_plan_members", "book_id, plan_id, member_code"},
	{"receipts", "book_id, id"},
	{"documents", "book_id, id"},
	{"document_chunks", "book_id, document_id, seq"},
	{"summary_phrases", "book_id, id"},
	{"voucher_templates", "book_id, id"},
	{"voucher_template_lines", "book_id, template_id, line_no"},
}

// ExtraTables lets later migrations' tables join the digest.
var ExtraTables []struct{ Name, Order string }

// Digest hashes the content of every table, row by row, so a test can prove a
// refused request changed nothing.
func Digest(t testing.TB, s *ledger.Store) string {
	t.Helper()
	h := sha256.New()
	tables := contentTables
	for _, e := range ExtraTables {
		tables = append(tables, struct{ name, order string }{e.Name, e.Order})
	}
	for _, tbl := range tables {
		if err := digestTable(s, tbl.name, tbl.order, h); err != nil {
			t.Fatalf("digest %s: %v", tbl.name, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func digestTable(s *ledger.Store, table, order string, h interface{ Write([]byte) (int, error) }) error {
	rows, err := s.DB().QueryContext(context.Background(), "SELECT * FROM "+table+" ORDER BY "+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "table %s %v\n", table, cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(h, "%v\x1f", v)
		}
		fmt.Fprint(h, "\x1e")
	}
	return rows.Err()
}
