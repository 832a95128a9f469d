package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"coopledger/httpapi"
	"coopledger/ledger"
	"coopledger/reports"
)

// The workbooks township finance reviews, written from the command line the
// same way the server sends them. The command line reads as
// ledger.System, which reads every book.

// workbookExport is one kind of `coopledger export KIND`.
type workbookExport struct {
	name, usage string
	needs       []string // required flags
	write       func(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error
}

// exportFlags are the flags every workbook export may take.
type exportFlags struct {
	book, township, run, quarter, month, from, to, account, household, noticeFrom string
	publicURL                                                                     string // roster: base of household links
	days                                                                          int
}

var workbookExports = []workbookExport{
	{"roster", "--book CODE --run ID [--public-url URL]", []string{"book", "run"}, exportRoster},
	{"notice", "--book CODE --run ID [--notice-from YYYY-MM-DD] [--days 7]", []string{"book", "run"}, exportNotice},
	{"township", "--township CODE --quarter YYYYQn", []string{"township", "quarter"}, exportTownship},
	{"trial-balance", "--book CODE --from YYYY-MM --to YYYY-MM", []string{"book", "from", "to"}, exportTrialBalance},
	{"ledger", "--book CODE --account CODE[,CODE…] --from YYYY-MM --to YYYY-MM [--household CODE]", []string{"book", "account", "from", "to"}, exportLedger},
	{"statement", "--book CODE --household CODE --from YYYY-MM --to YYYY-MM", []string{"book", "household", "from", "to"}, exportStatement},
	{"reconciliation", "--book CODE --quarter YYYYQn", []string{"book", "quarter"}, exportReconciliation},
	{"statements", "--book CODE --month YYYY-MM", []string{"book", "month"}, exportStatements},
}

// cmdExportWorkbook writes one workbook to --out.
func cmdExportWorkbook(ctx context.Context, e *env, x workbookExport, args []string) error {
	fs := e.flagSet("export "+x.name, "export "+x.name+" "+x.usage+" --out FILE.xlsx [--db DSN]")
	db := e.dbFlag(fs)
	var f exportFlags
	fs.StringVar(&f.book, "book", "", "book code")
	fs.StringVar(&f.township, "township", "", "township code")
	fs.StringVar(&f.run, "run", "", "payout run id")
	fs.StringVar(&f.quarter, "quarter", "", "quarter, e.g. 2026Q3")
	fs.StringVar(&f.month, "month", "", "month end, e.g. 2026-09")
	fs.StringVar(&f.from, "from", "", "first month")
	fs.StringVar(&f.to, "to", "", "last month")
	fs.StringVar(&f.account, "account", "", "account codes, comma-separated")
	fs.StringVar(&f.household, "household", "", "household code")
	fs.StringVar(&f.noticeFrom, "notice-from", "", "first day of the notice period (default today)")
	fs.IntVar(&f.days, "days", 7, "length of the notice period in days")
	fs.StringVar(&f.publicURL, "public-url", e.getenv(envPublicURL), "roster: the server's public base URL, to print each linked household's QR code (env "+envPublicURL+"; none: no QR column)")
	out := fs.String("out", "", "the .xlsx file to write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]string{"book": f.book, "township": f.township, "run": f.run, "quarter": f.quarter, "month": f.month,
		"from": f.from, "to": f.to, "account": f.account, "household": f.household}
	for _, n := range x.needs {
		if set[n] == "" {
			fs.Usage()
			return fmt.Errorf("export %s: --%s is required", x.name, n)
		}
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("export %s: --out is required", x.name)
	}
	if f.publicURL != "" {
		var err error
		if f.publicURL, err = httpapi.ParsePublicURL(f.publicURL); err != nil {
			return fmt.Errorf("export %s: %w", x.name, err)
		}
	}
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := writeFileAtomic(*out, func(w io.Writer) error { return x.write(ctx, s, f, w) }); err != nil {
		return fmt.Errorf("export %s: %s", x.name, ledger.ErrorMessage(err))
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", *out)
	return nil
}

var reader = ledger.System

func cliOptions() reports.Options {
	return reports.Options{ExportedAt: time.Now(), Creator: "命令行导出"}
}

func parseRunID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("--run must be a payout run id (a positive integer)")
	}
	return id, nil
}

func exportRoster(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	id, err := parseRunID(f.run)
	if err != nil {
		return err
	}
	d, err := reports.LoadRoster(ctx, s, reader, f.book, id)
	if err != nil {
		return err
	}
	if f.publicURL != "" {
		if d.Links, err = httpapi.HouseholdLinkURLs(ctx, s, reader, f.book, f.publicURL); err != nil {
			return err
		}
	}
	return reports.WriteRoster(w, d, cliOptions())
}

func exportNotice(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	id, err := parseRunID(f.run)
	if err != nil {
		return err
	}
	from := time.Now()
	if f.noticeFrom != "" {
		if from, err = ledger.ParseDate(f.noticeFrom); err != nil {
			return err
		}
	}
	d, err := reports.LoadRoster(ctx, s, reader, f.book, id)
	if err != nil {
		return err
	}
	return reports.WriteNotice(w, d, reports.Notice{From: from, Days: f.days}, cliOptions())
}

func exportTownship(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	d, err := reports.LoadTownship(ctx, s, reader, f.township, f.quarter)
	if err != nil {
		return err
	}
	return reports.WriteTownship(w, d, cliOptions())
}

func exportTrialBalance(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	d, err := reports.LoadTrialBalance(ctx, s, reader, f.book, f.from, f.to)
	if err != nil {
		return err
	}
	return reports.WriteTrialBalance(w, d, cliOptions())
}

func exportLedger(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	d, err := reports.LoadAccountLedgers(ctx, s, reader, f.book, strings.Split(f.account, ","), f.household, f.from, f.to)
	if err != nil {
		return err
	}
	return reports.WriteAccountLedgers(w, d, cliOptions())
}

func exportStatement(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	d, err := reports.LoadHouseholdStatement(ctx, s, reader, f.book, f.household, f.from, f.to)
	if err != nil {
		return err
	}
	return reports.WriteHouseholdStatement(w, d, cliOptions())
}

func exportReconciliation(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	d, err := reports.LoadReconciliation(ctx, s, reader, f.book, f.quarter)
	if err != nil {
		return err
	}
	return reports.WriteReconciliation(w, d, cliOptions())
}

func exportStatements(ctx context.Context, s *ledger.Store, f exportFlags, w io.Writer) error {
	d, err := reports.LoadStatements(ctx, s, reader, f.book, f.month)
	if err != nil {
		return err
	}
	return reports.WriteStatements(w, d, cliOptions())
}
