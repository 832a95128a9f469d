package httpapi

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// TestBrowserMonthAndYearEnd walks the demo's 青竹村 through a month end (the
// checklist, 结账, the home page's 当前会计期间 moving on) and a year end
// (the accountant prepares the closing vouchers, the township officer posts
// them from their voucher pages and closes the year), in headless Chromium
// at 1366 px. With COOPLEDGER_WEB_SCREENSHOTS=1 the pictures docs/web.md
// shows are written to docs/web/.
func TestBrowserMonthAndYearEnd(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed: browser tests skipped")
	}
	ctx := context.Background()
	s := ledgertest.Open(t, "sqlite")
	res, err := demo.Load(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	const book = "QINGZHU"
	var accountant, officer string
	for _, u := range res.Users {
		switch {
		case u.Role == ledger.RoleAccountant && u.Scope == book:
			accountant = u.Token
		case u.Role == ledger.RoleTownship:
			officer = u.Token
		}
	}
	clearYear(t, s, officer, book)
	srv := httptest.NewServer(New(s, nil, Options{}))
	t.Cleanup(srv.Close)
	b := closingBrowser(t, chromium, srv.URL)
	pictures := map[string][]byte{}

	// Month end: from the home page to the checklist of the first open month.
	b.signIn(accountant)
	b.run("home", chromedp.Navigate(b.base+"/books/"+book), chromedp.WaitVisible("#home-periods", chromedp.ByQuery))
	month := strings.TrimSpace(b.text("#h-period + p strong"))
	b.run("open month end", chromedp.Click("#home-periods", chromedp.ByQuery), chromedp.WaitVisible("#checklist", chromedp.ByQuery))
	if got := b.text("#h-check"); !strings.HasPrefix(got, month+" 结账检查") {
		t.Fatalf("the checklist is of %q, want the home page's current month %s", got, month)
	}
	var checks int
	b.run("count checks", chromedp.Evaluate(`document.querySelectorAll("#checklist tr[data-check]").length`, &checks))
	if checks != 6 {
		t.Errorf("%d checklist items, want 6", checks)
	}
	pictures["month-end"] = b.shot("month-end")
	b.run("close the month", chromedp.Click("#close-period", chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
	if got := b.text(".flash"); got != "已结账" {
		t.Errorf("after 结账: %q", got)
	}
	b.run("home again", chromedp.Navigate(b.base+"/books/"+book), chromedp.WaitVisible("#home-periods", chromedp.ByQuery))
	next := ledger.Period(month).Next()
	if got := b.text("#h-period + p strong"); got != string(next) {
		t.Errorf("home page's 当前会计期间 after closing %s: %q, want %s", month, got, next)
	}

	// The statements and the drill-down: a figure of the trial balance →
	// the account's 明细账 → the voucher of an entry.
	b.run("statements", chromedp.Navigate(b.base+"/books/"+book), chromedp.Click(`nav.book a[href$="/reports"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href*="#balance-sheet"]`, chromedp.ByQuery), chromedp.Click(`a[href*="#balance-sheet"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#bs-table", chromedp.ByQuery))
	b.shot("statements")
	b.run("trial balance", chromedp.Navigate(b.base+"/books/"+book+"/trial-balance?from="+month+"&to="+month),
		chromedp.WaitVisible("tbody td.num a", chromedp.ByQuery))
	b.shot("trial-balance")
	b.run("drill down", chromedp.Click("tbody td.num a", chromedp.ByQuery), chromedp.WaitVisible("#ab-table", chromedp.ByQuery))
	pictures["detail-ledger"] = b.shot("detail-ledger")
	b.run("entry to voucher", chromedp.Click("#ab-table tr.entry a", chromedp.ByQuery), chromedp.WaitVisible("#print-voucher, a[href$='/print']", chromedp.ByQuery))
	if !strings.Contains(b.location(), "/books/"+book+"/vouchers/") {
		t.Errorf("an entry of the 明细账 leads to %s, want its voucher", b.location())
	}

	// Year end: prepare (the accountant), review (the officer posts each
	// closing voucher from its page), close.
	b.run("year end", chromedp.Navigate(b.base+"/books/"+book+"/year-end?year=2026"), chromedp.WaitVisible("#prepare-year", chromedp.ByQuery),
		chromedp.Click("#prepare-year", chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
	var drafts []string
	b.run("closing drafts", chromedp.Evaluate(`Array.from(document.querySelectorAll("a.year-voucher[data-status=draft]")).map(a => a.getAttribute("href"))`, &drafts))
	if len(drafts) < 2 {
		t.Fatalf("%d closing vouchers prepared, want the income and the profit steps at least", len(drafts))
	}
	b.shot("year-end-prepared")
	b.run("sign out", chromedp.Click("header.top .who button", chromedp.ByQuery), chromedp.WaitVisible("#token", chromedp.ByQuery))
	b.signIn(officer)
	slices.Reverse(drafts) // the page lists the last step first; post in the order they were drafted
	for _, href := range drafts {
		b.run("review "+href, chromedp.Navigate(b.base+href), chromedp.WaitVisible("#post-voucher", chromedp.ByQuery),
			chromedp.Click("#post-voucher", chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
	}
	b.run("close the year", chromedp.Navigate(b.base+"/books/"+book+"/year-end?year=2026"), chromedp.WaitVisible("#close-year", chromedp.ByQuery),
		chromedp.Click("#close-year", chromedp.ByQuery), chromedp.WaitVisible(".flash", chromedp.ByQuery))
	if got := b.text("h1"); !strings.Contains(got, "已年终结账") {
		t.Errorf("year-end page after closing: %q", got)
	}
	if b.location() != b.base+"/books/"+book+"/year-end" {
		t.Errorf("after closing the year: %s", b.location())
	}
	pictures["year-end"] = b.shot("year-end")
	ye, err := s.YearEndStatus(ctx, authenticate(t, s, officer), book, 2026)
	if err != nil || !ye.Closed {
		t.Fatalf("2026 not closed in the ledger: %v", err)
	}

	if os.Getenv(envScreenshots) != "" {
		for name, png := range pictures {
			if err := os.WriteFile(filepath.Join("..", "docs", "web", name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func authenticate(t *testing.T, s *ledger.Store, token string) ledger.Actor {
	t.Helper()
	a, err := s.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// clearYear settles what the demo leaves open in 2026 so the year can close:
// the officer posts the drafts and approves the computed payout runs.
func clearYear(t *testing.T, s *ledger.Store, officer, book string) {
	t.Helper()
	ctx, a := context.Background(), authenticate(t, s, officer)
	drafts, err := s.Vouchers(ctx, a, book, ledger.VoucherFilter{Status: ledger.StatusDraft, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range drafts {
		if _, err := s.PostVoucher(ctx, a, book, v.ID); err != nil {
			t.Fatalf("post draft %d: %v", v.ID, err)
		}
	}
	runs, err := s.PayoutRuns(ctx, a, book, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Status == ledger.RunDraft {
			if _, err := s.ApprovePayoutRun(ctx, a, book, r.ID, ledger.ApproveInput{}); err != nil {
				t.Fatalf("approve run %d: %v", r.ID, err)
			}
		}
	}
}

// closingBrowser starts headless Chromium at 1366×900 for one test.
func closingBrowser(t *testing.T, chromium, base string) *browserRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(browserProfile(t)), chromedp.WindowSize(1366, 900))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browserRun{t: t, ctx: bctx, base: base, shots: t.TempDir()}
	t.Logf("screenshots in %s", b.shots)
	return b
}
