package httpx

import (
	"strings"
	"testing"
)

func TestParsePublicURL(t *testing.T) {
	good := map[string]string{
		"https://cun.example.cn":          "https://cun.example.cn",
		" https://cun.example.cn/ ":       "https://cun.example.cn",
		"http://10.0.0.5:8080/coop/":      "http://10.0.0.5:8080/coop",
		"https://[2001:db8::1]:8443/gk":   "https://[2001:db8::1]:8443/gk",
		"https://xn--fiq228c.example.cn/": "https://xn--fiq228c.example.cn",
	}
	for in, want := range good {
		if got, err := ParsePublicURL(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "cun.example.cn", "/p/x", "ftp://cun.example.cn", "https://", "https:///x",
		"https://cun.example.cn/?a=1", "https://cun.example.cn?", "https://cun.example.cn/#top", "https://u:p@cun.example.cn",
		"javascript:alert(1)", "https://cun.example.cn:http", "mailto:a@b.cn"} {
		_, err := ParsePublicURL(in)
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "--public-url") || !containsHan(msg) || !strings.Contains(msg, "must be") {
			t.Errorf("%q: message %q", in, msg)
		}
	}
	for in, want := range map[string]bool{"http://127.0.0.1:8080": true, "http://localhost": true, "http://[::1]/": true,
		"https://cun.example.cn": false, "http://192.168.1.10": false} {
		if IsLoopbackURL(in) != want {
			t.Errorf("IsLoopbackURL(%q) = %v", in, !want)
		}
	}
}

// containsHan reports whether s has a Chinese character (the message is
// for a Chinese-speaking accountant).
func containsHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff })
}
