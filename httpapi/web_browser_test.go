package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// The browser test drives headless Chromium through the pages an accountant
// uses most: sign in, a 4-line voucher typed with the keyboard only, an
// unbalanced voucher refused with its difference, posting by a second user,
// reversing, and a quarter's payout from computation to payment and roster.
// Screenshots of every step go to a temporary directory; with
// COOPLEDGER_WEB_SCREENSHOTS=1 the two that docs/web.md shows are written to docs/web/.

const envScreenshots = "COOPLEDGER_WEB_SCREENSHOTS"

// chromiumPath finds Debian's chromium (or another Chromium on PATH).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

type browserRun struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	n     int
}

func (b *browserRun) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second) // every step bounded
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var png []byte
		var html string
		_ = chromedp.Run(b.ctx, chromedp.CaptureScreenshot(&png), chromedp.Evaluate(`document.activeElement.id + " | " +
			Array.from(document.querySelectorAll("input")).filter(i => i.value && i.type != "hidden").map(i => i.id + "=" + i.value).join(", ") +
			" | " + document.body.innerText.slice(0, 600)`, &html))
		_ = os.WriteFile(filepath.Join(b.shots, "failed.png"), png, 0o644)
		if len(html) > 3000 {
			html = html[:3000]
		}
		b.t.Fatalf("%s: %v (screenshot failed.png in %s)\n%s", what, err, b.shots, html)
	}
}

