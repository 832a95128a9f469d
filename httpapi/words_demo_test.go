package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

var (
	rawTimestamp = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d\.\d+`)
	// bareQuarter is 2026Q3 standing alone, not inside a reference (NXYH-HO-2026Q1-0001)
	bareQuarter  = regexp.MustCompile(`(^|[^-\w])20\d\dQ[1-4]([^-\w]|$)`)
	groupName    = regexp.MustCompile(`\p{Han}{1,6}村第\p{Han}{1,3}村民小组`)
	villageTerms = []string{"村民小组", "户主姓名", "家庭人口", "村留服务费"}
)

// TestDemoWordsAndTimes walks every page and workbook of the accountants'
// pages for each demo book, and each book's published disclosure page: no
// stored timestamp (T…Z, nanoseconds) is shown, no cooperative output speaks
// of 村民小组/户主姓名/家庭人口/村留服务费, no village roster or notice names a
// rent or wage run 收益分配, and quarters read 2026年第三季度.
func TestDemoWordsAndTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo township")
	}
	ctx := context.Background()
	s := ledgertest.Open(t, "sqlite")
	res, err := demo.Load(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	var token string
	var township ledger.Actor
	for _, u := range res.Users {
		if u.Role == ledger.RoleTownship {
			token = u.Token
			if township, err = s.Authenticate(ctx, u.Token); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv := httptest.NewServer(New(s, slog.New(slog.DiscardHandler), Options{}))
	t.Cleanup(srv.Close)
	w := newWebClient(t, srv.URL)
	w.signIn(token)
	pages, workbooks := 0, 0
	for _, b := range res.Books {
		coop := b.Kind == ledger.KindCooperative
		for _, path := range demoPaths(t, s, township, b.Code) {
			status, body, h := w.do("GET", path, nil)
			if status != 200 {
				continue // a page that needs a parameter this walk does not give
			}
			if strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
				workbooks++
				body = workbookText(t, path, []byte(body))
				if strings.HasSuffix(path, "/roster.xlsx") || strings.HasSuffix(path, "/notice.xlsx") {
					checkRunTitle(t, path, body, coop)
				}
			} else {
				pages++
			}
			checkWordsAndTimes(t, path, body, coop)
		}
		d, err := s.PublishDisclosure(ctx, township, b.Code, "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		path := httpx.DisclosurePath(b.Code, d.Slug)
		status, body, _ := w.do("GET", path, nil)
		if status != 200 {
			t.Fatalf("%s: %d", path, status)
		}
		if strings.Contains(body, "。。") || !strings.Contains(body, "2026年第三季度") {
			t.Errorf("%s: doubled 。。 or no 2026年第三季度", path)
		}
		checkWordsAndTimes(t, path, body, coop)
		pages++
	}
	if pages < 40 || workbooks < 10 {
		t.Errorf("walked only %d pages and %d workbooks", pages, workbooks)
	}
}

// demoPaths are the GET page routes filled with a posted voucher, every
// payout run, a household, a party and an agreement of the book.
func demoPaths(t *testing.T, s *ledger.Store, a ledger.Actor, book string) []string {
	t.Helper()
	ctx := context.Background()
	vs, err := s.Vouchers(ctx, a, book, ledger.VoucherFilter{Status: ledger.StatusPosted, Limit: 1})
	if err != nil || len(vs) == 0 {
		t.Fatalf("%s vouchers: %v", book, err)
	}
	runs, err := s.PayoutRuns(ctx, a, book, "")
	if err != nil || len(runs) == 0 {
		t.Fatalf("%s runs: %v %d", book, err, len(runs))
	}
	hs, _ := s.Households(ctx, a, book, ledger.HouseholdFilter{Limit: 1})
	ps, _ := s.Parties(ctx, a, book, "", 1)
	ags, _ := s.Agreements(ctx, a, book)
	if len(hs) == 0 || len(ps) == 0 || len(ags) == 0 {
		t.Fatalf("%s: no household, party or agreement", book)
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range webRoutesOf() {
		if r.method != "GET" || r.path == "/logout" {
			continue
		}
		for _, run := range runs {
			p := fill(r.path, book, vs[0].ID, run.ID, hs[0].Code, ps[0].Code, ags[0].Code)
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// workbookText is every cell of every sheet, tab-separated.
func workbookText(t *testing.T, path string, body []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}

func checkWordsAndTimes(t *testing.T, path, body string, coop bool) {
	t.Helper()
	if m := rawTimestamp.FindString(body); m != "" {
		t.Errorf("%s shows a stored timestamp %q", path, m)
	}
	if m := bareQuarter.FindString(visibleText(body)); m != "" {
		t.Errorf("%s prints a quarter as 2026Q3: %q", path, m)
	}
	if !coop || strings.HasSuffix(path, "/import/template") {
		return // an import template's headers are its file format, the same for every book
	}
	body = groupName.ReplaceAllString(body, "") // a member's own group is data, not the page's words
	for _, term := range villageTerms {
		if i := strings.Index(body, term); i >= 0 {
			t.Errorf("cooperative %s says %s: …%s…", path, term, body[max(0, i-60):min(len(body), i+60)])
		}
	}
}

// visibleText drops attributes and query strings (value="2026Q3" is an
// input, not printed text) and keeps what a reader sees.
func visibleText(body string) string {
	body = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
	return body
}

// checkRunTitle: a village's rent or wage run is never titled 收益分配;
// every roster and notice names what it pays.
func checkRunTitle(t *testing.T, path, text string, coop bool) {
	t.Helper()
	title, _, _ := strings.Cut(text, "\t")
	title, _, _ = strings.Cut(title, "\n")
	if strings.Contains(title, "收益分配") {
		t.Errorf("%s titled %q", path, title)
	}
	if !strings.Contains(title, "2026年第") {
		t.Errorf("%s title %q without its quarter in words", path, title)
	}
	if coop && strings.Contains(title, "包干") {
		t.Errorf("cooperative %s title %q", path, title)
	}
}
