// Package public is the villagers' room: the pages anyone may open without
// signing in — a published quarter (财务公开, /p/{book}/{slug}) and a
// household's own statement behind its secret link (/h/{book}/{token}) —
// and the printed household slips that carry those links as QR codes.
// Pages are Chinese, self-contained (inline style, QR codes as data: URIs),
// served under a strict Content-Security-Policy, rate limited per client
// address and printable on A4. Templates and the style sheet are embedded
// from this directory; link addresses come from httpx, which the JSON room
// shares.
package public

import (
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
)

// Pages holds the public page handlers; they share the rooms' Core.
type Pages struct {
	*httpx.Core
	limiter *ipLimiter
}

// New returns the public pages over core, with one request budget per
// client address shared by every public page.
func New(core *httpx.Core) *Pages {
	return &Pages{Core: core, limiter: newIPLimiter(RatePerMinute, publicRateClients, time.Minute, time.Now)}
}

// RateLimit refuses a client address over its budget with a 429 page.
func (a *Pages) RateLimit(next echo.HandlerFunc) echo.HandlerFunc { return a.limiter.middleware(next) }
