package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// readinessTimeout bounds the wait for /healthz.
const readinessTimeout = 10 * time.Second

// waitHealthy polls /healthz until it answers 200, the server exits, or the
// readiness timeout passes.
func waitHealthy(t *testing.T, base string, exited <-chan error) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readinessTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("server exited before it was ready: %v", err)
		default:
		}
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s/healthz not ready within %s", base, readinessTimeout)
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestServe(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		token := lastLine(mustInvoke(t, "token", "create", "--db", dsn, "--role", "admin", "--name", "serve-test-admin"))
		addr := freePort(t)
		base := "http://" + addr

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stderr syncBuffer
		exited := make(chan error, 1)
		go func() {
			exited <- run(ctx, []string{"coopledger", "serve", "--db", dsn, "--addr", addr},
				func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
		}()
		waitHealthy(t, base, exited)
		if !strings.Contains(stderr.String(), "listening on "+base) {
			t.Errorf("no %q in the log:\n%s", "listening on "+base, stderr.String())
		}

		if code, body := get(t, base+"/api/v1/me", token); code != http.StatusOK || !strings.Contains(body, "serve-test-admin") {
			t.Errorf("GET /api/v1/me: %d %s", code, body)
		}
		if code, _ := get(t, base+"/api/v1/books", token); code != http.StatusOK {
			t.Errorf("GET /api/v1/books: %d", code)
		}
		if code, _ := get(t, base+"/api/v1/me", ""); code != http.StatusUnauthorized {
			t.Errorf("GET /api/v1/me without a token: %d, want 401", code)
		}

		cancel()
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("serve returned %v after cancel, want nil (graceful shutdown)", err)
			}
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Fatal("serve did not return after cancel")
		}
		if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			t.Error("still listening after shutdown")
		}
	})
}

// serveInBackground starts `coopledger serve` through run() on a free
// loopback port, waits until it is healthy and stops it when the test ends.
func serveInBackground(t *testing.T, dsn string, flags ...string) (addr string) {
	t.Helper()
	addr = freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan error, 1)
	go func() {
		args := append([]string{"coopledger", "serve", "--db", dsn, "--addr", addr}, flags...)
		exited <- run(ctx, args, func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-exited:
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Error("serve did not stop")
		}
	})
	waitHealthy(t, "http://"+addr, exited)
	return addr
}
