package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestSecurityHeaders: every answer, success or error, public or not, carries
// the browser hardening headers; API answers are never cached.
func TestSecurityHeaders(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	e := newEnv(t, s)
	for _, r := range []req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/api/v1/me", role: roleAuditor},
		{method: "GET", path: "/api/v1/me"},
		{method: "GET", path: "/api/v1/books/V1/vouchers/abc", role: rolePreparer},
		{method: "GET", path: "/nothing", undocumented: true},
	} {
		res := e.do(r)
		want := map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
		}
		if strings.HasPrefix(r.path, "/api/") {
			want["Cache-Control"] = "no-store"
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s %s → %d: %s = %q, want %q", r.method, r.path, res.status, k, got, v)
			}
		}
		if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s %s: Content-Security-Policy %q", r.method, r.path, csp)
		}
	}
}

// TestAuthFailureLimit: after the limit of failed authentications a client
// address gets 429 with the envelope and Retry-After for any further failure,
// whatever X-Forwarded-For it claims, while a valid token still passes; other
// routes are not affected.
func TestAuthFailureLimit(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	e := newEnvWith(t, s, Options{AuthFailuresPerMinute: 5}, slog.New(slog.DiscardHandler))
	for i := range 5 {
		forged := req{method: "GET", path: "/api/v1/me", token: "cl_forged_token_guess_" + strings.Repeat("x", i+1)}
		checkEnvelope(t, "forged token", e.do(forged), http.StatusUnauthorized, ledger.ECodeUnauthorized, "Authorization")
	}
	for _, r := range []req{
		{method: "GET", path: "/api/v1/me", token: "cl_another_guess_0123456789"},
		{method: "GET", path: "/api/v1/me"},
		{method: "GET", path: "/api/v1/me", token: "cl_spoofed_0123456789", headers: map[string]string{"X-Forwarded-For": "203.0.113.9"}},
	} {
		res := e.do(r)
		checkEnvelope(t, "after the limit", res, http.StatusTooManyRequests, httpx.CodeRateLimited, "Authorization")
		if ra := res.header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
	}
	e.expect(req{method: "GET", path: "/api/v1/me", role: roleAuditor}, http.StatusOK)
	if res := e.do(req{method: "GET", path: "/healthz"}); res.status != http.StatusOK {
		t.Errorf("healthz after the limit: %d", res.status)
	}
}

// TestRevokedToken: a revoked token answers 401 on the next request, by user
// id or by the token itself; revoking is admin-only and recorded.
func TestRevokedToken(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		e.expect(req{method: "GET", path: "/api/v1/me", role: roleAuditor}, http.StatusOK)
		if _, err := s.RevokeUser(ctx, e.f.Preparer, e.f.Auditor.UserID); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("an accountant revoked a token: %v", err)
		}
		r, err := s.RevokeUser(ctx, ledger.System, e.f.Auditor.UserID)
		if err != nil || r.Already || r.ID != e.f.Auditor.UserID {
			t.Fatalf("revoke: %+v %v", r, err)
		}
		checkEnvelope(t, "revoked by id", e.do(req{method: "GET", path: "/api/v1/books/V1/verify", role: roleAuditor}),
			http.StatusUnauthorized, ledger.ECodeUnauthorized, "Authorization")
		if r, err := s.RevokeToken(ctx, e.f.Admin, e.tokens[roleTownship]); err != nil || r.ID != e.f.Township.UserID {
			t.Fatalf("revoke by token: %+v %v", r, err)
		}
		checkEnvelope(t, "revoked by token", e.do(req{method: "GET", path: "/api/v1/me", role: roleTownship}),
			http.StatusUnauthorized, ledger.ECodeUnauthorized, "Authorization")
		if r, err := s.RevokeUser(ctx, ledger.System, e.f.Auditor.UserID); err != nil || !r.Already {
			t.Fatalf("second revoke: %+v %v", r, err)
		}
		if _, err := s.RevokeUser(ctx, ledger.System, 99999); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Fatalf("revoke of nobody: %v", err)
		}
		e.expect(req{method: "GET", path: "/api/v1/me", role: rolePreparer}, http.StatusOK)
		if n := countRows(t, s, "audit_log", "action = ?", "revoke"); n != 2 {
			t.Errorf("%d revocations in the audit log, want 2", n)
		}
	})
}

// TestLogsCarryNoPersonalNumbers: requests carrying ID numbers and bank
// accounts in bodies, query strings and refused fields leave neither in the
// server's log.
func TestLogsCarryNoPersonalNumbers(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	var logs syncBuffer
	e := newEnvWith(t, s, Options{}, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	id, bank := ledgertest.IDNumber(4242), "6217000012345678901"
	badID := id[:17] + "0"
	if badID == id {
		badID = id[:17] + "1"
	}
	e.expect(req{method: "POST", path: "/api/v1/books/V1/households", role: rolePreparer,
		body: api.HouseholdRequest{Code: "L01", HeadName: "记录户", IDNumber: id, BankAccount: bank, Members: 2, Status: ledger.StatusOrdinary}}, http.StatusCreated)
	e.expect(req{method: "GET", path: "/api/v1/books/V1/households?q=" + id, role: rolePreparer}, http.StatusOK)
	e.expect(req{method: "GET", path: "/api/v1/books/V1/households?q=" + bank, role: rolePreparer}, http.StatusOK)
	e.do(req{method: "POST", path: "/api/v1/books/V1/households", role: rolePreparer,
		body: api.HouseholdRequest{Code: "L02", HeadName: "错号户", IDNumber: badID, BankAccount: bank + "x", Members: 2, Status: ledger.StatusOrdinary}})
	e.do(req{method: "PATCH", path: "/api/v1/books/V1/households/L01", role: rolePreparer, body: map[string]any{"bank_account": bank[:16]}})
	e.do(req{method: "GET", path: "/api/v1/books/V1/households/" + id, role: rolePreparer})
	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) {
		t.Fatalf("no request lines logged:\n%s", out)
	}
	for _, secret := range []string{id, badID, bank, bank[:16], id[6:14] + id[14:17]} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains %q:\n%s", secret, out)
		}
	}
}
