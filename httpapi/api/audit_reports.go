package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// What an auditor takes away: reconciliation of a quarter (JSON and a
// workbook), the chain head alone, and the journal other tools check.

// requiredQuarter reads the required ?quarter=.
func requiredQuarter(q *httpx.QueryParams) string {
	quarter := q.Quarter("quarter")
	if q.Get("quarter") == "" {
		q.Add("quarter", "必须指定季度，如 2026Q3")
	}
	return quarter
}

func (a *Handlers) Reconciliation(c echo.Context) error {
	q := httpx.ParseQuery(c, "quarter")
	quarter := requiredQuarter(q)
	if err := q.Err(); err != nil {
		return err
	}
	r, err := a.Store.Reconcile(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), quarter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (a *Handlers) ReconciliationWorkbook(c echo.Context) error {
	q := httpx.ParseQuery(c, "quarter")
	quarter := requiredQuarter(q)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := reports.LoadReconciliation(httpx.Ctx(c), a.Store, httpx.Actor(c), c.Param("book"), quarter)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s-收益分配对账报告.xlsx", c.Param("book"), quarter)
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteReconciliation(w, d, exportOptions(c)) })
}

// townshipWide refuses roles that see only some books of a township.
func townshipWide(c echo.Context, what string) error {
	if r := httpx.Actor(c).Role; r != ledger.RoleTownship && r != ledger.RoleAuditor {
		return ledger.Errorf(ledger.ECodeForbidden, "%s仅供乡镇财政和审计人员查看", what)
	}
	return nil
}

func (a *Handlers) TownshipReconciliation(c echo.Context) error {
	if err := townshipWide(c, "乡镇对账"); err != nil {
		return err
	}
	q := httpx.ParseQuery(c, "quarter")
	quarter := requiredQuarter(q)
	if err := q.Err(); err != nil {
		return err
	}
	r, err := a.Store.ReconcileTownship(httpx.Ctx(c), httpx.Actor(c), c.Param("township"), quarter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (a *Handlers) ChainHead(c echo.Context) error {
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	h, err := a.Store.ChainHead(httpx.Ctx(c), httpx.Actor(c), c.Param("book"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

// maxJournalBytes bounds a journal answered over HTTP; larger books export
// by month range or with `coopledger export journal`.
const maxJournalBytes = 64 << 20

func (a *Handlers) Journal(c echo.Context) error {
	q := httpx.ParseQuery(c, "format", "from", "to")
	format := q.OneOf("format", ledger.JournalHledger, ledger.JournalBeancount)
	if format == "" && q.Get("format") == "" {
		format = ledger.JournalHledger
	}
	from, to := q.Period("from"), q.Period("to")
	if err := q.Err(); err != nil {
		return err
	}
	var buf bytes.Buffer
	lw := &limitedWriter{w: &buf, left: maxJournalBytes}
	if err := a.Store.Journal(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), format, ledger.Period(from), ledger.Period(to), lw); err != nil {
		if lw.full {
			return ledger.Errorf(ledger.ECodeInvalid, "日记账超过 %d MB，请用 from、to 分段导出", maxJournalBytes>>20)
		}
		return err
	}
	ext := map[string]string{ledger.JournalHledger: "journal", ledger.JournalBeancount: "beancount"}[format]
	c.Response().Header().Set(echo.HeaderContentDisposition, attachment(fmt.Sprintf("%s.%s", c.Param("book"), ext)))
	return c.Blob(http.StatusOK, echo.MIMETextPlainCharsetUTF8, buf.Bytes())
}

// limitedWriter fails once more than left bytes are written.
type limitedWriter struct {
	w    io.Writer
	left int
	full bool
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.left {
		l.full = true
		return 0, fmt.Errorf("journal larger than the limit")
	}
	l.left -= len(p)
	return l.w.Write(p)
}
