package ledger_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// fakeJPEG is a JPEG by its first bytes, over one stored chunk long.
func fakeJPEG(fill byte) []byte {
	return append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{fill}, 300<<10)...)
}

func fakePDF() []byte { return []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n") }

func spool(t *testing.T, name string, data []byte) *ledger.SpooledDocument {
	t.Helper()
	d, err := ledger.SpoolDocument("file", name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("spool %s: %v", name, err)
	}
	t.Cleanup(d.Close)
	return d
}

func verifyOK(t *testing.T, s *ledger.Store, f ledgertest.Fixture) ledger.VerifyReport {
	t.Helper()
	r, err := s.Verify(context.Background(), f.Auditor, f.Book.Code)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// readBack downloads a document of a voucher.
func readBack(t *testing.T, s *ledger.Store, a ledger.Actor, book string, id, doc int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := s.ReadDocument(context.Background(), a, book, id, doc, func(ledger.Document) io.Writer { return &buf }); err != nil {
		t.Fatalf("read document %d: %v", doc, err)
	}
	return buf.Bytes()
}

// TestDocumentsEnterTheChainHash: documents attached to a draft enter its
// hash under chain version 2; tampered bytes or a tampered hash are found.
func TestDocumentsEnterTheChainHash(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		draft, err := s.CreateVoucher(ctx, f.Preparer, "V1", transferVoucher("2026-03-02"))
		if err != nil {
			t.Fatal(err)
		}
		photo := fakeJPEG('a')
		d1, err := s.AddDocument(ctx, f.Preparer, "V1", draft.ID, spool(t, "发票.jpg", photo))
		if err != nil || d1.Addendum || d1.ContentType != "image/jpeg" || d1.Size != int64(len(photo)) || len(d1.SHA256) != 64 {
			t.Fatalf("attach: %+v %v", d1, err)
		}
		if _, err := s.AddDocument(ctx, f.Preparer, "V1", draft.ID, spool(t, "scan", fakePDF())); err != nil {
			t.Fatal(err)
		}
		v, err := s.PostVoucher(ctx, f.Reviewer, "V1", draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.ChainVersion != ledger.ChainVersionV2 || len(v.DocumentHashes) != 2 || v.Hash != ledger.VoucherHash(v) {
			t.Fatalf("posted: version %d, %d documents", v.ChainVersion, len(v.DocumentHashes))
		}
		without := v
		without.DocumentHashes = nil
		if ledger.VoucherHash(without) == v.Hash {
			t.Fatal("the documents do not change the v2 hash")
		}
		if got := readBack(t, s, f.Auditor, "V1", v.ID, d1.ID); !bytes.Equal(got, photo) {
			t.Fatalf("read back %d bytes, want %d", len(got), len(photo))
		}
		if r := verifyOK(t, s, f); !r.OK {
			t.Fatalf("verify: %v", r.Problems)
		}
		label := v.Period + " " + v.Number
		// The bytes changed behind the application's back.
		tamper(t, s, "UPDATE document_chunks SET data = ? WHERE book_id = ? AND document_id = ? AND seq = 1",
			[]byte("forged"), f.Book.ID, d1.ID)
		if r := verifyOK(t, s, f); r.OK || r.FirstBad != label || !strings.Contains(strings.Join(r.Problems, "\n"), "SHA-256") {
			t.Fatalf("tampered bytes: ok=%v first=%q %v", r.OK, r.FirstBad, r.Problems)
		}
		// The stored hash changed to match: the voucher's hash no longer does.
		tamper(t, s, "DELETE FROM document_chunks WHERE book_id = ? AND document_id = ? AND seq > 0", f.Book.ID, d1.ID)
		tamper(t, s, "UPDATE document_chunks SET data = ? WHERE book_id = ? AND document_id = ? AND seq = 0", fakePDF(), f.Book.ID, d1.ID)
		forged := spool(t, "x", fakePDF())
		tamper(t, s, "UPDATE documents SET sha256 = ?, size_bytes = ? WHERE book_id = ? AND id = ?", forged.SHA256, forged.Size, f.Book.ID, d1.ID)
		if r := verifyOK(t, s, f); r.OK || r.FirstBad != label || !strings.Contains(strings.Join(r.Problems, "\n"), "内容与其哈希不符") {
			t.Fatalf("tampered hash: ok=%v first=%q %v", r.OK, r.FirstBad, r.Problems)
		}
	})
}

func tamper(t *testing.T, s *ledger.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.DB().NewRaw(q, args...).Exec(context.Background()); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestAddendumAfterPosting: a document added to a posted voucher is an
// audited addendum that leaves the voucher's hash alone; its own hash is
// checked against the audit log.
func TestAddendumAfterPosting(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		v := f.Post(t, transferVoucher("2026-03-02"))
		_, err := s.AddDocument(ctx, f.Auditor, "V1", v.ID, spool(t, "a.pdf", fakePDF()))
		mustCode(t, "auditor adds an addendum", err, ledger.ECodeForbidden)
		d, err := s.AddDocument(ctx, f.Reviewer, "V1", v.ID, spool(t, "补充合同.pdf", fakePDF()))
		if err != nil || !d.Addendum {
			t.Fatalf("addendum: %+v %v", d, err)
		}
		after, err := s.Voucher(ctx, f.Auditor, "V1", v.ID)
		if err != nil || after.Hash != v.Hash || len(after.DocumentHashes) != 0 {
			t.Fatalf("voucher after the addendum: %v hash %s (was %s) %v", err, after.Hash, v.Hash, after.DocumentHashes)
		}
		log, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			found = found || (e.Action == "addendum" && strings.Contains(string(e.After), d.SHA256))
		}
		if !found {
			t.Fatal("no addendum entry with the document's hash in the audit log")
		}
		if r := verifyOK(t, s, f); !r.OK {
			t.Fatalf("verify: %v", r.Problems)
		}
		forged := spool(t, "x", fakeJPEG('z'))
		tamper(t, s, "DELETE FROM document_chunks WHERE book_id = ? AND document_id = ?", f.Book.ID, d.ID)
		tamper(t, s, "INSERT INTO document_chunks (book_id, document_id, seq, data) VALUES (?, ?, 0, ?)", f.Book.ID, d.ID, fakeJPEG('z'))
		tamper(t, s, "UPDATE documents SET sha256 = ?, size_bytes = ? WHERE book_id = ? AND id = ?", forged.SHA256, forged.Size, f.Book.ID, d.ID)
		if r := verifyOK(t, s, f); r.OK || r.FirstBad != v.Period+" "+v.Number || !strings.Contains(strings.Join(r.Problems, "\n"), "审计日志") {
			t.Fatalf("replaced addendum: ok=%v first=%q %v", r.OK, r.FirstBad, r.Problems)
		}
	})
}

