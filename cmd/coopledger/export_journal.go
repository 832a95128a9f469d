package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"coopledger/ledger"
)

// cmdExportJournal writes a book's posted vouchers as an hledger or beancount
// journal, to stdout or atomically to --out.
func cmdExportJournal(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("export journal", "export journal --book CODE [--format hledger|beancount] [--from YYYY-MM] [--to YYYY-MM] [--out FILE] [--db DSN]")
	db := e.dbFlag(fs)
	book := fs.String("book", "", "the book to export")
	format := fs.String("format", ledger.JournalHledger, "hledger or beancount")
	from := fs.String("from", "", "first month (default: the book's first month; earlier months become opening balances)")
	to := fs.String("to", "", "last month (default: the last month with a posted voucher)")
	out := fs.String("out", "", "write to this file instead of stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *book == "" {
		fs.Usage()
		return errors.New("export journal: --book is required")
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	write := func(w io.Writer) error {
		return s.Journal(ctx, ledger.System, *book, *format, ledger.Period(*from), ledger.Period(*to), w)
	}
	if *out == "" {
		if err := write(e.stdout); err != nil {
			return fmt.Errorf("export journal %s: %w", *book, err)
		}
		return nil
	}
	if err := writeFileAtomic(*out, write); err != nil {
		return fmt.Errorf("export journal %s: %w", *book, err)
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", *out)
	return nil
}

// writeFileAtomic writes through a temporary file beside path and renames it,
// so a failed export never leaves a partial file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
