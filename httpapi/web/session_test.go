package web

import "testing"

func TestSafeNext(t *testing.T) {
	if got := safeNext("//evil.example/"); got != "/" {
		t.Errorf("safeNext kept %q", got)
	}
}
