package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// webClient is a browser-like client: a cookie jar, no redirects followed.
type webClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newWebClient(t *testing.T, base string) *webClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &webClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (w *webClient) do(method, path string, form url.Values) (int, string, http.Header) {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.base+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	if m := csrfInput.FindStringSubmatch(string(b)); m != nil {
		w.csrf = m[1]
	}
	return res.StatusCode, string(b), res.Header
}

// signIn signs in with token through the login form.
func (w *webClient) signIn(token string) {
	w.t.Helper()
	if status, _, _ := w.do(http.MethodGet, "/login", nil); status != http.StatusOK {
		w.t.Fatalf("GET /login: %d", status)
	}
	status, _, h := w.do(http.MethodPost, "/login", url.Values{"csrf": {w.csrf}, "token": {token}, "next": {"/"}})
	if status != http.StatusSeeOther {
		w.t.Fatalf("sign in: %d", status)
	}
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == "cl_session" && (!ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode) {
			w.t.Fatalf("session cookie not HttpOnly and SameSite=Strict: %+v", ck)
		}
	}
	if status, _, _ := w.do(http.MethodGet, "/?all=1", nil); status != http.StatusOK { // picks up the session's CSRF token
		w.t.Fatalf("GET /: %d", status)
	}
}

// webRoutesOf lists the page routes of the server.
func webRoutesOf() []routeKey {
	var out []routeKey
	for _, r := range registeredRoutesAll() {
		if isWebPath(r.path) && r.path != "/static/*" {
			out = append(out, r)
		}
	}
	return out
}

// fill puts real values into a route's parameters.
func fill(path, book string, voucher, run int64, household, party, agreement string) string {
	r := strings.NewReplacer(":book", book, ":id", "", ":code", "", ":township", "T01")
	// webDocuments made document 1 (of the voucher) and receipt 1 with document 2.
	path = strings.NewReplacer("/vouchers/:id/documents/:doc", "/vouchers/:id/documents/1",
		"/receipts/:id/documents/:doc", "/receipts/1/documents/2").Replace(path)
	p := r.Replace(path)
	switch {
	case strings.Contains(path, "/vouchers/:id"):
		p = strings.Replace(path, ":id", itoa(voucher), 1)
	case strings.Contains(path, "/payouts/:id"):
		p = strings.Replace(path, ":id", itoa(run), 1)
	case strings.Contains(path, "/households/:code"):
		p = strings.Replace(path, ":code", household, 1)
	case strings.Contains(path, "/parties/:code"):
		p = strings.Replace(path, ":code", party, 1)
	case strings.Contains(path, "/agreements/:code"):
		p = strings.Replace(path, ":code", agreement, 1)
	case strings.Contains(path, "/members/:code"):
		p = strings.Replace(path, ":code", household, 1)
	case strings.Contains(path, "/surplus-plans/:id"):
		p = strings.Replace(path, ":id", "1", 1)
	default:
		return p
	}
	return strings.NewReplacer(":book", book, ":township", "T01").Replace(p)
}

