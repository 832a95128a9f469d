package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/httpapi/public"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// publicRouteCases are the role table's cases for publishing and links.
func publicRouteCases() []routeCase {
	closersCreate := with(accountantCreates, statuses{roleTownship: 201})
	closersWrite := with(accountantWrites, statuses{roleTownship: 200})
	closersDelete := with(accountantWrites, statuses{rolePreparer: 204, roleReviewer: 204, roleTownship: 204})
	return []routeCase{
		{"GET", "/api/v1/books/:book/disclosures", inBook, fixed("/api/v1/books/V1/disclosures", nil)},
		{"POST", "/api/v1/books/:book/disclosures", closersCreate, func(e *env, _ string, _ int) (string, any) {
			e.withdrawIfPublished("2026Q2")
			return "/api/v1/books/V1/disclosures", api.DisclosureRequest{Quarter: "2026Q2"}
		}},
		{"DELETE", "/api/v1/books/:book/disclosures/:quarter", closersWrite, func(e *env, _ string, _ int) (string, any) {
			e.publish("2026Q1")
			return "/api/v1/books/V1/disclosures/2026Q1", nil
		}},
		{"POST", "/api/v1/books/:book/households/:code/link", closersCreate, fixed("/api/v1/books/V1/households/H001/link", nil)},
		{"GET", "/api/v1/books/:book/payout-runs/:id/slips", inBook, func(e *env, _ string, _ int) (string, any) {
			id := e.approvedRun("2026Q3")
			e.link("H001")
			return runPath(id, "/slips"), nil
		}},
		{"DELETE", "/api/v1/books/:book/households/:code/link", closersDelete, func(e *env, _ string, _ int) (string, any) {
			e.link("H002")
			return "/api/v1/books/V1/households/H002/link", nil
		}},
	}
}

// publicPageCases call the public pages at a published address (the access
// matrix: anyone gets them, with or without a token).
func publicPageCases() []routeCase {
	return []routeCase{
		{"GET", publicPagePaths[0], nil, func(e *env, _ string, _ int) (string, any) {
			return httpx.DisclosurePath("V1", e.publish("2026Q1").Slug), nil
		}},
		{"GET", publicPagePaths[1], nil, func(e *env, _ string, _ int) (string, any) {
			return httpx.HouseholdPath("V1", e.link("H003")), nil
		}},
	}
}

// publish publishes a quarter of V1 unless it is published, and returns it.
func (e *env) publish(quarter string) ledger.Disclosure {
	e.t.Helper()
	ds, err := e.store.Disclosures(context.Background(), e.f.Township, "V1")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range ds {
		if d.Quarter == quarter && d.Published() {
			return d
		}
	}
	d, err := e.store.PublishDisclosure(context.Background(), e.f.Township, "V1", quarter)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) withdrawIfPublished(quarter string) {
	e.t.Helper()
	if _, err := e.store.WithdrawDisclosure(context.Background(), e.f.Township, "V1", quarter); err != nil && ledger.ErrorCode(err) != ledger.ECodeNotFound {
		e.t.Fatal(err)
	}
}

// link makes a new link for a household of V1 and returns its token.
func (e *env) link(code string) string {
	e.t.Helper()
	l, err := e.store.CreateHouseholdLink(context.Background(), e.f.Township, "V1", code)
	if err != nil {
		e.t.Fatal(err)
	}
	return l.Token
}

// page fetches a public page without a token.
func (e *env) page(path string) response {
	e.t.Helper()
	return e.do(req{method: "GET", path: path})
}

