package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// TestPhonePagesInChromium opens the villagers' pages of the demo's largest
// village on a 390×844 phone: the disclosure with its notice, the notice's
// search and a household's statement. None scrolls sideways; the search
// puts the household's line within three screen heights of the top; the
// contact set in the book's settings is on both pages. With
// COOPLEDGER_WEB_SCREENSHOTS=1 the screenshots docs/web.md shows are written
// to docs/img/.
func TestPhonePagesInChromium(t *testing.T) {
	bin := chromiumPath()
	if bin == "" {
		t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it): browser tests skipped")
	}
	ctx := context.Background()
	s := ledgertest.Open(t, "sqlite")
	res, err := demo.Load(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	township := demoActor(t, s, res, ledger.RoleTownship)
	// The village whose land rent keeps a service fee, and of its households
	// with a fee the one whose line comes last in the notice: the farthest
	// to scroll to, and a basis of gross − fee = net.
	var book demo.BookSummary
	var d ledger.Disclosure
	var view ledger.DisclosureView
	var target string
	for _, b := range res.Books {
		if b.Kind != ledger.KindVillage || target != "" {
			continue
		}
		if d, err = s.PublishDisclosure(ctx, township, b.Code, "2026Q3"); err != nil {
			t.Fatal(err)
		}
		if view, err = s.PublicDisclosure(ctx, b.Code, d.Slug); err != nil {
			t.Fatal(err)
		}
		for _, r := range view.Runs {
			for _, l := range r.Lines {
				if !l.Fee.IsZero() {
					book, target = b, l.Household
				}
			}
		}
	}
	if target == "" {
		t.Fatal("no demo village keeps a service fee in 2026Q3")
	}
	if _, err := s.SetBookContact(ctx, township, book.Code, ledger.BookContact{Name: "王秀英", Phone: "0791-8765 4321"}); err != nil {
		t.Fatal(err)
	}
	h, err := s.Household(ctx, township, book.Code, target)
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.CreateHouseholdLink(ctx, township, book.Code, target)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(s, slog.New(slog.DiscardHandler), Options{}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}

	b := phoneBrowser(t, bin, srv.URL)
	docs := map[string][]byte{}
	disclosure := httpx.DisclosurePath(book.Code, d.Slug)

	// 1. The disclosure: no sideways scrolling, the contact, the search box on the first screen.
	b.run("open disclosure", chromedp.Navigate(b.base+disclosure), chromedp.WaitVisible("#q", chromedp.ByQuery))
	m := b.measure(fmt.Sprintf(`[data-household=%q]`, target))
	if m.ScrollWidth > m.InnerWidth {
		t.Errorf("disclosure scrolls sideways: scrollWidth %d > innerWidth %d", m.ScrollWidth, m.InnerWidth)
	}
	if m.InnerWidth != 390 {
		t.Errorf("viewport %d px wide, want 390", m.InnerWidth)
	}
	if c := b.text("#contact"); !strings.Contains(c, "王秀英") || !strings.Contains(c, "0791-8765 4321") {
		t.Errorf("disclosure contact %q", c)
	}
	if m.SearchTop > float64(m.InnerHeight) {
		t.Errorf("search box at %.0f px, below the first screen (%d px)", m.SearchTop, m.InnerHeight)
	}
	t.Logf("disclosure of %s (%d households): %.1f screens tall; %s's line at %.1f screens without the search",
		book.Code, book.Households, float64(m.ScrollHeight)/float64(m.InnerHeight), target, m.TargetTop/float64(m.InnerHeight))
	docs["phone-disclosure"] = b.shot()

	// 2. The search: type the head's name, submit without script-only help.
	b.run("search", chromedp.SendKeys("#q", h.HeadName+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible("#found", chromedp.ByQuery))
	if u := b.url(); !strings.Contains(u, "q="+url.QueryEscape(h.HeadName)) {
		t.Errorf("search went to %s, want a ?q= address", u)
	}
	m = b.measure(fmt.Sprintf(`#found [data-household=%q]`, target))
	if m.TargetTop < 0 || m.TargetTop > 3*float64(m.InnerHeight) {
		t.Errorf("found line at %.0f px, want within 3 screens (%d px)", m.TargetTop, 3*m.InnerHeight)
	}
	if m.ScrollWidth > m.InnerWidth {
		t.Errorf("search result scrolls sideways: %d > %d", m.ScrollWidth, m.InnerWidth)
	}
	want := httpx.FormatMoney(householdTotal(view, target))
	if got := b.text(fmt.Sprintf(`#found [data-household=%q] .amt`, target)); got != want {
		t.Errorf("found %s with %q, the notice says %s", target, got, want)
	}
	t.Logf("search %q: %s's line at %.0f px (%.2f screens)", h.HeadName, target, m.TargetTop, m.TargetTop/float64(m.InnerHeight))
	docs["phone-notice-search"] = b.shot()

	// 3. The household's statement: basis, payment dates, contact, no sideways scrolling.
	b.run("open household", chromedp.Navigate(b.base+httpx.HouseholdPath(book.Code, link.Token)), chromedp.WaitVisible("#entitled", chromedp.ByQuery))
	m = b.measure(".basis")
	if m.ScrollWidth > m.InnerWidth {
		t.Errorf("household page scrolls sideways: %d > %d", m.ScrollWidth, m.InnerWidth)
	}
	if c := b.text("#contact"); !strings.Contains(c, "王秀英") {
		t.Errorf("household contact %q", c)
	}
	var basis string
	b.run("read basis", chromedp.Evaluate(`Array.from(document.querySelectorAll(".basis")).map(e => e.innerText).join("\n")`, &basis))
	if !strings.Contains(basis, "计算依据") || !strings.Contains(basis, "亩") || !strings.Contains(basis, "村集体留存服务费") {
		t.Errorf("household page basis %q, want 亩 × 单价 and the fee kept", basis)
	}
	docs["phone-household"] = b.shot()

	if os.Getenv(envScreenshots) != "" {
		dir := filepath.Join("..", "docs", "img")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, png := range docs {
			if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// householdTotal is a household's 应发合计 over the quarter's runs' lines.
func householdTotal(v ledger.DisclosureView, household string) ledger.Money {
	var total ledger.Money
	for _, r := range v.Runs {
		for _, l := range r.Lines {
			if l.Household == household {
				total = total.Add(l.Amount)
			}
		}
	}
	return total
}

// demoActor signs in the demo's first user of role.
func demoActor(t *testing.T, s *ledger.Store, res demo.Result, role ledger.Role) ledger.Actor {
	t.Helper()
	for _, u := range res.Users {
		if u.Role == role {
			a, err := s.Authenticate(context.Background(), u.Token)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("the demo has no %s", role)
	return ledger.Actor{}
}

// phoneRun is a headless Chromium with a 390×844 viewport.
type phoneRun struct{ browserRun }

func phoneBrowser(t *testing.T, bin, base string) *phoneRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(browserProfile(t)), chromedp.WindowSize(390, 844))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Run(bctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &phoneRun{browserRun{t: t, ctx: bctx, base: base, shots: screenshotDir(t)}}
}

// phoneMeasure is what a page measures in the browser.
type phoneMeasure struct {
	ScrollWidth, InnerWidth, InnerHeight, ScrollHeight int
	SearchTop, TargetTop                               float64 // from the top of the document; -1 when absent
}

func (b *phoneRun) measure(target string) phoneMeasure {
	b.t.Helper()
	var m phoneMeasure
	js := fmt.Sprintf(`(() => {
		const top = sel => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().top + window.scrollY : -1; };
		return {ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth, InnerHeight: window.innerHeight,
			ScrollHeight: document.documentElement.scrollHeight, SearchTop: top("#q"), TargetTop: top(%q)};
	})()`, target)
	b.run("measure", chromedp.Evaluate(js, &m))
	return m
}

func (b *phoneRun) url() string {
	var u string
	b.run("location", chromedp.Location(&u))
	return u
}

// shot is the viewport as it is now.
func (b *phoneRun) shot() []byte {
	b.t.Helper()
	var png []byte
	b.run("screenshot", chromedp.CaptureScreenshot(&png))
	return png
}
