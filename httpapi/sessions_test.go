package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// Web sessions, CSRF binding, the failure limit of the pages and the
// secrets kept out of logs (issue 15, items 5, 6, 7, 9 and 10).

// webServer serves the pages of s with opts on loopback.
func webServer(t *testing.T, s *ledger.Store, opts Options, logger *slog.Logger) *httptest.Server {
	t.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv := httptest.NewServer(New(s, logger, opts))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	return srv
}

// sessionCookieOf returns the session cookie a client holds.
func sessionCookieOf(t *testing.T, c *webClient) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(c.base + "/")
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "cl_session" {
			return ck
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// getWithCookie fetches path with only the given session cookie, as a
// saved copy of it would be replayed.
func getWithCookie(t *testing.T, base, path string, ck *http.Cookie) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// TestWebSessionEnds: the cookie holds a session id, not the token; a saved
// copy of it stops working after sign-out and after the token is revoked.
func TestWebSessionEnds(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		c := newWebClient(t, w.srv.URL)
		c.signIn(w.f.Tokens["preparer"])
		saved := sessionCookieOf(t, c)
		if strings.Contains(saved.Value, w.f.Tokens["preparer"]) || len(saved.Value) < 40 {
			t.Fatalf("session cookie %q is the token or too short", saved.Value)
		}
		if status, _ := getWithCookie(t, w.srv.URL, "/books/V1", saved); status != http.StatusOK {
			t.Fatalf("saved cookie before sign-out: %d", status)
		}
		if status, _, _ := c.do(http.MethodPost, "/logout", url.Values{"csrf": {c.csrf}}); status != http.StatusSeeOther {
			t.Fatalf("sign out: %d", status)
		}
		if status, loc := getWithCookie(t, w.srv.URL, "/books/V1", saved); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("saved cookie after sign-out: %d %s, want a redirect to sign in", status, loc)
		}

		c2 := newWebClient(t, w.srv.URL)
		c2.signIn(w.f.Tokens["auditor"])
		saved = sessionCookieOf(t, c2)
		if _, err := s.RevokeUser(context.Background(), ledger.System, w.f.Auditor.UserID); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "web_sessions", "user_id = ?", w.f.Auditor.UserID); n != 0 {
			t.Errorf("%d sessions left after revocation", n)
		}
		if status, loc := getWithCookie(t, w.srv.URL, "/books/V1", saved); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("saved cookie after revocation: %d %s, want a redirect to sign in", status, loc)
		}
	})
}

// testClock is a settable clock shared with the server's goroutines.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestWebSessionExpiry: a session ends after the idle time without a
// request, and after the absolute time however busy it is.
func TestWebSessionExpiry(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		clock := &testClock{now: time.Now()}
		s.SetClock(clock.Now)
		srv := webServer(t, s, Options{SessionIdle: 30 * time.Minute, SessionMaxAge: 2 * time.Hour}, nil)

		idle := newWebClient(t, srv.URL)
		idle.signIn(w.f.Tokens["preparer"])
		busy := newWebClient(t, srv.URL)
		busy.signIn(w.f.Tokens["reviewer"])
		for i := range 4 { // 4 × 25 min: within the idle time each step
			clock.Add(25 * time.Minute)
			if status, _, _ := busy.do(http.MethodGet, "/books/V1", nil); status != http.StatusOK {
				t.Fatalf("busy session after %d min: %d", 25*(i+1), status)
			}
			if i == 1 {
				if status, _, h := idle.do(http.MethodGet, "/books/V1", nil); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
					t.Errorf("idle for 50 min: %d, want a redirect to sign in", status)
				}
			}
		}
		clock.Add(25 * time.Minute) // 125 min after sign-in, 25 min after the last request
		if status, _, _ := busy.do(http.MethodGet, "/books/V1", nil); status != http.StatusSeeOther {
			t.Errorf("busy session past its absolute time: %d, want a redirect to sign in", status)
		}
	})
}

