package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"coopledger/ledger"
)

// envToken names the API token the import commands act with.
const envToken = "COOPLEDGER_TOKEN"

// cmdImport brings historical books into a book: `import vouchers` (JSON
// lines, one already-reviewed voucher per line, or the Excel voucher
// template) submits the whole file as one pending import, which a township
// officer other than the submitter posts, all or none, with `import approve`
// (or rejects with `import reject`; `import pending` lists what waits);
// `import opening` enters the opening balances as one JSON object
// {"lines": [...]}; `import template KIND` writes an Excel import template.
func cmdImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, "usage: coopledger import vouchers|opening --book CODE [--token T] [--db DSN] FILE\n"+
			"       coopledger import pending --book CODE [--token T] [--db DSN]\n"+
			"       coopledger import approve --book CODE [--token T] [--db DSN] ID\n"+
			"       coopledger import reject --book CODE --reason TEXT [--token T] [--db DSN] ID\n"+
			"       coopledger import template KIND --out FILE.xlsx")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return errHelp
		}
		return errors.New("import: say what to import: vouchers or opening (or pending, approve, reject, template KIND)")
	}
	switch args[0] {
	case "template":
		return importTemplate(e, args[1:])
	case "vouchers":
		return importVouchers(ctx, e, args[1:])
	case "opening":
		return importOpening(ctx, e, args[1:])
	case "pending", "approve", "reject":
		return importDecision(ctx, e, args[0], args[1:])
	}
	return fmt.Errorf("import: unknown kind %q (vouchers, opening, pending, approve, reject or template)", args[0])
}

type importFlags struct {
	db, book, token *string
	file            string
}

// parseImportFlags accepts the flags before or after FILE.
// openAs opens the database and authenticates the token; what names the
// import in the error.
func (f importFlags) openAs(ctx context.Context, what string) (*ledger.Store, ledger.Actor, error) {
	s, err := openStore(ctx, *f.db)
	if err != nil {
		return nil, ledger.Actor{}, err
	}
	a, err := s.Authenticate(ctx, *f.token)
	if err != nil {
		s.Close()
		return nil, ledger.Actor{}, fmt.Errorf("import %s: %s", what, ledger.ErrorMessage(err))
	}
	return s, a, nil
}

func parseImportFlags(e *env, kind string, args []string) (importFlags, error) {
	fs := e.flagSet("import "+kind, "import "+kind+" --book CODE [--token T] [--db DSN] FILE")
	f := importFlags{db: e.dbFlag(fs),
		book:  fs.String("book", "", "the book to import into (required)"),
		token: fs.String("token", e.getenv(envToken), "API token of the accountant who imports (env "+envToken+")")}
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return f, errHelp
			}
			return f, fmt.Errorf("import %s: %w", kind, err)
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(files) != 1:
		fs.Usage()
		return f, fmt.Errorf("import %s: give exactly one FILE", kind)
	case *f.book == "":
		return f, fmt.Errorf("import %s: --book is required", kind)
	case *f.token == "":
		return f, fmt.Errorf("import %s: --token or $%s is required (the accountant who imports)", kind, envToken)
	}
	f.file = files[0]
	return f, nil
}

// numbered is a voucher of the file with its line number there.
type numbered struct {
	line int
	v    ledger.ImportVoucher
}

// readVoucherLines reads JSON lines strictly; blank lines are skipped.
func readVoucherLines(r io.Reader) ([]numbered, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var out []numbered
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var v ledger.ImportVoucher
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		out = append(out, numbered{n, v})
	}
	return out, sc.Err()
}

