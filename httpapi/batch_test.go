package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestBatchImport: a batch larger than the default body limit goes through
// the batch route; a bad voucher refuses the whole batch naming its index,
// and nothing is written.
func TestBatchImport(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		path := "/api/v1/books/V1/vouchers/batch"
		bad := e.importBatch("2026-10", 3)
		bad.Vouchers[2].Lines[0].Debit = ledgertest.Amount("10.01")
		before := ledgertest.Digest(t, s)
		res := e.do(req{method: "POST", path: path, role: rolePreparer, body: bad})
		checkEnvelope(t, "unbalanced third voucher", res, 400, ledger.ECodeInvalid, "vouchers[2].lines")
		bad = e.importBatch("2026-10", 3)
		bad.Vouchers[1].Number = 7
		res = e.do(req{method: "POST", path: path, role: rolePreparer, body: bad})
		checkEnvelope(t, "gap in the numbers", res, 400, ledger.ECodeInvalid, "vouchers[1].number")
		if ledgertest.Digest(t, s) != before {
			t.Fatal("refused batches changed the database")
		}

		big := e.importBatch("2026-10", ledger.MaxImportVouchers)
		for i := range big.Vouchers {
			big.Vouchers[i].Summary = strings.Repeat("导", 150)
			lines := append([]ledger.LineInput(nil), big.Vouchers[i].Lines...)
			for j := range lines {
				lines[j].Summary = strings.Repeat("史", 150)
			}
			big.Vouchers[i].Lines = lines
		}
		raw, _ := json.Marshal(big)
		if len(raw) <= defaultBodyLimit {
			t.Fatalf("batch body %d bytes does not exceed the default limit", len(raw))
		}
		res = e.do(req{method: "POST", path: path, role: rolePreparer, body: raw})
		if res.status != 201 {
			t.Fatalf("batch of %d bytes: %d %s", len(raw), res.status, res.body)
		}
		var pending ledger.PendingImport
		if err := json.Unmarshal(res.body, &pending); err != nil || pending.Status != ledger.ImportPending || pending.Vouchers != ledger.MaxImportVouchers {
			t.Fatalf("pending %v %s", err, res.body)
		}
		res = e.expect(req{method: "POST", path: fmt.Sprintf("/api/v1/books/V1/voucher-imports/%d/approve", pending.ID), role: roleTownship}, 200)
		var out ledger.PendingImport
		if err := json.Unmarshal(res.body, &out); err != nil || out.Result == nil || out.Result.Imported != ledger.MaxImportVouchers || out.Result.Vouchers[999].Number != "记-1000" {
			t.Fatalf("approved %v %.300s", err, res.body)
		}
		// Numbering continues after the imported numbers; a collision is refused.
		res = e.do(req{method: "POST", path: path, role: rolePreparer, body: ledger.ImportBatch{Vouchers: big.Vouchers[:1]}})
		checkEnvelope(t, "collision", res, 400, ledger.ECodeInvalid, "vouchers[0].number")
		// Other routes keep the default limit.
		res = e.do(req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer, body: raw})
		if res.status != 413 {
			t.Fatalf("big body on the voucher route: %d", res.status)
		}
		rep, err := s.Verify(t.Context(), ledger.System, "V1")
		if err != nil || !rep.OK {
			t.Fatalf("verify: %v %v", err, rep.Problems)
		}
	})
}
