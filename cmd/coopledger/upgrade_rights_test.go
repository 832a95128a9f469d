package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"coopledger/httpapi"
	"coopledger/ledger/demo"
)

// What every demo token may do is asked the same questions before the
// upgrade (the previous release's server) and after it (this release on the
// migrated database): roles moved from one column per user to one role per
// book and township, and no token may gain or lose a right.

// rightsProbe is one request; none of them changes anything (they refuse,
// read, or name a voucher or run that does not exist).
type rightsProbe struct {
	method, path, body string
	summary            func(body []byte) string // what of the body must stay the same
}

// rightsProbes are the questions asked of every token about every book and
// the township.
func rightsProbes(books []string, township string) []rightsProbe {
	ps := []rightsProbe{
		{method: "GET", path: "/api/v1/me", summary: meSummary},
		{method: "GET", path: "/api/v1/books", summary: bookCodes},
		{method: "POST", path: "/api/v1/users", body: `{}`},
		{method: "POST", path: "/api/v1/books", body: `{}`},
		{method: "GET", path: "/api/v1/townships/" + township + "/statements?month=2026-09"},
		{method: "GET", path: "/api/v1/townships/" + township + "/reconciliation?quarter=2026Q3"},
	}
	for _, b := range books {
		p := "/api/v1/books/" + b
		ps = append(ps,
			rightsProbe{method: "GET", path: p},
			rightsProbe{method: "GET", path: p + "/accounts"},
			rightsProbe{method: "GET", path: p + "/vouchers?limit=1"},
			rightsProbe{method: "GET", path: p + "/audit-log?limit=1"},
			rightsProbe{method: "GET", path: p + "/payout-runs"},
			rightsProbe{method: "POST", path: p + "/households", body: `{}`},
			rightsProbe{method: "POST", path: p + "/vouchers", body: `{}`},
			rightsProbe{method: "POST", path: p + "/vouchers/99999999/post"},
			rightsProbe{method: "POST", path: p + "/vouchers/99999999/reverse", body: `{"reason":"核对"}`},
			rightsProbe{method: "DELETE", path: p + "/vouchers/99999999"},
			rightsProbe{method: "POST", path: p + "/payout-runs/99999999/approve", body: `{}`},
			rightsProbe{method: "POST", path: p + "/payout-runs/99999999/payments", body: `{"payments":[]}`},
			rightsProbe{method: "POST", path: p + "/periods/2099-01/close"},
			rightsProbe{method: "POST", path: p + "/periods/2099-01/reopen", body: `{"reason":"核对"}`},
			rightsProbe{method: "PUT", path: p + "/segregation", body: `{"opt_out":true}`},
			rightsProbe{method: "POST", path: p + "/disclosures", body: `{}`},
		)
	}
	return ps
}

// meSummary keeps what GET /me said before roles were per book.
func meSummary(body []byte) string {
	var me struct {
		ID       int64    `json:"id"`
		Role     string   `json:"role"`
		Township string   `json:"township"`
		Books    []string `json:"books"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		return "unreadable: " + err.Error()
	}
	return fmt.Sprintf("%d %s %s %v", me.ID, me.Role, me.Township, me.Books)
}

func bookCodes(body []byte) string {
	var list struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return "unreadable: " + err.Error()
	}
	var codes []string
	for _, b := range list.Items {
		codes = append(codes, b.Code)
	}
	sort.Strings(codes)
	return strings.Join(codes, ",")
}

// askRights asks every probe as every user and returns "role name: METHOD
// path → status [summary]" lines.
func askRights(t *testing.T, base string, users []demo.User, probes []rightsProbe) []string {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second}
	var out []string
	for _, u := range users {
		for _, p := range probes {
			var body io.Reader
			if p.body != "" {
				body = strings.NewReader(p.body)
			}
			r, err := http.NewRequest(p.method, base+p.path, body)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Authorization", "Bearer "+u.Token)
			if p.body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			res, err := client.Do(r)
			if err != nil {
				t.Fatalf("%s %s: %v", p.method, p.path, err)
			}
			data, _ := io.ReadAll(io.LimitReader(res.Body, 8<<20))
			res.Body.Close()
			line := fmt.Sprintf("%s %s: %s %s → %d", u.Role, u.Name, p.method, p.path, res.StatusCode)
			if p.summary != nil && res.StatusCode == http.StatusOK {
				line += " " + p.summary(data)
			}
			out = append(out, line)
		}
	}
	return out
}

// servePrevious runs the previous release's server on dsn at a free
// loopback port until the test ends, and returns its base URL.
func servePrevious(t *testing.T, bin, dsn string) (base string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() {
		cmd.Process.Kill() //nolint:errcheck // the process is ours; Wait reaps it
		cmd.Wait()         //nolint:errcheck // killed on purpose
	}
	base = "http://" + addr
	client := &http.Client{Timeout: time.Second}
	for i := 0; i < 300; i++ { // at most about 30 s
		if res, err := client.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, stop
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	t.Fatalf("the previous release's server did not answer on %s", addr)
	return "", nil
}

// serveCurrent serves the migrated database with this release.
func serveCurrent(t *testing.T, dsn string) string {
	t.Helper()
	s := openDSN(t, dsn)
	srv := httptest.NewServer(httpapi.New(s, slog.New(slog.DiscardHandler), httpapi.Options{AuthFailuresPerMinute: 1 << 20}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// demoBooks reads the demo's book codes and township as its admin.
func demoBooks(t *testing.T, base string, users []demo.User) ([]string, string) {
	t.Helper()
	for _, u := range users {
		if u.Role != "admin" {
			continue
		}
		r, _ := http.NewRequestWithContext(context.Background(), "GET", base+"/api/v1/books", nil)
		r.Header.Set("Authorization", "Bearer "+u.Token)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return strings.Split(bookCodes(data), ","), demo.Township.Code
	}
	t.Fatal("the demo has no admin")
	return nil, ""
}

func tokensFile(t *testing.T) string { return filepath.Join(t.TempDir(), "tokens.tsv") }
