package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Server-rendered pages for village accountants, township officers and
// auditors, in Simplified Chinese. They call the ledger directly, like the
// JSON handlers; templates and static files are embedded, nothing is fetched
// from anywhere else. Every form carries a CSRF token checked on every POST;
// the session is a server-side session (ledger/sessions.go) whose random id
// sits in an HttpOnly, SameSite=Strict cookie.

//go:embed templates/*.html
var webTemplateFiles embed.FS

//go:embed static
var webStaticFiles embed.FS

// Cookie names and limits of the web pages.
const (
	sessionCookie   = "cl_session"
	loginCSRFCookie = "cl_login_csrf"
	csrfField       = "csrf"
	webCSRFKey      = "coopledger.web.csrf"
	webSessionKey   = "coopledger.web.session"
	webUserKey      = "coopledger.web.user"
)

// webTemplates holds one template set per page, each with the layout.
type webTemplates map[string]*template.Template

var webFuncs = template.FuncMap{
	"roleLabel":   roleLabel,
	"kindLabel":   func(k string) string { return ledger.AgreementKind(k).Label() },
	"statusLabel": voucherStatusLabel,
	"runStatus":   runStatusLabel,
	"money":       func(m any) string { return httpx.FormatMoney(httpx.MoneyOf(m)) },
	"moneyOrBlank": func(m any) string {
		if httpx.MoneyOf(m).IsZero() {
			return ""
		}
		return httpx.FormatMoney(httpx.MoneyOf(m))
	},
	"actionLabel": actionLabel,
	"when":        ledger.ShowTime,    // stored UTC → 2026-12-04 21:59:40, Beijing time
	"quarter":     ledger.QuarterName, // 2026Q3 → 2026年第三季度
	"words":       ledger.WordsFor,    // 村民小组 or 所在分组, 户主 or 成员, by book kind
	"checkLabel":  ledger.CheckLabel,
	"reviewKind":  reviewKindLabel,
	"reviewURL":   reviewItemURL,
	"hf": func(name, label, value string, errs map[string]string, editable bool) formField {
		return formField{Name: name, Label: label, Value: value, Err: errs[name], Editable: editable}
	},
	"fieldErr": func(errs map[string]string, field string) string { return errs[field] },
	"add":      func(a, b int) int { return a + b },
	"short": func(s string, n int) string {
		if len(s) <= n {
			return s
		}
		return s[:n] + "…"
	},
	"maskID":   ledger.MaskIDNumber,
	"maskBank": ledger.MaskBankAccount,
}

// webTemplateSet parses the embedded templates once.
var webTemplateSet = sync.OnceValue(parseWebTemplates)

func parseWebTemplates() webTemplates {
	base := template.Must(template.New("layout.html").Funcs(webFuncs).ParseFS(webTemplateFiles, "templates/layout.html"))
	names, err := fs.Glob(webTemplateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := webTemplates{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		out[strings.TrimSuffix(name, ".html")] = template.Must(template.Must(base.Clone()).ParseFS(webTemplateFiles, n))
	}
	return out
}

// webPage is what every page template gets.
type webPage struct {
	Title   string
	Active  string // navigation entry to highlight
	Me      ledger.User
	Book    ledger.Book
	HasBook bool
	CSRF    string
	Flash   string
	Error   string
	Print   bool
	D       any
}

// Static serves the embedded CSS and JS under /static/.
func Static() echo.HandlerFunc {
	static, err := fs.Sub(webStaticFiles, "static")
	if err != nil {
		panic(err)
	}
	return echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static)))
}

// NotFound answers unknown paths under the pages' own prefixes with the HTML
// not-found page; everything else (the API's 404 and 405) is left to Echo.
func (a *Pages) NotFound(c echo.Context) error {
	return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "页面不存在"))
}

// SignedIn registers routes that need a signed-in user; each POST also needs
// the form's CSRF token.
func (a *Pages) SignedIn(e *echo.Echo) Group {
	return Group{e: e, auth: a.webAuth, csrf: a.checkCSRF, upload: []echo.MiddlewareFunc{a.webAuth, a.importAccess, a.checkUploadCSRF}}
}

// Group registers routes that need a signed-in user; each POST also needs
// the form's CSRF token.
type Group struct {
	e          *echo.Echo
	auth, csrf echo.MiddlewareFunc
	upload     []echo.MiddlewareFunc // see UPLOAD
}

// GET registers a page.
func (g Group) GET(p string, h echo.HandlerFunc) { g.e.GET(p, h, g.auth) }

// POST registers a form's target.
func (g Group) POST(p string, h echo.HandlerFunc) { g.e.POST(p, h, g.auth, g.csrf) }

// Slips is the household slips of a payout run from the payout wizard,
// rendered by the slips function the pages were made with.
func (a *Pages) Slips(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	id, err := runIDParam(c)
	if err != nil {
		return a.webError(c, err)
	}
	body, err := a.slips(c, p.Book.Code, id)
	if err != nil {
		return a.webError(c, err)
	}
	return c.HTMLBlob(http.StatusOK, body)
}

