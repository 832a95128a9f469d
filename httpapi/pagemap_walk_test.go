package httpapi

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// isWrite reports whether method changes something.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// TestEveryWriteRouteHasAPage walks the route table: every API write route
// is offered by a page (pageMap), excluded for a reason (pageExclusions) or
// pending (pendingPages, logged); no list names a route that is not served;
// every mapped page, rendered on the demo books as the user who does the
// job, holds a form posting to the mapped page route; docs/web.md lists
// the map and the exclusions.
func TestEveryWriteRouteHasAPage(t *testing.T) {
	served := map[string]bool{}
	for _, r := range registeredRoutesAll() {
		served[r.method+" "+r.path] = true
	}
	mapped := map[string]pageOffer{}
	for _, o := range pageMap {
		if _, dup := mapped[o.API]; dup {
			t.Errorf("pageMap lists %s twice", o.API)
		}
		mapped[o.API] = o
		if !served["GET "+o.Page] {
			t.Errorf("%s: page %s is not a GET route", o.API, o.Page)
		}
		if !served[o.Form] {
			t.Errorf("%s: form target %s is not a route", o.API, o.Form)
		}
	}
	lists := map[string]map[string]bool{"pageMap": {}, "pageExclusions": {}, "pendingPages": {}, "pageTested": {}}
	tests := testFuncNames(t)
	for k, why := range pageTested {
		lists["pageTested"][k] = true
		if name, _, _ := strings.Cut(why, ":"); !tests[name] {
			t.Errorf("pageTested: %s names %s, which is not a test of this package", k, name)
		}
	}
	for k := range mapped {
		lists["pageMap"][k] = true
	}
	for k, why := range pageExclusions {
		lists["pageExclusions"][k] = true
		if strings.TrimSpace(why) == "" {
			t.Errorf("exclusion %s gives no reason", k)
		}
	}
	for k := range pendingPages {
		lists["pendingPages"][k] = true
	}
	for name, keys := range lists {
		for k := range keys {
			if !served[k] {
				t.Errorf("%s names %s, which is not a route", name, k)
			}
		}
	}
	for _, r := range registeredRoutes() {
		key := r.method + " " + r.path
		if !isWrite(r.method) || !strings.HasPrefix(r.path, "/api/v1/") {
			continue
		}
		var in []string
		for name, keys := range lists {
			if keys[key] {
				in = append(in, name)
			}
		}
		switch {
		case len(in) == 0:
			t.Errorf("write route %s has no page: add it to pageMap (httpapi/pagemap_test.go) with the page that offers it, or to pageExclusions with the reason", key)
		case len(in) > 1:
			t.Errorf("write route %s is in %v; one list only", key, in)
		case in[0] == "pendingPages":
			t.Logf("pending, no page yet: %s — %s", key, pendingPages[key])
		}
	}
	checkWebDocsListPages(t)
	checkMappedPagesOfferForms(t)
}

// checkWebDocsListPages: docs/web.md lists every mapped and excluded route.
// testFuncNames are the Test functions declared in this package's files.
func testFuncNames(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllStringSubmatch(string(raw), -1) {
			names[m[1]] = true
		}
	}
	return names
}

