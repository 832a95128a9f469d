package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestAuthLimiterWindow: the lockout ends with its window; memory is bounded.
func TestAuthLimiterWindow(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	l := NewAuthLimiter(3, func() time.Time { return now })
	for range 3 {
		l.fail("10.0.0.1")
	}
	if l.retryAfter("10.0.0.1") <= 0 || l.retryAfter("10.0.0.2") != 0 {
		t.Fatal("limit not applied per address")
	}
	now = now.Add(authWindow)
	if w := l.retryAfter("10.0.0.1"); w != 0 {
		t.Fatalf("still locked after the window: %v", w)
	}
	for i := range maxTrackedClients + 10 {
		l.fail("192.0.2." + string(rune('a'+i%26)) + strings.Repeat("x", i/26))
	}
	if n := len(l.clients); n > maxTrackedClients {
		t.Fatalf("%d addresses tracked", n)
	}
}

// TestAuthLimiterPerCredential: one credential failing from many addresses
// is limited by its prefix; other credentials from those addresses are not.
func TestAuthLimiterPerCredential(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	l := NewAuthLimiter(3, func() time.Time { return now })
	for i := range 3 {
		if w := l.Failed("198.51.100."+string(rune('1'+i)), "cl_leakedtoken_0001"); w != 0 {
			t.Fatalf("failure %d refused: %v", i+1, w)
		}
	}
	if w := l.Failed("198.51.100.9", "cl_leakedtoken_0002"); w <= 0 {
		t.Error("a credential prefix over the limit was not refused from a new address")
	}
	if w := l.Failed("198.51.100.9", "cl_different_0001"); w != 0 {
		t.Errorf("another credential refused: %v", w)
	}
}

// TestProxyTrust: X-Forwarded-For and X-Forwarded-Proto are believed only
// from a configured proxy; the default list is loopback.
func TestProxyTrust(t *testing.T) {
	if _, err := ParseProxies("10.0.0.0/8, bogus"); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
		t.Fatalf("bad proxy list: %v", err)
	}
	for _, tt := range []struct {
		list, peer, wantIP string
		https              bool
	}{
		{"", "127.0.0.1:5000", "203.0.113.7", true},
		{"", "10.0.0.2:5000", "10.0.0.2", false}, // a private address is not trusted by default
		{"10.0.0.0/24,192.0.2.1", "10.0.0.2:5000", "203.0.113.7", true},
		{"10.0.0.0/24,192.0.2.1", "192.0.2.1:5000", "203.0.113.7", true},
		{"10.0.0.0/24", "127.0.0.1:5000", "127.0.0.1", false},
	} {
		proxies, err := ParseProxies(tt.list)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.peer
		r.Header.Set(echo.HeaderXForwardedFor, "203.0.113.7")
		r.Header.Set(echo.HeaderXForwardedProto, "https")
		e := echo.New()
		c := e.NewContext(r, httptest.NewRecorder())
		if ip := IPExtractor(proxies)(r); ip != tt.wantIP {
			t.Errorf("%q from %s: client %s, want %s", tt.list, tt.peer, ip, tt.wantIP)
		}
		if got := (&Core{Proxies: proxies}).IsHTTPS(c); got != tt.https {
			t.Errorf("%q from %s: https %v, want %v", tt.list, tt.peer, got, tt.https)
		}
	}
}
