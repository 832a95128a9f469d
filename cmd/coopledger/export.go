package main

import (
	"context"
	"errors"
	"fmt"
)

// cmdExport writes a book in a format other tools read: `export journal`.
func cmdExport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(e.stderr, "usage: coopledger export journal --book CODE [--format hledger|beancount] [--from YYYY-MM] [--to YYYY-MM] [--out FILE] [--db DSN]\n")
		if len(args) == 0 {
			return errors.New("export: what to export? (journal)")
		}
		return errHelp
	}
	switch args[0] {
	case "journal":
		return cmdExportJournal(ctx, e, args[1:])
	}
	return fmt.Errorf("export: unknown export %q (journal)", args[0])
}
