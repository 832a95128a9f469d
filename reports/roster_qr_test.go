package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
	"coopledger/reports"
)

// TestRosterQRColumn: households with a link get a QR code of it in the
// column right of the signature column, in their own row; the others a blank
// cell; a roster without links has neither the column nor a picture.
func TestRosterQRColumn(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		sc := newScenario(t, s)
		d, err := reports.LoadRoster(context.Background(), s, sc.F.Auditor, "P1", sc.RunP1)
		if err != nil {
			t.Fatal(err)
		}
		var plain bytes.Buffer
		if err := reports.WriteRoster(&plain, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		if got := rosterQRCodes(t, plain.Bytes()); len(got) != 0 {
			t.Errorf("roster without links has pictures: %v", got)
		}
		if v := cellValue(t, openWorkbook(t, plain.Bytes()), "花名册", "P3"); v != "" {
			t.Errorf("roster without links has column P %q", v)
		}

		d.Links = map[string]string{"H999": "https://cun.example.cn/h/P1/not-in-this-run"}
		want := map[int]string{} // row → link
		for i, h := range d.Households {
			if i%2 == 0 {
				d.Links[h.Code] = fmt.Sprintf("https://cun.example.cn/h/P1/%s-%022d", h.Code, i)
				want[4+i] = d.Links[h.Code]
			}
		}
		var buf bytes.Buffer
		if err := reports.WriteRoster(&buf, d, testOptions()); err != nil {
			t.Fatal(err)
		}
		f := openWorkbook(t, buf.Bytes())
		if v := cellValue(t, f, "花名册", "O3"); v != "领款人签字(手印)" {
			t.Errorf("O3 = %q", v)
		}
		if v := cellValue(t, f, "花名册", "P3"); v != reports.RosterQRColumn {
			t.Errorf("P3 = %q", v)
		}
		got := rosterQRCodes(t, buf.Bytes())
		if len(got) != len(want) {
			t.Errorf("%d QR codes, want %d", len(got), len(want))
		}
		for row, link := range want {
			if got[row] != link {
				t.Errorf("row %d: QR code %q, want %q", row, got[row], link)
			}
		}
		lay := reports.LayoutOf(d)
		if v, _ := f.GetCellFormula("花名册", fmt.Sprintf("K%d", lay.RosterTotalRow)); !strings.HasPrefix(v, "SUM(K4:K") {
			t.Errorf("total formula moved: %q", v)
		}
		if h, _ := f.GetRowHeight("花名册", 4); h < 70 {
			t.Errorf("a linked household's row is %.0f pt, too low for its QR code", h)
		}
		if h, _ := f.GetRowHeight("花名册", 5); h > 30 {
			t.Errorf("an unlinked household's row is %.0f pt", h)
		}
	})
}

// rosterQRCodes reads the roster sheet's pictures straight from the package
// (sheet → drawing → xl/media/*.png) and decodes each QR code: row → text.
func rosterQRCodes(t *testing.T, xlsx []byte) map[int]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		f, err := zr.Open(name)
		if err != nil {
			return nil
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	drawing := relTarget(t, read("xl/worksheets/_rels/sheet1.xml.rels"), "xl/worksheets", "")
	if drawing == "" {
		return nil
	}
	if !bytes.Contains(read("xl/worksheets/sheet1.xml"), []byte("<drawing ")) {
		t.Fatal("the sheet does not refer to its drawing")
	}
	var wsDr struct {
		Anchors []struct {
			Row  int `xml:"from>row"`
			Col  int `xml:"from>col"`
			Blip struct {
				Embed string `xml:"embed,attr"`
			} `xml:"pic>blipFill>blip"`
		} `xml:"oneCellAnchor"`
	}
	if err := xml.Unmarshal(read(drawing), &wsDr); err != nil {
		t.Fatal(err)
	}
	rels := read(path.Join(path.Dir(drawing), "_rels", path.Base(drawing)+".rels"))
	out := map[int]string{}
	for _, a := range wsDr.Anchors {
		if a.Col != 15 {
			t.Errorf("picture in column %d, want P", a.Col+1)
		}
		media := relTarget(t, rels, path.Dir(drawing), a.Blip.Embed)
		img, err := png.Decode(bytes.NewReader(read(media)))
		if err != nil {
			t.Fatalf("%s: %v", media, err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
		if err != nil {
			t.Fatalf("%s does not decode: %v", media, err)
		}
		out[a.Row+1] = res.GetText()
	}
	return out
}

// relTarget finds a relationship by id (or the drawing one when id is "")
// and resolves its target against dir.
func relTarget(t *testing.T, rels []byte, dir, id string) string {
	t.Helper()
	if rels == nil {
		return ""
	}
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(rels, &r); err != nil {
		t.Fatal(err)
	}
	for _, rel := range r.Rels {
		if (id == "" && strings.HasSuffix(rel.Type, "/drawing")) || (id != "" && rel.ID == id) {
			if strings.HasPrefix(rel.Target, "/") {
				return strings.TrimPrefix(rel.Target, "/")
			}
			return path.Join(dir, rel.Target)
		}
	}
	return ""
}