// TestDocumentRefusals: wrong type, oversize, too many, or the wrong person
// change nothing.
func TestDocumentRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		draft, err := s.CreateVoucher(ctx, f.Preparer, "V1", transferVoucher("2026-03-02"))
		if err != nil {
			t.Fatal(err)
		}
		before := ledgertest.Digest(t, s)
		for name, data := range map[string][]byte{
			"gif.jpg":  []byte("GIF89a\x01\x00\x01\x00"),
			"page.pdf": []byte("<html>%PDF-</html>"),
			"big.jpg":  append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, ledger.MaxDocumentBytes)...),
			"empty":    nil,
		} {
			_, err := ledger.SpoolDocument("file", name, bytes.NewReader(data))
			if e, ok := ledger.AsError(err); !ok || e.Code != ledger.ECodeInvalid || e.Details[0].Field != "file" {
				t.Errorf("%s: %v", name, err)
			}
		}
		_, err = s.AddDocument(ctx, f.Reviewer, "V1", draft.ID, spool(t, "a.pdf", fakePDF()))
		mustCode(t, "another accountant attaches to the draft", err, ledger.ECodeForbidden)
		if after := ledgertest.Digest(t, s); after != before {
			t.Fatal("a refused document changed the books")
		}
		for i := 0; i < ledger.MaxDocuments; i++ {
			if _, err := s.AddDocument(ctx, f.Preparer, "V1", draft.ID, spool(t, "p.pdf", fakePDF())); err != nil {
				t.Fatal(err)
			}
		}
		before = ledgertest.Digest(t, s)
		_, err = s.AddDocument(ctx, f.Preparer, "V1", draft.ID, spool(t, "p.pdf", fakePDF()))
		mustCode(t, "one document too many", err, ledger.ECodeInvalid)
		if after := ledgertest.Digest(t, s); after != before {
			t.Fatal("a refused document changed the books")
		}
	})
}

