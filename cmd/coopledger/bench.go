package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"coopledger/ledger"
)

// `coopledger bench` measures the figures issue 7 promises, on a fresh SQLite
// file and, given a PostgreSQL admin URL, on PostgreSQL too. Each figure is the
// median of several runs. It prints a table and writes the same figures as
// JSON. --quick is a smoke run that `make test` runs so the harness cannot rot.

// benchConfig is the scale of one bench run.
type benchConfig struct {
	quick        bool
	runs         int           // runs per figure (median)
	clients      []int         // concurrent HTTP clients (figure 1)
	postFor      time.Duration // each posting measurement
	importBatch  int           // vouchers per batch request (figure 2)
	importTotal  int           // vouchers per batch-import run
	households   int           // county payout (figure 3)
	history      []int         // posted lines for figure 4
	pgHistory    int           // largest history on PostgreSQL (0: as SQLite)
	pgHouseholds int           // county payout households on PostgreSQL (0: as SQLite)
	pgAdmin      string        // PostgreSQL admin URL; "" for SQLite only
	dir          string        // where SQLite files go
	serverBin    string        // the coopledger binary to run as the server
	serverEnv    []string      // extra environment for the server process
	log          io.Writer     // progress messages
	keep         bool          // keep the SQLite files
	statementHHs int           // households of the history book
	payAll       bool          // pay every household before reconciling (slow to set up)
	only         map[int]bool  // figures to measure; nil for all
}

// wants says whether any of figs is to be measured.
func (cfg benchConfig) wants(figs ...int) bool {
	if cfg.only == nil {
		return true
	}
	for _, f := range figs {
		if cfg.only[f] {
			return true
		}
	}
	return false
}

// benchFigure is one measured number.
type benchFigure struct {
	DB     string  `json:"db"`
	Figure int     `json:"figure"`
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Goal   string  `json:"goal,omitempty"`
	Met    *bool   `json:"met,omitempty"`
	Runs   int     `json:"runs"`
	Note   string  `json:"note,omitempty"`
}

// benchMachine describes where the figures were measured.
type benchMachine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemoryGiB string `json:"memory_gib"`
	OS        string `json:"os"`
	Go        string `json:"go"`
	SQLite    string `json:"sqlite"`
	Postgres  string `json:"postgres,omitempty"`
}

// benchReport is what --json writes.
type benchReport struct {
	When    string        `json:"when"`
	Quick   bool          `json:"quick"`
	Machine benchMachine  `json:"machine"`
	Figures []benchFigure `json:"figures"`
	Seconds float64       `json:"seconds"`
}

