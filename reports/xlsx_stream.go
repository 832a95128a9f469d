package reports

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// The import reader reads the workbook's XML itself, one row at a time,
// instead of loading the sheet into a grid: a grid is as wide as the widest
// row, so an 11 KB file with one cell at column XFD in each of 500 rows took
// gigabytes. Every part is read through limits that refuse a hostile file of
// MaxImportBytes within seconds and little memory; the limits are far above
// what the CLI's largest legitimate file (200,000 voucher lines) needs.
const (
	// maxZipParts bounds the entries of the zip; Excel writes about a dozen.
	maxZipParts = 1_000
	// maxPartBytes bounds one part unzipped; a sheet of 200,000 voucher
	// lines is about 60 MB.
	maxPartBytes = 256 << 20
	// maxInflateRatio bounds how much a part may inflate, for parts over
	// inflateFloor: sheet XML compresses 5–20 times, a zip bomb a thousand.
	maxInflateRatio = 100
	inflateFloor    = 1 << 20
	// maxTokenBytes bounds the bytes between two '<': one tag and the text
	// after it (a cell holds at most 32,767 characters).
	maxTokenBytes = 1 << 20
	// maxXMLDepth bounds element nesting; a sheet nests seven deep.
	maxXMLDepth = 32
	// maxSharedStrings and maxSharedStringBytes bound the shared strings
	// table, which is held in memory while the sheet is read.
	maxSharedStrings     = 500_000
	maxSharedStringBytes = 32 << 20
	// extraColumns is how many columns right of the template's a sheet may
	// use (notes beside the data); a value further right refuses the file.
	extraColumns = 10
)

// xcell is one cell of a row as stored.
type xcell struct {
	v       string // the text, or a number as saved
	text    bool   // stored as text (shared or inline string)
	formula bool
}

// xlsxBook is an opened workbook: the shared strings read, the first
// sheet's part located.
type xlsxBook struct {
	parts    map[string]*zip.File
	sst      []string
	date1904 bool
	sheet    string // the first sheet's part name
}

// limitError is a workbook refused for a limit; its message names it.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

func limitf(format string, args ...any) error {
	return &limitError{msg: fmt.Sprintf(format, args...)}
}

// errNotWorkbook is a file that is not a readable xlsx.
var errNotWorkbook = errors.New("not an xlsx workbook")

// openXLSX opens the zip, reads the workbook's properties and shared
// strings, and finds the first sheet.
func openXLSX(data []byte) (*xlsxBook, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotWorkbook
	}
	if len(zr.File) > maxZipParts {
		return nil, limitf("工作簿包含 %d 个部件，超过上限 %d 个：不是正常的 Excel 文件", len(zr.File), maxZipParts)
	}
	b := &xlsxBook{parts: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		if _, dup := b.parts[name]; !dup {
			b.parts[name] = f
		}
	}
	sheetID, err := b.readWorkbook()
	if err != nil {
		return nil, err
	}
	sst, err := b.readRels(sheetID)
	if err != nil {
		return nil, err
	}
	if sst != "" {
		if err := b.readSharedStrings(sst); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// limitedPart reads one part unzipped and refuses it past the limits.
type limitedPart struct {
	r     io.Reader
	name  string
	n     int64
	limit int64
	run   int // bytes since the last '<'
}

func (b *xlsxBook) open(name string) (*limitedPart, func(), error) {
	f, ok := b.parts[name]
	if !ok {
		return nil, nil, errNotWorkbook
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, errNotWorkbook
	}
	limit := int64(maxPartBytes)
	if r := int64(f.CompressedSize64) * maxInflateRatio; r < limit {
		limit = max(r, inflateFloor)
	}
	return &limitedPart{r: rc, name: name, limit: limit}, func() { rc.Close() }, nil
}

func (p *limitedPart) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.n > p.limit {
		if p.limit < maxPartBytes {
			return 0, limitf("工作簿的部件「%s」压缩比超过 %d 倍（上限），疑似压缩炸弹，已拒绝", p.name, maxInflateRatio)
		}
		return 0, limitf("工作簿的部件「%s」解压后超过 %d MB（上限），请拆分后分批导入", p.name, maxPartBytes>>20)
	}
	chunk := b[:n]
	over := false
	if first := bytes.IndexByte(chunk, '<'); first >= 0 {
		over = p.run+first > maxTokenBytes
		p.run = n - bytes.LastIndexByte(chunk, '<') - 1
	} else {
		p.run += n
	}
	if over || p.run > maxTokenBytes {
		return 0, limitf("工作簿的部件「%s」含有超过 %d KB 的连续文本或标记（上限），已拒绝", p.name, maxTokenBytes>>10)
	}
	return n, err
}

// walk reads part name token by token, refusing nesting past maxXMLDepth.
// fn sees each token with the depth of its element.
func (b *xlsxBook) walk(name string, fn func(tok xml.Token, depth int) error) error {
	p, done, err := b.open(name)
	if err != nil {
		return err
	}
	defer done()
	d := xml.NewDecoder(p)
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var le *limitError
			if errors.As(err, &le) {
				return le
			}
			return errNotWorkbook
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxXMLDepth {
				return limitf("工作簿的部件「%s」XML 嵌套超过 %d 层（上限），已拒绝", name, maxXMLDepth)
			}
		case xml.EndElement:
			depth--
		}
		if err := fn(tok, depth); err != nil {
			return err
		}
	}
}

