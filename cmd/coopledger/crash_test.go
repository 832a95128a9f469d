package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// The crash test: the real binary serves a book while clients post vouchers
// and payments with idempotency keys; it is killed with SIGKILL at random
// moments and restarted; clients retry whatever was not acknowledged. At the
// end every acknowledged voucher and payment must be present exactly once and
// the book must keep every invariant. `make crash` runs it with
// COOPLEDGER_CRASHES=25; `make test` with 3.

const (
	envCrashes      = "COOPLEDGER_CRASHES"
	envCrashSeed    = "COOPLEDGER_SEED"
	crashClients    = 8
	crashBook       = "CR"
	crashRunQuarter = "2026Q1"
	crashPayDate    = "2026-04-15"
	maxOpsPerClient = 5000             // every client loop is bounded in count…
	crashTestBudget = 10 * time.Minute // …and the whole test in time
)

// crashFigures is what the test prints.
type crashFigures struct {
	dialect                       string
	crashes                       int
	vouchers, payments            int // acknowledged
	lost, duplicated, interrupted int
}

func (f crashFigures) String() string {
	return fmt.Sprintf("crash test (%s): %d crashes survived, %d acknowledged writes (%d vouchers posted, %d payments), "+
		"%d lost, %d duplicated; %d answers recovered after an interrupted commit",
		f.dialect, f.crashes, f.vouchers+f.payments, f.vouchers, f.payments, f.lost, f.duplicated, f.interrupted)
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	crashes := 3
	if v, err := strconv.Atoi(os.Getenv(envCrashes)); err == nil && v > 0 {
		crashes = v
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv(envCrashSeed), 10, 64); err == nil {
		seed = v
	}
	bin := buildBinary(t)
	eachDialect(t, func(t *testing.T, dsn string) {
		t.Logf("seed %d (rerun with %s=%d)", seed, envCrashSeed, seed)
		figs := runCrashTest(t, bin, dsn, crashes, seed)
		figs.dialect = ledgerDialect(dsn)
		fmt.Println(figs)
		if figs.lost != 0 || figs.duplicated != 0 || figs.crashes != crashes {
			t.Fatalf("%v (seed %d)", figs, seed)
		}
	})
}

func ledgerDialect(dsn string) string {
	if len(dsn) > 7 && dsn[:7] == "sqlite:" {
		return "SQLite"
	}
	return "PostgreSQL"
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildOut  []byte
)

// buildBinary builds cmd/coopledger once per test process.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "coopledger-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "coopledger")
		cmd := exec.Command("go", "build", "-buildvcs=false", "-o", builtBin, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return builtBin
}

// crashWorld is the book the clients write to and who they are.
type crashWorld struct {
	base                string
	preparer, reviewer  string // tokens
	households          []string
	runID               int64
	interrupted, failed atomic.Int64
	mu                  sync.Mutex
	vouchers            map[string]int64 // acknowledged: summary tag → voucher id
	payments            map[string]int64 // acknowledged: reference → payment id
	errs                []string
}

func runCrashTest(t *testing.T, bin, dsn string, crashes int, seed uint64) crashFigures {
	w := setupCrashBook(t, dsn)
	addr := freePort(t)
	w.base = "http://" + addr + "/api/v1/books/" + crashBook
	logFile := filepath.Join(t.TempDir(), "server.log")
	if d := os.Getenv("COOPLEDGER_CRASH_LOG_DIR"); d != "" {
		logFile = filepath.Join(d, "server.log")
	}
	srv := &serverProc{bin: bin, dsn: dsn, addr: addr, log: logFile}
	t.Cleanup(srv.kill)

	rng := rand.New(rand.NewPCG(seed, 7))
	deadline := time.Now().Add(crashTestBudget)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for c := range crashClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.client(c, uint64(c)+seed, &stop, deadline)
		}()
	}
	survived := 0
	for range crashes {
		srv.start(t)
		time.Sleep(time.Duration(100+rng.IntN(600)) * time.Millisecond)
		srv.kill()
		survived++
	}
	srv.start(t)
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	srv.stop(t)
	if n := w.failed.Load(); n > 0 {
		t.Errorf("%d client operations failed (see log above); server log %s", n, logFile)
	}
	return w.check(t, dsn, survived)
}

// setupCrashBook makes the book, its users and an approved payout run with
// plenty left to pay, through the ledger, and closes the store.
func setupCrashBook(t *testing.T, dsn string) *crashWorld {
	t.Helper()
	ctx := context.Background()
	s, err := ledger.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := ledgertest.NewFixture(t, s, crashBook, ledger.KindVillage, 8)
	f.Fund(t)
	in := ledger.AgreementInput{Code: "CR-RENT", Title: "土地流转协议", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01",
		Terms: ledger.Terms{Schedule: "quarterly"}}
	for _, h := range f.Households {
		in.Terms.Participants = append(in.Terms.Participants, ledger.Participant{Household: h,
			Parcels: []ledger.Parcel{{Name: "河滩地", AreaMu: decimal.NewFromInt(400), Rate: decimal.NewFromInt(1000)}}})
	}
	if _, err := s.CreateAgreement(ctx, f.Preparer, crashBook, in); err != nil {
		t.Fatal(err)
	}
	run, err := s.CreatePayoutRun(ctx, f.Preparer, crashBook, ledger.RunInput{Quarter: crashRunQuarter})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, crashBook, run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	return &crashWorld{preparer: f.Tokens["preparer"], reviewer: f.Tokens["reviewer"], households: f.Households,
		runID: run.ID, vouchers: map[string]int64{}, payments: map[string]int64{}}
}

// serverProc is the binary under test. Only the test goroutine uses it.
type serverProc struct {
	bin, dsn, addr, log string
	cmd                 *exec.Cmd
	exited              chan error
}

// start runs `coopledger serve` and waits until /healthz answers.
func (p *serverProc) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(p.bin, "serve", "--db", p.dsn, "--addr", p.addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	p.cmd, p.exited = cmd, exited
	waitHealthy(t, "http://"+p.addr, exited)
}

// kill sends SIGKILL: no shutdown, no flush, no deferred anything.
func (p *serverProc) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
	}
	p.cmd = nil
}

// stop asks for a graceful shutdown (SIGTERM).
func (p *serverProc) stop(t *testing.T) {
	t.Helper()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("server did not stop cleanly: %v", err)
		}
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Errorf("server did not stop within %s", shutdownGrace+5*time.Second)
		p.kill()
	}
	p.cmd = nil
}
