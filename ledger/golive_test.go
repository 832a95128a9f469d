package ledger_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// cashToBank is a small voucher entered through review.
func cashToBank(date string) ledger.VoucherInput {
	return ledger.VoucherInput{Date: date, Summary: "现金存银行", Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount("10.00")}, {Account: "201", Credit: ledgertest.Amount("10.00")}}}
}

// The attack of issue 15: one accountant posts into the current open month
// through the historical batch, naming the township officer as reviewer. The
// month is on or after go-live, so the batch is refused whole and nothing
// changes; and even a batch into an earlier month only waits for approval.
func TestImportOnePersonAttackRefused(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.Post(t, cashToBank("2026-11-03")) // 2026-11 记-0001, kept in coopledger
		attack := historical(2, "2026-11-20", "H001")
		attack.ReviewedBy = "李文华（镇财政所）"
		before := ledgertest.Digest(t, s)
		_, err := s.ImportVouchers(ctx, f.Preparer, "V1", ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{attack}})
		e, ok := err.(*ledger.Error)
		if !ok || len(e.Details) == 0 || e.Details[0].Field != "vouchers[0].date" || !strings.Contains(e.Message, "上线月份 2026-01") {
			t.Fatalf("attack batch: %#v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("the refused batch changed the database")
		}
		// The same through a workbook.
		if _, err := s.ImportFileVouchers(ctx, f.Preparer, ledger.FileImport{Book: "V1", SHA256: "ff"}, []ledger.ImportVoucher{attack}); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("attack workbook: %v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("the refused workbook changed the database")
		}
	})
}

// A pre-go-live import waits for the township: nothing is posted or numbered
// until a township officer other than the uploader approves it; the old
// books' names stay text, the approver is the reviewer, and posted_via shows
// in the voucher's JSON and in the audit log.
func TestImportWaitsForTownshipApproval(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-06")
		batch := ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{historical(1, "2026-03-05", "H001"), historical(2, "2026-03-09", "H002")}}
		batch.Vouchers[0].ReviewedBy = "李文华"
		p, err := s.ImportVouchers(ctx, f.Preparer, "V1", batch)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != ledger.ImportPending || p.Vouchers != 2 || p.Lines != 8 || p.FromPeriod != "2026-03" || p.UploadedBy != f.Preparer.UserID {
			t.Fatalf("pending %+v", p)
		}
		if vs, err := s.Vouchers(ctx, f.Auditor, "V1", ledger.VoucherFilter{}); err != nil || len(vs) != 0 {
			t.Fatalf("vouchers while pending: %d %v", len(vs), err)
		}
		if r := mustVerify(t, s, "V1"); r.Vouchers != 0 {
			t.Fatalf("posted while pending: %+v", r)
		}
		// Neither the uploader, nor another accountant, nor an auditor approves.
		for _, a := range []ledger.Actor{f.Preparer, f.Reviewer, f.Auditor} {
			if _, err := s.ApproveImport(ctx, a, "V1", p.ID, nil); ledger.ErrorCode(err) != ledger.ECodeForbidden {
				t.Errorf("%s approves: %v", a.Name, err)
			}
		}
		if r := mustVerify(t, s, "V1"); r.Vouchers != 0 {
			t.Fatal("a refused approval posted")
		}
		done, err := s.ApproveImport(ctx, f.Township, "V1", p.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != ledger.ImportApproved || done.DecidedBy != f.Township.UserID || done.Result == nil || done.Result.Imported != 2 {
			t.Fatalf("approved %+v", done)
		}
		v, err := s.Voucher(ctx, f.Auditor, "V1", done.Result.Vouchers[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != "记-0001" || v.PreparerID != f.Preparer.UserID || v.ReviewerID != f.Township.UserID || v.OrigRevBy != "李文华" {
			t.Fatalf("posted %+v", v)
		}
		js, _ := json.Marshal(v)
		if !strings.Contains(string(js), `"posted_via":"batch_import"`) || !strings.Contains(string(js), `"original_reviewed_by":"李文华"`) {
			t.Fatalf("voucher JSON %s", js)
		}
		reviewed := f.Post(t, cashToBank("2026-06-02"))
		if reviewed.PostedVia != ledger.ViaReview {
			t.Fatalf("reviewed voucher posted_via %q", reviewed.PostedVia)
		}
		log, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{Action: "post"})
		if err != nil {
			t.Fatal(err)
		}
		var vias []string
		for _, e := range log {
			var after struct {
				PostedVia string `json:"posted_via"`
			}
			if err := json.Unmarshal(e.After, &after); err != nil {
				t.Fatal(err)
			}
			vias = append(vias, after.PostedVia)
		}
		if strings.Join(vias, ",") != "batch_import,batch_import,review" {
			t.Fatalf("audit posted_via %v", vias)
		}
		if _, err := s.ApproveImport(ctx, f.Township, "V1", p.ID, nil); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("approved twice: %v", err)
		}
		mustVerify(t, s, "V1")
	})
}