// staticHandler serves the embedded CSS and JS with a day of caching.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServer(http.FS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// csrfFor derives the CSRF token of a session from its secret id: only a
// page served to the holder of the cookie can know it, it changes with every
// sign-in, and the database (which holds only the id's hash) cannot give it.
func csrfFor(sessionID string) string {
	sum := sha256.Sum256([]byte("coopledger-csrf-v2\x00" + sessionID))
	return hex.EncodeToString(sum[:16])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// webAuth resolves the session cookie; without a valid one a GET is sent to
// the sign-in page and anything else is refused. A cookie naming no live
// session counts against the failure limit.
func (a *Pages) webAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setPageHeaders(c)
		ck, err := c.Cookie(sessionCookie)
		var actor ledger.Actor
		if err == nil && ck.Value != "" {
			actor, err = a.Store.SessionActor(httpx.Ctx(c), ck.Value, a.Sessions)
			if ledger.ErrorCode(err) == ledger.ECodeUnauthorized {
				a.setSessionCookie(c, "", -1)
				if wait := a.AuthFailed(c, ck.Value); wait > 0 {
					return a.webError(c, ledger.Errorf(httpx.CodeRateLimited, "%s", tooManyFailures(c, wait)))
				}
			}
		} else {
			err = ledger.Errorf(ledger.ECodeUnauthorized, "未登录")
		}
		if err != nil {
			if ledger.ErrorCode(err) != ledger.ECodeUnauthorized {
				return a.webError(c, err)
			}
			if c.Request().Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			return a.webError(c, ledger.Errorf(ledger.ECodeUnauthorized, "登录已失效，请重新登录"))
		}
		me, err := a.Store.Me(httpx.Ctx(c), actor)
		if err != nil {
			return a.webError(c, err)
		}
		c.Set(httpx.ActorKey, actor)
		c.Set(webUserKey, me)
		c.Set(webSessionKey, ck.Value)
		c.Set(webCSRFKey, csrfFor(ck.Value))
		return next(c)
	}
}

// checkCSRF refuses a POST without the session's CSRF token in the
// X-CSRF-Token header or the form body (never the query string).
func (a *Pages) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !a.ValidCSRF(c, csrfCandidate(c)) {
			return a.webError(c, errCSRF)
		}
		return next(c)
	}
}

// ValidCSRF reports whether candidate is the CSRF token of the request's
// session (set by webAuth); a handler that reads the token itself, such as
// an upload reading it before the file, calls this.
func (a *Pages) ValidCSRF(c echo.Context, candidate string) bool {
	id, _ := c.Get(webSessionKey).(string)
	return id != "" && sameSecret(csrfFor(id), candidate)
}

// csrfCandidate is the CSRF token a POST offers: the header, else the form
// body's field. The query string is never read: a token there leaks into
// logs, history and Referer.
func csrfCandidate(c echo.Context) string {
	if h := c.Request().Header.Get(csrfHeader); h != "" {
		return h
	}
	return c.Request().PostFormValue(csrfField)
}

