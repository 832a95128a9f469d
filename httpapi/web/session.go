package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Sign-in with a token, sign-out, and the list of the user's books.

type loginData struct {
	Next  string
	Token string
}

// safeNext keeps a redirect after sign-in on this site: a path that starts
// with one "/" and a letter, before and after decoding, without backslashes,
// control characters or spaces (browsers drop a tab in "/\t/host" and read
// "//host"), and with no scheme or host.
func safeNext(next string) string {
	decoded, err := url.PathUnescape(next)
	if err != nil || len(next) > 512 {
		return "/"
	}
	for _, s := range []string{next, decoded} {
		if len(s) < 2 || s[0] != '/' || !isLetter(s[1]) || strings.ContainsRune(s, '\\') ||
			strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
			return "/"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

func isLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// LoginForm shows the sign-in form; the form's CSRF token is also set as a
// cookie (double submit), since there is no session yet.
func (a *Pages) LoginForm(c echo.Context) error {
	setPageHeaders(c)
	token := randomHex(16)
	if ck, err := c.Cookie(loginCSRFCookie); err == nil && len(ck.Value) == 32 {
		token = ck.Value
	}
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: a.IsHTTPS(c), MaxAge: 3600})
	p := webPage{Title: "登录", CSRF: token, D: loginData{Next: safeNext(c.QueryParam("next"))}}
	return a.render(c, http.StatusOK, "login", &p)
}

// Login checks the token and starts a session: the cookie holds only the
// session's random id. Failed sign-ins count against the failure limit.
func (a *Pages) Login(c echo.Context) error {
	setPageHeaders(c)
	ck, err := c.Cookie(loginCSRFCookie)
	if err != nil || len(ck.Value) != 32 || !sameSecret(ck.Value, csrfCandidate(c)) {
		return a.webError(c, errCSRF)
	}
	next := safeNext(c.Request().PostFormValue("next"))
	token := strings.TrimSpace(c.Request().PostFormValue("token"))
	id, _, err := a.Store.CreateSession(httpx.Ctx(c), token, a.Sessions)
	if err != nil {
		if ledger.ErrorCode(err) != ledger.ECodeUnauthorized {
			return a.webError(c, err)
		}
		status, msg := http.StatusUnauthorized, "令牌无效或已停用，请核对后重新输入"
		if wait := a.AuthFailed(c, token); wait > 0 {
			status, msg = http.StatusTooManyRequests, tooManyFailures(c, wait)
		}
		p := webPage{Title: "登录", CSRF: ck.Value, Error: msg, D: loginData{Next: next}}
		return a.render(c, status, "login", &p)
	}
	if old, err := c.Cookie(sessionCookie); err == nil && old.Value != "" {
		_ = a.Store.DeleteSession(httpx.Ctx(c), old.Value) // best effort: a new sign-in replaces it
	}
	a.setSessionCookie(c, id, int(a.Sessions.Absolute.Seconds()))
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: a.IsHTTPS(c)})
	return seeOther(c, next)
}

// Logout ends the session on the server, so a saved cookie no longer works.
func (a *Pages) Logout(c echo.Context) error {
	if id, _ := c.Get(webSessionKey).(string); id != "" {
		if err := a.Store.DeleteSession(httpx.Ctx(c), id); err != nil {
			return a.webError(c, err)
		}
	}
	a.setSessionCookie(c, "", -1)
	return seeOther(c, "/login")
}

// tooManyFailures sets Retry-After and says how long to wait.
func tooManyFailures(c echo.Context, wait time.Duration) string {
	secs := int(math.Ceil(wait.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return fmt.Sprintf("登录失败次数过多，请 %d 秒后再试", secs)
}

// setSessionCookie sets (maxAge > 0) or clears (-1) the session cookie:
// HttpOnly, SameSite=Strict, Path=/, Secure whenever the browser came over
// https.
func (a *Pages) setSessionCookie(c echo.Context, id string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: a.IsHTTPS(c), MaxAge: maxAge})
}

type booksData struct {
	Books    []ledger.Book
	Township string
}

// Books lists the user's books; a user with one book goes straight to it.
func (a *Pages) Books(c echo.Context) error {
	books, err := a.Store.Books(httpx.Ctx(c), httpx.Actor(c))
	if err != nil {
		return a.webError(c, err)
	}
	me := webMe(c)
	if len(books) == 1 && me.Role == ledger.RoleAccountant && c.QueryParam("all") == "" {
		return seeOther(c, bookURL(books[0].Code))
	}
	p := newPage(c, "我的账套", "books")
	d := booksData{Books: books, Township: me.Township}
	p.D = d
	return a.render(c, http.StatusOK, "books", &p)
}
