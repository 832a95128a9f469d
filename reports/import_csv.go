package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"coopledger/ledger"
)

// Banks export their statements (流水) as csv as often as xlsx, in UTF-8 or
// GBK. A bank statement that is not a zip is read as csv through the same
// row reader as a workbook: every value is text, the header row names the
// template's columns, the same row and width limits apply.

// isCSV says whether data of kind is read as csv.
func isCSV(kind ledger.ImportKind, data []byte) bool {
	return kind == ledger.ImportBankStatement && !bytes.HasPrefix(data, []byte("PK\x03\x04"))
}

// csvRows calls fn with each record and its line; a record wider
// than width is refused like a workbook's.
func csvRows(data []byte, width int, fn func(n int, cells []xcell) error) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return limitf("csv 文件既不是 UTF-8 也不是 GBK 编码")
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return limitf("csv 文件第 %d 行格式有误（引号不配对？）", pe.Line)
			}
			return err
		}
		n, _ := r.FieldPos(0) // the file's line, blank lines counted
		if len(rec) > width {
			return limitf("第 %d 行有 %d 列，超过模板的列数", n, len(rec))
		}
		cells := make([]xcell, len(rec))
		for i, v := range rec {
			cells[i] = xcell{v: v, text: true}
		}
		if err := fn(n, cells); err != nil {
			return err
		}
	}
}
