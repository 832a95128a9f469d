package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Sign-in with a token, sign-out, and the list of the user's books.

type loginData struct {
	Next  string
	Token string
}

// safeNext keeps a redirect after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || len(next) > 512 {
		return "/"
	}
	return next
}

// LoginForm shows the sign-in form; the form's CSRF token is also set as a
// cookie (double submit), since there is no session yet.
func (a *Pages) LoginForm(c echo.Context) error {
	setPageHeaders(c)
	token := randomHex(16)
	if ck, err := c.Cookie(loginCSRFCookie); err == nil && len(ck.Value) == 32 {
		token = ck.Value
	}
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.IsTLS(), MaxAge: 3600})
	p := webPage{Title: "登录", CSRF: token, D: loginData{Next: safeNext(c.QueryParam("next"))}}
	return a.render(c, http.StatusOK, "login", &p)
}

func (a *Pages) Login(c echo.Context) error {
	setPageHeaders(c)
	ck, err := c.Cookie(loginCSRFCookie)
	got := c.FormValue(csrfField)
	if err != nil || len(ck.Value) != 32 || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(got)) != 1 {
		return a.webError(c, errCSRF)
	}
	next := safeNext(c.FormValue("next"))
	token := strings.TrimSpace(c.FormValue("token"))
	if _, err := a.Store.Authenticate(httpx.Ctx(c), token); err != nil {
		if ledger.ErrorCode(err) != ledger.ECodeUnauthorized {
			return a.webError(c, err)
		}
		p := webPage{Title: "登录", CSRF: ck.Value, Error: "令牌无效或已停用，请核对后重新输入", D: loginData{Next: next}}
		return a.render(c, http.StatusUnauthorized, "login", &p)
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.IsTLS(), MaxAge: int(sessionMaxAge.Seconds())})
	c.SetCookie(&http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.IsTLS()})
	return seeOther(c, next)
}

func (a *Pages) Logout(c echo.Context) error {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.IsTLS()})
	return seeOther(c, "/login")
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
