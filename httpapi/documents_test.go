package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// pdfBytes is a PDF by its first bytes.
func pdfBytes(n int) []byte { return []byte(fmt.Sprintf("%%PDF-1.4\n%% 第 %d 份\n%%%%EOF\n", n)) }

// documentUpload is a multipart body with one file part named file.
func documentUpload(t *testing.T, name string, data []byte) rawBody {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return rawBody{contentType: w.FormDataContentType(), data: buf.Bytes()}
}

// attached adds a document to a new draft of the preparer and returns the
// document's path.
func (e *env) attached(n int) string {
	e.t.Helper()
	path := e.draft()
	var id int64
	fmt.Sscanf(path, "/api/v1/books/V1/vouchers/%d", &id)
	d, err := ledger.SpoolDocument("file", "发票.pdf", bytes.NewReader(pdfBytes(n)))
	if err != nil {
		e.t.Fatal(err)
	}
	defer d.Close()
	doc, err := e.store.AddDocument(context.Background(), e.f.Preparer, "V1", id, d)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("%s/documents/%d", path, doc.ID)
}

// receipt is a receipt the preparer submitted with one document; it returns
// the receipt's path and its document's id.
func (e *env) receipt(n int) (string, int64) {
	e.t.Helper()
	d, err := ledger.SpoolDocument("file", "收据.pdf", bytes.NewReader(pdfBytes(n)))
	if err != nil {
		e.t.Fatal(err)
	}
	defer d.Close()
	r, err := e.store.SubmitReceipt(context.Background(), e.f.Preparer, "V1", ledger.ReceiptInput{Note: fmt.Sprintf("单据%d", n)}, []*ledger.SpooledDocument{d})
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("/api/v1/books/V1/receipts/%d", r.ID), r.Documents[0].ID
}

// documentRouteCases call the source-document and receipt routes.
func documentRouteCases() []routeCase {
	preparerOnly := with(accountantCreates, statuses{roleReviewer: 403})
	return []routeCase{
		{"GET", "/api/v1/books/:book/vouchers/:id/documents", inBook, func(e *env, _ string, n int) (string, any) {
			p := e.attached(n)
			return p[:strings.LastIndex(p, "/")], nil
		}},
		{"POST", "/api/v1/books/:book/vouchers/:id/documents", preparerOnly, func(e *env, _ string, n int) (string, any) {
			return e.draft() + "/documents", documentUpload(e.t, "发票.pdf", pdfBytes(n))
		}},
		{"GET", "/api/v1/books/:book/vouchers/:id/documents/:doc", inBook, func(e *env, _ string, n int) (string, any) {
			return e.attached(n), nil
		}},
		{"GET", "/api/v1/books/:book/receipts", inBook, fixed("/api/v1/books/V1/receipts?status=submitted", nil)},
		{"POST", "/api/v1/books/:book/receipts", accountantCreates, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/books/V1/receipts", ledger.ReceiptInput{Note: fmt.Sprintf("办公用品发票%d", n), Amount: ledgertest.Amount("35.00"), Date: "2026-06-01"}
		}},
		{"GET", "/api/v1/books/:book/receipts/:id", inBook, func(e *env, _ string, n int) (string, any) {
			p, _ := e.receipt(n)
			return p, nil
		}},
		{"POST", "/api/v1/books/:book/receipts/:id/documents", preparerOnly, func(e *env, _ string, n int) (string, any) {
			p, _ := e.receipt(n)
			return p + "/documents", documentUpload(e.t, "补充.pdf", pdfBytes(n+1))
		}},
		{"GET", "/api/v1/books/:book/receipts/:id/documents/:doc", inBook, func(e *env, _ string, n int) (string, any) {
			p, doc := e.receipt(n)
			return fmt.Sprintf("%s/documents/%d", p, doc), nil
		}},
		{"POST", "/api/v1/books/:book/receipts/:id/prepare", accountantCreates, func(e *env, _ string, n int) (string, any) {
			p, _ := e.receipt(n)
			return p + "/prepare", rent(12, "H001", "35.00")
		}},
	}
}

