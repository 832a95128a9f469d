package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// cmdExport writes a book in a format other tools read: `export journal`,
// or one of the workbooks township finance reviews.
func cmdExport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(e.stderr, "usage: coopledger export journal --book CODE [--format hledger|beancount] [--from YYYY-MM] [--to YYYY-MM] [--out FILE] [--db DSN]\n")
		for _, x := range workbookExports {
			fmt.Fprintf(e.stderr, "       coopledger export %s %s --out FILE.xlsx [--db DSN]\n", x.name, x.usage)
		}
		if len(args) == 0 {
			return errors.New("export: what to export? (" + exportKinds() + ")")
		}
		return errHelp
	}
	if args[0] == "journal" {
		return cmdExportJournal(ctx, e, args[1:])
	}
	for _, x := range workbookExports {
		if args[0] == x.name {
			return cmdExportWorkbook(ctx, e, x, args[1:])
		}
	}
	return fmt.Errorf("export: unknown export %q (%s)", args[0], exportKinds())
}

func exportKinds() string {
	names := []string{"journal"}
	for _, x := range workbookExports {
		names = append(names, x.name)
	}
	return strings.Join(names, ", ")
}
