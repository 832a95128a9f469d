package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// publicChromium finds headless Chromium. CI installs it; elsewhere the
// browser test is skipped without it.
func publicChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (.ci/run installs it)")
	}
	t.Skip("chromium not installed")
	return ""
}

// chromium runs headless Chromium once on url with extra flags, bounded in
// time, with a throwaway profile and no network beyond the loopback server.
func chromium(t *testing.T, bin, url string, extra ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + browserProfile(t)}, extra...)
	out, err := exec.CommandContext(ctx, bin, append(args, url)...).CombinedOutput()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", extra, err, out)
	}
}

// screenshotDir is where the browser test keeps its screenshots:
// $COOPLEDGER_SCREENSHOTS, or coopledger-screenshots in the temp directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("COOPLEDGER_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "coopledger-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestPublicPagesInChromium renders the disclosure page and a household page
// at phone size (390×844) and keeps the screenshots, and prints each to PDF
// to check that it fits on one A4 sheet.
func TestPublicPagesInChromium(t *testing.T) {
	bin := publicChromium(t)
	e := newEnv(t, ledgertest.Open(t, "sqlite"))
	e.fund()
	e.village(12)
	d := e.publish("2026Q3")
	token := e.link("H004")
	dir := screenshotDir(t)
	for _, p := range []struct{ name, path, text string }{
		{"disclosure", httpx.DisclosurePath("V1", d.Slug), "财务公开"},
		{"household", httpx.HouseholdPath("V1", token), "农户收益对账单"},
	} {
		url := e.srv.URL + p.path
		if res := e.page(p.path); res.status != 200 || !bytes.Contains(res.body, []byte(p.text)) {
			t.Fatalf("%s: %d", p.name, res.status)
		}
		shot := filepath.Join(dir, p.name+".png")
		_ = os.Remove(shot)
		chromium(t, bin, url, "--window-size=390,844", "--screenshot="+shot)
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("%s: no screenshot: %v", p.name, err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 390 || b.Dy() != 844 {
			t.Errorf("%s: screenshot %v, want 390×844", p.name, b)
		}
		dark := 0
		for y := 0; y < img.Bounds().Dy(); y += 2 {
			for x := 0; x < img.Bounds().Dx(); x += 2 {
				if r, g, b, _ := img.At(x, y).RGBA(); r+g+b < 3*0x8000 {
					dark++
				}
			}
		}
		if dark < 500 {
			t.Errorf("%s: screenshot looks blank (%d dark samples)", p.name, dark)
		}
		t.Logf("%s: %s", p.name, shot)

		if pages := printedA4Pages(t, bin, url, filepath.Join(dir, p.name+".pdf")); pages != 1 {
			t.Errorf("%s prints on %d A4 pages, want one", p.name, pages)
		}
	}
}

// printedA4Pages prints url to PDF with headless Chromium and returns its
// number of pages, failing the test unless every page is A4 (595×842 pt).
// pdfinfo (poppler-utils) reads the PDF when installed; otherwise its page
// objects are counted.
func printedA4Pages(t *testing.T, bin, url, pdf string) int {
	t.Helper()
	_ = os.Remove(pdf)
	chromium(t, bin, url, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	raw, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(raw, []byte("%PDF")) {
		t.Fatalf("%s: no PDF: %v", pdf, err)
	}
	pages := len(pdfPage.FindAll(raw, -1))
	sizes := pdfMediaBox.FindAllSubmatch(raw, -1)
	if info, err := exec.Command("pdfinfo", "-f", "1", "-l", "1000", pdf).Output(); err == nil {
		pages = 0
		sizes = nil
		for _, m := range pdfinfoPage.FindAllSubmatch(info, -1) {
			pages++
			sizes = append(sizes, [][]byte{nil, m[1], m[2]})
		}
	}
	for _, sz := range sizes {
		w, _ := strconv.ParseFloat(string(sz[1]), 64)
		h, _ := strconv.ParseFloat(string(sz[2]), 64)
		if math.Abs(w-595.3) > 2 || math.Abs(h-841.9) > 2 {
			t.Errorf("%s: a page of %s×%s pt, not A4", pdf, sz[1], sz[2])
		}
	}
	return pages
}

var (
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
	pdfinfoPage = regexp.MustCompile(`Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts`)
)

// TestDisclosurePrintsOnOneA4Page publishes 2026Q3 of each demo book and of
// generated villages of 240 households (near the most whose notice the sheet
// carries), 280 and 500 (whose sheets say where the notice is), prints each
// page to PDF in headless Chromium and checks it is exactly one A4 page: the
// notice board's sheet.
func TestDisclosurePrintsOnOneA4Page(t *testing.T) {
	bin := publicChromium(t)
	ctx := context.Background()
	dir := screenshotDir(t)
	s := ledgertest.Open(t, "sqlite")
	res, err := demo.Load(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	var township ledger.Actor
	for _, u := range res.Users {
		if u.Role == ledger.RoleTownship {
			if township, err = s.Authenticate(ctx, u.Token); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := httptest.NewServer(New(s, nil, Options{}))
	t.Cleanup(srv.Close)
	for _, b := range res.Books {
		d, err := s.PublishDisclosure(ctx, township, b.Code, "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		url := srv.URL + httpx.DisclosurePath(b.Code, d.Slug)
		if page, err := srv.Client().Get(url); err != nil || page.StatusCode != 200 {
			t.Fatalf("%s: %v", b.Code, err)
		} else {
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			if !bytes.Contains(body, []byte(`id="print-notice"`)) {
				t.Errorf("%s: the printed page does not carry the notice", b.Code)
			}
		}
		if pages := printedA4Pages(t, bin, url, filepath.Join(dir, "disclosure-"+b.Code+".pdf")); pages != 1 {
			t.Errorf("%s (%d households) prints on %d pages", b.Code, b.Households, pages)
		}
	}

	for _, tt := range []struct {
		households int
		notice     bool // whether the sheet carries the notice
	}{{240, true}, {280, false}, {500, false}} {
		n := tt.households
		e := newEnv(t, ledgertest.Open(t, "sqlite"))
		e.fund()
		e.village(n)
		path := httpx.DisclosurePath("V1", e.publish("2026Q3").Slug)
		wantID := map[bool]string{true: `id="print-notice"`, false: `id="print-notice-elsewhere"`}[tt.notice]
		if page := e.page(path); !bytes.Contains(page.body, []byte(wantID)) {
			t.Errorf("%d households: the page lacks %s", n, wantID)
		}
		if pages := printedA4Pages(t, bin, e.srv.URL+path, filepath.Join(dir, fmt.Sprintf("disclosure-%d.pdf", n))); pages != 1 {
			t.Errorf("%d households: %d pages", n, pages)
		}
	}
}

// TestSlipsPrintOnePagePerHousehold prints a run's slips to PDF: one A4
// page for each household with a link.
func TestSlipsPrintOnePagePerHousehold(t *testing.T) {
	bin := publicChromium(t)
	e := newEnv(t, ledgertest.Open(t, "sqlite"))
	e.fund()
	e.village(6)
	runs, err := e.store.PayoutRuns(context.Background(), e.f.Auditor, "V1", "2026Q3")
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	for _, code := range []string{"H001", "H003", "H004"} {
		e.link(code)
	}
	res := e.expect(req{method: "GET", path: runPath(runs[0].ID, "/slips"), role: rolePreparer}, 200)
	dir := screenshotDir(t)
	html := filepath.Join(t.TempDir(), "slips.html")
	if err := os.WriteFile(html, res.body, 0o600); err != nil {
		t.Fatal(err)
	}
	if pages := printedA4Pages(t, bin, "file://"+html, filepath.Join(dir, "slips.pdf")); pages != 3 {
		t.Errorf("3 linked households print on %d pages", pages)
	}
}
