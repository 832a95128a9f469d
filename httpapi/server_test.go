package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestHealthAndDocument(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		for _, path := range []string{"/healthz", "/api/v1/healthz"} {
			res := e.expect(req{method: "GET", path: path}, http.StatusOK)
			if strings.TrimSpace(string(res.body)) != `{"status":"ok"}` {
				t.Errorf("%s: %s", path, res.body)
			}
		}
		for _, path := range []string{"/openapi.json", "/api/v1/openapi.json"} {
			res := e.expect(req{method: "GET", path: path}, http.StatusOK)
			var doc struct {
				OpenAPI string         `json:"openapi"`
				Paths   map[string]any `json:"paths"`
			}
			e.decode(res, &doc)
			if doc.OpenAPI != "3.1.0" || len(doc.Paths) < 20 {
				t.Errorf("%s: openapi %q with %d paths", path, doc.OpenAPI, len(doc.Paths))
			}
		}
	})
}

func TestRequestIDAndLog(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		var logs syncBuffer
		e := newEnvWith(t, s, Options{}, slog.New(slog.NewJSONHandler(&logs, nil)))
		res := e.expect(req{method: "GET", path: "/api/v1/me", role: roleAuditor, headers: map[string]string{"X-Request-ID": "trace-42"}}, http.StatusOK)
		if got := res.header.Get("X-Request-ID"); got != "trace-42" {
			t.Errorf("request id %q, want the caller's", got)
		}
		res = e.expect(req{method: "GET", path: "/api/v1/me", role: roleAuditor, headers: map[string]string{"X-Request-ID": "bad id\twith spaces"}}, http.StatusOK)
		generated := res.header.Get("X-Request-ID")
		if generated == "" || strings.ContainsAny(generated, " \t") {
			t.Errorf("malformed caller id kept: %q", generated)
		}
		e.do(req{method: "GET", path: "/api/v1/books/V1/vouchers?limit=0", role: roleAuditor})
		var lines []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("log line %q: %v", l, err)
			}
			if m["msg"] == "request" {
				lines = append(lines, m)
			}
		}
		if len(lines) != 3 {
			t.Fatalf("%d request log lines: %s", len(lines), logs.String())
		}
		first, last := lines[0], lines[2]
		if first["request_id"] != "trace-42" || first["status"] != float64(200) || first["route"] != "/api/v1/me" ||
			first["user_id"] != float64(e.f.Auditor.UserID) || first["level"] != "INFO" {
			t.Errorf("log line %v", first)
		}
		if last["status"] != float64(400) || last["code"] != ledger.ECodeInvalid || last["level"] != "WARN" {
			t.Errorf("log line %v", last)
		}
	})
}

// TestPanicRecovery: a handler that panics (here: no store at all) answers a
// 500 envelope with a generic message, and the panic is logged.
func TestPanicRecovery(t *testing.T) {
	var logs syncBuffer
	srv := httptest.NewServer(New(nil, slog.New(slog.NewJSONHandler(&logs, nil)), Options{}))
	t.Cleanup(srv.Close)
	hr, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	hr.Header.Set("Authorization", "Bearer cl_0123456789abcdefghijklmnop")
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res := response{status: resp.StatusCode, header: resp.Header, body: body}
	checkEnvelope(t, "panic", res, http.StatusInternalServerError, ledger.ECodeInternal, "")
	if strings.Contains(string(body), "nil pointer") || !strings.Contains(string(body), res.header.Get("X-Request-ID")) {
		t.Errorf("500 body leaks the error or lacks the request id: %s", body)
	}
	if !strings.Contains(logs.String(), `"msg":"panic"`) || !strings.Contains(logs.String(), "nil pointer") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

// TestRequestTimeout: work that outlives the per-request deadline answers 503.
func TestRequestTimeout(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnvWith(t, s, Options{RequestTimeout: time.Nanosecond}, slog.New(slog.DiscardHandler))
		res := e.do(req{method: "GET", path: "/api/v1/books/V1/vouchers", role: roleAuditor})
		checkEnvelope(t, "timeout", res, http.StatusServiceUnavailable, httpx.CodeTimeout, "")
	})
}

// TestBodyLimit: a body over the limit answers 413, whether it declares its
// length or streams without one.
func TestBodyLimit(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnvWith(t, s, Options{BodyLimit: 512}, slog.New(slog.DiscardHandler))
		body := `{"code": "P1", "name": "` + strings.Repeat("x", 600) + `"}`
		before := ledgertest.Digest(t, s)
		checkEnvelope(t, "declared length", e.do(req{method: "POST", path: "/api/v1/books/V1/parties", role: rolePreparer, body: body}),
			http.StatusRequestEntityTooLarge, httpx.CodeTooLarge, "body")

		hr, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/books/V1/parties", io.MultiReader(strings.NewReader(body))) // no length: chunked
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Authorization", "Bearer "+e.tokens[rolePreparer])
		resp, err := e.client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(hr.TransferEncoding) == 0 && hr.ContentLength != -1 && hr.ContentLength != 0 {
			t.Fatalf("request was not streamed")
		}
		checkEnvelope(t, "streamed", response{status: resp.StatusCode, header: resp.Header, body: raw}, http.StatusRequestEntityTooLarge, httpx.CodeTooLarge, "body")
		if ledgertest.Digest(t, s) != before {
			t.Errorf("database changed")
		}
		e.expect(req{method: "POST", path: "/api/v1/books/V1/parties", role: rolePreparer, body: `{"code": "P1", "name": "小公司"}`}, http.StatusCreated)
	})
}

// TestPagination walks vouchers, households and the audit log page by page.
func TestPagination(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		for i := range 5 {
			e.expect(req{method: "POST", path: "/api/v1/books/V1/vouchers", role: rolePreparer, body: rent(i+1, "H001", "1.00")}, http.StatusCreated)
		}
		for _, c := range []struct {
			path string
			want int
		}{
			{"/api/v1/books/V1/vouchers?limit=2", 5},
			{"/api/v1/books/V1/vouchers?limit=5", 5},
			{"/api/v1/books/V1/households?limit=2", 3},
			{"/api/v1/books/V1/parties?limit=1", 2},
			{"/api/v1/books/V1/audit-log?limit=4", countRows(t, s, "audit_log", "book_id = ?", e.f.Book.ID)},
		} {
			seen, next, pages := 0, "", 0
			for pages = 1; pages <= 20; pages++ {
				path := c.path
				if next != "" {
					path += "&after=" + next
				}
				var p struct {
					Items []json.RawMessage `json:"items"`
					Next  string            `json:"next"`
				}
				e.decode(e.expect(req{method: "GET", path: path, role: roleAuditor}, http.StatusOK), &p)
				seen += len(p.Items)
				if next = p.Next; next == "" {
					break
				}
			}
			if seen != c.want {
				t.Errorf("%s: %d items over %d pages, want %d", c.path, seen, pages, c.want)
			}
		}
	})
}
