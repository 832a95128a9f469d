package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"coopledger/ledger"
)

// cmdReconcile reconciles a book's (or a township's) quarter of payouts and
// prints the verdict line, the counts and every finding with its vouchers.
// Any discrepancy (and with --strict, anything listed for review) makes the
// exit status non-zero.
func cmdReconcile(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("reconcile", "reconcile --book CODE | --township CODE --quarter YYYYQn [--db DSN] [--details] [--strict] [--json]")
	db := e.dbFlag(fs)
	book := fs.String("book", "", "the book to reconcile")
	township := fs.String("township", "", "reconcile every book of this township instead")
	quarter := fs.String("quarter", "", "the quarter, e.g. 2026Q3")
	details := fs.Bool("details", false, "also print every household × agreement row and control-account check")
	strict := fs.Bool("strict", false, "exit non-zero also when something is listed for review")
	asJSON := fs.Bool("json", false, "print the reconciliation as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*book == "") == (*township == "") || *quarter == "" {
		fs.Usage()
		return errors.New("reconcile: give --quarter and exactly one of --book and --township")
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()

	var recs []ledger.Reconciliation
	verdict := ""
	if *book != "" {
		r, err := s.Reconcile(ctx, ledger.System, *book, *quarter)
		if err != nil {
			return fmt.Errorf("reconcile %s: %w", *book, err)
		}
		recs, verdict = []ledger.Reconciliation{r}, r.Verdict
	} else {
		tr, err := s.ReconcileTownship(ctx, ledger.System, *township, *quarter)
		if err != nil {
			return fmt.Errorf("reconcile township %s: %w", *township, err)
		}
		recs, verdict = tr.Books, tr.Verdict
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		var v any = recs[0]
		if *township != "" {
			v = recs
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(e.stdout, verdict)
		for _, r := range recs {
			printReconciliation(e.stdout, r, *township != "", *details)
		}
	}
	var findings, reviews int
	for _, r := range recs {
		findings, reviews = findings+r.Counts.Findings, reviews+r.Counts.Reviews
	}
	switch {
	case findings > 0:
		return fmt.Errorf("reconcile: %s: %d discrepancy(ies), %d item(s) for review", ledger.VerdictDoesNotMatch, findings, reviews)
	case *strict && reviews > 0:
		return fmt.Errorf("reconcile: %d item(s) for review (--strict)", reviews)
	}
	return nil
}

func printReconciliation(w io.Writer, r ledger.Reconciliation, withVerdict, details bool) {
	if withVerdict {
		fmt.Fprintf(w, "\n%s\n", r.Verdict)
	}
	c := r.Counts
	fmt.Fprintf(w, "%s\n", r.ChainHead)
	fmt.Fprintf(w, "农户 %d 户，农户×协议 %d 行：应发 %s，已计提 %s，已付 %s，未付 %s\n", c.Households, c.Rows, c.Entitled, c.Accrued, c.Paid, c.Outstanding)
	for _, run := range r.Runs {
		kind := "收益分配"
		if run.Adjustment {
			kind = "调整分配"
		}
		fmt.Fprintf(w, "%s %d（%s）：%d 行，合计 %s，已付 %s（%d 笔）\n", kind, run.ID, run.Status, run.Lines, run.Total, run.Paid, run.Payments)
	}
	printFindings(w, fmt.Sprintf("差异 %d 项", c.Findings), r.Findings)
	printFindings(w, fmt.Sprintf("需复核 %d 项", c.Reviews), r.Reviews)
	if r.Truncated {
		fmt.Fprintf(w, "（只列出前 %d 项，其余见 --json 或工作簿）\n", len(r.Findings))
	}
	if !details {
		return
	}
	fmt.Fprintln(w, "明细（户 协议 类别 应发 已计提 已付 未付 凭证）：")
	for _, row := range r.Rows {
		mark := "  "
		if !row.OK {
			mark = "✗ "
		}
		fmt.Fprintf(w, "%s%s %s %s %s %s %s %s %v\n", mark, row.Household, row.Agreement, row.Kind, row.Entitled, row.Accrued, row.Paid, row.Outstanding, row.Vouchers)
	}
	fmt.Fprintln(w, "控制科目（科目 期间 总账余额 明细合计 差额）：")
	for _, ctl := range r.Controls {
		mark := "  "
		if !ctl.OK {
			mark = "✗ "
		}
		fmt.Fprintf(w, "%s%s %s %s %s %s %s\n", mark, ctl.Account, ctl.Name, ctl.Period, ctl.Control, ctl.SubLedgers, ctl.Difference)
	}
}

func printFindings(w io.Writer, title string, list []ledger.Finding) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "%s：\n", title)
	for _, f := range list {
		fmt.Fprintf(w, "  - [%s] %s\n", f.Check, f.Message)
	}
}
