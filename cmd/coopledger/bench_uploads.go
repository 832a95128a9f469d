package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	cli, err := newBenchBook(ctx, s, admin, "UPCLI", "2024-01", 0)
	s.Close()
	if err != nil {
		return nil, err
	}
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
	fig, err := benchCLIImport(ctx, cfg, dsn, cli.prepToken, cliLines)
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

// benchCLIImport imports a workbook of lines voucher lines with
// `coopledger import vouchers` in a child process.
func benchCLIImport(ctx context.Context, cfg benchConfig, dsn, token string, lines int) ([]benchFigure, error) {
	data, err := benchVoucherWorkbook(lines)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(cfg.dir, "uploads-cli.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	cfg.logf("coopledger import vouchers: %d lines (%d KB)", lines, len(data)>>10)
	cmd := exec.CommandContext(ctx, cfg.serverBin, "import", "vouchers", "--book", "UPCLI", "--token", token, "--db", dsn, path)
	cmd.Env = append(os.Environ(), cfg.serverEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	rss := 0.0
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	note := fmt.Sprintf("%d KB file; the seconds include writing the vouchers", len(data)>>10)
	if err != nil {
		note = "failed: " + truncateBytes(stderr.Bytes(), 200)
	}
	return []benchFigure{
		{Figure: 7, Name: fmt.Sprintf("voucher workbook of %d lines by the command line: seconds", lines), Value: elapsed.Seconds(), Unit: "s", Runs: 1, Note: note},
		{Figure: 7, Name: fmt.Sprintf("voucher workbook of %d lines by the command line: peak RSS", lines), Value: rss, Unit: "MiB",
			Goal: fmt.Sprintf("≤ %d MiB", cliGoalRSS), Met: met(err == nil && rss <= cliGoalRSS), Runs: 1, Note: note},
	}, nil
}

// benchVoucherWorkbook is a voucher template of lines lines: two-line
// vouchers (cash to bank) spread over the twelve months of 2024, numbered
// from 1 in each month.
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
	vouchers := lines / 2
	perMonth := (vouchers + 11) / 12
	row := 2
	for v := range vouchers {
		date := fmt.Sprintf("2024-%02d-%02d", 1+v/perMonth, 1+v%28)
		number := 1 + v%perMonth
		amount := float64(100+v%9000) + 0.5
		for _, r := range [][]any{
			{date, number, fmt.Sprintf("现金存入银行 %d", v), "102", nil, nil, amount, nil, 1, "张会计", "李审核"},
			{date, number, nil, "101", nil, nil, nil, amount},
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
