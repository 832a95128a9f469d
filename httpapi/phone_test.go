package httpapi

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestContactSetting: the settings page sets the book's contact; bad input
// comes back beside the fields in Chinese and changes nothing; the change is
// audited; an auditor sees no form; the public pages print the contact.
func TestContactSetting(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		w := newWebClient(t, e.srv.URL)
		w.signIn(e.f.Tokens["preparer"])
		if status, body, _ := w.do(http.MethodGet, "/books/V1/settings", nil); status != 200 || !strings.Contains(body, `action="/books/V1/settings/contact"`) {
			t.Fatalf("settings page: %d", status)
		}
		audits := func() int {
			es, err := s.AuditLog(ctx, e.f.Auditor, "V1", ledger.AuditFilter{Action: "contact", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}

		status, body, _ := w.do(http.MethodPost, "/books/V1/settings/contact", url.Values{"csrf": {w.csrf}, "name": {""}, "phone": {"找村委会"}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="e-c-name"`) || !strings.Contains(body, "请填写联系人姓名") ||
			!strings.Contains(body, `id="e-c-phone"`) || !strings.Contains(body, "联系电话应为手机号或带区号的固定电话") {
			t.Errorf("bad contact: %d, want both field errors in Chinese\n%.2000s", status, body)
		}
		if c, _ := s.BookContactOf(ctx, e.f.Auditor, "V1"); c != (ledger.BookContact{}) || audits() != 0 {
			t.Errorf("a refused contact changed the book: %+v, %d audit entries", c, audits())
		}

		// full-width digits are kept as ASCII
		status, _, h := w.do(http.MethodPost, "/books/V1/settings/contact", url.Values{"csrf": {w.csrf}, "name": {" 王秀英 "}, "phone": {"１３８ ０７９１ ４３２１"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/books/V1/settings") {
			t.Fatalf("save contact: %d %s", status, h.Get("Location"))
		}
		want := ledger.BookContact{Name: "王秀英", Phone: "138 0791 4321"}
		if c, err := s.BookContactOf(ctx, e.f.Auditor, "V1"); err != nil || c != want || audits() != 1 {
			t.Errorf("contact %+v (%v), %d audit entries; want %+v and one", c, err, audits(), want)
		}
		if _, body, _ := w.do(http.MethodGet, "/books/V1/settings?ok=saved", nil); !strings.Contains(body, `value="138 0791 4321"`) {
			t.Error("the settings page does not show the saved phone")
		}

		// the API refuses the same bad input with the fields named
		res := e.do(req{method: "PUT", path: "/api/v1/books/V1/contact", role: rolePreparer, body: map[string]string{"name": "王秀英", "phone": "12"}})
		checkEnvelope(t, "bad phone", res, 400, "invalid", "phone")

		auditor := newWebClient(t, e.srv.URL)
		auditor.signIn(e.f.Tokens["auditor"])
		if status, body, _ := auditor.do(http.MethodGet, "/books/V1/settings", nil); status != 200 || strings.Contains(body, "<form method=\"post\" action=\"/books/V1/settings") ||
			!strings.Contains(body, "王秀英") {
			t.Errorf("auditor's settings page: %d, want the contact without a form", status)
		}

		e.fund()
		e.village(3)
		for _, path := range []string{httpx.DisclosurePath("V1", e.publish("2026Q3").Slug), httpx.HouseholdPath("V1", e.link("H001"))} {
			page := e.page(path)
			if !strings.Contains(string(page.body), `id="contact"`) || !strings.Contains(string(page.body), `href="tel:13807914321"`) {
				t.Errorf("%s: no contact with a tel: link", path)
			}
		}
	})
}

// TestHouseholdPageBasisAndDates: each amount on a household's page shows
// the basis the ledger's entitlement computation stored with the run's
// line, the fee the village kept as gross − fee = net, and every payment
// with its date, as the ledger recorded them.
func TestHouseholdPageBasisAndDates(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		e.fund()
		in := ledger.AgreementInput{Code: "ZD", Title: "土地流转协议", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
			Terms: ledger.Terms{Schedule: "quarterly", ServiceFeeRate: dec("0.03"), Participants: []ledger.Participant{
				{Household: "H001", Parcels: []ledger.Parcel{{Name: "水田", AreaMu: *dec("3.2157"), Rate: *dec("650")}}},
				{Household: "H002", Parcels: []ledger.Parcel{{Name: "水田", AreaMu: *dec("1.5"), Rate: *dec("650")}}}}}}
		e.agreement(in)
		run, err := s.CreatePayoutRun(ctx, e.f.Preparer, "V1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		if run, err = s.ApprovePayoutRun(ctx, e.f.Reviewer, "V1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		var line ledger.PayoutLine
		for _, l := range run.Lines {
			if l.Household == "H001" {
				line = l
			}
		}
		if line.Fee.IsZero() {
			t.Fatalf("H001's line keeps no fee: %+v", line)
		}
		first := ledger.Fen(line.Amount.Fen() / 3)
		for _, p := range []ledger.PaymentInput{
			{Household: "H001", Amount: first, Date: "2026-10-08", Method: ledger.MethodCash},
			{Household: "H001", Amount: line.Amount.Sub(first), Date: "2026-11-20", Method: ledger.MethodBank, Reference: "YKT-1120"},
		} {
			if _, err := s.RecordPayments(ctx, e.f.Preparer, "V1", run.ID, []ledger.PaymentInput{p}); err != nil {
				t.Fatal(err)
			}
		}
		body := string(e.page(httpx.HouseholdPath("V1", e.link("H001"))).body)
		basis := between(t, body, `data-basis="2026Q3/ZD"`, "</td>")
		for _, want := range []string{
			html.EscapeString(line.Basis),
			"应得 " + httpx.FormatMoney(line.Amount.Add(line.Fee)) + " − 村集体留存服务费 " + httpx.FormatMoney(line.Fee) + " = 实发 " + httpx.FormatMoney(line.Amount),
			"2026年10月8日 现金 " + httpx.FormatMoney(first) + " 元",
			"2026年11月20日 银行卡 " + httpx.FormatMoney(line.Amount.Sub(first)) + " 元",
		} {
			if !strings.Contains(basis, want) {
				t.Errorf("household page lacks %q in\n%s", want, basis)
			}
		}
		if !strings.Contains(line.Basis, "亩") {
			t.Errorf("the ledger's basis %q names no 亩", line.Basis)
		}
	})
}

// between is the text of s from the first from to the next to.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("page has no %s", from)
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

var (
	htmlTag        = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`)
	codeIdentifier = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b|\b(land_rent|share_dividend|wage|fixed_sum|coop_surplus|bank|cash|draft|approved)\b`)
)

// TestPublicPagesSpeakChinese: what a villager reads on the disclosure page,
// its search and a household's page names no check, kind or method by its
// code (payment_untraced, land_rent, bank …).
func TestPublicPagesSpeakChinese(t *testing.T) {
	e := newEnv(t, ledgertest.Open(t, "sqlite"))
	e.fund()
	e.village(8)
	d := e.publish("2026Q3")
	for _, path := range []string{httpx.DisclosurePath("V1", d.Slug), httpx.DisclosurePath("V1", d.Slug) + "?q=" + url.QueryEscape(villagerName(5)),
		httpx.DisclosurePath("V1", d.Slug) + "?q=H004", httpx.HouseholdPath("V1", e.link("H004"))} {
		page := e.page(path)
		if page.status != 200 {
			t.Fatalf("%s: %d", path, page.status)
		}
		text := html.UnescapeString(htmlTag.ReplaceAllString(string(page.body), " "))
		if m := codeIdentifier.FindAllString(text, 5); m != nil {
			t.Errorf("%s shows codes %q", path, m)
		}
	}
	if body := string(e.page(httpx.DisclosurePath("V1", d.Slug) + "?q=H004").body); !strings.Contains(body, `id="found"`) ||
		!strings.Contains(between(t, body, `id="found"`, "</section>"), `data-household="H004"`) {
		t.Error("searching H004 does not list H004")
	}
}
