package api

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/reports"

	"coopledger/httpapi/internal/httpx"
)

// Excel downloads. Each workbook is written to a temporary file first, so a
// failure half-way answers with an error instead of a truncated download and
// a 100,000-household roster never sits in memory.

const MimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendWorkbook writes a workbook through write into a temporary file and
// sends it as an attachment named name.
func (a *Handlers) sendWorkbook(c echo.Context, name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp("", "coopledger-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, MimeXLSX)
	h.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	h.Set(echo.HeaderContentDisposition, attachment(name))
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), f)
	return err
}

// attachment is a Content-Disposition for a Chinese file name: an ASCII
// fallback plus the UTF-8 name (RFC 6266).
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x80 && r != '"' && r != '\\' {
			return r
		}
		return -1
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// exportOptions stamps a workbook with its exporter.
func exportOptions(c echo.Context) reports.Options {
	return reports.Options{ExportedAt: time.Now(), Creator: httpx.Actor(c).Name}
}

func (a *Handlers) RosterWorkbook(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	d, err := reports.LoadRoster(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	if d.Links, err = httpx.HouseholdLinkURLs(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), a.PublicBase(c)); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-收益分配发放花名册-%d.xlsx", c.Param("book"), d.Run.Quarter, id)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteRoster(w, d, exportOptions(c)) })
}

// maxNoticeDays bounds the notice period a request may ask for.
const maxNoticeDays = 90

func (a *Handlers) NoticeWorkbook(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	q := httpx.ParseQuery(c, "from", "days", "working_days", "contact")
	from, ok := q.Date("from")
	if !ok && q.Get("from") == "" {
		from = time.Now()
	}
	days := 7
	if s := q.Get("days"); s != "" {
		if days, err = strconv.Atoi(s); err != nil || days < 1 || days > maxNoticeDays {
			q.Add("days", "公示天数应为 1 到 %d 之间的整数", maxNoticeDays)
		}
	}
	working := q.OneOf("working_days", "true", "false") == "true"
	contact := q.Text("contact", 64)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := reports.LoadRoster(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	notice := reports.Notice{From: from, Days: days, WorkingDays: working, Contact: contact}
	name := fmt.Sprintf("%s-%s-收益分配公示表-%d.xlsx", c.Param("book"), d.Run.Quarter, id)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteNotice(w, d, notice, exportOptions(c)) })
}

func (a *Handlers) TownshipWorkbook(c echo.Context) error {
	if err := townshipWide(c, "乡镇汇总表"); err != nil {
		return err
	}
	q := httpx.ParseQuery(c, "quarter")
	quarter := requiredQuarter(q)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := reports.LoadTownship(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("township"), quarter)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-乡镇收益分配汇总.xlsx", c.Param("township"), quarter)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteTownship(w, d, exportOptions(c)) })
}

// monthRange reads the required from/to months of a report.
func monthRange(q *httpx.QueryParams) (from, to string) {
	from, to = q.Period("from"), q.Period("to")
	if q.Get("from") == "" {
		q.Add("from", "必须指定开始期间，如 2026-01")
	}
	if q.Get("to") == "" {
		q.Add("to", "必须指定结束期间，如 2026-09")
	}
	return from, to
}

func (a *Handlers) TrialBalanceWorkbook(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to", "hide_zero")
	from, to := monthRange(q)
	hide := q.OneOf("hide_zero", "true", "false") == "true"
	if err := q.Err(); err != nil {
		return err
	}
	d, err := reports.LoadTrialBalance(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), from, to)
	if err != nil {
		return err
	}
	if hide {
		d.TB = d.TB.WithoutZeroRows()
	}
	name := fmt.Sprintf("%s-科目余额表-%s至%s.xlsx", c.Param("book"), from, to)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteTrialBalance(w, d, exportOptions(c)) })
}

// maxLedgerAccounts bounds the accounts of one detail-ledger workbook.
const maxLedgerAccounts = 50

func (a *Handlers) LedgerWorkbook(c echo.Context) error {
	q := httpx.ParseQuery(c, "account", "household", "from", "to")
	var accounts []string
	for _, code := range strings.Split(q.Get("account"), ",") {
		if code = strings.TrimSpace(code); code != "" {
			accounts = append(accounts, code)
		}
	}
	if len(accounts) == 0 || len(accounts) > maxLedgerAccounts {
		q.Add("account", "请指定 1 到 %d 个科目代码，以逗号分隔", maxLedgerAccounts)
	}
	household := q.Code("household")
	from, to := monthRange(q)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := reports.LoadAccountLedgers(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), accounts, household, from, to)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-明细账-%s至%s.xlsx", c.Param("book"), from, to)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteAccountLedgers(w, d, exportOptions(c)) })
}

func (a *Handlers) StatementWorkbook(c echo.Context) error {
	q := httpx.ParseQuery(c, "from", "to")
	from, to := monthRange(q)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := reports.LoadHouseholdStatement(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), c.Param("code"), from, to)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-农户收益明细-%s至%s.xlsx", c.Param("book"), c.Param("code"), from, to)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteHouseholdStatement(w, d, exportOptions(c)) })
}
