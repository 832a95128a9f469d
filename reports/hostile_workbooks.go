package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Hostile workbooks: small files that made the old reader take gigabytes
// and minutes. The tests assert the reader refuses each quickly and in
// little memory; `coopledger bench --only uploads` times them against a
// running server. They are built here rather than committed.

// HostileWorkbook is one hostile upload: its name, the limit that must
// refuse it (a phrase of the refusal) and a function building the file.
type HostileWorkbook struct {
	Name    string
	Refusal string
	Build   func() []byte
}

// HostileWorkbooks lists the hostile uploads, each for the households
// template (any template would do).
func HostileWorkbooks() []HostileWorkbook {
	return []HostileWorkbook{
		{"wide-column", "超出模板的列", wideColumnWorkbook},
		{"whitespace-bomb", "已拒绝", whitespaceWorkbook},
		{"million-rows", "文件超过 200000 行", millionRowsWorkbook},
		{"deep-xml", "嵌套超过", deepXMLWorkbook},
		{"shared-strings-count", "共享字符串超过", sharedStringsCountWorkbook},
		{"shared-strings-huge", "已拒绝", sharedStringsHugeWorkbook},
	}
}

// hostileHeader is the households template's header row.
const hostileHeader = `<row r="1"><c r="A1" t="inlineStr"><is><t>户编号</t></is></c><c r="B1" t="inlineStr"><is><t>户主姓名</t></is></c><c r="C1" t="inlineStr"><is><t>身份证号</t></is></c><c r="D1" t="inlineStr"><is><t>银行账号</t></is></c><c r="E1" t="inlineStr"><is><t>家庭人口</t></is></c><c r="F1" t="inlineStr"><is><t>村民小组</t></is></c><c r="G1" t="inlineStr"><is><t>户类型</t></is></c></row>`

// wideColumnWorkbook has one value at column XFD in each of 500 rows.
func wideColumnWorkbook() []byte {
	return rawWorkbook(func(w io.Writer) {
		io.WriteString(w, hostileHeader)
		for r := 2; r <= 501; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
		}
	}, nil)
}

// whitespaceWorkbook's sheet inflates to about 190 MB of whitespace.
func whitespaceWorkbook() []byte {
	return rawWorkbook(func(w io.Writer) {
		io.WriteString(w, hostileHeader)
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for range 190 {
			w.Write(spaces)
		}
	}, nil)
}

// millionRowsWorkbook has a million numbered rows, each with a code.
func millionRowsWorkbook() []byte {
	return rawWorkbook(func(w io.Writer) {
		io.WriteString(w, hostileHeader)
		for r := 2; r <= 1_000_001; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, r, r, r)
		}
	}, nil)
}

// deepXMLWorkbook nests 100,000 elements inside a cell.
func deepXMLWorkbook() []byte {
	return rawWorkbook(func(w io.Writer) {
		io.WriteString(w, hostileHeader+`<row r="2"><c r="A2">`)
		io.WriteString(w, strings.Repeat("<x>", 100_000))
		io.WriteString(w, strings.Repeat("</x>", 100_000))
		io.WriteString(w, `</c></row>`)
	}, nil)
}

// sharedStringsCountWorkbook's table holds two million distinct strings.
func sharedStringsCountWorkbook() []byte {
	return rawWorkbook(func(w io.Writer) { io.WriteString(w, hostileHeader) }, func(w io.Writer) {
		for i := range 2_000_000 {
			fmt.Fprintf(w, "<si><t>%d</t></si>", i)
		}
	})
}

// sharedStringsHugeWorkbook's table inflates to 300 MB of one repeated
// string.
func sharedStringsHugeWorkbook() []byte {
	return rawWorkbook(func(w io.Writer) { io.WriteString(w, hostileHeader) }, func(w io.Writer) {
		si := []byte("<si><t>" + strings.Repeat("农", 10_000) + "</t></si>")
		for range 300 << 20 / len(si) {
			w.Write(si)
		}
	})
}

// rawWorkbook writes a minimal xlsx whose sheet data rows come from rows
// and whose shared strings (if sst is not nil) from sst.
func rawWorkbook(rows, sst func(io.Writer)) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	part := func(name, body string) {
		w, _ := z.Create(name)
		io.WriteString(w, body)
	}
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	types := `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	if sst != nil {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+types+`</Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels+`</Relationships>`)
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	rows(w)
	io.WriteString(w, `</sheetData></worksheet>`)
	if sst != nil {
		w, _ := z.Create("xl/sharedStrings.xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		sst(w)
		io.WriteString(w, `</sst>`)
	}
	z.Close()
	return buf.Bytes()
}
