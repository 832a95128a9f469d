package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckListen(t *testing.T) {
	for _, tt := range []struct {
		sf serveFlags
		ok bool
	}{
		{serveFlags{addr: "127.0.0.1:8080"}, true},
		{serveFlags{addr: "localhost:8080"}, true},
		{serveFlags{addr: "[::1]:8080"}, true},
		{serveFlags{addr: "127.0.0.2:0"}, true},
		{serveFlags{addr: ":8080"}, false},
		{serveFlags{addr: "0.0.0.0:8080"}, false},
		{serveFlags{addr: "192.168.1.10:8080"}, false},
		{serveFlags{addr: "coop.example.cn:443"}, false},
		{serveFlags{addr: "0.0.0.0:8080", insecureListen: true}, true},
		{serveFlags{addr: "0.0.0.0:443", tlsCert: "c.pem", tlsKey: "k.pem"}, true},
		{serveFlags{addr: "127.0.0.1:443", tlsCert: "c.pem"}, false},
	} {
		if err := checkListen(tt.sf); (err == nil) != tt.ok {
			t.Errorf("%+v: %v, want ok=%v", tt.sf, err, tt.ok)
		}
	}
}

// TestServeRefusesPlainHTTPBeyondLoopback: the server does not start.
func TestServeRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	_, _, err := invoke(context.Background(), nil, "serve", "--db", dsn, "--addr", "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "--insecure-listen") {
		t.Fatalf("serve on 0.0.0.0 without TLS: %v", err)
	}
	_, _, err = invoke(context.Background(), map[string]string{envAddr: ":0"}, "serve", "--db", dsn)
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("serve on :0 from the environment without TLS: %v", err)
	}
}

// TestServeTLS: with a certificate and key the server speaks HTTPS.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	dsn := "sqlite:" + filepath.Join(dir, "tls.db")
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan error, 1)
	var stderr syncBuffer
	go func() {
		exited <- run(ctx, []string{"coopledger", "serve", "--db", dsn, "--addr", addr, "--tls-cert", cert, "--tls-key", key},
			func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
	}()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // our own self-signed test certificate
	deadline := time.Now().Add(readinessTimeout)
	for {
		resp, err := client.Get("https://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.TLS == nil || resp.StatusCode != 200 {
				t.Fatalf("healthz over TLS: %d %v", resp.StatusCode, resp.TLS)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no HTTPS on %s: %v\n%s", addr, err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "listening on https://") {
		t.Errorf("log: %s", stderr.String())
	}
	cancel()
	if err := <-exited; err != nil {
		t.Fatal(err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their paths.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "coopledger test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestTokenRevoke: `token revoke` by id and by token (from stdin) makes the
// token answer 401 on a running server.
func TestTokenRevoke(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		admin := lastLine(mustInvoke(t, "token", "create", "--db", dsn, "--role", "admin", "--name", "管理员"))
		other := lastLine(mustInvoke(t, "token", "create", "--db", dsn, "--role", "admin", "--name", "第二管理员"))
		addr := freePort(t)
		base := "http://" + addr
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		exited := make(chan error, 1)
		go func() {
			exited <- run(ctx, []string{"coopledger", "serve", "--db", dsn, "--addr", addr},
				func(string) string { return "" }, strings.NewReader(""), io.Discard, io.Discard)
		}()
		waitHealthy(t, base, exited)
		if code, _ := get(t, base+"/api/v1/me", admin); code != 200 {
			t.Fatalf("before revoke: %d", code)
		}
		out := mustInvoke(t, "token", "revoke", "--db", dsn, "--user", "1")
		if !strings.Contains(out, "revoked") {
			t.Errorf("revoke output: %s", out)
		}
		if code, body := get(t, base+"/api/v1/me", admin); code != 401 {
			t.Errorf("after revoke by id: %d %s", code, body)
		}
		var stdout, stderr syncBuffer
		err := run(context.Background(), []string{"coopledger", "token", "revoke", "--db", dsn, "--token", "-"},
			func(string) string { return "" }, strings.NewReader(other+"\n"), &stdout, &stderr)
		if err != nil || !strings.Contains(stdout.String(), "第二管理员") {
			t.Fatalf("revoke by token: %v %s %s", err, stdout.String(), stderr.String())
		}
		if code, _ := get(t, base+"/api/v1/me", other); code != 401 {
			t.Errorf("after revoke by token: %d", code)
		}
		if _, _, err := invoke(context.Background(), nil, "token", "revoke", "--db", dsn); err == nil {
			t.Error("revoke without --user or --token succeeded")
		}
		if _, _, err := invoke(context.Background(), nil, "token", "revoke", "--db", dsn, "--user", "77"); err == nil {
			t.Error("revoke of a missing user succeeded")
		}
		cancel()
		<-exited
	})
}

// TestServePublicURL: a bad --public-url (or COOPLEDGER_PUBLIC_URL) stops
// the server at startup with a message in Chinese and English; links that
// would lead to loopback are warned about.
func TestServePublicURL(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	_, _, err := invoke(context.Background(), nil, "serve", "--db", dsn, "--addr", "127.0.0.1:0", "--public-url", "cun.example.cn")
	if err == nil || !strings.Contains(err.Error(), "--public-url") || !strings.Contains(err.Error(), "应为 http") {
		t.Fatalf("bad --public-url: %v", err)
	}
	_, _, err = invoke(context.Background(), map[string]string{envPublicURL: "https://cun.example.cn/?x=1"}, "serve", "--db", dsn, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "查询参数") {
		t.Fatalf("bad %s: %v", envPublicURL, err)
	}
	for _, tt := range []struct {
		sf   serveFlags
		want string
		warn bool
	}{
		{serveFlags{addr: "127.0.0.1:8080"}, "", true},
		{serveFlags{addr: "0.0.0.0:8080"}, "", false},
		{serveFlags{addr: "127.0.0.1:8080", publicURL: "https://cun.example.cn/"}, "https://cun.example.cn", false},
		{serveFlags{addr: "0.0.0.0:8080", publicURL: "http://localhost:8080"}, "http://localhost:8080", true},
	} {
		var log bytes.Buffer
		got, err := checkPublicURL(tt.sf, slog.New(slog.NewTextHandler(&log, nil)))
		if err != nil || got != tt.want {
			t.Errorf("%+v: %q %v, want %q", tt.sf, got, err, tt.want)
		}
		if warned := strings.Contains(log.String(), "--public-url"); warned != tt.warn {
			t.Errorf("%+v: warning %v, want %v: %s", tt.sf, warned, tt.warn, log.String())
		}
	}
}

// TestServeSessionFlags: a bad --trusted-proxies, one without --trust-proxy,
// or session lifetimes out of order stop the server at startup naming the flag.
func TestServeSessionFlags(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--trust-proxy", "--trusted-proxies", "10.0.0.0/8,nonsense"}, "--trusted-proxies"},
		{[]string{"--trusted-proxies", "10.0.0.5"}, "--trust-proxy"},
		{[]string{"--session-idle", "2h", "--session-max-age", "1h"}, "--session-max-age"},
		{[]string{"--session-idle", "10s"}, "--session-idle"},
	} {
		args := append([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}, tt.args...)
		if _, _, err := invoke(context.Background(), nil, args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error naming %s", tt.args, err, tt.want)
		}
	}
}
