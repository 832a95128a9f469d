package httpapi

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// watchedBody is a request body that records whether anything read it.
type watchedBody struct {
	r    *bytes.Reader
	read bool
}

func (b *watchedBody) Read(p []byte) (int, error) { b.read = true; return b.r.Read(p) }
func (b *watchedBody) Close() error               { return nil }

// serveWatched serves one request in process and reports whether its body
// was read.
func serveWatched(h http.Handler, r *http.Request, body []byte) (*httptest.ResponseRecorder, bool) {
	wb := &watchedBody{r: bytes.NewReader(body)}
	r.Body, r.ContentLength = wb, int64(len(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, wb.read
}

// TestUploadRoleBeforeBody: an API upload by a township officer, an
// auditor or a user of another book is refused before a byte of its body is
// read; the accountant's is read and imported.
func TestUploadRoleBeforeBody(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		body := upload(t, householdFile(t, 1), nil)
		for role, want := range map[string]int{roleTownship: 403, roleAuditor: 403, roleOutsider: 404, rolePreparer: 201} {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/books/V1/imports/households", nil)
			r.Header.Set("Authorization", "Bearer "+e.tokens[role])
			r.Header.Set("Content-Type", body.contentType)
			r.Header.Set("Idempotency-Key", "upload-"+role)
			rec, read := serveWatched(e.srv.Config.Handler, r, body.data)
			if rec.Code != want {
				t.Errorf("%s: %d %s, want %d", role, rec.Code, rec.Body, want)
			}
			if read != (want == 201) {
				t.Errorf("%s: body read = %v, want it read only for the accountant", role, read)
			}
		}
	})
}

// webUpload is a multipart form with the CSRF token (if any) first or
// after the file.
func webUpload(t *testing.T, file []byte, csrf string, csrfFirst bool) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf != "" && csrfFirst {
		w.WriteField("csrf", csrf)
	}
	fw, err := w.CreateFormFile("file", "农户.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	if csrf != "" && !csrfFirst {
		w.WriteField("csrf", csrf)
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// TestWebUploadRoleBeforeBody: the web upload forms refuse a township
// officer and an auditor before reading the body; the accountant's form is
// accepted with its token as the first field or in the X-CSRF-Token header,
// and refused with the token only after the file (it is never buffered to
// find it).
func TestWebUploadRoleBeforeBody(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		h := w.srv.Config.Handler
		paths := []string{"/books/V1/households/import", "/books/V1/payouts/" + itoa(w.run) + "/payments/import"}
		post := func(c *webClient, path, csrf string, first bool, header bool) (*httptest.ResponseRecorder, bool) {
			ct, body := webUpload(t, householdFile(t, 7), csrf, first)
			if header {
				ct, body = webUpload(t, householdFile(t, 7), "", false)
			}
			r := httptest.NewRequest(http.MethodPost, path, nil)
			r.Header.Set("Content-Type", ct)
			if header {
				r.Header.Set("X-CSRF-Token", csrf)
			}
			u, _ := url.Parse(w.srv.URL + path)
			for _, ck := range c.c.Jar.Cookies(u) {
				r.AddCookie(ck)
			}
			return serveWatched(h, r, body)
		}
		for _, role := range []string{"township", "auditor"} {
			c := newWebClient(t, w.srv.URL)
			c.signIn(w.f.Tokens[role])
			for _, p := range paths {
				rec, read := post(c, p, c.csrf, true, false)
				if rec.Code != http.StatusForbidden || read {
					t.Errorf("%s POST %s: %d, body read %v; want 403 before the body is read", role, p, rec.Code, read)
				}
			}
		}
		acc := newWebClient(t, w.srv.URL)
		acc.signIn(w.f.Tokens["preparer"])
		if rec, _ := post(acc, paths[0], acc.csrf, false, false); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "安全令牌") {
			t.Errorf("token after the file: %d, want 403 naming the token", rec.Code)
		}
		if rec, _ := post(acc, paths[0], acc.csrf, true, false); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "已导入 1 户") {
			t.Errorf("token first: %d %s", rec.Code, rec.Body)
		}
		if rec, _ := post(acc, paths[0], acc.csrf, false, true); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "导入过") {
			t.Errorf("token in the header: %d %s", rec.Code, rec.Body)
		}
	})
}
