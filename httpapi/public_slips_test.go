package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/httpapi/api"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

const testPublicURL = "https://cun.example.cn/coop"

// TestRosterAndSlipsCarryCurrentLinks: with a configured public URL, the
// roster's QR column and the slips print each linked household's current
// link under that URL (decoded from the pictures); after regenerating, both
// show the new link and the old one answers 404; a revoked household has no
// QR code and no slip; the API's answers and the public pages' own QR codes
// use the same URL.
func TestRosterAndSlipsCarryCurrentLinks(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnvWith(t, s, Options{PublicURL: testPublicURL}, slog.New(slog.DiscardHandler))
		e.fund()
		e.village(8)
		runs, err := s.PayoutRuns(context.Background(), e.f.Auditor, "V1", "2026Q3")
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs %v %v", runs, err)
		}
		run := runs[0].ID
		links := map[string]string{}
		for _, code := range []string{"H001", "H002", "H004", "H006"} {
			var l api.HouseholdLink
			e.decode(e.expect(req{method: "POST", path: "/api/v1/books/V1/households/" + code + "/link", role: rolePreparer}, 201), &l)
			if !strings.HasPrefix(l.URL, testPublicURL+"/h/V1/") {
				t.Fatalf("link %q not under %s", l.URL, testPublicURL)
			}
			links[code] = l.URL
		}
		var d api.Disclosure
		e.decode(e.expect(req{method: "POST", path: "/api/v1/books/V1/disclosures", role: rolePreparer, body: `{"quarter": "2026Q3"}`}, 201), &d)
		if !strings.HasPrefix(d.URL, testPublicURL+"/p/V1/") {
			t.Errorf("disclosure url %q", d.URL)
		}
		if got := decodeQR(t, e.page(localPath(d.URL)).body); got != d.URL {
			t.Errorf("disclosure QR %q, want %q", got, d.URL)
		}
		if got := decodeQR(t, e.page(localPath(links["H001"])).body); got != links["H001"] {
			t.Errorf("household QR %q, want %q", got, links["H001"])
		}

		old := links["H002"]
		var fresh api.HouseholdLink
		e.decode(e.expect(req{method: "POST", path: "/api/v1/books/V1/households/H002/link", role: roleTownship}, 201), &fresh)
		links["H002"] = fresh.URL
		e.expect(req{method: "DELETE", path: "/api/v1/books/V1/households/H004/link", role: rolePreparer}, 204)
		revoked := links["H004"]
		delete(links, "H004")
		for _, gone := range []string{old, revoked} {
			if res := e.page(localPath(gone)); res.status != 404 {
				t.Errorf("%s answers %d", gone, res.status)
			}
		}
		for code, url := range links {
			if res := e.page(localPath(url)); res.status != 200 || !strings.Contains(string(res.body), "户编号 "+code) {
				t.Errorf("%s: %d", code, res.status)
			}
		}

		for _, role := range []string{rolePreparer, roleAuditor} {
			roster := e.expect(req{method: "GET", path: runPath(run, "/roster.xlsx"), role: role}, 200)
			if got := rosterQRs(t, roster.body); !equalMaps(got, links) {
				t.Errorf("%s: roster QR codes %v, want %v", role, got, links)
			}
			res := e.expect(req{method: "GET", path: runPath(run, "/slips"), role: role}, 200)
			if got := slipQRs(t, res.body); !equalMaps(got, links) {
				t.Errorf("%s: slips %v, want %v", role, got, links)
			}
			if !strings.Contains(res.header.Get("Content-Security-Policy"), "img-src data:") {
				t.Errorf("slips CSP %q", res.header.Get("Content-Security-Policy"))
			}
		}
		e.expect(req{method: "GET", path: runPath(run, "/slips?page=x"), role: rolePreparer}, 400)
	})
}

// localPath is the path of a public URL on the test server.
func localPath(url string) string { return strings.TrimPrefix(url, testPublicURL) }

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// rosterQRs decodes the roster's pictures as excelize reads them back:
// the household of the picture's row → link.
func rosterQRs(t *testing.T, xlsx []byte) map[string]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(reports.SheetRoster, "P3"); v != reports.RosterQRColumn {
		t.Errorf("P3 = %q", v)
	}
	cells, err := f.GetPictureCells(reports.SheetRoster)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, cell := range cells {
		pics, err := f.GetPictures(reports.SheetRoster, cell)
		if err != nil || len(pics) != 1 {
			t.Fatalf("%s: %d pictures %v", cell, len(pics), err)
		}
		img, err := png.Decode(bytes.NewReader(pics[0].File))
		if err != nil {
			t.Fatal(err)
		}
		_, row, _ := excelize.SplitCellName(cell)
		code := householdOfRow(t, f, row)
		if !strings.HasPrefix(cell, "P") {
			t.Errorf("%s: picture outside column P", cell)
		}
		out[code] = decodeQRImage(t, img)
	}
	return out
}

// householdOfRow finds a roster row's household by its ID number, which
// ledgertest numbers after the household.
func householdOfRow(t *testing.T, f *excelize.File, row int) string {
	t.Helper()
	id, _ := f.GetCellValue(reports.SheetRoster, fmt.Sprintf("D%d", row))
	for i := 1; i <= 99; i++ {
		code := fmt.Sprintf("H%03d", i)
		if id == ledgertest.IDNumber(i) || id == ledgertest.IDNumber(7000+i) {
			return code
		}
	}
	t.Fatalf("row %d: unknown ID number %q", row, id)
	return ""
}

var slipPattern = regexp.MustCompile(`(?s)<section class="slip" data-household="([^"]+)">(.*?)</section>`)

// slipQRs decodes each slip's QR code: household → link, checking that the
// address is written out beside it.
func slipQRs(t *testing.T, page []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range slipPattern.FindAllSubmatch(page, -1) {
		code, body := string(m[1]), m[2]
		url := decodeQR(t, body)
		if !bytes.Contains(body, []byte(">"+url+"<")) || !bytes.Contains(body, []byte("扫码查看本户收益明细")) {
			t.Errorf("slip %s: address or instruction not written out", code)
		}
		out[code] = url
	}
	return out
}
