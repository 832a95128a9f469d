package httpapi

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// postFiles sends a multipart form: the CSRF token first, then fields, then files.
func (w *webClient) postFiles(path string, fields map[string]string, files map[string][]byte) (int, string, http.Header) {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", w.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, w.base+path, &buf)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := w.c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// TestWebReceiptToVoucher: the 报账员 submits a receipt with a photo on the
// receipts page; the accountant prepares the voucher from it on the voucher
// form, uploads one more document on the draft page, and the voucher page
// names both people and lists both documents.
func TestWebReceiptToVoucher(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	_, token, err := s.CreateUser(context.Background(), w.f.Admin, ledger.NewUser{Name: "青竹村报账员", Role: ledger.RoleReporter, Books: []string{"V1"}})
	if err != nil {
		t.Fatal(err)
	}
	rep := newWebClient(t, w.srv.URL)
	rep.signIn(token)
	if status, page, _ := rep.do(http.MethodGet, "/books/V1/receipts", nil); status != http.StatusOK || !strings.Contains(page, `id="submit-receipt"`) || strings.Contains(page, "vouchers/new?receipt=") {
		t.Fatalf("reporter's receipts page: %d", status)
	}
	status, body, _ := rep.postFiles("/books/V1/receipts", map[string]string{"note": "水泥款收据", "amount": "80.00"},
		map[string][]byte{"伪装.jpg": []byte("GIF89a")})
	if status != http.StatusBadRequest || !strings.Contains(body, "不是 JPEG、PNG 或 PDF") {
		t.Fatalf("wrong type: %d", status)
	}
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 1000)...)
	if status, _, h := rep.postFiles("/books/V1/receipts", map[string]string{"note": "水泥款收据", "amount": "80.00"},
		map[string][]byte{"收据.jpg": photo}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "ok=receipt") {
		t.Fatalf("reporter submits: %d", status)
	}
	acc := newWebClient(t, w.srv.URL)
	acc.signIn(w.f.Tokens["preparer"])
	_, page, _ := acc.do(http.MethodGet, "/books/V1/receipts", nil)
	all := regexp.MustCompile(`/books/V1/vouchers/new\?receipt=(\d+)`).FindAllStringSubmatch(page, -1)
	var m []string
	if len(all) > 0 {
		m = all[len(all)-1] // the fixture's own receipt comes first
	}
	if m == nil || !strings.Contains(page, "青竹村报账员") {
		t.Fatalf("accountant's receipts page lacks the receipt:\n%s", page)
	}
	_, form, _ := acc.do(http.MethodGet, m[0], nil)
	if !strings.Contains(form, `name="receipt" value="`+m[1]+`"`) {
		t.Fatal("voucher form without the receipt")
	}
	status, _, h := acc.do(http.MethodPost, "/books/V1/vouchers", url.Values{"csrf": {acc.csrf}, "receipt": {m[1]}, "date": {"2026-04-02"},
		"summary": {"付水泥款"}, "attachments": {"1"}, "lines[0].account": {"513"}, "lines[0].debit": {"80"},
		"lines[1].account": {"101"}, "lines[1].credit": {"80"}})
	if status != http.StatusSeeOther {
		t.Fatalf("prepare from the receipt: %d", status)
	}
	draft := strings.SplitN(h.Get("Location"), "?", 2)[0]
	acc.do(http.MethodGet, draft, nil)
	if status, _, _ := acc.postFiles(draft+"/documents", nil, map[string][]byte{"发票.pdf": []byte("%PDF-1.4\n")}); status != http.StatusSeeOther {
		t.Fatalf("upload on the draft: %d", status)
	}
	_, page, _ = acc.do(http.MethodGet, draft, nil)
	for _, want := range []string{"青竹村报账员", "制单会计</strong>", "收据.jpg", "发票.pdf", "原始凭证（2 份）"} {
		if !strings.Contains(page, want) {
			t.Errorf("voucher page lacks %q:\n%s", want, page[strings.Index(page, "h-docs")-30:])
		}
	}
	doc := regexp.MustCompile(`href="(/books/V1/vouchers/\d+/documents/\d+)"[^>]*>收据.jpg`).FindStringSubmatch(page)
	if doc == nil {
		t.Fatal("no link to the photo")
	}
	if status, got, h := rep.do(http.MethodGet, doc[1], nil); status != http.StatusOK || got != string(photo) || h.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("reporter views the photo: %d %s", status, h.Get("Content-Type"))
	}
}