// TestDocumentsOverHTTP: an upload is checked by content, stored, listed
// and read back byte for byte; a wrong type or an oversize file changes
// nothing; the reporter's receipt becomes the accountant's draft.
func TestDocumentsOverHTTP(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.addOutsiders()
		draft := e.draft()
		jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE1}, bytes.Repeat([]byte("照片"), 100<<10)...)
		before := ledgertest.Digest(t, s)
		for name, data := range map[string][]byte{"伪装.jpg": []byte("GIF89a...."), "大.jpg": append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, ledger.MaxDocumentBytes)...)} {
			res := e.do(req{method: "POST", path: draft + "/documents", role: rolePreparer, body: documentUpload(t, name, data)})
			if res.status != http.StatusBadRequest && res.status != http.StatusRequestEntityTooLarge && res.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, res.status, res.body)
			}
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused upload changed the books")
		}
		res := e.do(req{method: "POST", path: draft + "/documents", role: rolePreparer, body: documentUpload(t, "现场照片.png", jpeg)})
		if res.status != http.StatusCreated || !strings.Contains(string(res.body), `"content_type":"image/jpeg"`) {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		res = e.do(req{method: "GET", path: draft + "/documents/1", role: roleAuditor})
		if res.status != http.StatusOK || !bytes.Equal(res.body, jpeg) || res.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("download: %d %s, %d bytes", res.status, res.header.Get("Content-Type"), len(res.body))
		}
		// 村账乡代管: the reporter submits, the accountant prepares.
		res = e.do(req{method: "POST", path: "/api/v1/books/V1/receipts", role: roleReporter, body: ledger.ReceiptInput{Note: "修水渠材料费发票"}})
		if res.status != http.StatusCreated {
			t.Fatalf("reporter submits: %d %s", res.status, res.body)
		}
		var id int64
		fmt.Sscanf(string(res.body), `{"id":%d`, &id)
		rp := fmt.Sprintf("/api/v1/books/V1/receipts/%d", id)
		if res := e.do(req{method: "POST", path: rp + "/documents", role: roleReporter, body: documentUpload(t, "发票.pdf", pdfBytes(1))}); res.status != http.StatusCreated {
			t.Fatalf("reporter attaches: %d %s", res.status, res.body)
		}
		if res := e.do(req{method: "POST", path: rp + "/prepare", role: roleReporter, body: rent(12, "H001", "80.00")}); res.status != http.StatusForbidden {
			t.Fatalf("reporter prepares: %d %s", res.status, res.body)
		}
		res = e.do(req{method: "POST", path: rp + "/prepare", role: rolePreparer, body: rent(12, "H001", "80.00")})
		if res.status != http.StatusCreated {
			t.Fatalf("accountant prepares: %d %s", res.status, res.body)
		}
		res = e.do(req{method: "GET", path: rp, role: roleAuditor})
		if !strings.Contains(string(res.body), `"submitted_by_name":"报账员"`) || !strings.Contains(string(res.body), `"prepared_by_name":"制单会计"`) {
			t.Fatalf("receipt trail: %s", res.body)
		}
	})
}

// webDocuments gives the web fixture document 1 (an addendum of posted
// voucher id) and receipt 1 with document 2, so every page route has a
// document to show.
func webDocuments(t *testing.T, s *ledger.Store, f ledgertest.Fixture, id int64) {
	t.Helper()
	ctx := context.Background()
	d, err := ledger.SpoolDocument("file", "合同.pdf", bytes.NewReader(pdfBytes(1)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := s.AddDocument(ctx, f.Reviewer, "V1", id, d); err != nil {
		t.Fatal(err)
	}
	r, err := ledger.SpoolDocument("file", "收据.pdf", bytes.NewReader(pdfBytes(2)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := s.SubmitReceipt(ctx, f.Preparer, "V1", ledger.ReceiptInput{Note: "收据"}, []*ledger.SpooledDocument{r}); err != nil {
		t.Fatal(err)
	}
}