// TestWebSecureBehindProxy: behind a trusted TLS proxy (X-Forwarded-Proto:
// https) or with an https public URL the session cookie is Secure and the
// answer has HSTS; the same header from a peer that is not a trusted proxy
// changes nothing.
func TestWebSecureBehindProxy(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	for _, tt := range []struct {
		name   string
		opts   Options
		secure bool
	}{
		{"trusted loopback proxy", Options{TrustProxy: true}, true},
		{"https public URL", Options{PublicURL: "https://cun.example.cn"}, true},
		{"no --trust-proxy", Options{}, false},
		{"proxy elsewhere", Options{TrustProxy: true, TrustedProxies: "10.1.2.0/24"}, false},
	} {
		srv := webServer(t, s, tt.opts, nil)
		c := newWebClient(t, srv.URL)
		c.do(http.MethodGet, "/login", nil)
		form := url.Values{"csrf": {c.csrf}, "token": {w.f.Tokens["preparer"]}, "next": {"/"}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		u, _ := url.Parse(srv.URL)
		for _, ck := range c.c.Jar.Cookies(u) {
			req.AddCookie(ck)
		}
		res, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "cl_session" {
				session = ck
			}
		}
		if res.StatusCode != http.StatusSeeOther || session == nil {
			t.Fatalf("%s: sign in %d, cookie %v", tt.name, res.StatusCode, session)
		}
		hsts := res.Header.Get("Strict-Transport-Security")
		if session.Secure != tt.secure || (hsts != "") != tt.secure || !session.HttpOnly || session.Path != "/" {
			t.Errorf("%s: cookie Secure=%v HttpOnly=%v Path=%q, HSTS %q; want Secure=%v", tt.name, session.Secure, session.HttpOnly, session.Path, hsts, tt.secure)
		}
	}
}

// TestWebCSRFBodyOnly: the CSRF token is refused from the query string and
// from another session, and accepted from the form body or the header.
func TestWebCSRFBodyOnly(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	alice := newWebClient(t, w.srv.URL)
	alice.signIn(w.f.Tokens["preparer"])
	bob := newWebClient(t, w.srv.URL)
	bob.signIn(w.f.Tokens["preparer"]) // the same user, another session
	if alice.csrf == bob.csrf {
		t.Fatal("two sessions of one user share a CSRF token")
	}
	before := ledgertest.Digest(t, s)
	form := url.Values{"code": {"C77"}, "name": {"新单位"}}
	if status, _, _ := alice.do(http.MethodPost, "/books/V1/parties?csrf="+alice.csrf, form); status != http.StatusForbidden {
		t.Errorf("CSRF token in the query: %d, want 403", status)
	}
	form.Set("csrf", bob.csrf)
	if status, _, _ := alice.do(http.MethodPost, "/books/V1/parties", form); status != http.StatusForbidden {
		t.Errorf("another session's CSRF token: %d, want 403", status)
	}
	if after := ledgertest.Digest(t, s); after != before {
		t.Fatal("a refused form changed the books")
	}
	form.Del("csrf")
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/books/V1/parties", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", alice.csrf)
	res, err := alice.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusForbidden {
		t.Errorf("CSRF token in the header refused")
	}
	form.Set("csrf", alice.csrf)
	form.Set("code", "C78")
	if status, _, _ := alice.do(http.MethodPost, "/books/V1/parties", form); status == http.StatusForbidden {
		t.Errorf("CSRF token in the body refused")
	}
}

