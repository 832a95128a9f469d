package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// 驳回 of a historical import from the township's review queue: the same
// ledger call as POST /api/v1/books/:book/voucher-imports/:id/reject, with
// the reason required; a refusal shows beside that import's reason field.

// RejectImport rejects one pending import of the queue.
func (a *Pages) RejectImport(c echo.Context) error {
	code, err := townshipParam(c)
	if err != nil {
		return a.webError(c, err)
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "导入不存在"))
	}
	book, reason := c.Param("book"), c.FormValue("reason")
	if _, err := a.Store.RejectImport(httpx.Ctx(c), httpx.Actor(c), book, id, reason); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		ref := ledger.ReviewItem{Kind: ledger.ReviewImport, Book: book, ID: id}.Ref()
		errs, general := formErrors(err, func(f string) bool { return f == "reason" })
		msg := errs["reason"]
		if msg == "" {
			msg = general
		}
		return a.reviewRefused(c, ref, reason, msg, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, "/township/"+url.PathEscape(code)+"/review?ok=rejected")
}

// reviewRefused shows the queue with a refused 驳回's reason and message.
func (a *Pages) reviewRefused(c echo.Context, ref, reason, msg string, status int) error {
	c.Set(rejectEchoKey, rejectEcho{Ref: ref, Reason: reason, Err: msg})
	if status == 0 {
		status = http.StatusBadRequest
	}
	return a.reviewPage(c, nil, status)
}

const rejectEchoKey = "web.rejectEcho"

// rejectEcho is a refused 驳回 put back beside its import.
type rejectEcho struct{ Ref, Reason, Err string }

// rejectOf is the refused 驳回 of the request, if any.
func rejectOf(c echo.Context) rejectEcho {
	r, _ := c.Get(rejectEchoKey).(rejectEcho)
	return r
}

// hasItem reports whether the items hold the one with reference ref.
func hasItem(items []ledger.ReviewItem, ref string) bool {
	for _, it := range items {
		if it.Ref() == ref {
			return true
		}
	}
	return false
}
