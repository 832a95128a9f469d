package web

import "testing"

func TestSafeNext(t *testing.T) {
	for _, bad := range []string{"//evil.example/", "/%09/evil.example", "/\t/evil.example", "/%2F/evil", "/%2f%2fevil",
		"/\\evil", "/%5Cevil", "https://evil.example", "/", "", "books", "/1books", "/%E2%80%8B/evil", "/books/%0A",
		"/books/x%20y", "/%zz"} {
		if got := safeNext(bad); got != "/" {
			t.Errorf("safeNext(%q) kept %q", bad, got)
		}
	}
	for _, good := range []string{"/books/V1", "/books/V1/vouchers?status=draft", "/township/T1"} {
		if got := safeNext(good); got != good {
			t.Errorf("safeNext(%q) = %q", good, got)
		}
	}
}
