package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/uptrace/bun"

	"coopledger/ledger"
)

// benchBook is a book with two accountants: one prepares, the other posts.
type benchBook struct {
	code                          string
	admin, prep, rev, twp         ledger.Actor
	prepToken, revToken, twpToken string // twp: the township officer who approves imports
	households                    []string
}

// benchIDNumber is a valid ID number distinct for every n < 18,000,000.
func benchIDNumber(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (n/1000)%18000)
	first := fmt.Sprintf("362426%s%03d", birth.Format("20060102"), n%1000)
	return first + string(ledger.IDNumberCheckChar(first))
}

// benchAdmin creates the bench's administrator.
func benchAdmin(ctx context.Context, s *ledger.Store) (ledger.Actor, error) {
	_, token, err := s.CreateUser(ctx, ledger.System, ledger.NewUser{Name: "基准管理员", Role: ledger.RoleAdmin})
	if err != nil {
		return ledger.Actor{}, err
	}
	return s.Authenticate(ctx, token)
}

// newBenchBook creates a village book with households H000001… and parties
// C01, C02, live from 2026-01 (earlier months are history, imported), and its
// accountants and township officer.
func newBenchBook(ctx context.Context, s *ledger.Store, admin ledger.Actor, code, start string, households int) (benchBook, error) {
	bb := benchBook{code: code, admin: admin}
	if _, err := s.CreateBook(ctx, admin, ledger.NewBook{Code: code, Name: "基准村" + code, Kind: ledger.KindVillage,
		Township: ledger.Township{Code: "BT", Name: "基准镇"}, StartPeriod: start, GoLivePeriod: max(start, "2026-01")}); err != nil {
		return bb, err
	}
	user := func(name string) (ledger.Actor, string, error) {
		u := ledger.NewUser{Name: name, Role: ledger.RoleAccountant, Books: []string{code}}
		if strings.HasSuffix(name, "财政所") {
			u = ledger.NewUser{Name: name, Role: ledger.RoleTownship, Township: "BT"}
		}
		_, token, err := s.CreateUser(ctx, admin, u)
		if err != nil {
			return ledger.Actor{}, "", err
		}
		a, err := s.Authenticate(ctx, token)
		return a, token, err
	}
	var err error
	if bb.prep, bb.prepToken, err = user(code + "制单"); err != nil {
		return bb, err
	}
	if bb.rev, bb.revToken, err = user(code + "审核"); err != nil {
		return bb, err
	}
	if bb.twp, bb.twpToken, err = user(code + "财政所"); err != nil {
		return bb, err
	}
	hs := make([]ledger.Household, households)
	for i := range hs {
		hs[i] = ledger.Household{Code: fmt.Sprintf("H%06d", i+1), HeadName: fmt.Sprintf("农户%d", i+1), IDNumber: benchIDNumber(1_000_000 + i),
			BankAccount: fmt.Sprintf("6217%012d", i+1), Members: 1 + i%6, Group: fmt.Sprintf("第%d组", 1+i%12), Status: ledger.StatusOrdinary}
		bb.households = append(bb.households, hs[i].Code)
	}
	if households > 0 {
		if _, err := s.ImportHouseholds(ctx, bb.prep, code, hs); err != nil {
			return bb, err
		}
	}
	for i, name := range []string{"龙头农业发展有限公司", "光伏电站运营公司"} {
		if _, err := s.CreateParty(ctx, bb.prep, code, ledger.Party{Code: fmt.Sprintf("C%02d", i+1), Name: name}); err != nil {
			return bb, err
		}
	}
	return bb, nil
}

// fourLines is the bench's voucher: rent received for a household and part of it paid out.
func fourLines(household string, fen int64) []ledger.LineInput {
	in, out := ledger.Fen(fen), ledger.Fen(fen/3)
	return []ledger.LineInput{
		{Account: "102", Debit: &in},
		{Account: "21101", Household: household, Credit: &in},
		{Account: "21101", Household: household, Debit: &out},
		{Account: "102", Credit: &out},
	}
}

// server is `coopledger serve` running as a child process.
type server struct {
	cmd  *exec.Cmd
	base string
}

func startServer(ctx context.Context, cfg benchConfig, dsn string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, cfg.serverBin, "serve", "--db", dsn, "--addr", addr)
	cmd.Env = append(os.Environ(), cfg.serverEnv...)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	srv := &server{cmd: cmd, base: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(srv.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return srv, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv.stop()
	return nil, errors.New("server did not become ready within 30 s")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// httpClient keeps up to n connections alive to the server.
func httpClient(n int) *http.Client {
	return &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: n + 4, MaxIdleConnsPerHost: n + 4, IdleConnTimeout: time.Minute, DisableCompression: true}}
}