// TestLogsHideLinkSecrets: the request log of a household page and a
// disclosure page, found or not, names the route and never the token or slug.
func TestLogsHideLinkSecrets(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	var logs syncBuffer
	e := newEnvWith(t, s, Options{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	token, slug := e.link("H001"), e.publish("2026Q1").Slug
	secrets := []string{token, slug, "NOSUCHTOKEN0123456789", "nosuchslug0123456789"}
	for _, p := range []string{"/h/V1/" + token, "/p/V1/" + slug, "/h/V1/" + secrets[2], "/p/V1/" + secrets[3]} {
		e.page(p)
	}
	e.do(req{method: "GET", path: "/h/V1/" + token + "/x", undocumented: true}) // no route at all
	out := logs.String()
	if !strings.Contains(out, `"route":"/h/:book/:token"`) || !strings.Contains(out, `"route":"/p/:book/:slug"`) {
		t.Errorf("log lacks the route patterns:\n%s", out)
	}
	for _, sec := range secrets {
		if strings.Contains(out, sec) {
			t.Errorf("log holds the secret %q:\n%s", sec, out)
		}
	}
}

// TestAuthLimitSparesValidTokens: 20 junk bearers from one address do not
// lock out a valid token from that address; the junk itself gets 429.
func TestAuthLimitSparesValidTokens(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	e := newEnvWith(t, s, Options{AuthFailuresPerMinute: 20}, slog.New(slog.DiscardHandler))
	for i := range 20 {
		e.expect(req{method: "GET", path: "/api/v1/me", token: "cl_junk_" + strings.Repeat("z", 20) + itoa(int64(i))}, http.StatusUnauthorized)
	}
	e.expect(req{method: "GET", path: "/api/v1/me", role: roleTownship}, http.StatusOK)
	e.expect(req{method: "GET", path: "/api/v1/me", token: "cl_other_" + strings.Repeat("y", 20)}, http.StatusTooManyRequests)
}

// TestWebAuthLimited: junk sign-ins and junk session cookies count against
// the limit and get 429; a valid sign-in from the same address still works.
func TestWebAuthLimited(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	srv := webServer(t, s, Options{AuthFailuresPerMinute: 3}, nil)
	c := newWebClient(t, srv.URL)
	c.do(http.MethodGet, "/login", nil)
	var statuses []int
	for i := range 4 {
		status, _, h := c.do(http.MethodPost, "/login", url.Values{"csrf": {c.csrf}, "token": {"cl_guess_" + strings.Repeat("q", 20) + itoa(int64(i))}})
		statuses = append(statuses, status)
		if status == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if statuses[2] != http.StatusUnauthorized || statuses[3] != http.StatusTooManyRequests {
		t.Errorf("junk sign-ins answered %v, want 401 three times then 429", statuses)
	}
	c.signIn(w.f.Tokens["preparer"]) // a valid token passes whatever failed before

	srv2 := webServer(t, s, Options{AuthFailuresPerMinute: 3}, nil)
	statuses = statuses[:0]
	for i := range 4 {
		status, _ := getWithCookie(t, srv2.URL, "/books/V1", &http.Cookie{Name: "cl_session", Value: "s_forged" + strings.Repeat("k", 40) + itoa(int64(i))})
		statuses = append(statuses, status)
	}
	if statuses[2] != http.StatusSeeOther || statuses[3] != http.StatusTooManyRequests {
		t.Errorf("junk session cookies answered %v, want a redirect three times then 429", statuses)
	}
}

// TestSignInNextStaysOnSite: the sign-in form's next= only keeps paths of
// this site; /%09/host and its friends fall back to /.
func TestSignInNextStaysOnSite(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	for next, want := range map[string]string{
		"/%09/evil.example":     "/",
		"/\t/evil.example":      "/",
		"/%2F/evil.example":     "/",
		"/%5Cevil.example":      "/",
		"/\\evil.example":       "/",
		"//evil.example":        "/",
		"https://evil.example/": "/",
		"/%0d%0aSet-Cookie:x=1": "/",
		"/books/V1/vouchers":    "/books/V1/vouchers",
	} {
		c := newWebClient(t, w.srv.URL)
		c.do(http.MethodGet, "/login", nil)
		status, _, h := c.do(http.MethodPost, "/login", url.Values{"csrf": {c.csrf}, "token": {w.f.Tokens["preparer"]}, "next": {next}})
		if status != http.StatusSeeOther || h.Get("Location") != want {
			t.Errorf("next=%q: %d → %q, want %q", next, status, h.Get("Location"), want)
		}
	}
}