// TestReceiptToVoucher: the 报账员 hands in a receipt, the accountant
// prepares the voucher from it; the trail names both; the reporter may not
// prepare or post.
func TestReceiptToVoucher(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		reporter := newActor(t, s, f.Admin, ledger.NewUser{Name: "青竹村报账员", Role: ledger.RoleReporter, Books: []string{"V1"}})
		_, err := s.SubmitReceipt(ctx, reporter, "V1", ledger.ReceiptInput{Note: " "}, nil)
		mustCode(t, "receipt without a note", err, ledger.ECodeInvalid)
		r, err := s.SubmitReceipt(ctx, reporter, "V1", ledger.ReceiptInput{Note: "村部办公用品发票", Amount: ledgertest.Amount("100.00"),
			Date: "2026-03-01"}, []*ledger.SpooledDocument{spool(t, "发票.jpg", fakeJPEG('r'))})
		if err != nil || r.Status != ledger.ReceiptSubmitted || len(r.Documents) != 1 {
			t.Fatalf("submit: %+v %v", r, err)
		}
		_, err = s.PrepareFromReceipt(ctx, reporter, "V1", r.ID, transferVoucher("2026-03-02"))
		mustCode(t, "reporter prepares", err, ledger.ECodeForbidden)
		_, err = s.PrepareFromReceipt(ctx, f.Auditor, "V1", r.ID, transferVoucher("2026-03-02"))
		mustCode(t, "auditor prepares", err, ledger.ECodeForbidden)
		waiting, err := s.Receipts(ctx, f.Preparer, "V1", ledger.ReceiptSubmitted)
		if err != nil || len(waiting) != 1 || waiting[0].SubmittedByName != "青竹村报账员" {
			t.Fatalf("waiting receipts: %+v %v", waiting, err)
		}
		draft, err := s.PrepareFromReceipt(ctx, f.Preparer, "V1", r.ID, transferVoucher("2026-03-02"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.PrepareFromReceipt(ctx, f.Preparer, "V1", r.ID, transferVoucher("2026-03-02"))
		mustCode(t, "prepared twice", err, ledger.ECodeConflict)
		_, err = s.PostVoucher(ctx, reporter, "V1", draft.ID)
		mustCode(t, "reporter posts", err, ledger.ECodeForbidden)
		v, err := s.PostVoucher(ctx, f.Reviewer, "V1", draft.ID)
		if err != nil || len(v.DocumentHashes) != 1 || v.DocumentHashes[0] != r.Documents[0].SHA256 {
			t.Fatalf("posted from the receipt: %v %v", err, v.DocumentHashes)
		}
		src, ok, err := s.ReceiptOfVoucher(ctx, f.Auditor, "V1", v.ID)
		if err != nil || !ok || src.SubmittedByName != "青竹村报账员" || src.PreparedByName != "制单会计" || src.Status != ledger.ReceiptPrepared {
			t.Fatalf("trail: %+v %v %v", src, ok, err)
		}
		log, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			if e.Entity == "receipt" {
				actions = append(actions, e.Action)
			}
		}
		if strings.Join(actions, ",") != "submit,prepare" && strings.Join(actions, ",") != "prepare,submit" {
			t.Fatalf("receipt entries in the audit log: %v", actions)
		}
		if r := verifyOK(t, s, f); !r.OK {
			t.Fatalf("verify: %v", r.Problems)
		}
	})
}

// TestDeletedDraftReturnsItsReceipt: discarding a draft prepared from a
// receipt puts the receipt and its documents back in the queue.
func TestDeletedDraftReturnsItsReceipt(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 1)
		r, err := s.SubmitReceipt(ctx, f.Preparer, "V1", ledger.ReceiptInput{Note: "收据"}, []*ledger.SpooledDocument{spool(t, "a.png", []byte("\x89PNG\r\n\x1a\nxx"))})
		if err != nil {
			t.Fatal(err)
		}
		draft, err := s.PrepareFromReceipt(ctx, f.Reviewer, "V1", r.ID, transferVoucher("2026-03-02"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddDocument(ctx, f.Reviewer, "V1", draft.ID, spool(t, "b.pdf", fakePDF())); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteVoucher(ctx, f.Reviewer, "V1", draft.ID); err != nil {
			t.Fatal(err)
		}
		back, err := s.Receipt(ctx, f.Auditor, "V1", r.ID)
		if err != nil || back.Status != ledger.ReceiptSubmitted || back.VoucherID != 0 || len(back.Documents) != 1 || back.Documents[0].VoucherID != 0 {
			t.Fatalf("receipt after the draft was deleted: %+v %v", back, err)
		}
	})
}