func importVouchers(ctx context.Context, e *env, args []string) error {
	f, err := parseImportFlags(e, "vouchers", args)
	if err != nil {
		return err
	}
	if xlsx, err := isWorkbook(f.file); err != nil {
		return err
	} else if xlsx {
		return importVoucherWorkbook(ctx, e, f)
	}
	in, err := os.Open(f.file)
	if err != nil {
		return err
	}
	vs, err := readVoucherLines(in)
	in.Close()
	if err != nil {
		return fmt.Errorf("import vouchers: %s: %w", f.file, err)
	}
	// Months in order and numbers in order within each month: the order the
	// approved import joins the chain in.
	sort.SliceStable(vs, func(i, j int) bool {
		pi, pj := vs[i].v.Date[:min(7, len(vs[i].v.Date))], vs[j].v.Date[:min(7, len(vs[j].v.Date))]
		if pi != pj {
			return pi < pj
		}
		return vs[i].v.Number < vs[j].v.Number
	})
	s, a, err := f.openAs(ctx, "vouchers")
	if err != nil {
		return err
	}
	defer s.Close()
	all := make([]ledger.ImportVoucher, len(vs))
	for i, n := range vs {
		all[i] = n.v
	}
	fmt.Fprintf(e.stderr, "checking %d vouchers of %s (all of them; nothing is posted until a township officer approves)\n", len(vs), f.file)
	p, err := s.SubmitHistory(ctx, a, *f.book, all)
	if err != nil {
		return importFailure(e, err, vs)
	}
	printSubmitted(e, p)
	return nil
}

// printSubmitted says what was submitted and how it gets posted.
func printSubmitted(e *env, p ledger.PendingImport) {
	fmt.Fprintf(e.stdout, "submitted %d vouchers (%d lines, %s to %s) to %s as import #%d, pending: nothing is posted until a township officer other than you approves it:\n"+
		"  coopledger import approve --book %s %d   (with the officer's token), or POST /api/v1/books/%s/voucher-imports/%d/approve\n",
		p.Vouchers, p.Lines, p.FromPeriod, p.ToPeriod, p.Book, p.ID, p.Book, p.ID, p.Book, p.ID)
}

// importFailure reports a refused file with its line numbers.
func importFailure(e *env, err error, vs []numbered) error {
	var le *ledger.Error
	if errors.As(err, &le) {
		for _, d := range le.Details {
			var i int
			if _, serr := fmt.Sscanf(d.Field, "vouchers[%d]", &i); serr == nil && i >= 0 && i < len(vs) {
				fmt.Fprintf(e.stderr, "line %d: %s: %s\n", vs[i].line, d.Field, d.Message)
			} else {
				fmt.Fprintf(e.stderr, "%s: %s\n", d.Field, d.Message)
			}
		}
	}
	return fmt.Errorf("import vouchers: the file was refused and nothing submitted: %s", ledger.ErrorMessage(err))
}

func importOpening(ctx context.Context, e *env, args []string) error {
	f, err := parseImportFlags(e, "opening", args)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(f.file)
	if err != nil {
		return err
	}
	var in ledger.OpeningInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("import opening: %s: %w", f.file, err)
	}
	s, a, err := f.openAs(ctx, "opening")
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.SetOpeningBalances(ctx, a, *f.book, in)
	if err != nil {
		return fmt.Errorf("import opening: %s", ledger.ErrorMessage(err))
	}
	fmt.Fprintf(e.stdout, "opening balances of %s: %s %s dated %s, %d lines, total %s\n", *f.book, v.Period, v.Number, v.Date, len(v.Lines), v.Total)
	return nil
}

// progress draws a bar on a terminal and a line per 10 % elsewhere.
type progress struct {
	w        io.Writer
	total    int
	unit     string
	tty      bool
	start    time.Time
	lastDraw time.Time
	lastTens int
	done     int
}

func newProgress(w io.Writer, total int, unit string) *progress {
	p := &progress{w: w, total: total, unit: unit, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	p.draw()
	return p
}

func (p *progress) elapsed() time.Duration { return time.Since(p.start) }

func (p *progress) set(done int) {
	p.done = done
	if p.tty && time.Since(p.lastDraw) < 100*time.Millisecond && done < p.total {
		return
	}
	p.draw()
}

func (p *progress) draw() {
	p.lastDraw = time.Now()
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.done) / float64(p.total)
	}
	rate := float64(p.done) / max(p.elapsed().Seconds(), 1e-3)
	if p.tty {
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d %s %3.0f%% %.0f/s ", strings.Repeat("#", n), strings.Repeat(".", width-n), p.done, p.total, p.unit, frac*100, rate)
		return
	}
	if tens := int(frac * 10); tens > p.lastTens || p.done == 0 {
		p.lastTens = tens
		fmt.Fprintf(p.w, "%d/%d %s (%.0f%%, %.0f/s)\n", p.done, p.total, p.unit, frac*100, rate)
	}
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
