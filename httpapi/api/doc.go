// Package api is the JSON room of the HTTP server: the handlers of every
// route under /api/v1 (books, accounts, households, parties, vouchers,
// periods, agreements, payout runs, reports and workbooks, reconciliation,
// statements and year end, imports, disclosures and household links), the
// health check and the OpenAPI 3.1 document that describes them. Handlers
// take the token, scope, error mapping, request decoding and idempotency of
// the shared httpx package; httpapi/routes.go attaches them to their paths.
package api

import "coopledger/httpapi/internal/httpx"

// Handlers holds the JSON handlers; they share the rooms' Core.
type Handlers struct {
	*httpx.Core
}

// New returns the JSON handlers over core.
func New(core *httpx.Core) *Handlers { return &Handlers{Core: core} }
