// Package httpapi is coopledger's HTTP surface over Echo. New(store, logger,
// opts) returns the whole server as an http.Handler; routes.go lists every
// route on one screen; errors.go maps ledger error codes to HTTP statuses and
// the {"error": {code, message, details}} envelope in one place; auth.go turns
// a bearer token into the ledger.Actor every handler passes on (the pages use
// a session cookie, web_session.go).
//
// It serves three rooms that share that authentication, error mapping and
// middleware (security headers, request logs without bodies, body-size limits):
//
//   - the JSON API under /api/v1, described by openapi.go (GET /openapi.json);
//   - the accountants' and township's pages under / (web_*.go, templates and
//     static files embedded from web/);
//   - the public pages for villagers, /p/{book}/{slug} and /h/{book}/{token}
//     (public_*.go, embedded from public/), which need no token.
//
// It knows HTTP, JSON decoding and HTML; it does not know SQL or the
// accounting rules: every handler decodes and checks the shape of its input,
// then calls a *ledger.Store method with the caller's Actor, and workbooks
// come from package reports. Imports go httpapi → reports → ledger; nothing
// imports httpapi except cmd/coopledger.
//
// Tests start the real handler against SQLite (and PostgreSQL when
// COOPLEDGER_TEST_POSTGRES is set); matrix_test.go reads the access matrix in
// docs/security.md and calls every route as every caller.
package httpapi