func checkWebDocsListPages(t *testing.T) {
	raw, err := os.ReadFile("../docs/web.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	_, section, ok := strings.Cut(doc, "## Which page does what")
	if !ok {
		t.Fatal(`docs/web.md has no "## Which page does what"`)
	}
	for _, o := range pageMap {
		if !strings.Contains(section, "`"+o.API+"`") || !strings.Contains(section, "`"+o.Page+"`") {
			t.Errorf("docs/web.md (Which page does what) does not list %s on %s", o.API, o.Page)
		}
	}
	for k := range pageTested {
		if !strings.Contains(section, "`"+k+"`") {
			t.Errorf("docs/web.md (Which page does what) does not list %s", k)
		}
	}
	for k := range pageExclusions {
		if !strings.Contains(section, "`"+k+"`") {
			t.Errorf("docs/web.md (Which page does what) does not list the exclusion %s", k)
		}
	}
}

var formAction = regexp.MustCompile(`<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]+)"`)

// checkMappedPagesOfferForms renders each mapped page on the demo (SQLite)
// as the user who does the job and looks for the form.
func checkMappedPagesOfferForms(t *testing.T) {
	ctx := context.Background()
	s := ledgertest.Open(t, "sqlite")
	res, err := demo.Load(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(s, nil, Options{}))
	t.Cleanup(srv.Close)
	var book string
	for _, b := range res.Books {
		if b.Kind == ledger.KindVillage && book == "" {
			book = b.Code
		}
	}
	clients := map[string]*webClient{}
	for _, u := range res.Users {
		as := ""
		switch {
		case u.Role == ledger.RoleAccountant && u.Scope == book:
			as = "accountant"
		case u.Role == ledger.RoleTownship:
			as = "township"
		}
		if as != "" && clients[as] == nil {
			clients[as] = newWebClient(t, srv.URL)
			clients[as].signIn(u.Token)
		}
	}
	records := demoRecords(t, s, demoActor(t, s, res, ledger.RoleTownship), book)
	if records["draft-run"] == "" { // the demo approves its runs: compute one more
		acc := demoAccountant(t, s, res, book)
		run, err := s.CreatePayoutRun(ctx, acc, book, ledger.RunInput{Quarter: "2026Q4"})
		if err != nil {
			run, err = s.CreatePayoutRun(ctx, acc, book, ledger.RunInput{Quarter: "2026Q3", Adjustment: true})
		}
		if err != nil {
			t.Fatalf("a draft run: %v", err)
		}
		records["draft-run"] = strconv.FormatInt(run.ID, 10)
	}
	for _, o := range pageMap {
		w := clients[o.As]
		if w == nil {
			t.Errorf("%s: no demo user %q", o.API, o.As)
			continue
		}
		value := records[o.With]
		if o.With != "" && value == "" {
			t.Errorf("%s: the demo has no %s record", o.API, o.With)
			continue
		}
		fill := strings.NewReplacer(":book", book, ":id", value, ":code", value)
		page := fill.Replace(o.Page)
		_, target, _ := strings.Cut(o.Form, " ")
		target = fill.Replace(target)
		status, body, _ := w.do(http.MethodGet, page, nil)
		if status != http.StatusOK {
			t.Errorf("%s: page %s answers %d", o.API, page, status)
			continue
		}
		found := false
		for _, m := range formAction.FindAllStringSubmatch(body, -1) {
			found = found || html.UnescapeString(m[1]) == target
		}
		if !found {
			t.Errorf("%s: page %s (as %s) has no form posting to %s", o.API, page, o.As, target)
		}
	}
}

// demoRecords finds, in book, a record of each kind pageMap's With names.
func demoRecords(t *testing.T, s *ledger.Store, a ledger.Actor, book string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, status := range []ledger.VoucherStatus{ledger.StatusDraft, ledger.StatusPosted} {
		vs, err := s.Vouchers(ctx, a, book, ledger.VoucherFilter{Status: status, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.ReversedBy == 0 && v.ReversesID == 0 {
				out[string(status)] = strconv.FormatInt(v.ID, 10)
				break
			}
		}
	}
	if hs, err := s.Households(ctx, a, book, ledger.HouseholdFilter{Limit: 1}); err == nil && len(hs) > 0 {
		out["household"] = hs[0].Code
	}
	if ps, err := s.Parties(ctx, a, book, "", 1); err == nil && len(ps) > 0 {
		out["party"] = ps[0].Code
	}
	ags, err := s.Agreements(ctx, a, book)
	if err != nil {
		t.Fatal(err)
	}
	for _, ag := range ags {
		if n := len(ag.Versions); n > 0 && ag.Versions[n-1].Terms.Basis == "pool" {
			out["pool"] = ag.Code
		}
	}
	runs, err := s.PayoutRuns(ctx, a, book, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		switch {
		case r.Status == ledger.RunDraft:
			out["draft-run"] = strconv.FormatInt(r.ID, 10)
		case r.Status == ledger.RunApproved && r.Outstanding.IsPositive(): // payments are taken while something is owed
			out["approved-run"] = strconv.FormatInt(r.ID, 10)
		}
	}
	return out
}

// demoAccountant signs in the demo's accountant of book.
func demoAccountant(t *testing.T, s *ledger.Store, res demo.Result, book string) ledger.Actor {
	t.Helper()
	for _, u := range res.Users {
		if u.Role == ledger.RoleAccountant && u.Scope == book {
			a, err := s.Authenticate(context.Background(), u.Token)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	t.Fatalf("the demo has no accountant of %s", book)
	return ledger.Actor{}
}