// sameSecret compares two secrets in constant time; empty never matches.
func sameSecret(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// errCSRF refuses a form without its token (a forged or stale form).
var errCSRF = ledger.Errorf(ledger.ECodeForbidden, "表单缺少安全令牌或已过期，请返回上一页刷新后重新提交")

// setPageHeaders keeps pages out of frames and caches, and scripts to our own.
func setPageHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

func webMe(c echo.Context) ledger.User {
	u, _ := c.Get(webUserKey).(ledger.User)
	return u
}

// newPage starts a page for the signed-in user.
func newPage(c echo.Context, title, active string) webPage {
	csrf, _ := c.Get(webCSRFKey).(string)
	p := webPage{Title: title, Active: active, Me: webMe(c), CSRF: csrf}
	if f := c.QueryParam("ok"); f != "" {
		p.Flash = flashMessages[f]
	}
	return p
}

// flashMessages are the confirmations shown after a redirect (?ok=…).
var flashMessages = map[string]string{
	"saved":         "已保存",
	"draft":         "凭证已保存为草稿，等待他人审核记账",
	"posted":        "凭证已审核记账",
	"reversed":      "已生成红字冲销凭证草稿，请由他人审核记账",
	"deleted":       "草稿已删除",
	"edited":        "草稿已修改，等待他人审核记账",
	"template":      "已存为凭证模板，录入凭证时可从模板新建",
	"removed":       "已删除",
	"approved":      "收益分配已审核，计提凭证已记账",
	"paid":          "付款已登记，付款凭证已记账",
	"computed":      "已重新计算",
	"declared":      "分配总额已申报",
	"created":       "已创建",
	"submitted":     "此表单已提交过，未重复保存",
	"returned":      "草稿已驳回，退回制单人修改",
	"rejected":      "导入已驳回，该批凭证不记账",
	"linked":        "已生成对账链接",
	"unlinked":      "已撤销对账链接",
	"published":     "本季度财务公开已发布",
	"withdrawn":     "该季度财务公开已撤回，村民扫码不再能看到",
	"plan-approved": "盈余分配方案已审批，分配凭证已记账",
}

// render writes a page with the layout.
func (a *Pages) render(c echo.Context, status int, name string, p *webPage) error {
	t, ok := webTemplateSet()[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		a.Logger.Error("render page", slog.String("page", name), slog.String("error", err.Error()))
		return err
	}
	setPageHeaders(c)
	return c.HTMLBlob(status, buf.Bytes())
}

// webError renders an error page with the status the API would answer.
func (a *Pages) webError(c echo.Context, err error) error {
	status := http.StatusInternalServerError
	msg := "服务器内部错误，请稍后重试；如仍失败请联系管理员并提供请求编号 " + httpx.RequestIDOf(c)
	var le *ledger.Error
	if errors.As(err, &le) {
		if s, ok := httpx.StatusByCode[le.Code]; ok && s < 500 {
			status, msg = s, le.Message
		}
	}
	if status == http.StatusInternalServerError {
		a.Logger.Error("page failed", slog.String("request_id", httpx.RequestIDOf(c)), slog.String("route", httpx.LogRoute(c)),
			slog.String("error", err.Error()))
	}
	if status == http.StatusNotFound {
		msg = "页面不存在，或不在您的权限范围内" // never reveal whether a book exists
	}
	p := newPage(c, "出错了", "")
	p.Error = msg
	p.D = status
	return a.render(c, status, "error", &p)
}

// webBook loads the book of the path for the signed-in user (404 when it is
// outside the user's scope).
func (a *Pages) webBook(c echo.Context, p *webPage) error {
	b, err := a.Store.Book(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	p.Book, p.HasBook = b, true
	return nil
}

// seeOther redirects after a successful POST.
func seeOther(c echo.Context, to string) error { return c.Redirect(http.StatusSeeOther, to) }

// bookURL builds a path under the book, escaping every segment.
func bookURL(book string, parts ...string) string {
	var sb strings.Builder
	sb.WriteString("/books/" + url.PathEscape(book))
	for _, p := range parts {
		sb.WriteString("/" + url.PathEscape(p))
	}
	return sb.String()
}

// formErrors turns a ledger error into messages per field, plus the general
// message for what has no field on the form.
func formErrors(err error, known func(string) bool) (map[string]string, string) {
	out := map[string]string{}
	var le *ledger.Error
	if !errors.As(err, &le) {
		return out, ""
	}
	general := ""
	for _, d := range le.Details {
		if known(d.Field) {
			if out[d.Field] == "" {
				out[d.Field] = d.Message
			}
			continue
		}
		if general == "" {
			general = d.Field + "：" + d.Message
		}
	}
	if len(le.Details) == 0 || general == "" && len(out) == 0 {
		general = le.Message
	}
	return out, general
}

// isFormError reports whether err is the user's to fix on the form (shown on
// the form again) rather than a page-level error.
func isFormError(err error) bool {
	switch ledger.ErrorCode(err) {
	case ledger.ECodeInvalid, ledger.ECodeUnbalanced, ledger.ECodeConflict, ledger.ECodePeriodClosed,
		ledger.ECodeSegregation, ledger.ECodeImmutable:
		return true
	}
	return false
}

// formField is one labelled input of a simple form.
type formField struct {
	Name, Label, Value, Err string
	Editable                bool
}

var actionLabels = map[string]string{"create": "创建", "update": "修改", "delete": "删除", "post": "审核记账",
	"reverse": "红字冲销", "close": "结账", "reopen": "反结账", "approve": "审核", "pay": "付款", "recompute": "重新计算",
	"declare": "申报", "import": "导入", "segregation": "不相容职务设置", "return": "驳回",
	"regenerate": "重新生成", "revoke": "撤销", "submit": "提交", "contact": "设置联系人"}

func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

func roleLabel(r ledger.Role) string {
	switch r {
	case ledger.RoleAdmin:
		return "管理员"
	case ledger.RoleAccountant:
		return "会计"
	case ledger.RoleTownship:
		return "乡镇财政"
	case ledger.RoleAuditor:
		return "审计"
	}
	if name, ok := ledger.RoleNames[r]; ok {
		return name
	}
	return string(r)
}

func voucherStatusLabel(s ledger.VoucherStatus) string {
	switch s {
	case ledger.StatusDraft:
		return "草稿"
	case ledger.StatusPosted:
		return "已记账"
	}
	return string(s)
}

func runStatusLabel(s ledger.RunStatus) string {
	switch s {
	case ledger.RunDraft:
		return "待审核"
	case ledger.RunApproved:
		return "已审核"
	}
	return string(s)
}