// benchCall sends one request and decodes a 2xx JSON answer into out.
func benchCall(c *http.Client, method, url, token string, body []byte, out any) error {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, truncateBytes(raw, 300))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func truncateBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// load runs clients goroutines for d, each repeating one(i) as fast as it
// can, and returns the operations per second and every latency, sorted.
func load(clients int, d time.Duration, one func(worker, i int) error) (float64, []time.Duration, error) {
	var (
		mu    sync.Mutex
		lats  []time.Duration
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				if err := one(w, i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lats)
	return float64(len(lats)) / elapsed.Seconds(), lats, first
}

// processCPU is the user + system CPU time a process has used so far, from
// /proc (0 where there is none). On a shared machine CPU per voucher compares
// runs better than wall time.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime is the
	// 12th, stime the 13th, both in clock ticks (100 a second on Linux).
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	var user, sys int64
	fmt.Sscan(f[11], &user)
	fmt.Sscan(f[12], &sys)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

func cpuMsPer(cpu time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / 1000 / float64(n)
}

// benchHTTP measures figures 1 (posting over HTTP and in-process), 6 (the
// server's peak memory during figure 1) and 2 (batch import beside a bare
// multi-row INSERT).
func benchHTTP(ctx context.Context, cfg benchConfig, db string) ([]benchFigure, error) {
	dsn, drop, err := cfg.freshDSN(ctx, db, "http")
	if err != nil {
		return nil, err
	}
	defer drop()
	s, err := ledger.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	admin, err := benchAdmin(ctx, s)
	if err != nil {
		s.Close()
		return nil, err
	}
	post, err := newBenchBook(ctx, s, admin, "POST", "2026-01", 200)
	if err != nil {
		s.Close()
		return nil, err
	}
	var imports, bare []benchBook
	for r := 0; r < cfg.runs && cfg.wants(2); r++ {
		b, err := newBenchBook(ctx, s, admin, fmt.Sprintf("IMP%d", r+1), "2025-01", 1000)
		if err != nil {
			s.Close()
			return nil, err
		}
		imports = append(imports, b)
		if b, err = newBenchBook(ctx, s, admin, fmt.Sprintf("BARE%d", r+1), "2025-01", 1000); err != nil {
			s.Close()
			return nil, err
		}
		bare = append(bare, b)
	}
	s.Close()

	srv, err := startServer(ctx, cfg, dsn)
	if err != nil {
		return nil, err
	}
	var figs []benchFigure
	httpRate := map[int]float64{}
	for _, clients := range cfg.clients {
		client := httpClient(clients)
		var rates, p50s, p99s, cpus []float64
		for r := 0; r < cfg.runs; r++ {
			cpu0 := processCPU(srv.cmd.Process.Pid)
			rate, lats, err := load(clients, cfg.postFor, func(w, i int) error {
				h := post.households[(w*7919+i)%len(post.households)]
				body, _ := json.Marshal(ledger.VoucherInput{Date: "2026-02-10", Summary: "收到土地流转费并支付农户", Lines: fourLines(h, 30_000+int64(i%1000))})
				var v struct{ ID int64 }
				if err := benchCall(client, "POST", srv.base+"/api/v1/books/POST/vouchers", post.prepToken, body, &v); err != nil {
					return err
				}
				return benchCall(client, "POST", fmt.Sprintf("%s/api/v1/books/POST/vouchers/%d/post", srv.base, v.ID), post.revToken, nil, nil)
			})
			if err != nil {
				srv.stop()
				return figs, fmt.Errorf("posting over HTTP: %w", err)
			}
			rates, p50s, p99s = append(rates, rate), append(p50s, percentileMs(lats, 0.50)), append(p99s, percentileMs(lats, 0.99))
			cpus = append(cpus, cpuMsPer(processCPU(srv.cmd.Process.Pid)-cpu0, len(lats)))
		}
		httpRate[clients] = median(rates)
		f := benchFigure{Figure: 1, Name: fmt.Sprintf("posting over HTTP, %d clients", clients), Value: median(rates), Unit: "vouchers/s", Runs: cfg.runs,
			Note: fmt.Sprintf("p50 %.1f ms, p99 %.1f ms per voucher (create + post); server CPU %.2f ms per voucher", median(p50s), median(p99s), median(cpus))}
		if clients == 8 {
			goal := 2000.0
			if db == "postgres" {
				goal = 1000
			}
			f.Goal, f.Met = fmt.Sprintf("≥ %.0f/s, p99 ≤ 25 ms", goal), met(f.Value >= goal && median(p99s) <= 25)
		}
		figs = append(figs, f, benchFigure{Figure: 1, Name: fmt.Sprintf("posting over HTTP, %d clients, p99", clients), Value: median(p99s), Unit: "ms", Runs: cfg.runs})
		client.CloseIdleConnections()
	}
	figs = append(figs, benchFigure{Figure: 6, Name: "server peak resident memory (VmHWM) after figure 1", Value: vmHWM(srv.cmd.Process.Pid), Unit: "MiB",
		Runs: 1, Goal: "≤ 200 MB"})
	figs[len(figs)-1].Met = met(figs[len(figs)-1].Value*1.048576 <= 200)

	var importRates []float64
	if cfg.wants(2) {
		importRates, err = batchImportHTTP(cfg, srv, imports)
	}
	srv.stop()
	if err != nil {
		return figs, fmt.Errorf("batch import: %w", err)
	}

	s, err = ledger.Open(ctx, dsn)
	if err != nil {
		return figs, err
	}
	defer s.Close()
	for _, clients := range cfg.clients {
		var rates, cpus []float64
		for r := 0; r < cfg.runs; r++ {
			cpu0 := processCPU(os.Getpid())
			rate, lats, err := load(clients, cfg.postFor, func(w, i int) error {
				h := post.households[(w*7919+i)%len(post.households)]
				v, err := s.CreateVoucher(ctx, post.prep, "POST", ledger.VoucherInput{Date: "2026-03-10", Summary: "收到土地流转费并支付农户",
					Lines: fourLines(h, 30_000+int64(i%1000))})
				if err != nil {
					return err
				}
				_, err = s.PostVoucher(ctx, post.rev, "POST", v.ID)
				return err
			})
			if err != nil {
				return figs, fmt.Errorf("posting in-process: %w", err)
			}
			rates, cpus = append(rates, rate), append(cpus, cpuMsPer(processCPU(os.Getpid())-cpu0, len(lats)))
		}
		in := median(rates)
		ratio := httpRate[clients] / in
		f := benchFigure{Figure: 1, Name: fmt.Sprintf("posting in-process (ledger), %d clients", clients), Value: in, Unit: "vouchers/s", Runs: cfg.runs,
			Note: fmt.Sprintf("CPU %.2f ms per voucher", median(cpus))}
		r := benchFigure{Figure: 1, Name: fmt.Sprintf("HTTP ÷ in-process, %d clients", clients), Value: ratio, Unit: "ratio", Runs: cfg.runs}
		if clients == 8 {
			r.Goal, r.Met = "≥ 0.5", met(ratio >= 0.5)
		}
		figs = append(figs, f, r)
	}

	if !cfg.wants(2) {
		return figs, nil
	}
	bareRates, err := bareInsert(ctx, cfg, s, bare)
	if err != nil {
		return figs, fmt.Errorf("bare insert: %w", err)
	}
	imp, ceiling := median(importRates), median(bareRates)
	figs = append(figs,
		benchFigure{Figure: 2, Name: fmt.Sprintf("batch import over HTTP, submitted and approved (%d × %d vouchers, 4 lines)", cfg.importTotal/cfg.importBatch, cfg.importBatch),
			Value: imp, Unit: "vouchers/s", Runs: cfg.runs, Goal: "≥ 50,000/s", Met: met(imp >= 50_000)},
		benchFigure{Figure: 2, Name: "bare multi-row INSERT of the same rows", Value: ceiling, Unit: "vouchers/s", Runs: cfg.runs},
		benchFigure{Figure: 2, Name: "batch import ÷ bare INSERT", Value: imp / ceiling, Unit: "ratio", Runs: cfg.runs, Goal: "≥ 0.3", Met: met(imp/ceiling >= 0.3)})
	return figs, nil
}

// importBatches builds the vouchers of one batch-import run: importTotal
// vouchers in batches, each batch in one month of 2025, numbers continuing.
func importBatches(cfg benchConfig, households []string) []ledger.ImportBatch {
	last := map[int]int{}
	var out []ledger.ImportBatch
	for k := 0; k*cfg.importBatch < cfg.importTotal; k++ {
		month := 1 + k%12
		b := ledger.ImportBatch{Vouchers: make([]ledger.ImportVoucher, 0, cfg.importBatch)}
		for i := 0; i < cfg.importBatch && k*cfg.importBatch+i < cfg.importTotal; i++ {
			last[month]++
			h := households[(k*cfg.importBatch+i)%len(households)]
			b.Vouchers = append(b.Vouchers, ledger.ImportVoucher{Number: last[month], Date: fmt.Sprintf("2025-%02d-%02d", month, 1+i%28),
				Summary: "历史凭证：收到土地流转费并支付农户", Attachments: 1, PreparedBy: "原会计", ReviewedBy: "原审核",
				Lines: fourLines(h, 30_000+int64(i))})
		}
		out = append(out, b)
	}
	return out
}

// batchImportHTTP posts each run's batches to its own book, one request after
// another, and returns vouchers per second per run (bodies prepared beforehand).
func batchImportHTTP(cfg benchConfig, srv *server, books []benchBook) ([]float64, error) {
	client := httpClient(1)
	var rates []float64
	for _, b := range books {
		var bodies [][]byte
		n := 0
		for _, batch := range importBatches(cfg, b.households) {
			raw, err := json.Marshal(batch)
			if err != nil {
				return nil, err
			}
			bodies, n = append(bodies, raw), n+len(batch.Vouchers)
		}
		start := time.Now()
		for _, body := range bodies { // each batch submitted, then approved by the township
			var p ledger.PendingImport
			if err := benchCall(client, "POST", srv.base+"/api/v1/books/"+b.code+"/vouchers/batch", b.prepToken, body, &p); err != nil {
				return nil, err
			}
			approve := fmt.Sprintf("%s/api/v1/books/%s/voucher-imports/%d/approve", srv.base, b.code, p.ID)
			if err := benchCall(client, "POST", approve, b.twpToken, nil, nil); err != nil {
				return nil, err
			}
		}
		rates = append(rates, float64(n)/time.Since(start).Seconds())
	}
	return rates, nil
}

// bareInsert writes the same vouchers and lines as the batch import with
// multi-row INSERTs and nothing else (no checks, chain, balances or audit),
// one transaction per batch: the database's ceiling for these rows.
func bareInsert(ctx context.Context, cfg benchConfig, s *ledger.Store, books []benchBook) ([]float64, error) {
	var rates []float64
	db := s.DB()
	for _, b := range books {
		var bookID int64
		if err := db.NewRaw("SELECT id FROM books WHERE code = ?", b.code).Scan(ctx, &bookID); err != nil {
			return nil, err
		}
		batches := importBatches(cfg, b.households)
		type rows struct{ v, l [][]any }
		prepared := make([]rows, len(batches))
		id, n := int64(0), 0
		now := time.Now().UTC().Format(time.RFC3339Nano)
		for k, batch := range batches {
			for _, v := range batch.Vouchers {
				id++
				n++
				var total int64
				for j, l := range v.Lines {
					var d, c int64
					if l.Debit != nil {
						d = l.Debit.Fen()
					} else {
						c = l.Credit.Fen()
					}
					total += d
					prepared[k].l = append(prepared[k].l, []any{bookID, id, j + 1, l.Account, nullString(l.Household), nullString(l.Party), d, c, ""})
				}
				prepared[k].v = append(prepared[k].v, []any{bookID, id, "draft", v.Date, v.Date[:7], v.Summary, v.Attachments, b.prep.UserID,
					v.Number, now, true, id, "", strings.Repeat("0", 64), total, now, now})
			}
		}
		start := time.Now()
		for _, p := range prepared {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return nil, err
			}
			if err := multiInsert(ctx, tx, `INSERT INTO vouchers (book_id, id, status, date, period, summary, attachments, preparer_id,
				number, posted_at, imported, chain_seq, prev_hash, hash, total_fen, created_at, updated_at) VALUES `, 17, p.v); err != nil {
				tx.Rollback()
				return nil, err
			}
			if err := multiInsert(ctx, tx, `INSERT INTO voucher_lines (book_id, voucher_id, line_no, account_code, household_code,
				party_code, debit_fen, credit_fen, summary) VALUES `, 9, p.l); err != nil {
				tx.Rollback()
				return nil, err
			}
			if err := tx.Commit(); err != nil {
				return nil, err
			}
		}
		rates = append(rates, float64(n)/time.Since(start).Seconds())
	}
	return rates, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// multiInsert is a plain multi-row INSERT of at most 8,000 parameters a statement.
func multiInsert(ctx context.Context, tx bun.IDB, head string, cols int, rows [][]any) error {
	per := max(1, 8000/cols)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, cols*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(one)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
