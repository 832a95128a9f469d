package httpx

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// Security basics every response gets, and the limit on failed
// authentication per client address.

// SecurityHeaders sets the headers that keep browsers from sniffing, framing
// or leaking what we send. Handlers may override them (a page that needs a
// wider Content-Security-Policy sets its own). API answers are never cached:
// they carry household names, ID numbers and amounts.
func SecurityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// Defaults of the failed-authentication limit.
const (
	DefaultAuthFailures = 20          // failures per window, client address and credential prefix
	authWindow          = time.Minute // the window
	maxTrackedClients   = 10000       // addresses remembered at once
)

// AuthLimiter counts failed authentications in fixed windows, per client
// address and per credential prefix (so one leaked or guessed credential
// tried from many addresses is limited too). It never refuses a valid
// credential: the credential is checked first (one indexed lookup of its
// SHA-256) and only a failure is counted and, over the limit, answered 429.
// Guessing a 256-bit token is hopeless anyway; the limit caps the noise, and
// junk from one address no longer locks out the valid users behind it.
type AuthLimiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	now     func() time.Time
	clients map[string]*failures // "a "+address or "c "+credential prefix
}

// credentialPrefix is how many leading bytes of a credential name it for the
// limit: beyond the fixed "cl_" or "s_", enough to tell credentials apart,
// too few to be worth stealing from memory.
const credentialPrefix = 12

// Failed records a failed authentication by ip with credential ("" when
// none was sent) and reports how long the client must wait: more than 0
// when the address or the credential had already reached the limit.
func (l *AuthLimiter) Failed(ip, credential string) time.Duration {
	keys := []string{"a " + ip}
	if credential != "" {
		keys = append(keys, "c "+credential[:min(len(credential), credentialPrefix)])
	}
	var wait time.Duration
	for _, k := range keys {
		wait = max(wait, l.retryAfter(k))
		l.fail(k)
	}
	return wait
}

type failures struct {
	start time.Time
	n     int
}

func NewAuthLimiter(max int, now func() time.Time) *AuthLimiter {
	return &AuthLimiter{max: max, window: authWindow, now: now, clients: map[string]*failures{}}
}

// retryAfter reports how long the client of key must wait; 0 while it is
// within the limit.
func (l *AuthLimiter) retryAfter(ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.clients[ip]
	if f == nil || f.n < l.max {
		return 0
	}
	left := f.start.Add(l.window).Sub(l.now())
	if left <= 0 {
		delete(l.clients, ip)
		return 0
	}
	return left
}

// fail records a failed authentication by ip.
func (l *AuthLimiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.clients[ip]
	if f == nil || now.Sub(f.start) >= l.window {
		if len(l.clients) >= maxTrackedClients {
			l.prune(now)
		}
		f = &failures{start: now}
		l.clients[ip] = f
	}
	f.n++
}

// prune forgets expired windows; if every window is live, it forgets all
// (bounded memory beats a perfect count under a flood of addresses).
func (l *AuthLimiter) prune(now time.Time) {
	for ip, f := range l.clients {
		if now.Sub(f.start) >= l.window {
			delete(l.clients, ip)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		clear(l.clients)
	}
}

// TooManyFailures is the 429 answer, with Retry-After in whole seconds.
func TooManyFailures(c echo.Context, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("身份验证失败次数过多，请 %d 秒后再试", secs)
	return &ledger.Error{Code: CodeRateLimited, Message: "Authorization：" + msg,
		Details: []ledger.Detail{{Field: "Authorization", Message: msg}}}
}

// CleanParams refuses path and query parameters that are not valid UTF-8 or
// carry control characters, before any handler or SQL sees them.
func CleanParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, name := range c.ParamNames() {
			if v := c.ParamValues()[i]; !utf8.ValidString(v) || hasControl(v) || strings.ContainsAny(v, "\n\r\t") {
				return Invalid(name, "路径参数包含不允许的字符")
			}
		}
		for name, vs := range c.QueryParams() {
			for _, v := range vs {
				if !utf8.ValidString(name+v) || hasControl(name+v) {
					return Invalid(ledger.Truncate(strings.ToValidUTF8(name, "?"), 32), "查询参数包含不允许的字符")
				}
			}
		}
		return next(c)
	}
}

// PublicSearchCSP is the disclosure page's policy: PublicHeaders' with one
// form allowed, the notice's search, a GET to the page itself.
const PublicSearchCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// PublicHeaders sets the security headers of every public page: nothing
// loads from elsewhere, nothing frames it, no referrer leaks the address
// (a household's address is its key), and nothing is cached or indexed.
func PublicHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}
