package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// invoke runs the program as `coopledger args...` with only the given
// environment variables set.
func invoke(ctx context.Context, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	var out, errOut syncBuffer
	getenv := func(k string) string { return vars[k] }
	err = run(ctx, append([]string{"coopledger"}, args...), getenv, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustInvoke(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := invoke(context.Background(), nil, args...)
	if err != nil {
		t.Fatalf("coopledger %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// eachDialect runs fn per database with the DSN of a fresh, empty database.
func eachDialect(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, d := range ledgertest.Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, ledgertest.DSN(t, d)) })
	}
}

// openDSN opens a store on dsn for checks, closed when the test ends.
func openDSN(t *testing.T, dsn string) *ledger.Store {
	t.Helper()
	s, err := ledger.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestHelp(t *testing.T) {
	out := mustInvoke(t, "help")
	for _, c := range []string{"serve", "migrate", "verify", "token", "demo", "COOPLEDGER_DB", "COOPLEDGER_ADDR"} {
		if !strings.Contains(out, c) {
			t.Errorf("help does not mention %s:\n%s", c, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" means success
	}{
		{"no command", nil, "no command given"},
		{"unknown command", []string{"bogus"}, `unknown command "bogus"`},
		{"unknown flag", []string{"migrate", "--nope"}, "flag provided but not defined"},
		{"stray argument", []string{"migrate", "--db", db, "extra"}, `unexpected argument "extra"`},
		{"migrate help", []string{"migrate", "-h"}, ""},
		{"serve help", []string{"serve", "--help"}, ""},
		{"token alone", []string{"token"}, `expected "token create"`},
		{"token list", []string{"token", "list"}, `expected "token create"`},
		{"token without name", []string{"token", "create", "--db", db, "--role", "admin"}, "--role and --name are required"},
		{"token bad role", []string{"token", "create", "--db", db, "--role", "boss", "--name", "x"}, "角色"},
		{"unknown database", []string{"migrate", "--db", "mysql://x"}, "expected sqlite:PATH or postgres://URL"},
		{"verify unknown book", []string{"verify", "--db", db, "--book", "NOPE"}, "NOPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := invoke(context.Background(), nil, tt.args...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q (stderr %s)", err, tt.wantErr, stderr)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		out := mustInvoke(t, "migrate", "--db", dsn)
		if !strings.Contains(out, "applied 20260101000001_ledger_core") || !strings.Contains(out, "migration(s) applied") {
			t.Fatalf("first migrate:\n%s", out)
		}
		if out := mustInvoke(t, "migrate", "--db", dsn); !strings.Contains(out, "up to date") {
			t.Fatalf("second migrate:\n%s", out)
		}
	})
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	dir := t.TempDir()
	fromEnv, fromFlag := filepath.Join(dir, "env.db"), filepath.Join(dir, "flag.db")
	vars := map[string]string{envDB: "sqlite:" + fromEnv}
	if _, _, err := invoke(context.Background(), vars, "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fromEnv); err != nil {
		t.Fatalf("COOPLEDGER_DB not used: %v", err)
	}
	out, _, err := invoke(context.Background(), vars, "migrate", "--db", "sqlite:"+fromFlag)
	if err != nil || !strings.Contains(out, fromFlag) {
		t.Fatalf("--db did not override COOPLEDGER_DB: %v\n%s", err, out)
	}
	if _, err := os.Stat(fromFlag); err != nil {
		t.Fatalf("--db not used: %v", err)
	}
}

func TestTokenCreate(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		out := mustInvoke(t, "token", "create", "--db", dsn, "--role", "admin", "--name", "首任管理员")
		token := lastLine(out)
		if !strings.HasPrefix(token, "cl_") || strings.ContainsAny(token, " \t") {
			t.Fatalf("last line is not a token:\n%s", out)
		}
		if !strings.Contains(out, "shown once") {
			t.Errorf("no warning that the token is shown once:\n%s", out)
		}
		a, err := openDSN(t, dsn).Authenticate(context.Background(), token)
		if err != nil || a.Role != ledger.RoleAdmin || a.Name != "首任管理员" {
			t.Fatalf("token signs in as %+v, %v", a, err)
		}
		_, _, err = invoke(context.Background(), nil, "token", "create", "--db", dsn, "--role", "township", "--township", "NOWHERE", "--name", "x")
		if err == nil || !strings.Contains(err.Error(), "乡镇不存在") {
			t.Fatalf("unknown township: %v", err)
		}
	})
}