// coopOnly reports whether a page is a cooperative's only (members, 盈余分配方案).
func coopOnly(path string) bool {
	return strings.Contains(path, "/members") || strings.Contains(path, "/member-accounts") || strings.Contains(path, "/surplus-plans")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func decimalOf(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// webFixture is a book with a posted voucher, a draft, an agreement and an
// approved payout run, served on loopback.
type webFixture struct {
	f, other ledgertest.Fixture
	srv      *httptest.Server
	voucher  int64
	run      int64
}

func newWebFixture(t *testing.T, s *ledger.Store) webFixture {
	t.Helper()
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
	other := ledgertest.NewFixture(t, s, "V2", ledger.KindVillage, 1)
	v := f.Post(t, ledger.VoucherInput{Date: "2026-02-10", Summary: "取得借款", Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount("500.00")}, {Account: "201", Credit: ledgertest.Amount("500.00")}}})
	webDocuments(t, s, f, v.ID)
	createRentAgreement(t, s, f)
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "V1", ledger.RunInput{Quarter: "2026Q1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "V1", run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(s, slog.New(slog.DiscardHandler), Options{}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	return webFixture{f: f, other: other, srv: srv, voucher: v.ID, run: run.ID}
}

// createRentAgreement adds a quarterly land-rent agreement for H001..H003.
func createRentAgreement(t testing.TB, s *ledger.Store, f ledgertest.Fixture) {
	t.Helper()
	var ps []ledger.Participant
	for i, h := range f.Households {
		ps = append(ps, ledger.Participant{Household: h, Parcels: []ledger.Parcel{{Name: "东坡",
			AreaMu: decimalOf(t, []string{"3.5", "2.25", "1.8"}[i%3]), Rate: decimalOf(t, "800")}}})
	}
	_, err := s.CreateAgreement(context.Background(), f.Preparer, f.Book.Code, ledger.AgreementInput{Code: "ZJ-2026",
		Title: "芋头基地土地流转租金", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
		Terms: ledger.Terms{Schedule: "quarterly", Participants: ps}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWebFormsNeedCSRF: every POST of the pages is refused without its CSRF
// token, or with another session's, and changes nothing.
func TestWebFormsNeedCSRF(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		before := ledgertest.Digest(t, s)
		alice := newWebClient(t, w.srv.URL)
		alice.signIn(w.f.Tokens["preparer"])
		bob := newWebClient(t, w.srv.URL)
		bob.signIn(w.f.Tokens["reviewer"])
		posts := 0
		for _, r := range webRoutesOf() {
			if r.method != http.MethodPost {
				continue
			}
			posts++
			path := fill(r.path, "V1", w.voucher, w.run, "H001", "C01", "ZJ-2026")
			for name, token := range map[string]string{"none": "", "another session's": bob.csrf, "forged": strings.Repeat("0", 32)} {
				form := url.Values{"token": {w.f.Tokens["reviewer"]}, "summary": {"x"}, "quarter": {"2026Q2"}}
				if token != "" {
					form.Set("csrf", token)
				}
				status, body, _ := alice.do(http.MethodPost, path, form)
				if status != http.StatusForbidden || !strings.Contains(body, "安全令牌") {
					t.Errorf("POST %s with %s CSRF token: %d, want 403 with the reason", r.path, name, status)
				}
			}
		}
		if posts < 15 {
			t.Errorf("only %d POST routes checked", posts)
		}
		if after := ledgertest.Digest(t, s); after != before {
			t.Errorf("a refused form changed the books")
		}
	})
}

// TestWebScope: a user of another book gets 404 on every page of this book
// and on the township page; every page of the user's own book renders, under
// 200 KB.
func TestWebScope(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		outsider := newWebClient(t, w.srv.URL)
		outsider.signIn(w.other.Tokens["preparer"])
		insider := newWebClient(t, w.srv.URL)
		insider.signIn(w.f.Tokens["township"])
		gets := 0
		for _, r := range webRoutesOf() {
			if r.method != http.MethodGet || !strings.Contains(r.path, ":") {
				continue
			}
			gets++
			path := fill(r.path, "V1", w.voucher, w.run, "H001", "C01", "ZJ-2026")
			if status, body, _ := outsider.do(http.MethodGet, path, nil); status != http.StatusNotFound || strings.Contains(body, "测试村V1") {
				t.Errorf("outsider GET %s: %d, want 404 revealing nothing", path, status)
			}
			status, body, h := insider.do(http.MethodGet, path, nil)
			if coopOnly(path) { // V1 is a village: the cooperative's pages say why they do not apply
				if status != http.StatusBadRequest || !strings.Contains(body, "只适用于农民专业合作社") {
					t.Errorf("township GET %s of a village: %d, want 400 naming the cooperative", path, status)
				}
			} else if status != http.StatusOK {
				t.Errorf("township GET %s: %d", path, status)
			}
			if len(body) > 200<<10 {
				t.Errorf("GET %s: %d bytes, over 200 KB", path, len(body))
			}
			if ct := h.Get("Content-Type"); strings.HasPrefix(ct, "text/html") && !strings.Contains(body, `lang="zh-CN"`) {
				t.Errorf("GET %s: page without lang", path)
			}
		}
		if gets < 20 {
			t.Errorf("only %d GET routes checked", gets)
		}
		// Signed out, pages send the user to the sign-in page; forms are refused.
		anon := newWebClient(t, w.srv.URL)
		if status, _, h := anon.do(http.MethodGet, "/books/V1", nil); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("signed out GET: %d %s", status, h.Get("Location"))
		}
		if status, _, _ := anon.do(http.MethodPost, "/books/V1/vouchers", url.Values{"csrf": {"x"}}); status != http.StatusUnauthorized {
			t.Errorf("signed out POST: %d", status)
		}
	})
}

