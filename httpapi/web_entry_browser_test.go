package httpapi

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestBrowserVoucherEntryAids drives the habits of 用友/金蝶 users through
// headless Chromium: the cursor in 摘要 on open, the last voucher's date,
// a 常用摘要, the line summary carried down, "=" filling the balancing
// amount, 保存并新增, editing the draft, copying it, saving it as a template
// and starting from the template; then the list, newest first, one line a
// row at 1366 px. With COOPLEDGER_WEB_SCREENSHOTS=1 docs/img/voucher-aids.png
// is refreshed.
func TestBrowserVoucherEntryAids(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it): browser tests skipped")
	}
	s := ledgertest.Open(t, "sqlite")
	f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
	f.Post(t, ledger.VoucherInput{Date: "2026-11-20", Summary: "取得信用社借款用于村集体芋头基地灌溉设施建设（第一期），期限三年，年利率百分之三点六五，按季付息", Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount("5000.00")}, {Account: "201", Credit: ledgertest.Amount("5000.00")}}})
	if _, err := s.AddSummaryPhrase(context.Background(), f.Preparer, "V1", "发放本月工资"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(s, slog.New(slog.DiscardHandler), Options{}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(browserProfile(t)), chromedp.WindowSize(1366, 900))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browserRun{t: t, ctx: bctx, base: srv.URL, shots: t.TempDir()}
	t.Logf("screenshots in %s", b.shots)
	b.signIn(f.Tokens["preparer"])
	js := func(what, expr string, out any) { b.t.Helper(); b.run(what, chromedp.Evaluate(expr, out)) }
	value := func(sel string) string {
		var v string
		js("value of "+sel, `document.querySelector("`+sel+`").value`, &v)
		return v
	}

	// 1. The form opens with the cursor in 摘要 and the date of the last voucher; the
	// 常用摘要 are offered there.
	b.run("open form", chromedp.Navigate(b.base+"/books/V1/vouchers/new"), chromedp.WaitVisible("#l0-account", chromedp.ByQuery))
	var focused string
	js("focus", `document.activeElement.id`, &focused)
	if focused != "summary" {
		t.Errorf("cursor in %q on open, want 摘要", focused)
	}
	if d := value("#date"); d != "2026-11-20" {
		t.Errorf("date %q, want the last voucher's 2026-11-20", d)
	}
	var offered bool
	js("phrases", `[...document.querySelectorAll("#dl-phrases option")].some(o => o.value == "发放本月工资")`, &offered)
	if !offered {
		t.Error("常用摘要 not offered in 摘要")
	}

	// 2. Two lines by keyboard: the second line's summary carried down, its credit by "=".
	b.run("type voucher", keys("发放本月工资"), keys(kb.Tab), keys("1"), keys(kb.Enter),
		keys("513"), chromedp.WaitVisible("#l0-account-list", chromedp.ByQuery), keys(kb.Enter),
		keys("3000"), keys(kb.Enter), keys(kb.Enter), keys("十一月"), keys(kb.Enter),
		keys("212"), chromedp.WaitVisible("#l1-account-list", chromedp.ByQuery), keys(kb.Enter),
		keys("H001"), keys(kb.Enter), keys(kb.Tab), keys("="), keys(kb.Enter))
	if c, diff := value("#l1-credit"), b.text("#sum-diff"); c != "3000.00" || diff != "0.00" {
		t.Errorf(`"=" filled %q, difference %q`, c, diff)
	}
	if sum := value("#l1-summary"); sum != "十一月" {
		t.Errorf("line 2 summary %q, want the previous line's carried down", sum)
	}
	b.run("保存并新增", chromedp.Click("#save-next", chromedp.ByQuery), chromedp.WaitVisible("#saved-note", chromedp.ByQuery))
	if loc := b.location(); !strings.HasSuffix(loc, "/books/V1/vouchers/new") {
		t.Errorf("保存并新增 went to %s", loc)
	}
	if d := value("#date"); d != "2026-11-20" {
		t.Errorf("next voucher dated %q, want the one just saved", d)
	}
	drafts, err := s.Vouchers(ctx, f.Preparer, "V1", ledger.VoucherFilter{Status: ledger.StatusDraft})
	if err != nil || len(drafts) != 1 || drafts[0].Total.String() != "3000.00" || drafts[0].Lines[1].Household != "H001" {
		t.Fatalf("draft after 保存并新增: %+v %v", drafts, err)
	}
	draft := drafts[0]
	draftURL := b.base + "/books/V1/vouchers/" + itoa(draft.ID)

	// 3. Edit the draft: the form opens filled; the amounts change; it stays an unnumbered draft.
	b.run("edit", chromedp.Navigate(draftURL), chromedp.WaitVisible("#edit-voucher", chromedp.ByQuery),
		chromedp.Click("#edit-voucher", chromedp.ByQuery), chromedp.WaitVisible("#l1-credit", chromedp.ByQuery))
	if v := value("#l0-debit"); v != "3000.00" {
		t.Errorf("edit form debit %q", v)
	}
	b.run("change amounts", chromedp.SetValue("#l0-debit", "3200", chromedp.ByQuery), chromedp.Evaluate(`document.querySelector("#l1-credit").value = ""`, nil),
		chromedp.Focus("#l1-credit", chromedp.ByQuery), keys("="),
		chromedp.Click("#save", chromedp.ByQuery), chromedp.WaitVisible("p.flash", chromedp.ByQuery))
	edited, err := s.Voucher(ctx, f.Preparer, "V1", draft.ID)
	if err != nil || edited.Status != ledger.StatusDraft || edited.Number != "" || edited.Total.String() != "3200.00" {
		t.Fatalf("edited draft: %+v %v", edited, err)
	}

	// 4. Copy it: a new draft dated today.
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	b.run("copy", chromedp.Click("#copy-voucher", chromedp.ByQuery), chromedp.WaitVisible("#from-note", chromedp.ByQuery))
	if d, v := value("#date"), value("#l1-credit"); d != today || v != "3200.00" {
		t.Errorf("copy form dated %q with credit %q, want %s and 3200.00", d, v, today)
	}
	b.run("save copy", chromedp.Click("#save", chromedp.ByQuery), chromedp.WaitVisible("#post-voucher", chromedp.ByQuery))
	copyURL := b.location()
	b.shot("copy-saved")

	// 5. Save it as a template and start next month's voucher from it.
	b.run("save template", chromedp.SendKeys("#tpl-name", "每月工资", chromedp.ByQuery), chromedp.Click("#save-template", chromedp.ByQuery),
		chromedp.WaitVisible("#h-templates", chromedp.ByQuery))
	b.shot("voucher-aids")
	b.run("from template", chromedp.Navigate(b.base+"/books/V1/vouchers/new"), chromedp.WaitVisible("#templates a", chromedp.ByQuery),
		chromedp.Click("#templates a", chromedp.ByQuery), chromedp.WaitVisible("#from-note", chromedp.ByQuery))
	if v, sum := value("#l0-debit"), value("#summary"); v != "3200.00" || sum != "发放本月工资" {
		t.Errorf("template form: debit %q, summary %q", v, sum)
	}
	png := b.shot("from-template")

	// 6. The list opens on this month, newest first, each row on one line.
	b.run("list", chromedp.Navigate(b.base+"/books/V1/vouchers?period="), chromedp.WaitVisible("table.one-line", chromedp.ByQuery))
	var hrefs []string
	js("order", `[...document.querySelectorAll("table.one-line tbody tr a")].map(a => a.getAttribute("href"))`, &hrefs)
	if len(hrefs) != 3 || b.base+hrefs[0] != copyURL || b.base+hrefs[1] != draftURL {
		t.Errorf("list order %v, want the copy, then the draft, then the posted voucher", hrefs)
	}
	b.shot("list")
	var tall int
	js("row heights", `[...document.querySelectorAll("table.one-line tbody tr")].filter(r => r.getBoundingClientRect().height > 40).length`, &tall)
	if tall != 0 {
		t.Errorf("%d rows wrap onto a second line at 1366 px", tall)
	}
	b.run("this month", chromedp.Navigate(b.base+"/books/V1/vouchers"), chromedp.WaitVisible("h1", chromedp.ByQuery))
	if h := b.text("h1"); !strings.Contains(h, today[:7]) {
		t.Errorf("list opens on %q, want %s", h, today[:7])
	}

	if os.Getenv(envScreenshots) != "" {
		if err := os.MkdirAll(filepath.Join("..", "docs", "img"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "img", "voucher-aids.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
