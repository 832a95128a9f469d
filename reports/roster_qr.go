package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
	"github.com/xuri/excelize/v2"
)

// The roster's column of household link QR codes, right of 领款人签字: a
// household signs for its money beside the code that shows it its own
// statement. The column is there only when a household of the run has an
// active link (RosterData.Links); a roster without links is the same
// workbook, at the same cost, as before.

// RosterQRColumn heads the QR column.
const RosterQRColumn = "扫码查看本户收益"

const (
	rosterQRPixels    = 96   // side of a printed QR code at 100 %, in pixels (about 25 mm)
	rosterQRModule    = 4    // PNG pixels per QR module; Excel scales the picture to rosterQRPixels
	rosterQROffset    = 4    // pixels from the cell's top left corner
	rosterQRRowHeight = 78.0 // points (104 px): the code and its margins
	rosterQRColWidth  = 15.0 // characters (110 px)
)

// QRPNG is a PNG QR code of text, medium error correction, with the
// standard four-module quiet zone and whole pixels per module (a fixed image
// size stretches some modules, which scanners misread). It draws a two-colour
// paletted image and reuses the PNG encoder's buffers: go-qrcode's own PNG
// makes a new deflate compressor per code, which dominated a roster with
// many links.
func QRPNG(text string, modulePixels int) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bits := q.Bitmap() // with the quiet zone
	n := len(bits) * modulePixels
	img := image.NewPaletted(image.Rect(0, 0, n, n), qrPalette)
	for y, row := range bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < modulePixels; dy++ {
				line := img.Pix[(y*modulePixels+dy)*img.Stride:]
				for dx := 0; dx < modulePixels; dx++ {
					line[x*modulePixels+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := qrEncoder.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var (
	qrPalette = color.Palette{color.White, color.Black}
	qrEncoder = png.Encoder{CompressionLevel: png.DefaultCompression, BufferPool: &pngBuffers{}}
)

// pngBuffers keeps PNG encoder buffers (and so their deflate compressors)
// for reuse across QR codes.
type pngBuffers struct{ pool sync.Pool }

func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

// linked reports whether any household of the run has a link to print.
func (d RosterData) linked() bool {
	if len(d.Links) == 0 {
		return false
	}
	for _, h := range d.Households {
		if d.Links[h.Code] != "" {
			return true
		}
	}
	return false
}

// placeQR anchors the QR code of a household's link in a cell of the roster.
// It must run before the sheet's StreamWriter is flushed: the flush writes
// the sheet's <drawing> element, which AddPictureFromBytes sets. The anchor
// is a one-cell anchor with the picture's own size, because a two-cell
// anchor is computed from row heights and column widths that a streamed
// sheet does not tell excelize.
func (wb *workbook) placeQR(sheet, cell, household, url string) error {
	png, err := QRPNG(url, rosterQRModule)
	if err != nil {
		return fmt.Errorf("QR code of %s: %w", household, err)
	}
	cfg, err := pngSize(png)
	if err != nil {
		return err
	}
	scale := float64(rosterQRPixels) / float64(cfg)
	yes := true
	return wb.f.AddPictureFromBytes(sheet, cell, &excelize.Picture{Extension: ".png", File: png, Format: &excelize.GraphicOptions{
		AltText: "户 " + household + " 收益对账二维码", Name: "QR " + household, Positioning: "oneCell",
		ScaleX: scale, ScaleY: scale, OffsetX: rosterQROffset, OffsetY: rosterQROffset,
		LockAspectRatio: true, Locked: &yes, PrintObject: &yes}})
}

// pngSize is the width of a square PNG, from its IHDR chunk.
func pngSize(png []byte) (int, error) {
	if len(png) < 24 || string(png[12:16]) != "IHDR" {
		return 0, fmt.Errorf("QR code: not a PNG")
	}
	return int(png[16])<<24 | int(png[17])<<16 | int(png[18])<<8 | int(png[19]), nil
}
