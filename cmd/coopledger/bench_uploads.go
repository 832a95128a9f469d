package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/reports"
)

// Figure 7: uploads. Each hostile workbook is posted to a running server as
// the book's accountant; the figures are the time to the refusal and the
// server's peak resident set during it (VmHWM, reset before each case).
// Then the legitimate workloads: the voucher workbook of the web and API
// limit through the API, and the command line's largest file, whose peak is
// the import process's own.

const (
	uploadGoalSeconds = 5
	uploadGoalRSS     = 256 // MiB, for every hostile upload and the API's voucher workbook
	cliGoalRSS        = 300 // MiB, for the command line's 200,000 lines
)

func benchUploads(ctx context.Context, cfg benchConfig) ([]benchFigure, error) {
	apiLines, cliLines := reports.MaxUploadVoucherLines, ledger.MaxFileVoucherLines
	if cfg.quick {
		apiLines, cliLines = 300, 2_000
	}
	dsn, drop, err := cfg.freshDSN(ctx, "sqlite", "uploads")
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
	api, err := newBenchBook(ctx, s, admin, "UPAPI", "2024-01", 0)
	if err != nil {
		s.Close()
		return nil, err
	}
	var cli [2]benchBook // the workbook's and the JSON lines'
	for i, code := range []string{"UPCLI", "UPJSON"} {
		if cli[i], err = newBenchBook(ctx, s, admin, code, "2024-01", 0); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.Close()
	srv, err := startServer(ctx, cfg, dsn)
	if err != nil {
		return nil, err
	}
	var out []benchFigure
	pair := func(name string, elapsed time.Duration, rss float64, ok bool, rssGoal float64, note string) {
		secs := benchFigure{Figure: 7, Name: name + ": seconds", Value: elapsed.Seconds(), Unit: "s", Runs: 1, Note: note}
		if strings.HasPrefix(name, "hostile") { // a refusal has a time goal; an import's time is mostly writing
			secs.Goal, secs.Met = fmt.Sprintf("≤ %d s", uploadGoalSeconds), met(ok && elapsed.Seconds() <= uploadGoalSeconds)
		}
		out = append(out, secs,
			benchFigure{Figure: 7, Name: name + ": peak RSS", Value: rss, Unit: "MiB", Goal: fmt.Sprintf("≤ %.0f MiB", rssGoal),
				Met: met(ok && rss <= rssGoal), Runs: 1, Note: note})
	}
	pid := srv.cmd.Process.Pid
	client := httpClient(1)
	for _, h := range reports.HostileWorkbooks() {
		data := h.Build()
		cfg.logf("upload %s (%d KB)", h.Name, len(data)>>10)
		elapsed, rss, status, body, err := timedUpload(client, pid, srv.base+"/api/v1/books/UPAPI/imports/households", api.prepToken, data)
		if err != nil {
			srv.stop()
			return out, err
		}
		ok := status == http.StatusBadRequest && strings.Contains(body, h.Refusal)
		pair("hostile upload "+h.Name+" refused", elapsed, rss, ok, uploadGoalRSS, fmt.Sprintf("%d KB file; answered %d", len(data)>>10, status))
	}
	data, err := benchVoucherWorkbook(apiLines)
	if err != nil {
		srv.stop()
		return out, err
	}
	cfg.logf("upload a voucher workbook of %d lines (%d KB) through the API", apiLines, len(data)>>10)
	elapsed, rss, status, body, err := timedUpload(client, pid, srv.base+"/api/v1/books/UPAPI/imports/vouchers", api.prepToken, data)
	srv.stop()
	if err != nil {
		return out, err
	}
	pair(fmt.Sprintf("voucher workbook of %d lines through the API", apiLines), elapsed, rss, status == http.StatusCreated, uploadGoalRSS,
		fmt.Sprintf("%d KB file; answered %d %s; the seconds include writing the vouchers", len(data)>>10, status, truncateBytes([]byte(body), 80)))
	fig, err := benchCLIImport(ctx, cfg, dsn, cli, cliLines)
	return append(out, fig...), err
}

// timedUpload posts data as the file of an import and returns the time to
// the answer and the server's peak RSS meanwhile.
func timedUpload(c *http.Client, pid int, url, token string, data []byte) (time.Duration, float64, int, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "upload.xlsx")
	fw.Write(data)
	w.Close()
	req, err := http.NewRequest(http.MethodPost, url, &buf)
	if err != nil {
		return 0, 0, 0, "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resetHWM(pid)
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return 0, 0, 0, "", err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	return time.Since(start), vmHWM(pid), res.StatusCode, string(body), nil
}

// resetHWM resets a process's peak resident set to its current one
// (Linux: "5" to /proc/PID/clear_refs), so each case has its own peak.
func resetHWM(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// benchCLIImport submits lines voucher lines with `coopledger import
// vouchers` as the book's accountant and approves them with `coopledger
// import approve` as its township officer, each in a child process whose own
// peak resident set is the figure: once as the Excel template, once as JSON
// lines (into a second book, the same vouchers).
func benchCLIImport(ctx context.Context, cfg benchConfig, dsn string, books [2]benchBook, lines int) ([]benchFigure, error) {
	var out []benchFigure
	for i, format := range []string{"xlsx", "jsonl"} {
		data, err := benchVoucherFile(format, lines)
		if err != nil {
			return out, err
		}
		path := filepath.Join(cfg.dir, "uploads-cli."+format)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return out, err
		}
		what := fmt.Sprintf("voucher workbook of %d lines by the command line", lines)
		if format == "jsonl" {
			what = fmt.Sprintf("%d voucher lines as JSON lines by the command line", lines)
		}
		b := books[i]
		cfg.logf("coopledger import vouchers: %d lines as %s (%d KB)", lines, format, len(data)>>10)
		sub := runCLI(ctx, cfg, "import", "vouchers", "--book", b.code, "--token", b.prepToken, "--db", dsn, path)
		os.Remove(path)
		out = append(out, sub.figures(what+", submit", fmt.Sprintf("%d KB file; the seconds include checking every voucher against the book", len(data)>>10))...)
		var id int64
		if _, err := fmt.Sscanf(sub.importID(), "%d", &id); err != nil || sub.err != nil {
			continue // nothing to approve; the submit figure says why
		}
		cfg.logf("coopledger import approve: import #%d of %s", id, b.code)
		app := runCLI(ctx, cfg, "import", "approve", "--book", b.code, "--token", b.twpToken, "--db", dsn, fmt.Sprint(id))
		out = append(out, app.figures(what+", approve", "posting every voucher in one transaction")...)
	}
	return out, nil
}

// cliRun is one finished child process of the command line.
type cliRun struct {
	elapsed        time.Duration
	rss            float64 // MiB
	stdout, stderr bytes.Buffer
	err            error
}

func runCLI(ctx context.Context, cfg benchConfig, args ...string) *cliRun {
	r := &cliRun{}
	cmd := exec.CommandContext(ctx, cfg.serverBin, args...)
	cmd.Env = append(os.Environ(), cfg.serverEnv...)
	cmd.Stdout, cmd.Stderr = &r.stdout, &r.stderr
	start := time.Now()
	r.err = cmd.Run()
	r.elapsed = time.Since(start)
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.rss = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
	}
	return r
}

