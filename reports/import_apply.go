package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// ImportRequest is an upload: which kind, into which book and target, the
// file itself.
type ImportRequest struct {
	Book          string
	Kind          ledger.ImportKind
	Agreement     string // parcels, shares, work records
	EffectiveFrom string // parcels, shares: the new register's first day
	Run           int64  // payments
	Account       string // bank statements: the bank account (102 or a sub-account)
	FileName      string
	File          io.Reader
	// Vouchers: the most voucher lines taken in one import (0 for
	// MaxUploadVoucherLines).
	MaxVoucherLines int
}

// ImportResult is what an upload did.
type ImportResult struct {
	Kind            ledger.ImportKind `json:"kind"`
	Rows            int               `json:"rows"`              // items applied (or applied the first time); vouchers for the voucher sheet
	Skipped         int               `json:"skipped,omitempty"` // payment rows the bank reported as failed
	SHA256          string            `json:"sha256"`
	AlreadyImported bool              `json:"already_imported"` // the same file was imported before; nothing applied now
	ImportedAt      string            `json:"imported_at,omitempty"`
	// Pending is the import a voucher workbook became: nothing is posted
	// until a township officer other than the uploader approves it.
	Pending *ledger.PendingImport `json:"pending_import,omitempty"`
}

// Import reads an uploaded workbook and applies it, all rows or none. A file
// already imported for the same target applies nothing and says so.
func Import(ctx context.Context, s *ledger.Store, a ledger.Actor, req ImportRequest) (ImportResult, error) {
	target, err := importTarget(req)
	if err != nil {
		return ImportResult{}, err
	}
	maxRows := maxImportRows
	if req.Kind == ledger.ImportVoucherSheet { // one line a row: stop reading at the lines this import may take
		maxRows = min(maxRows, voucherLineLimit(req))
	}
	p, err := readImport(req.Kind, req.File, maxRows)
	if ie := (*ImportError)(nil); errors.As(err, &ie) {
		if p.Len() > 0 { // check the rows that could be read against the book too, so every bad row is listed
			_, _, derr := apply(ctx, s, a.With(ledger.WriteOptions{DryRun: true}), req, ledger.FileImport{Book: req.Book, Kind: req.Kind, Target: target, SHA256: p.SHA256}, p)
			ie.merge(p.rowProblems(derr))
		}
		return ImportResult{}, ie.LedgerError()
	}
	if err != nil {
		return ImportResult{}, err
	}
	file := ledger.FileImport{Book: req.Book, Kind: req.Kind, Target: target, SHA256: p.SHA256, FileName: req.FileName}
	n, pending, err := apply(ctx, s, a, req, file, p)
	if errors.Is(err, ledger.ErrFileAlreadyImported) { // the ledger knows the file, from before or from a concurrent upload
		prior, _, lerr := s.FileImported(ctx, a, file)
		return ImportResult{Kind: req.Kind, Rows: prior.Rows, SHA256: p.SHA256, AlreadyImported: true, ImportedAt: prior.CreatedAt}, lerr
	}
	if err != nil {
		return ImportResult{}, p.RowErrors(err)
	}
	return ImportResult{Kind: req.Kind, Rows: n, SHA256: p.SHA256, Skipped: p.Skipped, Pending: pending}, nil
}

// apply hands the parsed rows to the ledger.
func apply(ctx context.Context, s *ledger.Store, a ledger.Actor, req ImportRequest, file ledger.FileImport, p ParsedImport) (int, *ledger.PendingImport, error) {
	switch req.Kind {
	case ledger.ImportHouseholds:
		n, err := s.ImportFileHouseholds(ctx, a, file, p.Households)
		return n, nil, err
	case ledger.ImportParcels, ledger.ImportShares:
		_, err := s.ImportFileRegister(ctx, a, file, req.Agreement, req.EffectiveFrom, p.Register)
		return len(p.Register), nil, err
	case ledger.ImportWorkRecords:
		n, err := s.ImportFileWorkRecords(ctx, a, file, req.Agreement, p.WorkRecords)
		return n, nil, err
	case ledger.ImportPayments:
		if len(p.Payments) == 0 {
			return 0, nil, fileProblemError("文件中没有结果为成功的付款")
		}
		n, err := s.ImportFilePayments(ctx, a, file, req.Run, p.Payments)
		return n, nil, err
	case ledger.ImportVoucherSheet:
		return applyVouchers(ctx, s, a, req, file, p)
	case ledger.ImportBankStatement:
		n, err := s.ImportFileBankStatement(ctx, a, file, req.Account, p.BankLines)
		return n, nil, err
	}
	return 0, nil, ledger.FieldError("kind", "未知的导入类型")
}

