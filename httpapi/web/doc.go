// Package web is the room of server-rendered pages for village accountants,
// township officers and auditors, in Simplified Chinese: sign-in and
// server-side sessions (an HttpOnly cookie with a random session id, a CSRF
// token bound to the session on every form), vouchers, households and parties, agreements, the payout wizard,
// reports and the township's roll-up. Templates and static files are
// embedded from templates/ and static/. The pages call the ledger directly,
// like the JSON handlers, and share their error mapping through httpx;
// httpapi/routes.go attaches them to their paths.
package web

import (
	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
)

// SlipsFunc renders the household slips of payout run runID of book (the
// page number from ?page=) as a complete HTML page. The public room
// provides it; the top package passes it in, so the rooms stay apart.
type SlipsFunc func(c echo.Context, book string, runID int64) ([]byte, error)

// Pages holds the page handlers; they share the rooms' Core.
type Pages struct {
	*httpx.Core
	slips SlipsFunc
}

// New returns the page handlers over core; slips renders the printed
// household slips of a payout run.
func New(core *httpx.Core, slips SlipsFunc) *Pages { return &Pages{Core: core, slips: slips} }