// village is a generated village on V1: every household a land-rent parcel
// of its own size, half of them in a dividend pool, two quarters approved
// and some households paid in part.
func (e *env) village(households int) {
	e.t.Helper()
	ctx := context.Background()
	for i := len(e.f.Households) + 1; i <= households; i++ {
		h := ledger.Household{Code: fmt.Sprintf("H%03d", i), HeadName: villagerName(i), IDNumber: ledgertest.IDNumber(7000 + i),
			BankAccount: fmt.Sprintf("62284800%08d", 31000+i*7), Members: 1 + i%5, Group: fmt.Sprintf("第%d组", 1+i%3), Status: ledger.StatusFormerlyPoor}
		if _, err := e.store.CreateHousehold(ctx, e.f.Preparer, "V1", h); err != nil {
			e.t.Fatal(err)
		}
		e.f.Households = append(e.f.Households, h.Code)
	}
	land := ledger.AgreementInput{Code: "ZD", Title: "土地流转协议", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
		Terms: ledger.Terms{Schedule: "quarterly"}}
	var dividend []string
	for i, h := range e.f.Households {
		land.Terms.Participants = append(land.Terms.Participants, ledger.Participant{Household: h,
			Parcels: []ledger.Parcel{{Name: "承包地", AreaMu: *dec(fmt.Sprintf("%d.%04d", 1+i, 1371*(i+1)%10000)), Rate: *dec("800")}}})
		if i%2 == 0 {
			dividend = append(dividend, h)
		}
	}
	e.agreement(land)
	e.agreement(pool("GF", dividend...))
	for _, q := range []string{"2026Q2", "2026Q3"} {
		if _, err := e.store.Declare(ctx, e.f.Preparer, "V1", "GF", ledger.DeclarationInput{Quarter: q, Amount: ledger.MustMoney("12345.67")}); err != nil {
			e.t.Fatal(err)
		}
		run, err := e.store.CreatePayoutRun(ctx, e.f.Preparer, "V1", ledger.RunInput{Quarter: q})
		if err != nil {
			e.t.Fatal(err)
		}
		run, err = e.store.ApprovePayoutRun(ctx, e.f.Reviewer, "V1", run.ID, ledger.ApproveInput{})
		if err != nil {
			e.t.Fatal(err)
		}
		var pay []ledger.PaymentInput
		for i, h := range run.Households {
			if i%3 != 2 {
				amount := h.Entitled
				if i%3 == 1 {
					amount = ledger.Fen(h.Entitled.Fen() / 2)
				}
				pay = append(pay, ledger.PaymentInput{Household: h.Household, Amount: amount, Date: "2026-10-08", Method: ledger.MethodBank,
					Reference: fmt.Sprintf("YKT-%s-%s", q, h.Household)})
			}
		}
		if _, err := e.store.RecordPayments(ctx, e.f.Preparer, "V1", run.ID, pay); err != nil {
			e.t.Fatal(err)
		}
	}
	e.f.Post(e.t, rent(5, "H001", "2400.00"))
}

// villagerName is a plausible name for household i.
func villagerName(i int) string {
	surnames := []rune("王李张刘陈杨黄赵周吴徐孙")
	given := []string{"春梅", "建国", "秀英", "志强", "桂兰", "德明", "玉珍", "文华", "海燕", "长青", "金凤", "永福"}
	return string(surnames[i%len(surnames)]) + given[(i*5)%len(given)]
}