func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// readWorkbook reads the 1904 date flag and the first sheet's relation id.
func (b *xlsxBook) readWorkbook() (string, error) {
	sheetID := ""
	err := b.walk("xl/workbook.xml", func(tok xml.Token, _ int) error {
		e, ok := tok.(xml.StartElement)
		if !ok {
			return nil
		}
		switch e.Name.Local {
		case "workbookPr":
			v, _ := attr(e, "date1904")
			b.date1904 = v == "1" || v == "true"
		case "sheet":
			if sheetID == "" {
				for _, a := range e.Attr {
					if a.Name.Local == "id" && a.Name.Space != "" {
						sheetID = a.Value
					}
				}
			}
		}
		return nil
	})
	if err == nil && sheetID == "" {
		err = errNotWorkbook
	}
	return sheetID, err
}

// readRels locates the first sheet's part and returns the shared strings'
// part ("" when the workbook has none).
func (b *xlsxBook) readRels(sheetID string) (string, error) {
	sst := ""
	target := func(t string) string {
		if strings.HasPrefix(t, "/") {
			return strings.TrimPrefix(t, "/")
		}
		return path.Clean("xl/" + t)
	}
	err := b.walk("xl/_rels/workbook.xml.rels", func(tok xml.Token, _ int) error {
		e, ok := tok.(xml.StartElement)
		if !ok || e.Name.Local != "Relationship" {
			return nil
		}
		id, _ := attr(e, "Id")
		t, _ := attr(e, "Target")
		typ, _ := attr(e, "Type")
		switch {
		case id == sheetID:
			b.sheet = target(t)
		case strings.HasSuffix(typ, "/sharedStrings"):
			sst = target(t)
		}
		return nil
	})
	if err == nil && b.sheet == "" {
		err = errNotWorkbook
	}
	return sst, err
}

// readSharedStrings reads the table of shared strings: each <si>'s text
// runs, without phonetic guides.
func (b *xlsxBook) readSharedStrings(name string) error {
	var cur strings.Builder
	total, inT, phonetic := 0, false, 0
	return b.walk(name, func(tok xml.Token, _ int) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				if len(b.sst) >= maxSharedStrings {
					return limitf("共享字符串超过 %d 个（上限），已拒绝", maxSharedStrings)
				}
				cur.Reset()
			case "t":
				inT = true
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				b.sst = append(b.sst, cur.String())
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case xml.CharData:
			if inT && phonetic == 0 {
				total += len(t)
				if total > maxSharedStringBytes {
					return limitf("共享字符串合计超过 %d MB（上限），已拒绝", maxSharedStringBytes>>20)
				}
				cur.Write(t)
			}
		}
		return nil
	})
}

// cellRef parses a cell reference such as "AB12" into 1-based column and row.
func cellRef(ref string) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		if col = col*26 + int(ref[i]-'A'+1); col > 16384 {
			return 0, 0, false
		}
		i++
	}
	row, err := strconv.Atoi(ref[i:])
	return col, row, i > 0 && err == nil && row > 0
}

// rows reads the first sheet row by row, handing fn each row's number and
// its cells of the first width columns (index 0 is column A; fn must not
// keep the slice). A value right of width refuses the file.
func (b *xlsxBook) rows(width int, fn func(n int, cells []xcell) error) error {
	var (
		rowNum, col, cellCol int
		cells                []xcell
		c                    xcell
		typ                  string
		val, inline          strings.Builder
		inV, inT             bool
		phonetic             int
	)
	return b.walk(b.sheet, func(tok xml.Token, _ int) error {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				n := rowNum + 1
				if r, ok := attr(t, "r"); ok {
					v, err := strconv.Atoi(r)
					if err != nil || v <= rowNum {
						return errNotWorkbook
					}
					n = v
				}
				rowNum, col, cells = n, 0, cells[:0]
			case "c":
				col++
				if r, ok := attr(t, "r"); ok {
					cc, _, ok := cellRef(r)
					if !ok {
						return errNotWorkbook
					}
					col = cc
				}
				cellCol, c = col, xcell{}
				typ, _ = attr(t, "t")
				val.Reset()
				inline.Reset()
			case "v":
				inV = true
			case "f":
				c.formula = true
			case "t":
				inT = true
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "t":
				inT = false
			case "rPh":
				phonetic--
			case "c":
				return b.endCell(&c, typ, val.String(), inline.String(), rowNum, cellCol, width, &cells)
			case "row":
				return fn(rowNum, cells)
			}
		case xml.CharData:
			switch {
			case inV:
				val.Write(t)
			case inT && phonetic == 0:
				inline.Write(t)
			}
		}
		return nil
	})
}

// endCell settles a cell's value by its type and places it in the row.
func (b *xlsxBook) endCell(c *xcell, typ, v, inline string, row, col, width int, cells *[]xcell) error {
	switch typ {
	case "s":
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(b.sst) {
			return errNotWorkbook
		}
		c.v, c.text = b.sst[i], true
	case "inlineStr":
		c.v, c.text = inline, true
	default:
		c.v = v
	}
	if col > width {
		if c.v == "" && !c.formula {
			return nil // an empty (styled) cell far right is harmless
		}
		return &ImportError{Problems: []RowError{{Row: row, Message: fmt.Sprintf(
			"单元格 %s 超出模板的列：本模板 %d 列，文件最多用到第 %d 列（%s 列），请删除右侧多余的内容后再上传",
			colName(col)+strconv.Itoa(row), width-extraColumns, width, colName(width))}}}
	}
	for len(*cells) < col {
		*cells = append(*cells, xcell{})
	}
	(*cells)[col-1] = *c
	return nil
}

// colName names a 1-based column: 1 → A, 27 → AA.
func colName(col int) string {
	s := ""
	for ; col > 0; col = (col - 1) / 26 {
		s = string(rune('A'+(col-1)%26)) + s
	}
	return s
}
