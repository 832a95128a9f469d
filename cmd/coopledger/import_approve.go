package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"coopledger/ledger"
)

// importDecision runs `import pending`, `import approve ID` and
// `import reject ID --reason TEXT`: the township officer's side of a
// historical import, with their own token (the submitter's is refused).
func importDecision(ctx context.Context, e *env, what string, args []string) error {
	usage := "import " + what + " --book CODE [--token T] [--db DSN]"
	if what != "pending" {
		usage += " ID"
	}
	if what == "reject" {
		usage = "import reject --book CODE --reason TEXT [--token T] [--db DSN] ID"
	}
	fs := e.flagSet("import "+what, usage)
	f := importFlags{db: e.dbFlag(fs),
		book:  fs.String("book", "", "the book (required)"),
		token: fs.String("token", e.getenv(envToken), "API token of the township officer who decides (env "+envToken+")")}
	reason := fs.String("reason", "", "why the import is rejected (reject)")
	var ids []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return fmt.Errorf("import %s: %w", what, err)
		}
		if fs.NArg() == 0 {
			break
		}
		ids, args = append(ids, fs.Arg(0)), fs.Args()[1:]
	}
	var id int64
	switch {
	case *f.book == "":
		return fmt.Errorf("import %s: --book is required", what)
	case *f.token == "":
		return fmt.Errorf("import %s: --token or $%s is required (the township officer)", what, envToken)
	case what == "pending" && len(ids) != 0:
		return errors.New("import pending: takes no ID")
	case what != "pending":
		n, err := strconv.ParseInt(firstOr(ids, ""), 10, 64)
		if len(ids) != 1 || err != nil || n <= 0 {
			fs.Usage()
			return fmt.Errorf("import %s: give the import's ID (a positive number)", what)
		}
		id = n
	}
	s, a, err := f.openAs(ctx, what)
	if err != nil {
		return err
	}
	defer s.Close()
	switch what {
	case "pending":
		return listPendingImports(ctx, e, s, a, *f.book)
	case "reject":
		p, err := s.RejectImport(ctx, a, *f.book, id, *reason)
		if err != nil {
			return fmt.Errorf("import reject: %s", ledger.ErrorMessage(err))
		}
		fmt.Fprintf(e.stdout, "rejected import #%d of %s (%d vouchers): nothing posted\n", p.ID, p.Book, p.Vouchers)
		return nil
	}
	return approveImport(ctx, e, s, a, *f.book, id)
}

func firstOr(xs []string, def string) string {
	if len(xs) == 0 {
		return def
	}
	return xs[0]
}

// approveImport posts a pending import with a progress bar.
func approveImport(ctx context.Context, e *env, s *ledger.Store, a ledger.Actor, book string, id int64) error {
	var bar *progress
	start := time.Now()
	p, err := s.ApproveImport(ctx, a, book, id, func(done, total int) {
		if bar == nil {
			bar = newProgress(e.stderr, total, "vouchers") // draws 0/total
		}
		if done > 0 {
			bar.set(done)
		}
	})
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		var le *ledger.Error
		if errors.As(err, &le) {
			for _, d := range le.Details {
				fmt.Fprintf(e.stderr, "%s: %s\n", d.Field, d.Message)
			}
		}
		return fmt.Errorf("import approve: import #%d: nothing posted: %s", id, ledger.ErrorMessage(err))
	}
	fmt.Fprintf(e.stdout, "approved import #%d: posted %d vouchers (%d lines) into %s in %s, chain head %d\n",
		p.ID, p.Result.Imported, p.Result.Lines, p.Book, time.Since(start).Round(time.Millisecond), p.Result.ChainSeq)
	return nil
}

// listPendingImports prints the imports waiting for approval.
func listPendingImports(ctx context.Context, e *env, s *ledger.Store, a ledger.Actor, book string) error {
	ps, err := s.PendingImports(ctx, a, book, ledger.ImportPending)
	if err != nil {
		return fmt.Errorf("import pending: %s", ledger.ErrorMessage(err))
	}
	if len(ps) == 0 {
		fmt.Fprintf(e.stdout, "no import of %s is waiting for approval\n", book)
		return nil
	}
	for _, p := range ps {
		fmt.Fprintf(e.stdout, "#%d\t%s\t%d vouchers\t%d lines\t%s to %s\tby user %d at %s\t%s\n",
			p.ID, p.Via, p.Vouchers, p.Lines, p.FromPeriod, p.ToPeriod, p.UploadedBy, p.UploadedAt, p.FileName)
	}
	return nil
}
