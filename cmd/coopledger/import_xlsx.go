package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"coopledger/ledger"
	"coopledger/reports"
)

// isWorkbook tells an Excel file from JSON lines: by its extension, or by
// the zip signature every .xlsx starts with.
func isWorkbook(path string) (bool, error) {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return true, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	return bytes.Equal(head[:n], []byte("PK\x03\x04")), nil
}

// importVoucherWorkbook submits a filled-in voucher template as one pending
// import (a township officer posts it with `import approve`); the same file
// again, pending or imported, submits nothing.
func importVoucherWorkbook(ctx context.Context, e *env, f importFlags) error {
	in, err := os.Open(f.file) // read once, by the import reader
	if err != nil {
		return err
	}
	defer in.Close()
	s, a, err := f.openAs(ctx, "vouchers")
	if err != nil {
		return err
	}
	defer s.Close()
	req := reports.ImportRequest{Book: *f.book, Kind: ledger.ImportVoucherSheet, FileName: filepath.Base(f.file), File: in,
		MaxVoucherLines: ledger.MaxFileVoucherLines}
	fmt.Fprintf(e.stderr, "reading and checking %s (all of it; nothing is posted until a township officer approves)\n", f.file)
	res, err := reports.Import(ctx, s, a, req)
	if err != nil {
		var le *ledger.Error
		if errors.As(err, &le) {
			for _, d := range le.Details {
				fmt.Fprintf(e.stderr, "%s: %s\n", d.Field, d.Message)
			}
		}
		return fmt.Errorf("import vouchers: %s: nothing submitted: %s", f.file, ledger.ErrorMessage(err))
	}
	if res.AlreadyImported {
		fmt.Fprintf(e.stdout, "%s was already imported into %s at %s (%d vouchers); nothing submitted again\n", f.file, *f.book, res.ImportedAt, res.Rows)
		return nil
	}
	printSubmitted(e, *res.Pending)
	return nil
}

// importTemplate writes the Excel template of an import kind.
func importTemplate(e *env, args []string) error {
	fs := e.flagSet("import template", "import template KIND --out FILE.xlsx   (KIND: "+ledger.ImportKindNames()+")")
	out := fs.String("out", "", "the .xlsx file to write")
	var kinds []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return fmt.Errorf("import template: %w", err)
		}
		if fs.NArg() == 0 {
			break
		}
		kinds, args = append(kinds, fs.Arg(0)), fs.Args()[1:]
	}
	if len(kinds) != 1 || !ledger.ImportKind(kinds[0]).Valid() {
		fs.Usage()
		return fmt.Errorf("import template: give one kind: %s", ledger.ImportKindNames())
	}
	if *out == "" {
		fs.Usage()
		return errors.New("import template: --out is required")
	}
	kind := ledger.ImportKind(kinds[0])
	if err := writeFileAtomic(*out, func(w io.Writer) error { return reports.WriteImportTemplate(w, kind) }); err != nil {
		return fmt.Errorf("import template: %w", err)
	}
	fmt.Fprintf(e.stderr, "wrote %s (%s导入模板)\n", *out, kind.Label())
	return nil
}
