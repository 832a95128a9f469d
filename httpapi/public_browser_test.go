package httpapi

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
	e.village(12)
	d := e.publish("2026Q3")
	token := e.link("H004")
	dir := screenshotDir(t)
	for _, p := range []struct{ name, path, text string }{
		{"disclosure", disclosurePath("V1", d.Slug), "财务公开"},
		{"household", householdPath("V1", token), "农户收益对账单"},
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

		pdf := filepath.Join(dir, p.name+".pdf")
		chromium(t, bin, url, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
		raw, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatal(err)
		}
		pages := len(pdfPage.FindAll(raw, -1))
		if info, err := exec.Command("pdfinfo", pdf).Output(); err == nil {
			if m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info); m != nil {
				pages = int(m[1][0] - '0')
				if len(m[1]) > 1 {
					pages = 99
				}
			}
		}
		if pages != 1 || !strings.HasPrefix(string(raw), "%PDF") {
			t.Errorf("%s prints on %d pages, want one A4 page", p.name, pages)
		}
	}
}