// shot saves a screenshot of the viewport (1366×768) as step n.
func (b *browserRun) shot(name string) []byte {
	b.t.Helper()
	var png []byte
	b.run("screenshot "+name, chromedp.CaptureScreenshot(&png))
	b.n++
	path := filepath.Join(b.shots, strings.ReplaceAll(strings.TrimSpace(
		strings.Join([]string{two(b.n), name}, "-")), " ", "-")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return png
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func (b *browserRun) text(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// location is the current page's address without its query (the flash message).
func (b *browserRun) location() string {
	b.t.Helper()
	var u string
	b.run("location", chromedp.Location(&u))
	u, _, _ = strings.Cut(u, "?")
	return u
}

func (b *browserRun) signIn(token string) {
	b.t.Helper()
	b.run("sign in", chromedp.Navigate(b.base+"/login"), chromedp.WaitVisible("#token", chromedp.ByQuery),
		chromedp.SendKeys("#token", token+kb.Enter, chromedp.ByQuery), chromedp.WaitVisible("header.top", chromedp.ByQuery))
}

// browserProfile is a fresh Chromium profile directory. Chromium's helper
// processes may still be writing into it for a moment after the browser is
// told to stop, so it is removed with a few bounded retries rather than by
// t.TempDir's single attempt.
func browserProfile(t *testing.T) string {
	dir, err := os.MkdirTemp("", "coopledger-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if err = os.RemoveAll(dir); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("chromium profile %s not removed: %v", dir, err)
	})
	return dir
}

// keys types into the focused element.
func keys(s string) chromedp.Action { return chromedp.KeyEvent(s) }

func TestBrowserWalkthrough(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it): browser tests skipped")
	}
	s := ledgertest.Open(t, "sqlite")
	f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
	f.Fund(t)
	createRentAgreement(t, s, f)
	srv := httptest.NewServer(New(s, slog.New(slog.DiscardHandler), Options{}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(browserProfile(t)), chromedp.WindowSize(1366, 768))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Run(bctx); err != nil { // starts the browser on the long-lived context
		t.Fatalf("start chromium: %v", err)
	}
	b := &browserRun{t: t, ctx: bctx, base: srv.URL, shots: t.TempDir()}
	t.Logf("screenshots in %s", b.shots)
	readme := map[string][]byte{}

	// 1. Sign in.
	b.signIn(f.Tokens["preparer"])
	if who := b.text("header.top .who"); !strings.Contains(who, "制单会计") || !strings.Contains(who, "会计") || !strings.Contains(who, "V1") {
		t.Errorf("header shows %q, want user, role and books", who)
	}
	b.shot("signed-in")

	// 2. A 4-line voucher, keyboard only.
	b.run("open voucher form", chromedp.Navigate(b.base+"/books/V1/vouchers/new"), chromedp.WaitVisible("#l0-account", chromedp.ByQuery),
		chromedp.Focus("#summary", chromedp.ByQuery),
		keys("收到芋头公司土地租金"), keys(kb.Tab), keys("2"), keys(kb.Enter))
	b.run("type voucher lines",
		// line 1: 102 银行存款, debit 3000
		keys("102"), chromedp.WaitVisible("#l0-account-list", chromedp.ByQuery), keys(kb.Enter),
		keys("3000"), keys(kb.Enter), keys(kb.Enter), keys(kb.Enter),
		// line 2: "yfk" finds 应付款 sub-accounts; ★ household H001; credit 1400
		keys("yfk"), chromedp.WaitVisible("#l1-account-list", chromedp.ByQuery), keys(kb.Enter),
		keys("H001"), keys(kb.Enter), keys(kb.Tab), keys("1400"), keys(kb.Enter), keys("一季度租金"), keys(kb.Enter),
		// line 3: same account, household H002, credit 900
		keys("21101"), chromedp.WaitVisible("#l2-account-list", chromedp.ByQuery), keys(kb.Enter),
		keys("H002"), keys(kb.Enter), keys(kb.Tab), keys("900"), keys(kb.Enter), keys(kb.Enter),
		// line 4: 504 其他收入 (service fee), credit 700
		keys("qtsr"), chromedp.WaitVisible("#l3-account-list", chromedp.ByQuery), keys(kb.Enter),
		keys(kb.Tab), keys("700"),
	)
	if got := b.text("#sum-diff"); got != "0.00" {
		t.Errorf("difference after four lines: %q", got)
	}
	var rows int
	b.run("count rows", chromedp.Evaluate(`document.querySelectorAll("#lines tr").length`, &rows))
	if rows != 5 {
		t.Errorf("%d rows after typing into the 4th, want a new 5th", rows)
	}
	if d, c := b.text("#sum-debit"), b.text("#sum-credit"); d != "3,000.00" || c != "3,000.00" {
		t.Errorf("running totals %s / %s, want 3,000.00 both", d, c)
	}
	readme["voucher-entry"] = b.shot("voucher-entry")
	b.run("save", chromedp.Focus("#save", chromedp.ByQuery), keys(kb.Enter),
		chromedp.WaitVisible("#post-voucher", chromedp.ByQuery))
	if flash := b.text("p.flash"); !strings.Contains(flash, "草稿") {
		t.Errorf("after saving: %q", flash)
	}
	b.shot("voucher-saved")
	draftURL := b.location()
	drafts, err := s.Vouchers(ctx, f.Preparer, "V1", ledger.VoucherFilter{Status: ledger.StatusDraft})
	if err != nil || len(drafts) != 1 || len(drafts[0].Lines) != 4 || drafts[0].Attachments != 2 ||
		drafts[0].Lines[1].Household != "H001" || drafts[0].Lines[3].Account != "504" {
		t.Fatalf("saved draft: %+v %v", drafts, err)
	}

	// 3. An unbalanced voucher is refused with the difference shown.
	b.run("unbalanced", chromedp.Navigate(b.base+"/books/V1/vouchers/new"), chromedp.WaitVisible("#l0-account", chromedp.ByQuery),
		chromedp.Focus("#summary", chromedp.ByQuery), keys("现金存入银行"), keys(kb.Enter), keys(kb.Enter),
		keys("102"), chromedp.WaitVisible("#l0-account-list", chromedp.ByQuery), keys(kb.Enter), keys("500"), keys(kb.Enter), keys(kb.Enter), keys(kb.Enter),
		keys("101"), chromedp.WaitVisible("#l1-account-list", chromedp.ByQuery), keys(kb.Enter), keys(kb.Tab), keys("450"))
	if diff := b.text("#sum-diff"); diff != "50.00" {
		t.Errorf("difference while typing: %q", diff)
	}
	b.run("submit unbalanced", chromedp.Focus("#save", chromedp.ByQuery), keys(kb.Enter),
		chromedp.WaitVisible("#form-error", chromedp.ByQuery))
	if msg, diff := b.text("#form-error"), b.text("#sum-diff"); !strings.Contains(msg, "借贷不平衡") || !strings.Contains(msg, "差额 50.00") || diff != "50.00" {
		t.Errorf("unbalanced voucher: %q, difference %q", msg, diff)
	}
	b.shot("unbalanced-refused")

	// 4. Posted by a second user.
	b.signIn(f.Tokens["reviewer"])
	b.run("post", chromedp.Navigate(draftURL), chromedp.WaitVisible("#post-voucher", chromedp.ByQuery),
		chromedp.Click("#post-voucher", chromedp.ByQuery), chromedp.WaitVisible("#reverse-voucher", chromedp.ByQuery))
	if h := b.text("h1"); !strings.Contains(h, "记-0001") {
		t.Errorf("posted voucher heading %q", h)
	}
	b.shot("posted-by-reviewer")

	// 5. Reversed (red reversal drafted by the reviewer, posted by the preparer).
	// The reversal is a new draft: its page has the post button the posted original lacks
	// (the original's page already shows a confirmation, so waiting for one would race).
	b.run("reverse", chromedp.Click("#reverse-voucher", chromedp.ByQuery), chromedp.WaitVisible("#post-voucher", chromedp.ByQuery))
	reversalURL := b.location()
	b.signIn(f.Tokens["preparer"])
	b.run("post reversal", chromedp.Navigate(reversalURL), chromedp.Click("#post-voucher", chromedp.ByQuery),
		chromedp.WaitVisible("p.flash", chromedp.ByQuery))
	if h := b.text("h1"); !strings.Contains(h, "记-0002") {
		t.Errorf("posted reversal heading %q", h)
	}
	b.shot("reversal-posted")
	if v, err := s.Voucher(ctx, f.Preparer, "V1", drafts[0].ID); err != nil || v.ReversedBy == 0 {
		t.Errorf("original not reversed: %+v %v", v, err)
	}

	// 6. A quarter's payout: compute, approve (another user), roster, pay, outstanding.
	b.run("compute", chromedp.Navigate(b.base+"/books/V1/payouts"), chromedp.WaitVisible("#p-quarter", chromedp.ByQuery),
		chromedp.SetValue("#p-quarter", "2026Q1", chromedp.ByQuery), chromedp.Click("#compute", chromedp.ByQuery),
		chromedp.WaitVisible("#approve-run", chromedp.ByQuery))
	if sum := b.text("#h-sum + p"); !strings.Contains(sum, "3 户") || !strings.Contains(sum, "1,510.00") {
		t.Errorf("computed run: %q", sum) // (3.5 + 2.25 + 1.8) 亩 × 800 ÷ 4 = 1510.00
	}
	readme["payout-wizard"] = b.shot("payout-computed")
	runURL := b.location()
	b.run("self-approval", chromedp.Click("#approve-run", chromedp.ByQuery), chromedp.WaitVisible("#page-error", chromedp.ByQuery))
	if msg := b.text("#page-error"); msg == "" {
		t.Errorf("self-approval not refused")
	}
	b.signIn(f.Tokens["township"])
	b.run("approve", chromedp.Navigate(runURL), chromedp.Click("#approve-run", chromedp.ByQuery), chromedp.WaitVisible("#dl-roster", chromedp.ByQuery))
	b.shot("payout-approved")

	downloads := t.TempDir()
	done := make(chan string, 1)
	chromedp.ListenTarget(bctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	})
	b.run("download roster", browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).
		WithDownloadPath(downloads).WithEventsEnabled(true), chromedp.Click("#dl-roster", chromedp.ByQuery))
	select {
	case guid := <-done:
		data, err := os.ReadFile(filepath.Join(downloads, guid))
		if err != nil || !bytes.HasPrefix(data, []byte("PK")) {
			t.Fatalf("roster download: %v", err)
		}
		wb, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("roster is not a workbook: %v", err)
		}
		if sheets := wb.GetSheetList(); len(sheets) == 0 || !strings.Contains(strings.Join(sheets, ","), "花名册") {
			t.Errorf("roster sheets %v", sheets)
		}
		wb.Close()
	case <-time.After(30 * time.Second):
		t.Fatal("roster download did not complete in 30 s")
	}

	b.signIn(f.Tokens["preparer"])
	b.run("pay", chromedp.Navigate(runURL), chromedp.WaitVisible("#pay-household", chromedp.ByQuery),
		chromedp.SendKeys("#pay-household", "H001", chromedp.ByQuery), chromedp.SendKeys("#pay-amount", "700.00", chromedp.ByQuery),
		chromedp.SetValue("#pay-date", "2026-04-10", chromedp.ByQuery),
		chromedp.SendKeys("#pay-ref", "YKT-20260410-0001", chromedp.ByQuery), chromedp.Click("#record-payment", chromedp.ByQuery),
		chromedp.WaitVisible("p.flash", chromedp.ByQuery))
	if flash := b.text("p.flash"); !strings.Contains(flash, "付款已登记") {
		t.Errorf("after paying: %q", flash)
	}
	if out := b.text("#outstanding"); !strings.Contains(out, "2 户") {
		t.Errorf("outstanding heading %q", out)
	}
	b.shot("payment-recorded")
	runs, err := s.PayoutRuns(ctx, f.Preparer, "V1", "2026Q1")
	if err != nil || len(runs) != 1 || runs[0].Paid.String() != "700.00" || runs[0].Outstanding.String() != "810.00" {
		t.Errorf("run after payment: %+v %v", runs, err)
	}

	if os.Getenv(envScreenshots) != "" {
		if err := os.MkdirAll(filepath.Join("..", "docs", "web"), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, png := range readme {
			if err := os.WriteFile(filepath.Join("..", "docs", "web", name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
