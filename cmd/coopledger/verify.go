package main

import (
	"context"
	"fmt"
	"strings"

	"coopledger/ledger"
)

// cmdVerify recomputes each book's hash chain, numbering and maintained
// balances from the voucher lines. Any problem makes it return an error
// naming the first bad voucher, so the exit status is non-zero.
func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("verify", "verify [--db DSN] [--book CODE] [--head]")
	db := e.dbFlag(fs)
	book := fs.String("book", "", "verify only this book (default: every book)")
	headOnly := fs.Bool("head", false, "only print the chain head (voucher and hash) for the paper archive, without verifying")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if *headOnly {
		return printHeads(ctx, e, s, *book)
	}

	var reports []ledger.VerifyReport
	if *book != "" {
		r, err := s.Verify(ctx, ledger.System, *book)
		if err != nil {
			return fmt.Errorf("verify %s: %w", *book, err)
		}
		reports = append(reports, r)
	} else if reports, err = s.VerifyAll(ctx, ledger.System); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if len(reports) == 0 {
		fmt.Fprintln(e.stdout, "no books to verify")
		return nil
	}
	var failed []string
	for _, r := range reports {
		printReport(e, r)
		if !r.OK {
			failed = append(failed, failure(r))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("verify: %d of %d book(s) failed: %s", len(failed), len(reports), strings.Join(failed, "; "))
	}
	return nil
}

func printReport(e *env, r ledger.VerifyReport) {
	status := "OK"
	if !r.OK {
		status = "FAIL"
	}
	head := "(no posted vouchers)"
	if r.ChainSeq > 0 {
		head = fmt.Sprintf("%s sha256:%s", r.HeadNumber, r.ChainHead)
	}
	fmt.Fprintf(e.stdout, "%-4s %s: %d posted voucher(s) checked, chain head %s\n", status, r.Book, r.Vouchers, head)
	if r.OK {
		return
	}
	if r.FirstBad != "" {
		fmt.Fprintf(e.stdout, "     first bad voucher: %s\n", r.FirstBad)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "     - %s\n", p)
	}
}

func failure(r ledger.VerifyReport) string {
	switch {
	case r.FirstBad != "":
		return fmt.Sprintf("%s (first bad voucher %s)", r.Book, r.FirstBad)
	case len(r.Problems) > 0:
		return fmt.Sprintf("%s (%s)", r.Book, r.Problems[0])
	}
	return r.Book
}

// printHeads prints each book's chain head on one line.
func printHeads(ctx context.Context, e *env, s *ledger.Store, book string) error {
	var heads []ledger.ChainHead
	if book != "" {
		h, err := s.ChainHead(ctx, ledger.System, book)
		if err != nil {
			return fmt.Errorf("verify --head %s: %w", book, err)
		}
		heads = append(heads, h)
	} else {
		var err error
		if heads, err = s.ChainHeads(ctx, ledger.System); err != nil {
			return fmt.Errorf("verify --head: %w", err)
		}
	}
	for _, h := range heads {
		fmt.Fprintln(e.stdout, h.String())
	}
	return nil
}