// importID is the number of the import a submission reported ("as import #7,").
func (r *cliRun) importID() string {
	out := r.stdout.String()
	i := strings.Index(out, "as import #")
	if i < 0 {
		return ""
	}
	out = out[i+len("as import #"):]
	return out[:strings.IndexFunc(out, func(c rune) bool { return c < '0' || c > '9' })]
}

// figures are the run's seconds and peak RSS against the command line's goal.
func (r *cliRun) figures(name, note string) []benchFigure {
	if r.err != nil { // the error is the last line; a progress bar may come before it
		msg := bytes.TrimSpace(r.stderr.Bytes())
		note = "failed: " + truncateBytes(msg[bytes.LastIndexByte(msg, '\n')+1:], 200)
	}
	return []benchFigure{
		{Figure: 7, Name: name + ": seconds", Value: r.elapsed.Seconds(), Unit: "s", Runs: 1, Note: note},
		{Figure: 7, Name: name + ": peak RSS", Value: r.rss, Unit: "MiB", Goal: fmt.Sprintf("≤ %d MiB", cliGoalRSS),
			Met: met(r.err == nil && r.rss <= cliGoalRSS), Runs: 1, Note: note},
	}
}

// benchVoucherFile is the bench's historical vouchers of lines lines as the
// voucher template ("xlsx") or as JSON lines ("jsonl").
func benchVoucherFile(format string, lines int) ([]byte, error) {
	if format == "xlsx" {
		return benchVoucherWorkbook(lines)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for v := range benchVouchers(lines) {
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// benchVouchers are lines/2 two-line vouchers (a grant received into the
// bank: cash may never turn credit, so not cash to bank) spread over the
// twelve months of 2024, numbered from 1 in each month.
func benchVouchers(lines int) iter.Seq[ledger.ImportVoucher] {
	return func(yield func(ledger.ImportVoucher) bool) {
		vouchers := lines / 2
		perMonth := (vouchers + 11) / 12
		for v := range vouchers {
			amount := ledger.Fen(int64(100+v%9000)*100 + 50)
			iv := ledger.ImportVoucher{Date: fmt.Sprintf("2024-%02d-%02d", 1+v/perMonth, 1+v%28), Number: 1 + v%perMonth,
				Summary: fmt.Sprintf("收到上级补助款 %d", v), Attachments: 1, PreparedBy: "张会计", ReviewedBy: "李审核",
				Lines: []ledger.LineInput{{Account: "102", Debit: &amount}, {Account: "503", Credit: &amount}}}
			if !yield(iv) {
				return
			}
		}
	}
}

// benchVoucherWorkbook is the bench's vouchers as the voucher template.
func benchVoucherWorkbook(lines int) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	header := []any{"日期", "原凭证号", "摘要", "科目编码", "户编号", "往来单位编号", "借方金额", "贷方金额", "附件张数", "原制单人", "原审核人"}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	row := 2
	for v := range benchVouchers(lines) {
		amount := float64(v.Lines[0].Debit.Fen()) / 100 // x.50: exact in binary
		for _, r := range [][]any{
			{v.Date, v.Number, v.Summary, "102", nil, nil, amount, nil, v.Attachments, v.PreparedBy, v.ReviewedBy},
			{v.Date, v.Number, nil, "503", nil, nil, nil, amount},
		} {
			ref, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(ref, r); err != nil {
				return nil, err
			}
			row++
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