// TestWebSignInOut: a bad token is refused on the form; sign-out ends the session.
func TestWebSignInOut(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	c := newWebClient(t, w.srv.URL)
	c.do(http.MethodGet, "/login", nil)
	if status, body, _ := c.do(http.MethodPost, "/login", url.Values{"csrf": {c.csrf}, "token": {"cl_not-a-real-token-at-all"}}); status != http.StatusUnauthorized || !strings.Contains(body, "令牌无效") {
		t.Errorf("bad token: %d", status)
	}
	if status, _, _ := c.do(http.MethodPost, "/login", url.Values{"token": {w.f.Tokens["preparer"]}}); status != http.StatusForbidden {
		t.Errorf("sign-in without CSRF token: %d, want 403", status)
	}
	c.signIn(w.f.Tokens["preparer"])
	_, body, _ := c.do(http.MethodGet, "/books/V1", nil)
	for _, want := range []string{"制单会计", "会计", "V1", "哈希链头", "待我审核"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if status, _, _ := c.do(http.MethodPost, "/logout", url.Values{"csrf": {c.csrf}}); status != http.StatusSeeOther {
		t.Errorf("sign out: %d", status)
	}
	if status, _, _ := c.do(http.MethodGet, "/books/V1", nil); status != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign in", status)
	}
	if status, _, h := c.do(http.MethodGet, "/login?next=//evil.example/", nil); status != http.StatusOK || h.Get("Content-Security-Policy") == "" {
		t.Errorf("login page: %d, CSP %q", status, h.Get("Content-Security-Policy"))
	}
}

// TestWebVoucherErrorsBesideFields: the server's errors come back beside the
// field of the form row they concern, even with blank rows between.
func TestWebVoucherErrorsBesideFields(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	w := newWebFixture(t, s)
	c := newWebClient(t, w.srv.URL)
	c.signIn(w.f.Tokens["preparer"])
	_, page, _ := c.do(http.MethodGet, "/books/V1/vouchers/new", nil)
	formID := regexp.MustCompile(`name="form_id" value="([0-9a-f]{32})"`).FindStringSubmatch(page)
	if formID == nil {
		t.Fatal("voucher form without form_id")
	}
	form := url.Values{"csrf": {c.csrf}, "form_id": {formID[1]}, "date": {"2026-04-02"}, "summary": {"收租金"}, "attachments": {"1"},
		"lines[0].account": {"102 银行存款"}, "lines[0].debit": {"1,000.00"},
		"lines[2].account": {"21101"}, "lines[2].credit": {"-5"}, "lines[2].household": {"H001 农户1"}}
	status, body, _ := c.do(http.MethodPost, "/books/V1/vouchers", form)
	if status != http.StatusBadRequest || !regexp.MustCompile(`id="e-l1-credit">[^<]*负数`).MatchString(body) {
		t.Errorf("negative credit: %d, want the error beside row 2's credit", status)
	}
	form.Set("lines[2].credit", "900")
	status, body, _ = c.do(http.MethodPost, "/books/V1/vouchers", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "差额 100.00") || !strings.Contains(body, `class="diff bad"`) {
		t.Errorf("unbalanced: %d, want 422 with the difference shown", status)
	}
	form.Set("lines[2].credit", "1000")
	form.Del("lines[2].household")
	status, body, _ = c.do(http.MethodPost, "/books/V1/vouchers", form)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="e-l1-household"`) {
		t.Errorf("★ line without household: %d, want the error beside the household", status)
	}
	form.Set("lines[2].household", "H001")
	form.Set("lines[0].account", "yhck") // pinyin initials of 银行存款, typed without the script
	status, _, h := c.do(http.MethodPost, "/books/V1/vouchers", form)
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "ok=draft") {
		t.Fatalf("valid voucher: %d", status)
	}
	// A second click on the same form saves nothing more.
	if status, _, h := c.do(http.MethodPost, "/books/V1/vouchers", form); status != http.StatusSeeOther {
		t.Errorf("resubmitted form: %d %s", status, h.Get("Location"))
	}
	drafts, err := s.Vouchers(context.Background(), w.f.Preparer, "V1", ledger.VoucherFilter{Status: ledger.StatusDraft})
	if err != nil || len(drafts) != 1 || drafts[0].Lines[0].Account != "102" || drafts[0].Attachments != 1 {
		t.Errorf("drafts: %+v %v", drafts, err)
	}
}

// registeredRoutesAll lists every route Echo serves, pages included.
func registeredRoutesAll() []routeKey {
	e := newEcho(nil, slog.New(slog.DiscardHandler), Options{})
	var out []routeKey
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			out = append(out, routeKey{r.Method, r.Path})
		}
	}
	return out
}

// webPaths are the first path segments the pages own; anything else belongs
// to the JSON API (/api/v1, /healthz, /openapi.json).
var webPaths = []string{"", "login", "logout", "static", "books", "township"}

// isWebPath reports whether an Echo route path belongs to the web pages.
func isWebPath(p string) bool {
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	for _, w := range webPaths {
		if first == w {
			return true
		}
	}
	return false
}
