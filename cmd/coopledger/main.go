package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"coopledger/ledger"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "coopledger: %v\n", err)
		os.Exit(1)
	}
}

// Defaults of the public contract; COOPLEDGER_DB and COOPLEDGER_ADDR override
// them, flags override both.
const (
	defaultDB    = "sqlite:data/coopledger.db"
	defaultAddr  = "127.0.0.1:8080"
	envDB        = "COOPLEDGER_DB"
	envAddr      = "COOPLEDGER_ADDR"
	envPublicURL = "COOPLEDGER_PUBLIC_URL"
)

// env is what a subcommand may touch of the outside world; tests pass their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	name, synopsis string
	run            func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the HTTP API and the accountants' pages (migrates first)", cmdServe},
		{"migrate", "apply pending database migrations and list them", cmdMigrate},
		{"verify", "recompute every book's hash chain and balances; non-zero exit on any problem", cmdVerify},
		{"token", "create a user and print their API token (token create ...), or revoke one (token revoke --user ID|--token T)", cmdToken},
		{"demo", "load the demo township (three books, nine months of 2026) into an empty database", cmdDemo},
		{"reconcile", "reconcile a book's or township's quarter of payouts (--book|--township, --quarter); non-zero exit when off", cmdReconcile},
		{"export", "export journal (hledger|beancount) or a workbook: roster, notice, township, trial-balance, ledger, statement, reconciliation, statements", cmdExport},
		{"import", "import historical books: import vouchers|opening --book CODE --token T FILE (JSON lines or .xlsx / JSON); import template KIND --out F", cmdImport},
		{"bench", "measure the performance figures (make bench); --quick for a smoke run, --json FILE", cmdBench},
		{"backup", "copy a running SQLite database to FILE (consistent, online) and verify the copy", cmdBackup},
	}
}

// errHelp ends a subcommand that printed its usage on request: exit status 0.
var errHelp = errors.New("help requested")

// run is the whole program: main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		printHelp(stderr)
		return errors.New("no command given")
	}
	name, rest := args[1], args[2:]
	switch name {
	case "help", "-h", "-help", "--help":
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, e, rest)
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	return fmt.Errorf("unknown command %q (run 'coopledger help' for the list)", name)
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `coopledger — double-entry ledger for village collectives and farmer cooperatives

usage: coopledger <command> [flags]

commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.synopsis)
	}
	fmt.Fprintf(w, `  %-8s show this help

The database is --db or $%s (default %s; or a postgres:// URL),
the listen address --addr or $%s (default %s); flags override the environment.
Run 'coopledger <command> -h' for a command's flags.
`, "help", envDB, defaultDB, envAddr, defaultAddr)
}

// envOr returns the environment variable or def when it is unset or empty.
func (e *env) envOr(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// flagSet makes a subcommand's flag set; usage goes to stderr.
func (e *env) flagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: coopledger %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

func (e *env) dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", e.envOr(envDB, defaultDB), "database: sqlite:PATH or postgres://URL (env "+envDB+")")
}

func (e *env) addrFlag(fs *flag.FlagSet) *string {
	return fs.String("addr", e.envOr(envAddr, defaultAddr), "listen address HOST:PORT (env "+envAddr+")")
}

// parseFlags parses args and refuses stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// openStore connects to dsn and applies pending migrations.
func openStore(ctx context.Context, dsn string) (*ledger.Store, error) {
	s, err := ledger.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactDSN(dsn), err)
	}
	return s, nil
}

// redactDSN hides a PostgreSQL password before a DSN is printed.
func redactDSN(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}