func fileProblemError(msg string) error {
	return (&ImportError{Problems: []RowError{{Message: msg}}}).LedgerError()
}

// importTarget checks the request's target fields and returns the target key.
func importTarget(req ImportRequest) (string, error) {
	switch req.Kind {
	case ledger.ImportHouseholds, ledger.ImportVoucherSheet:
		return "", nil
	case ledger.ImportParcels, ledger.ImportShares:
		if req.Agreement == "" {
			return "", ledger.FieldError("agreement", "请指定协议编号")
		}
		if _, err := ledger.ParseDate(req.EffectiveFrom); err != nil {
			return "", ledger.FieldError("effective_from", "请指定新登记表的生效日期：%s", err.Error())
		}
		return ledger.RegisterTarget(req.Agreement, req.EffectiveFrom), nil
	case ledger.ImportWorkRecords:
		if req.Agreement == "" {
			return "", ledger.FieldError("agreement", "请指定务工协议编号")
		}
		return req.Agreement, nil
	case ledger.ImportPayments:
		if req.Run <= 0 {
			return "", ledger.FieldError("run", "请指定收益分配批次 ID")
		}
		return strconv.FormatInt(req.Run, 10), nil
	case ledger.ImportBankStatement:
		if req.Account == "" {
			return "", ledger.FieldError("account", "请指定银行存款科目（102 或其明细科目）")
		}
		return req.Account, nil
	}
	return "", ledger.FieldError("kind", "导入类型应为 %s", ledger.ImportKindNames())
}

// WriteImportTemplate writes the template of kind: the header row on the
// first sheet (ID and bank columns formatted as text so Excel keeps every
// digit) and a second sheet explaining each column.
func WriteImportTemplate(w io.Writer, kind ledger.ImportKind) error {
	cols, ok := importColumns[kind]
	if !ok {
		return ledger.FieldError("kind", "导入类型应为 %s", ledger.ImportKindNames())
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := kind.Label()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	if err := templateSheet(f, sheet, cols); err != nil {
		return err
	}
	if err := helpSheet(f, kind, cols); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: kind.Label() + "导入模板", Creator: "coopledger", Language: "zh-CN"}); err != nil {
		return err
	}
	return f.Write(w)
}

func templateSheet(f *excelize.File, sheet string, cols []importColumn) error {
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "#000000", Style: 1}}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		header := c.header
		if c.required {
			header += "*"
		}
		if err := f.SetCellValue(sheet, name+"1", header); err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, name, name, c.width); err != nil {
			return err
		}
		if c.kind == cellDigits || c.kind == cellText {
			if err := f.SetColStyle(sheet, name, text); err != nil {
				return err
			}
		}
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetCellStyle(sheet, "A1", last+"1", head); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func helpSheet(f *excelize.File, kind ledger.ImportKind, cols []importColumn) error {
	const help = "填写说明"
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	rows := [][]any{
		{kind.Label() + "导入说明"},
		{"第 1 行为表头，请勿修改；从第 2 行起每行一条。带 * 的列必填。请填写数值，不要使用公式。"},
		{"整个文件要么全部导入，要么一行也不导入：任何一行有错，系统会列出所有错误行，改正后重新上传即可。同一文件重复上传不会重复入账。"},
	}
	for _, line := range kindHelp[kind] {
		rows = append(rows, []any{line})
	}
	rows = append(rows, [][]any{
		{},
		{"列", "必填", "说明"},
	}...)
	for _, c := range cols {
		req := ""
		if c.required {
			req = "是"
		}
		rows = append(rows, []any{c.header, req, c.help})
	}
	for i, r := range rows {
		cellRef := fmt.Sprintf("A%d", i+1)
		if err := f.SetSheetRow(help, cellRef, &r); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(help, "A", "A", 22); err != nil {
		return err
	}
	return f.SetColWidth(help, "C", "C", 60)
}
