package public

import (
	"fmt"
	"testing"
	"time"
)

// TestIPLimiterBoundsMemory: the limiter never tracks more than maxClients
// addresses; the rest share one budget, and a new window starts afresh.
func TestIPLimiterBoundsMemory(t *testing.T) {
	now := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	l := newIPLimiter(3, 100, time.Minute, func() time.Time { return now })
	for i := 0; i < 100; i++ {
		if !l.allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256)) {
			t.Fatal("first request refused")
		}
	}
	allowed := 0
	for i := 0; i < 1000; i++ {
		if l.allow(fmt.Sprintf("192.0.2.%d", i)) {
			allowed++
		}
	}
	if len(l.counts) != 100 || allowed != 3 {
		t.Errorf("tracked %d addresses, overflow allowed %d", len(l.counts), allowed)
	}
	for i := 0; i < 3; i++ {
		l.allow("10.0.0.1")
	}
	if l.allow("10.0.0.1") {
		t.Error("fourth request in a window allowed")
	}
	now = now.Add(time.Minute)
	if !l.allow("10.0.0.1") || len(l.counts) != 1 {
		t.Error("a new window did not start afresh")
	}
}
