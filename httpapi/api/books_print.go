package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Printed vouchers (第51条) and account books (总账, 明细账, 现金日记账,
// 银行存款日记账): JSON for the pages, A4 workbooks to print, and PDF where
// LibreOffice is installed (format=pdf).

const MimePDF = "application/pdf"

// VoucherPrintJSON returns a month's posted vouchers as they are printed.
func (a *Handlers) VoucherPrintJSON(c echo.Context) error {
	q := httpx.ParseQuery(c, "period")
	period := requiredPeriod(q, "period")
	if err := q.Err(); err != nil {
		return err
	}
	set, err := a.Store.VoucherPrint(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), period)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, set)
}

// VoucherPrint sends a month's vouchers as one printable workbook (or PDF).
func (a *Handlers) VoucherPrint(c echo.Context) error {
	q := httpx.ParseQuery(c, "period", "layout", "format")
	period := requiredPeriod(q, "period")
	format := q.OneOf("format", "xlsx", "pdf")
	layout, lerr := reports.ParseVoucherLayout(q.Get("layout"))
	if lerr != nil {
		q.Add("layout", "版式应为 half（凭证纸，每页两张）或 full（每页一张）")
	}
	if err := q.Err(); err != nil {
		return err
	}
	ctx, act, book := httpx.Ctx(c), httpx.Actor(c), c.Param("book")
	set, err := a.Store.VoucherPrint(ctx, act, book, period)
	if err != nil {
		return err
	}
	info, err := a.bookInfo(ctx, act, book)
	if err != nil {
		return err
	}
	d := reports.VoucherPrintData{Book: info, Set: set, Layout: layout}
	return a.sendPrintable(c, format, fmt.Sprintf("%s-记账凭证-%s", book, period),
		func(w io.Writer) error { return reports.WriteVoucherPrint(w, d, exportOptions(c)) })
}

// GeneralLedgerJSON returns the 总账.
func (a *Handlers) GeneralLedgerJSON(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to")
	from, to := monthRange(q)
	if err := q.Err(); err != nil {
		return err
	}
	gl, err := a.Store.GeneralLedgerOf(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, gl)
}

// GeneralLedgerWorkbook sends the 总账 to print.
func (a *Handlers) GeneralLedgerWorkbook(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to", "format")
	from, to := monthRange(q)
	format := q.OneOf("format", "xlsx", "pdf")
	if err := q.Err(); err != nil {
		return err
	}
	ctx, act, book := httpx.Ctx(c), httpx.Actor(c), c.Param("book")
	gl, err := a.Store.GeneralLedgerOf(ctx, act, book, from, to)
	if err != nil {
		return err
	}
	info, err := a.bookInfo(ctx, act, book)
	if err != nil {
		return err
	}
	d := reports.GeneralLedgerData{Book: info, GL: gl}
	return a.sendPrintable(c, format, fmt.Sprintf("%s-总账-%s至%s", book, from, to),
		func(w io.Writer) error { return reports.WriteGeneralLedger(w, d, exportOptions(c)) })
}

// bookKinds are the account books served by AccountBook routes: the route's
// last segment names the kind.
var bookKinds = map[string]struct {
	title, account string
	daily          bool
}{
	"detail-ledger": {title: "明细账"},
	"cash-journal":  {title: "现金日记账", account: "101", daily: true},
	"bank-journal":  {title: "银行存款日记账", account: "102", daily: true},
}

// accountBook reads the query of a 明细账 (account, household) or a journal.
func (a *Handlers) accountBook(c echo.Context, kind string, extra ...string) (ledger.AccountBook, *httpx.QueryParams, error) {
	k := bookKinds[kind]
	names := append([]string{"from", "to"}, extra...)
	if k.account == "" {
		names = append(names, "account", "household")
	}
	q := httpx.ParseQuery(c, names...)
	from, to := monthRange(q)
	bq := ledger.BookQuery{Account: k.account, From: from, To: to, Daily: k.daily}
	if k.account == "" {
		bq.Account, bq.Household = q.Account("account"), q.Code("household")
		if q.Get("account") == "" {
			q.Add("account", "必须指定科目代码")
		}
	}
	if err := q.Err(); err != nil {
		return ledger.AccountBook{}, q, err
	}
	ab, err := a.Store.AccountBookOf(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), bq)
	return ab, q, err
}

// AccountBookJSON returns a 明细账 or a journal; kind is the route's name.
func (a *Handlers) AccountBookJSON(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ab, _, err := a.accountBook(c, kind)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ab)
	}
}

// AccountBookWorkbook sends a 明细账 or a journal to print.
func (a *Handlers) AccountBookWorkbook(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ab, q, err := a.accountBook(c, kind, "format")
		if err != nil {
			return err
		}
		format := q.OneOf("format", "xlsx", "pdf")
		if err := q.Err(); err != nil {
			return err
		}
		ctx, act, book := httpx.Ctx(c), httpx.Actor(c), c.Param("book")
		info, err := a.bookInfo(ctx, act, book)
		if err != nil {
			return err
		}
		title := bookKinds[kind].title
		d := reports.AccountBooksData{Book: info, Title: title, Books: []ledger.AccountBook{ab}}
		return a.sendPrintable(c, format, fmt.Sprintf("%s-%s-%s-%s至%s", book, title, ab.Account.Code, ab.From, ab.To),
			func(w io.Writer) error { return reports.WriteAccountBooks(w, d, exportOptions(c)) })
	}
}

func requiredPeriod(q *httpx.QueryParams, name string) string {
	p := q.Period(name)
	if q.Get(name) == "" {
		q.Add(name, "必须指定期间，如 2026-10")
	}
	return p
}

func (a *Handlers) bookInfo(ctx context.Context, act ledger.Actor, book string) (reports.BookInfo, error) {
	b, err := a.Store.Book(ctx, act, book)
	if err != nil {
		return reports.BookInfo{}, err
	}
	return reports.BookInfoOf(b), nil
}

// sendPrintable sends a workbook, or with format=pdf the PDF LibreOffice
// prints from it.
func (a *Handlers) sendPrintable(c echo.Context, format, base string, write func(io.Writer) error) error {
	if format != "pdf" {
		return a.sendWorkbook(c, base+".xlsx", write)
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		return ledger.FieldError("format", "本服务器未安装 LibreOffice（soffice），不能生成 PDF；请下载 Excel 文件打印，或用 soffice --convert-to pdf 转换")
	}
	dir, err := os.MkdirTemp("", "coopledger-print-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "print.xlsx")
	f, err := os.Create(src)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(httpx.Ctx(c), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "--nolockcheck",
		"-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")), "--convert-to", "pdf", "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("soffice --convert-to pdf: %v: %s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "print.pdf"))
	if err != nil {
		return fmt.Errorf("soffice wrote no PDF: %w", err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(pdf)))
	h.Set(echo.HeaderContentDisposition, attachment(base+".pdf"))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, MimePDF, pdf)
}