// A rejected import posts nothing and cannot be approved afterwards.
func TestImportRejected(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		f.GoLive(t, "2026-06")
		p, err := s.ImportVouchers(ctx, f.Preparer, "V1", ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{historical(1, "2026-02-05", "H001")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RejectImport(ctx, f.Township, "V1", p.ID, " "); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("reject without reason: %v", err)
		}
		r, err := s.RejectImport(ctx, f.Township, "V1", p.ID, "与纸质账簿核对不符")
		if err != nil || r.Status != ledger.ImportRejected {
			t.Fatalf("reject: %+v %v", r, err)
		}
		if _, err := s.ApproveImport(ctx, f.Township, "V1", p.ID, nil); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("approve after reject: %v", err)
		}
		if got := mustVerify(t, s, "V1"); got.Vouchers != 0 {
			t.Fatal("a rejected import posted")
		}
		list, err := s.PendingImports(ctx, f.Auditor, "V1", ledger.ImportRejected)
		if err != nil || len(list) != 1 || list[0].Reason != "与纸质账簿核对不符" {
			t.Fatalf("list %+v %v", list, err)
		}
	})
}

// Go-live is set by the township or an admin and cannot move once anything
// is posted on or after it.
func TestGoLiveCannotMovePastPostedVouchers(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		if f.Book.GoLivePeriod != "2026-01" {
			t.Fatalf("a new book goes live at its start: %q", f.Book.GoLivePeriod)
		}
		if _, err := s.SetGoLive(ctx, f.Preparer, "V1", "2026-04"); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("accountant sets go-live: %v", err)
		}
		if _, err := s.SetGoLive(ctx, f.Township, "V1", "2025-12"); err == nil || !strings.Contains(err.Error(), "go_live_period") {
			t.Fatalf("before the start: %v", err)
		}
		if b, err := s.SetGoLive(ctx, f.Admin, "V1", "2026-04"); err != nil || b.GoLivePeriod != "2026-04" {
			t.Fatalf("admin sets go-live: %+v %v", b, err)
		}
		f.GoLive(t, "2026-05")
		if _, err := f.ImportHistory(ctx, ledger.ImportBatch{Vouchers: []ledger.ImportVoucher{historical(1, "2026-02-05", "H001")}}); err != nil {
			t.Fatal(err)
		}
		// An imported month cannot become a month kept in coopledger.
		before := ledgertest.Digest(t, s)
		if _, err := s.SetGoLive(ctx, f.Township, "V1", "2026-02"); err == nil || !strings.Contains(err.Error(), "go_live_period") {
			t.Fatalf("go-live onto imported history: %v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused go-live changed the database")
		}
		f.GoLive(t, "2026-06") // nothing posted from 2026-05 on: it may still move
		f.Post(t, cashToBank("2026-06-03"))
		for _, to := range []string{"2026-08", "2026-05"} {
			_, err := s.SetGoLive(ctx, f.Township, "V1", to)
			e, ok := err.(*ledger.Error)
			if !ok || len(e.Details) == 0 || e.Details[0].Field != "go_live_period" || !strings.Contains(e.Message, "2026-06 记-0001") {
				t.Fatalf("go-live to %s past a posted voucher: %#v", to, err)
			}
		}
		if b, err := s.Book(ctx, f.Auditor, "V1"); err != nil || b.GoLivePeriod != "2026-06" {
			t.Fatalf("book %+v %v", b, err)
		}
	})
}
