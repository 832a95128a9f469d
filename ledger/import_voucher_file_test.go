package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// A file of more vouchers than one batch is imported in one transaction, in
// steps that continue each month's numbering, whatever the file's order.
func TestImportFileVouchersInSteps(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-04")
		var vs []ledger.ImportVoucher
		for n := 1300; n >= 1; n-- { // newest first: the steps must sort them
			vs = append(vs, historical(n, "2026-01-15", "H002"), historical(n, "2026-02-15", "H001"))
		}
		file := ledger.FileImport{Book: "V1", SHA256: "ab", FileName: "2026.xlsx"}
		var steps []int
		pending, err := s.ImportFileVouchers(ctx, f.Preparer, file, vs)
		if err != nil {
			t.Fatal(err)
		}
		if pending.Status != ledger.ImportPending || pending.Vouchers != 2600 || pending.Via != ledger.ViaWorkbookImport {
			t.Fatalf("pending %+v", pending)
		}
		if _, err := s.ImportFileVouchers(ctx, f.Preparer, file, vs); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("same file while pending: %v", err)
		}
		approved, err := s.ApproveImport(ctx, f.Township, "V1", pending.ID, func(done, _ int) {
			if done > 0 {
				steps = append(steps, done)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		res := *approved.Result
		if res.Imported != 2600 || fmt.Sprint(steps) != "[1000 2000 2600]" || res.ChainSeq != 2600 {
			t.Fatalf("imported %d, steps %v, chain %d", res.Imported, steps, res.ChainSeq)
		}
		if got := res.Vouchers[0]; got.Index != len(vs)-2 || got.Period != "2026-01" || got.Number != "记-0001" {
			t.Fatalf("first written %+v", got)
		}
		if r := mustVerify(t, s, "V1"); r.Vouchers != 2600 {
			t.Fatalf("verify %+v", r)
		}
		v := f.Post(t, ledger.VoucherInput{Date: "2026-02-20", Summary: "取得短期借款", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("10.00")}, {Account: "201", Credit: ledgertest.Amount("10.00")}}})
		if v.Number != "记-1301" {
			t.Fatalf("numbering continues at %s", v.Number)
		}
		before := ledgertest.Digest(t, s)
		if _, err := s.ImportFileVouchers(ctx, f.Preparer, file, vs); err != ledger.ErrFileAlreadyImported {
			t.Fatalf("same file again: %v", err)
		}
		// Another file whose 1,200th voucher collides: refused whole, naming it.
		more := []ledger.ImportVoucher{}
		for n := 1; n <= 1200; n++ {
			more = append(more, historical(n, "2026-03-10", "H003"))
		}
		more[1199] = historical(1300, "2026-01-31", "H003")
		_, err = s.ImportFileVouchers(ctx, f.Preparer, ledger.FileImport{Book: "V1", SHA256: "cd"}, more)
		if e, ok := err.(*ledger.Error); !ok || len(e.Details) != 1 || e.Details[0].Field != "vouchers[1199].number" {
			t.Fatalf("collision: %#v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused file changed the database")
		}
	})
}
