package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var tokenPattern = regexp.MustCompile(`cl_[A-Za-z0-9_-]{43}`)

func TestDemo(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		tokensFile := filepath.Join(t.TempDir(), "data", "demo-tokens.txt")
		out := mustInvoke(t, "demo", "--db", dsn, "--tokens-file", tokensFile, "--addr", "127.0.0.1:18080")
		for _, want := range []string{"QINGZHU", "HONGYA", "DAOXIANG", "closed 2026-01…2026-03",
			"admin", "accountant", "township", "auditor", "http://127.0.0.1:18080/api/v1/me",
			"/api/v1/books/QINGZHU/trial-balance?from=2026-01&to=2026-09"} {
			if !strings.Contains(out, want) {
				t.Errorf("demo output lacks %q", want)
			}
		}
		tokens := uniqueTokens(out)
		if len(tokens) != 6 {
			t.Fatalf("demo printed %d distinct tokens, want 6:\n%s", len(tokens), out)
		}
		st, err := os.Stat(tokensFile)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("tokens file: %v %v", st, err)
		}

		_, _, err = invoke(context.Background(), nil, "demo", "--db", dsn)
		if err == nil || !strings.Contains(err.Error(), "already has 3 book(s)") {
			t.Fatalf("second demo: %v, want a refusal", err)
		}

		again := mustInvoke(t, "demo", "--db", dsn, "--if-empty", "--tokens-file", tokensFile)
		if !strings.Contains(again, "demo not loaded again") || !equalSets(uniqueTokens(again), tokens) {
			t.Fatalf("--if-empty did not print the saved tokens:\n%s", again)
		}

		verified := mustInvoke(t, "verify", "--db", dsn)
		if n := strings.Count(verified, "OK "); n != 3 {
			t.Fatalf("verify after demo: %d books OK, want 3:\n%s", n, verified)
		}
	})
}

func TestDemoIfEmptyWithoutSavedTokens(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	mustInvoke(t, "demo", "--db", dsn)
	out := mustInvoke(t, "demo", "--db", dsn, "--if-empty", "--tokens-file", filepath.Join(t.TempDir(), "none.txt"))
	if !strings.Contains(out, "No saved demo tokens") {
		t.Fatalf("output:\n%s", out)
	}
}

func uniqueTokens(s string) map[string]bool {
	out := map[string]bool{}
	for _, tok := range tokenPattern.FindAllString(s, -1) {
		out[tok] = true
	}
	return out
}

func equalSets(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
