package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestEveryRouteThroughRun starts the server with run() on a loopback port
// over the demo township and calls every operation of its own OpenAPI
// document without a token, with a forged one, as another village's
// accountant and as the auditor. The httpapi tests go through each route's
// behaviour; this proves the served binary answers every documented route
// with the right refusal.
func TestEveryRouteThroughRun(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "demo.db")
	tokensFile := filepath.Join(dir, "tokens.txt")
	mustInvoke(t, "demo", "--db", dsn, "--tokens-file", tokensFile)
	tokens := demoTokens(t, tokensFile)

	addr := serveInBackground(t, dsn, "--auth-failures", "100000") // forged tokens are sent on purpose
	base := "http://" + addr

	ops := documentedOperations(t, base)
	if len(ops) < 50 {
		t.Fatalf("the document lists only %d operations", len(ops))
	}
	outsider, auditor := tokens["accountant/HONGYA"], tokens["auditor"]
	for _, op := range ops {
		path := fillPath(op.path)
		status, body := call(t, op.method, base+path, "")
		if op.public {
			want := http.StatusOK
			if strings.Contains(op.path, "{slug}") || strings.Contains(op.path, "{token}") {
				want = http.StatusNotFound // a public page behind an address nobody published
			}
			if status != want {
				t.Errorf("%s %s (public): %d, want %d", op.method, path, status, want)
			}
			continue
		}
		for _, token := range []string{"", "cl_forged0000000000000000000000000000000000"} {
			if status, body = call(t, op.method, base+path, token); status != http.StatusUnauthorized || !strings.Contains(body, `"code":"unauthorized"`) {
				t.Errorf("%s %s with token %q: %d %s", op.method, path, token, status, body)
			}
		}
		inBook := strings.Contains(op.path, "/books/{book}")
		status, body = call(t, op.method, base+path, outsider)
		if inBook && status != http.StatusNotFound {
			t.Errorf("%s %s as another village's accountant: %d, want 404: %s", op.method, path, status, body)
		}
		status, body = call(t, op.method, base+path, auditor)
		switch writes := op.method != http.MethodGet && inBook; {
		case writes && status != http.StatusForbidden:
			t.Errorf("%s %s as the auditor: %d, want 403: %s", op.method, path, status, body)
		case !writes && (status >= 500 || status == http.StatusUnauthorized || (inBook && status == http.StatusForbidden) || strings.Contains(body, "账套不存在")):
			t.Errorf("%s %s as the auditor: %d: %s", op.method, path, status, body)
		}
	}
}

// operationRef is one operation of the OpenAPI document.
type operationRef struct {
	method, path string
	public       bool
}

func documentedOperations(t *testing.T, base string) []operationRef {
	t.Helper()
	status, body := call(t, http.MethodGet, base+"/openapi.json", "")
	if status != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", status)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Security *[]any `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	var ops []operationRef
	for path, methods := range doc.Paths {
		for method, op := range methods {
			ops = append(ops, operationRef{method: strings.ToUpper(method), path: path, public: op.Security != nil && len(*op.Security) == 0})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// fillPath puts demo values into a documented path.
func fillPath(path string) string {
	values := map[string]string{"book": "QINGZHU", "code": "H001", "id": "1", "period": "2026-09", "township": "HX", "kind": "households", "year": "2026",
		"quarter": "2026Q3", "slug": strings.Repeat("a", 26), "token": strings.Repeat("A", 22), "doc": "1"}
	return pathParam.ReplaceAllStringFunc(path, func(m string) string { return values[m[1:len(m)-1]] })
}

func call(t *testing.T, method, url, token string) (int, string) {
	t.Helper()
	var body io.Reader
	if method != http.MethodGet && method != http.MethodDelete {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return resp.StatusCode, string(out)
}

// demoTokens reads the demo's tokens file: "role" or "role/BOOK" → token.
func demoTokens(t *testing.T, file string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 || strings.HasPrefix(line, "#") {
			continue
		}
		out[f[0]] = f[1]
		out[fmt.Sprintf("%s/%s", f[0], f[3])] = f[1]
	}
	return out
}
