package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
)

// TestTokenRoles: token create gives a new role on a book, token grant adds
// a role on another book and --revoke takes it back.
func TestTokenRoles(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openDSN(t, dsn)
		for _, code := range []string{"A1", "B1"} {
			if _, err := s.CreateBook(ctx, ledger.System, ledger.NewBook{Code: code, Name: "村" + code, Kind: ledger.KindVillage,
				Township: ledger.Township{Code: "T01", Name: "测试镇"}, StartPeriod: "2026-01"}); err != nil {
				t.Fatal(err)
			}
		}
		out := mustInvoke(t, "token", "create", "--db", dsn, "--role", "cashier", "--book", "A1", "--name", "出纳")
		if !strings.Contains(out, "cashier on book A1") {
			t.Fatalf("create:\n%s", out)
		}
		token := lastLine(out)
		a, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(a.UserID)
		out = mustInvoke(t, "token", "grant", "--db", dsn, "--user", id, "--role", "member", "--book", "B1")
		if !strings.Contains(out, "cashier on book A1; member on book B1") {
			t.Fatalf("grant:\n%s", out)
		}
		if ps, err := s.Permissions(ctx, signIn(t, s, token), "B1"); err != nil || strings.Join(ps, ",") != "read,sign" {
			t.Fatalf("B1 after grant: %v %v", ps, err)
		}
		out = mustInvoke(t, "token", "grant", "--db", dsn, "--user", id, "--role", "member", "--book", "B1", "--revoke")
		if !strings.Contains(out, "revoked") || strings.Contains(out, "B1") {
			t.Fatalf("revoke:\n%s", out)
		}
		_, _, err = invoke(ctx, nil, "token", "grant", "--db", dsn, "--user", id, "--role", "cashier", "--township", "T01")
		if err == nil || !strings.Contains(err.Error(), "整个乡镇只能授予") {
			t.Fatalf("cashier over a township: %v", err)
		}
		_, _, err = invoke(ctx, nil, "token", "create", "--db", dsn, "--role", "reporter", "--name", "报账员")
		if err == nil || !strings.Contains(err.Error(), "报账员角色必须指定账套") {
			t.Fatalf("reporter without a book: %v", err)
		}
	})
}

// signIn authenticates token, reading the user's grants afresh.
func signIn(t *testing.T, s *ledger.Store, token string) ledger.Actor {
	t.Helper()
	a, err := s.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