func cmdBench(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("bench", "bench [--quick] [--json FILE] [--postgres URL] [--db sqlite,postgres] [--runs N] ...")
	quick := fs.Bool("quick", false, "smoke run: tiny sizes, one run each (seconds)")
	jsonPath := fs.String("json", "", "also write the figures as JSON to FILE")
	pg := fs.String("postgres", e.getenv("COOPLEDGER_TEST_POSTGRES"), "PostgreSQL admin URL: measure PostgreSQL too, in throwaway databases (env COOPLEDGER_TEST_POSTGRES)")
	runs := fs.Int("runs", 3, "runs per figure; the median is reported")
	households := fs.Int("households", 100_000, "households of the county payout (figure 3)")
	history := fs.String("history", "1000000,10000000", "posted lines in the history book for figure 4 (and verified for 5b), comma-separated, ascending; the measured quarter is the same in each")
	pgHistory := fs.Int("pg-history", 100_000, "largest history on PostgreSQL (loading lines there runs at ~5,000 a second here: 1M takes 4 minutes); when every --history size is larger, PostgreSQL measures this size alone")
	pgHouseholds := fs.Int("pg-households", 10_000, "households of the county payout on PostgreSQL (30,000 took 5 minutes here, so 100,000 would take ~17)")
	postFor := fs.Duration("post-for", 3*time.Second, "duration of each posting measurement (figure 1)")
	dir := fs.String("dir", "", "directory for the SQLite files (default: a temporary one, removed afterwards)")
	serverBin := fs.String("server", "", "coopledger binary to run as the server (default: this one)")
	dbList := fs.String("db", "", "databases to measure, comma-separated: sqlite, postgres (default: sqlite, and postgres when --postgres is set)")
	only := fs.String("only", "", "measure only these figures, comma-separated (e.g. 3,5; the groups that make them run whole; uploads for 7)")
	payAll := fs.Bool("pay", false, "pay every household of the county quarter before reconciling it (setting up 100,000 payments takes minutes)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := benchConfig{quick: *quick, runs: max(1, *runs), clients: []int{1, 8, 32}, postFor: *postFor, importBatch: ledger.MaxImportVouchers,
		importTotal: 20_000, households: *households, pgHistory: *pgHistory, pgHouseholds: *pgHouseholds, pgAdmin: *pg, serverBin: *serverBin, log: e.stderr,
		statementHHs: 2_000, payAll: *payAll}
	dbs, err := benchDatabases(*dbList, *pg)
	if err != nil {
		return err
	}
	for _, f := range strings.Split(*history, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 1000 {
			return fmt.Errorf("bench: --history: %q is not a line count ≥ 1000", f)
		}
		cfg.history = append(cfg.history, n)
	}
	if *only != "" {
		cfg.only = map[int]bool{}
		for _, f := range strings.Split(*only, ",") {
			var n int
			if strings.TrimSpace(f) == "uploads" {
				f = "7"
			}
			if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 1 || n > 7 {
				return fmt.Errorf("bench: --only: %q is not a figure from 1 to 7 (or uploads)", f)
			}
			cfg.only[n] = true
		}
	}
	if cfg.quick {
		cfg.runs, cfg.clients, cfg.postFor = 1, []int{1, 4}, 300*time.Millisecond
		cfg.importBatch, cfg.importTotal, cfg.households = 100, 300, 300
		cfg.history, cfg.pgHistory, cfg.statementHHs, cfg.payAll = []int{4_000, 8_000}, 8_000, 50, true
		cfg.pgHouseholds = 0
	}
	if cfg.serverBin == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		cfg.serverBin = exe
	}
	cfg.serverEnv = benchServerEnv
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "coopledger-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg.dir = tmp
	} else {
		cfg.dir, cfg.keep = *dir, true
		if err := os.MkdirAll(cfg.dir, 0o750); err != nil {
			return err
		}
	}
	start := time.Now()
	rep := benchReport{When: start.UTC().Format(time.RFC3339), Quick: cfg.quick, Machine: machine(ctx, cfg)}
	printMachine(e.stdout, rep.Machine)
	for _, db := range dbs {
		figs, err := benchDatabase(ctx, cfg, db)
		rep.Figures = append(rep.Figures, figs...)
		if err != nil {
			printFigures(e.stdout, rep.Figures)
			return fmt.Errorf("bench %s: %w", db, err)
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	printFigures(e.stdout, rep.Figures)
	fmt.Fprintf(e.stdout, "\nbench finished in %s\n", time.Since(start).Round(time.Second))
	if *jsonPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonPath, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

// benchDatabases parses --db: which databases to measure, in order.
func benchDatabases(list, pgAdmin string) ([]string, error) {
	if list == "" {
		if pgAdmin != "" {
			return []string{"sqlite", "postgres"}, nil
		}
		return []string{"sqlite"}, nil
	}
	var dbs []string
	for _, db := range strings.Split(list, ",") {
		switch db = strings.TrimSpace(db); db {
		case "sqlite":
		case "postgres":
			if pgAdmin == "" {
				return nil, errors.New("bench: --db postgres needs --postgres URL or $COOPLEDGER_TEST_POSTGRES")
			}
		default:
			return nil, fmt.Errorf("bench: --db: %q is not sqlite or postgres", db)
		}
		if !slices.Contains(dbs, db) {
			dbs = append(dbs, db)
		}
	}
	return dbs, nil
}

// benchServerEnv is extra environment for the server process; tests set it
// so their test binary acts as coopledger.
var benchServerEnv []string

// benchDatabase measures every figure on one kind of database.
func benchDatabase(ctx context.Context, cfg benchConfig, db string) ([]benchFigure, error) {
	var out []benchFigure
	add := func(figs []benchFigure, err error) error {
		for i := range figs {
			figs[i].DB = db
		}
		out = append(out, figs...)
		return err
	}
	if cfg.wants(1, 2, 6) {
		cfg.logf("== %s: figure 1, 2, 6 (HTTP server)", db)
		if err := add(benchHTTP(ctx, cfg, db)); err != nil {
			return out, err
		}
	}
	if db == "postgres" && cfg.pgHouseholds > 0 {
		cfg.households = min(cfg.households, cfg.pgHouseholds)
	}
	if cfg.wants(3, 5) {
		cfg.logf("== %s: figure 3, 5a (county payout, reconciliation)", db)
		if err := add(benchCounty(ctx, cfg, db)); err != nil {
			return out, err
		}
	}
	if cfg.wants(4, 5) {
		cfg.logf("== %s: figure 4, 5b (history, verify)", db)
		if err := add(benchHistory(ctx, cfg, db)); err != nil {
			return out, err
		}
	}
	if db == "sqlite" && cfg.wants(7) { // the reader does not depend on the database
		cfg.logf("== %s: figure 7 (hostile and large uploads)", db)
		return out, add(benchUploads(ctx, cfg))
	}
	return out, nil
}

func (cfg benchConfig) logf(format string, args ...any) {
	fmt.Fprintf(cfg.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// freshDSN makes an empty database for one part of the bench and returns its
// DSN and a function that removes it.
// freshStore opens a fresh database for one group of figures, with an admin
// to create its books; done closes it and drops the database.
func (cfg benchConfig) freshStore(ctx context.Context, db, name string) (*ledger.Store, ledger.Actor, func(), error) {
	dsn, drop, err := cfg.freshDSN(ctx, db, name)
	if err != nil {
		return nil, ledger.Actor{}, nil, err
	}
	s, err := ledger.Open(ctx, dsn)
	if err != nil {
		drop()
		return nil, ledger.Actor{}, nil, err
	}
	done := func() { s.Close(); drop() }
	admin, err := benchAdmin(ctx, s)
	if err != nil {
		done()
		return nil, ledger.Actor{}, nil, err
	}
	return s, admin, done, nil
}

func (cfg benchConfig) freshDSN(ctx context.Context, db, name string) (string, func(), error) {
	if db == "sqlite" {
		path := filepath.Join(cfg.dir, name+".db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		return "sqlite:" + path, func() {
			if !cfg.keep {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(path + suffix)
				}
			}
		}, nil
	}
	admin, err := sql.Open("pgx", cfg.pgAdmin)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	dbName := fmt.Sprintf("coopbench_%s_%d", name, time.Now().UnixNano()%1_000_000_000)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+dbName); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(cfg.pgAdmin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + dbName
	return u.String(), func() {
		if a, err := sql.Open("pgx", cfg.pgAdmin); err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)")
			a.Close()
		}
	}, nil
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile of sorted durations, in milliseconds.
func percentileMs(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

func met(ok bool) *bool { return &ok }

// peakHeap runs fn while sampling the Go heap and returns fn's duration and
// the peak of live heap objects above what was in use before, in MiB.
func peakHeap(fn func() error) (time.Duration, float64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	peak := base
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				peak = max(peak, read())
			}
		}
	}()
	start := time.Now()
	err := fn()
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	peak = max(peak, read())
	return elapsed, float64(peak-base) / (1 << 20), err
}

