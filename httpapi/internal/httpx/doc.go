// Package httpx is what the three rooms of the HTTP server share, below them
// all: the Core (store, logger, public base URL) they embed; bearer-token
// authentication and the book-scope check; the one map from ledger error
// codes to HTTP statuses and the JSON error envelope (errors.go); strict JSON
// decoding and query-parameter parsing with field-by-field refusals; the
// idempotency middleware with its replay; the request ID, logging, panic
// recovery, body-limit and security-header middleware; the public link
// addresses (/p/…, /h/…) and --public-url; path IDs and money formatting.
// It knows Echo and the ledger, and no room: api, web and public import it,
// never each other.
package httpx
