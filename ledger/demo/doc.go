// Package demo loads the demo township into an empty database: three books
// modelled on the villages coopledger's users come from, each with a roster of
// invented but realistic households, its companies, the villages' 2025
// closing balances entered through the opening-balances facility (so the 年初
// columns show them and January holds January only), and nine months of 2026
// vouchers (January–September) prepared by the village accountant and posted
// by the township finance officer, the first quarter closed.
//
// Everything is drawn from a fixed seed, so every load produces the same
// books; only the users' tokens are new each time.
//
// Load(ctx, store, clock) is the entry point (used by `coopledger demo` and
// `make run`); it refuses a database that already has books (ErrNotEmpty). It
// goes through the public methods of package ledger only, like any other
// client, and knows nothing of HTTP or Excel. Imports go demo → ledger.
package demo
