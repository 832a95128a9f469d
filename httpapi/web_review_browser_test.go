package httpapi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestBrowserTownshipReview walks a township officer through reviewing two
// villages in Chromium: the status rows, the queue, one draft 驳回 with a
// reason (which opens the next), the rest approved in one batch, and the
// preparer finding the reason on the home page. SQLite only: the pages do
// not differ by database. With COOPLEDGER_WEB_SCREENSHOTS=1 the steps that
// docs/web.md shows are written to docs/img/.
func TestBrowserTownshipReview(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed: browser tests skipped")
	}
	s := ledgertest.Open(t, "sqlite")
	rf := newReviewFixture(t, s, false)
	ctx := context.Background()
	for i, h := range rf.g.Households {
		if _, err := s.CreateVoucher(ctx, rf.g.Preparer, "V2", rent(12+i, h, "60.00")); err != nil {
			t.Fatal(err)
		}
	}
	bctx, stop := startBrowser(t, chromium)
	defer stop()
	b := &browserRun{t: t, ctx: bctx, base: rf.srv.URL, shots: t.TempDir()}
	docs := map[string][]byte{}

	b.signIn(rf.f.Tokens["township"])
	b.run("township page", chromedp.Navigate(b.base+"/township/T01?quarter=2026Q1"), chromedp.WaitVisible("#village-status", chromedp.ByQuery))
	if row := b.text(`#village-status tr[data-book="V2"]`); !strings.Contains(row, "—") || strings.Contains(row, "0.00") {
		t.Errorf("V2 without a run: %q", row)
	}
	docs["township-status"] = b.shotOf("#village-status", "township-status")

	b.run("queue", chromedp.Click("#open-review", chromedp.ByQuery), chromedp.WaitVisible("#review-form", chromedp.ByQuery))
	var items int
	b.run("count items", chromedp.Evaluate(`document.querySelectorAll('#review-form input[name="item"]').length`, &items))
	if items != 5 {
		t.Fatalf("queue of %d items, want 3 drafts of V1 and 2 of V2", items)
	}
	docs["review-queue"] = b.shotOf("main", "review-queue")

	// Open the first draft, return it with a reason: the next one opens.
	first := rf.drafts[0]
	b.run("open first draft", chromedp.Click(`a[href="/books/V1/vouchers/`+itoa(first.ID)+`?queue=T01"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#return-reason", chromedp.ByQuery), chromedp.SendKeys("#return-reason", "缺少收款收据，请补附件", chromedp.ByQuery))
	docs["review-return"] = b.shotOf("main", "review-return")
	b.run("return", chromedp.Click("#return-voucher", chromedp.ByQuery), chromedp.WaitVisible("p.flash", chromedp.ByQuery))
	if loc := b.location(); loc != b.base+"/books/V1/vouchers/"+itoa(rf.drafts[1].ID) {
		t.Errorf("after 驳回 at %s, want the next draft", loc)
	}

	// Approve the rest in one batch.
	b.run("batch", chromedp.Navigate(b.base+"/township/T01/review"), chromedp.WaitVisible("#review-all", chromedp.ByQuery),
		chromedp.Click("#review-all", chromedp.ByQuery), chromedp.Click("#approve-selected", chromedp.ByQuery),
		chromedp.WaitVisible("#review-results", chromedp.ByQuery))
	var ok, refused int
	b.run("count results", chromedp.Evaluate(`document.querySelectorAll('#review-results tr.ok').length`, &ok),
		chromedp.Evaluate(`document.querySelectorAll('#review-results tr.refused').length`, &refused))
	if ok != 4 || refused != 0 {
		t.Errorf("batch: %d approved, %d refused; want 4 and 0", ok, refused)
	}
	docs["review-results"] = b.shotOf("#review-results", "review-results")
	for _, book := range []string{"V1", "V2"} {
		drafts, err := s.Vouchers(ctx, rf.f.Auditor, book, ledger.VoucherFilter{Status: ledger.StatusDraft})
		if book == "V1" && (err != nil || len(drafts) != 1 || drafts[0].ID != first.ID) || book == "V2" && len(drafts) != 0 {
			t.Errorf("%s drafts left: %d (%v)", book, len(drafts), err)
		}
	}

	// The preparer sees the reason on the home page.
	b.signIn(rf.f.Tokens["preparer"])
	b.run("home", chromedp.Navigate(b.base+"/books/V1"), chromedp.WaitVisible("#returned", chromedp.ByQuery))
	if got := b.text("#returned"); !strings.Contains(got, "缺少收款收据，请补附件") {
		t.Errorf("home shows %q", got)
	}
	docs["returned-home"] = b.shotOf("#returned", "returned-home")

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

// startBrowser starts headless Chromium at 1366×768 on a fresh profile.
func startBrowser(t *testing.T, chromium string) (context.Context, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(browserProfile(t)), chromedp.WindowSize(1366, 768))
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Run(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		cancel()
		t.Fatalf("start chromium: %v", err)
	}
	return bctx, func() { cancelBrowser(); cancelAlloc(); cancel() }
}

// shotOf saves a screenshot of the element sel only: a small picture for the docs.
func (b *browserRun) shotOf(sel, name string) []byte {
	b.t.Helper()
	var png []byte
	b.run("screenshot "+name, chromedp.Screenshot(sel, &png, chromedp.ByQuery))
	b.n++
	if err := os.WriteFile(filepath.Join(b.shots, two(b.n)+"-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return png
}
