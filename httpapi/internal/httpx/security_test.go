package httpx

import (
	"strings"
	"testing"
	"time"
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