var (
	qrDataPattern = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)
	externalRef   = regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`)
)

// decodeQR finds the page's QR code and returns the text it encodes.
func decodeQR(t *testing.T, page []byte) string {
	t.Helper()
	m := qrDataPattern.FindSubmatch(page)
	if m == nil {
		t.Fatal("no QR code on the page")
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return decodeQRImage(t, img)
}

func decodeQRImage(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The page's QR code is a clean rendering, not a photograph.
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("QR code does not decode: %v", err)
	}
	return res.GetText()
}

// checkPublicPage checks what every public page must be: HTML in Chinese,
// the security headers, nothing loaded from elsewhere, under 200 KB.
func checkPublicPage(t *testing.T, what string, res response) {
	t.Helper()
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	for h, want := range map[string]string{"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if !strings.Contains(res.header.Get(h), want) {
			t.Errorf("%s: header %s = %q, want %q", what, h, res.header.Get(h), want)
		}
	}
	if len(res.body) > 200<<10 {
		t.Errorf("%s: %d bytes", what, len(res.body))
	}
	if externalRef.Match(res.body) || bytes.Contains(res.body, []byte("<script")) {
		t.Errorf("%s: loads something from elsewhere or runs a script", what)
	}
	if !bytes.Contains(res.body, []byte(`lang="zh-CN"`)) || !hasHan(string(res.body)) {
		t.Errorf("%s: not a Chinese page", what)
	}
}

// rowOf returns the table row marked with attr="value".
func rowOf(page []byte, attr, value string) string {
	re := regexp.MustCompile(`<tr [^>]*` + attr + `="` + regexp.QuoteMeta(value) + `"[^>]*>(.*?)</tr>`)
	m := re.FindSubmatch(page)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// TestDisclosurePage publishes a quarter through the API and checks that the
// public page shows the statements' figures, the approved run's totals and
// the public notice's masked names, the chain head, and a QR code of its own
// address; withdrawn, it answers 404.
func TestDisclosurePage(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.fund()
		e.village(12)
		ctx := context.Background()
		res := e.expect(req{method: "POST", path: "/api/v1/books/V1/disclosures", role: rolePreparer, body: `{"quarter": "2026Q3"}`}, 201)
		var d api.Disclosure
		e.decode(res, &d)
		if !strings.HasPrefix(d.URL, e.srv.URL+"/p/V1/") {
			t.Fatalf("url %q", d.URL)
		}
		path := strings.TrimPrefix(d.URL, e.srv.URL)
		res = e.page(path)
		if res.status != 200 {
			t.Fatalf("page: %d %s", res.status, res.body)
		}
		checkPublicPage(t, "disclosure", res)
		page := res.body
		if got := decodeQR(t, page); got != d.URL {
			t.Errorf("QR code %q, want %q", got, d.URL)
		}

		income, err := s.IncomeStatement(ctx, e.f.Auditor, "V1", "2026-07", "2026-09")
		if err != nil {
			t.Fatal(err)
		}
		balance, err := s.BalanceSheet(ctx, e.f.Auditor, "V1", "2026-09")
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, part := range []struct {
			prefix string
			lines  []ledger.StatementLine
		}{{"is-", income.Lines}, {"bs-", balance.Assets}, {"bs-", balance.Claims}} {
			for _, l := range part.lines {
				row := rowOf(page, "data-row", fmt.Sprint(part.prefix, l.Row))
				if l.Heading || (row == "" && l.First.IsZero() && l.Second.IsZero() && !l.Subtotal) {
					continue
				}
				want := fmt.Sprintf(`<td class="n">%s</td><td class="n">%s</td>`, httpx.FormatMoney(l.First), httpx.FormatMoney(l.Second))
				if !strings.Contains(row, want) || !strings.Contains(row, l.Name) {
					t.Errorf("%s%d %s: row %q, want %s", part.prefix, l.Row, l.Name, row, want)
				}
				checked++
			}
		}
		if checked < 5 || !strings.Contains(rowOf(page, "data-row", fmt.Sprint("bs-", balance.TotalAssets.Row)), httpx.FormatMoney(balance.TotalAssets.Second)) {
			t.Errorf("only %d statement lines checked, or 资产总计 missing", checked)
		}

		runs, err := s.PayoutRuns(ctx, e.f.Auditor, "V1", "2026Q3")
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %v %v", runs, err)
		}
		run, err := s.PayoutRun(ctx, e.f.Auditor, "V1", runs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ag := range run.ByAgreement {
			if row := rowOf(page, "data-agreement", ag.Key); !strings.Contains(row, `<td class="n">`+httpx.FormatMoney(ag.Amount)+`</td>`) {
				t.Errorf("agreement %s: row %q, want %s", ag.Key, row, ag.Amount)
			}
		}
		total := rowOf(page, "data-agreement", "total")
		for _, m := range []ledger.Money{run.Total, run.Paid, run.Outstanding} {
			if !strings.Contains(total, httpx.FormatMoney(m)) {
				t.Errorf("payout total row %q lacks %s", total, m)
			}
		}
		if !regexp.MustCompile(`data-notice-total="` + fmt.Sprint(run.ID) + `">[^<]*应发 ` + regexp.QuoteMeta(httpx.FormatMoney(run.Total)) + ` 元`).Match(page) {
			t.Error("notice total differs from the run")
		}
		notice, err := reports.LoadRoster(ctx, s, e.f.Auditor, "V1", run.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range notice.Households {
			// the notice's card of the household, as the workbook has it
			row := fmt.Sprintf(`<b class="who">%s</b><span class="grp">%s</span><span class="code">%s</span><b class="amt">%s</b>`,
				h.HeadName, strings.Replace(h.Group, "村民小组", "组", 1), h.Code, httpx.FormatMoney(h.Total))
			masks := fmt.Sprintf(`<span class="mask">%s　%s</span>`, compactMasked(ledger.MaskIDNumber(h.IDNumber)), compactMasked(ledger.MaskBankAccount(h.BankAccount)))
			if !bytes.Contains(page, []byte(row)) || !bytes.Contains(page, []byte(masks)) {
				t.Errorf("notice lacks %s as in the workbook: %s", h.HeadName, row)
			}
			if bytes.Contains(page, []byte(h.IDNumber)) || bytes.Contains(page, []byte(h.BankAccount)) {
				t.Errorf("page shows %s's full ID number or bank account", h.HeadName)
			}
		}
		head, err := s.ChainHead(ctx, e.f.Auditor, "V1")
		if err != nil || head.Hash == "" || !bytes.Contains(page, []byte(head.Hash)) {
			t.Errorf("chain head %q not on the page (%v)", head.Hash, err)
		}

		e.expect(req{method: "DELETE", path: "/api/v1/books/V1/disclosures/2026Q3", role: roleTownship}, 200)
		if res := e.page(path); res.status != 404 {
			t.Errorf("withdrawn page: %d", res.status)
		} else {
			checkPublicPage(t, "withdrawn", res)
		}
		res = e.expect(req{method: "POST", path: "/api/v1/books/V1/disclosures", role: roleTownship, body: `{"quarter": "2026Q3"}`}, 201)
		var again api.Disclosure
		e.decode(res, &again)
		if again.URL == d.URL || e.page(path).status != 404 || e.page(strings.TrimPrefix(again.URL, e.srv.URL)).status != 200 {
			t.Error("republishing must make a new address and leave the old one dead")
		}
		for _, bad := range []string{"/p/V1/" + strings.Repeat("a", 26), "/p/NOPE/" + d.Slug, "/p/V1/x"} {
			if res := e.page(bad); res.status != 404 {
				t.Errorf("%s: %d", bad, res.status)
			}
		}
	})
}

// TestHouseholdLinks: each household's link shows that household and nobody
// else — no other household's code, name, ID number, account or amounts —
// its QR code decodes to the link, and the link dies when regenerated or
// revoked.
func TestHouseholdLinks(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		e.fund()
		e.village(12)
		ctx := context.Background()
		households := map[string]ledger.Household{}
		amounts := map[string]map[string]bool{} // household → formatted amounts of its statement
		for _, code := range e.f.Households {
			h, err := s.Household(ctx, e.f.Auditor, "V1", code)
			if err != nil {
				t.Fatal(err)
			}
			households[code] = h
			st, err := s.HouseholdStatement(ctx, e.f.Auditor, "V1", code, "2026-01", "2026-12")
			if err != nil {
				t.Fatal(err)
			}
			amounts[code] = map[string]bool{}
			add := func(ms ...ledger.Money) {
				for _, m := range ms {
					if !m.IsZero() {
						amounts[code][httpx.FormatMoney(m)] = true
					}
				}
			}
			var all [3]ledger.Money
			byQuarter := map[string]*[3]ledger.Money{}
			for _, p := range st.Payouts {
				add(p.Accrued, p.Paid, p.Outstanding)
				q := byQuarter[p.Quarter]
				if q == nil {
					q = &[3]ledger.Money{}
					byQuarter[p.Quarter] = q
				}
				for i, m := range []ledger.Money{p.Accrued, p.Paid, p.Outstanding} {
					q[i], all[i] = q[i].Add(m), all[i].Add(m)
				}
			}
			for _, q := range byQuarter {
				add(q[:]...)
			}
			add(all[:]...)
		}
		urls := map[string]string{}
		for _, code := range e.f.Households {
			res := e.expect(req{method: "POST", path: "/api/v1/books/V1/households/" + code + "/link", role: rolePreparer}, 201)
			var l api.HouseholdLink
			e.decode(res, &l)
			urls[code] = l.URL
		}
		for code, url := range urls {
			res := e.page(strings.TrimPrefix(url, e.srv.URL))
			if res.status != 200 {
				t.Fatalf("%s: %d %s", code, res.status, res.body)
			}
			checkPublicPage(t, code, res)
			page := string(res.body)
			if got := decodeQR(t, res.body); got != url {
				t.Errorf("%s: QR code %q, want %q", code, got, url)
			}
			if !strings.Contains(page, "户编号 "+code) {
				t.Errorf("%s: page does not name its household", code)
			}
			own := households[code]
			for _, secret := range []string{own.IDNumber, own.BankAccount, own.HeadName} {
				if strings.Contains(page, secret) {
					t.Errorf("%s: page shows %q in full", code, secret)
				}
			}
			shown := 0
			for m := range amounts[code] {
				if strings.Contains(page, ">"+m+"<") {
					shown++
				}
			}
			if shown == 0 {
				t.Errorf("%s: none of its amounts shown", code)
			}
			for other, h := range households {
				if other == code {
					continue
				}
				for _, secret := range []string{h.Code, h.HeadName, h.IDNumber, h.BankAccount, ledger.MaskIDNumber(h.IDNumber), ledger.MaskBankAccount(h.BankAccount)} {
					if strings.Contains(page, secret) {
						t.Errorf("%s's page shows %s's %q", code, other, secret)
					}
				}
				for m := range amounts[other] {
					if !amounts[code][m] && strings.Contains(page, ">"+m+"<") {
						t.Errorf("%s's page shows %s's amount %s", code, other, m)
					}
				}
			}
		}

		old := strings.TrimPrefix(urls["H003"], e.srv.URL)
		res := e.expect(req{method: "POST", path: "/api/v1/books/V1/households/H003/link", role: roleTownship}, 201)
		var fresh api.HouseholdLink
		e.decode(res, &fresh)
		if res := e.page(old); res.status != 404 {
			t.Errorf("regenerated link: %d", res.status)
		}
		if res := e.page(strings.TrimPrefix(fresh.URL, e.srv.URL)); res.status != 200 {
			t.Errorf("new link: %d", res.status)
		}
		e.expect(req{method: "DELETE", path: "/api/v1/books/V1/households/H003/link", role: roleReviewer}, 204)
		if res := e.page(strings.TrimPrefix(fresh.URL, e.srv.URL)); res.status != 404 {
			t.Errorf("revoked link: %d", res.status)
		}
		e.expect(req{method: "DELETE", path: "/api/v1/books/V1/households/H003/link", role: roleReviewer}, 404)
	})
}

// TestPublicRateLimit: a client address gets publicRatePerMinute pages a
// minute, then 429 with Retry-After.
func TestPublicRateLimit(t *testing.T) {
	e := newEnv(t, ledgertest.Open(t, "sqlite"))
	for i := 1; i <= public.RatePerMinute+1; i++ {
		res := e.page("/h/V1/" + strings.Repeat("A", 22))
		want := http.StatusNotFound
		if i > public.RatePerMinute {
			want = http.StatusTooManyRequests
		}
		if res.status != want {
			t.Fatalf("request %d: %d, want %d", i, res.status, want)
		}
		if want == http.StatusTooManyRequests && res.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
}

// compactMasked is a masked number as the notice's cards print it: 3624…1234.
func compactMasked(s string) string {
	i, j := strings.IndexByte(s, '*'), strings.LastIndexByte(s, '*')
	if i < 0 {
		return s
	}
	return s[:i] + "…" + s[j+1:]
}