// vmHWM reads a process's peak resident set in MiB from /proc.
func vmHWM(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

func machine(ctx context.Context, cfg benchConfig) benchMachine {
	m := benchMachine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), SQLite: "modernc.org/sqlite (pure Go)"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb float64
				fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
				m.MemoryGiB = fmt.Sprintf("%.1f", kb/(1<<20))
			}
		}
	}
	var v string
	if sq, err := sql.Open("sqlite", ":memory:"); err == nil {
		if sq.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v) == nil {
			m.SQLite = "SQLite " + v + " via modernc.org/sqlite (pure Go)"
		}
		sq.Close()
	}
	if cfg.pgAdmin != "" {
		if pg, err := sql.Open("pgx", cfg.pgAdmin); err == nil {
			if pg.QueryRowContext(ctx, "SHOW server_version").Scan(&v) == nil {
				m.Postgres = "PostgreSQL " + v + " (same machine)"
			}
			pg.Close()
		}
	}
	return m
}

func printMachine(w io.Writer, m benchMachine) {
	fmt.Fprintf(w, "machine: %s, %d cores, %s GiB memory, %s, %s; %s", m.CPU, m.Cores, m.MemoryGiB, m.OS, m.Go, m.SQLite)
	if m.Postgres != "" {
		fmt.Fprintf(w, "; %s", m.Postgres)
	}
	fmt.Fprintln(w)
}

// printFigures prints the table: one line per figure.
func printFigures(w io.Writer, figs []benchFigure) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ndb\t#\tfigure\tvalue\tunit\tgoal\tmet\tnote")
	for _, f := range figs {
		m := ""
		if f.Met != nil {
			m = map[bool]string{true: "yes", false: "MISSED"}[*f.Met]
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", f.DB, f.Figure, f.Name, formatValue(f.Value), f.Unit, f.Goal, m, f.Note)
	}
	tw.Flush()
}

func formatValue(v float64) string {
	switch {
	case v >= 1000:
		s := fmt.Sprintf("%.0f", v)
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
