// Package httpapi is coopledger's HTTP surface over Echo. New(store, logger,
// opts) returns the whole server as an http.Handler, and routes.go lists every
// route with the room whose handler serves it:
//
//   - package api: the JSON API under /api/v1, described by its OpenAPI
//     document (GET /openapi.json);
//   - package web: the accountants' and township's pages under /, with their
//     session cookie, templates and static files;
//   - package public: the villagers' public pages, /p/{book}/{slug} and
//     /h/{book}/{token}, which need no token.
//
// The rooms share one authentication (a bearer token or the pages' session
// becomes the ledger.Actor every handler passes on), one error mapping (ledger
// error code → HTTP status and the {"error": {code, message, details}}
// envelope) and one middleware set (security headers, request logs without
// bodies, body-size limits, idempotency), all in internal/httpx; no room
// imports another.
//
// It knows HTTP, JSON decoding and HTML; it does not know SQL or the
// accounting rules: every handler decodes and checks the shape of its input,
// then calls a *ledger.Store method with the caller's Actor, and workbooks
// come from package reports. Imports go httpapi → rooms → httpx → ledger, and
// rooms → reports → ledger; nothing imports httpapi except cmd/coopledger.
//
// Tests start the real handler against SQLite (and PostgreSQL when
// COOPLEDGER_TEST_POSTGRES is set); matrix_test.go reads the access matrix in
// docs/security.md and calls every route as every caller.
package httpapi
