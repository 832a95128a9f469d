// Package ledger is coopledger's domain and its store: the double-entry books
// of village collectives and cooperatives and everything that must stay true
// about them.
//
// It knows the accounting rules and SQL (bun over SQLite or PostgreSQL):
// money as integer fen (Money), books and their charts of accounts (charts/
// embedded), households and parties, vouchers with their posting, numbering,
// red reversals and maintained balances, monthly periods, the SHA-256 voucher
// chain and Verify, the audit log, agreements and quarterly payout runs with
// their payments, reconciliation, journals for hledger and beancount,
// statements and year-end closing, file and voucher imports, public
// disclosure and household links. It knows nothing of HTTP, Echo or Excel.
//
// The files form groups by name prefix; each group's main file opens with a
// comment naming its files and entry points:
//
//   - core_* (core_store.go): the store layer (opening, transactions and group
//     commit, prepared SQL, idempotency, users and authorisation, audit log)
//     and the books (accounts, households, vouchers and their line rules,
//     posting, chain, verify, periods, trial balance, journals).
//   - payout_* (payout_runs.go): agreements, terms, declarations,
//     entitlements, payout runs, approval and payments.
//   - reconcile* (reconcile.go): quarterly reconciliation of payouts.
//   - statement*, yearend.go (statements.go): balance sheet, income
//     statement, township roll-up, household statements, year-end closing.
//   - import_* (import_files.go): file, roster and historical voucher imports.
//   - disclosure* (disclosure.go): public quarterly pages and household links.
//
// Dependencies run one way: core uses no wing; payouts use core; imports,
// reconciliation and statements use core and payouts; disclosure uses those
// and statements. The pure rules (Money, Quarter, Period, ID-number checks)
// live in package ledger/rules and are re-exported here under the same names.
// docs/code.md draws the map.
//
// Entry points: Open(ctx, dsn) connects ("sqlite:PATH" or "postgres://…"),
// migrates and returns a *Store, safe for concurrent use. Store methods that
// read or change a book take the Actor acting (a user with a role and a
// scope) and check it; the command line acts as System, an administrator who
// reads every book. Write options (dry run, idempotency key) ride on the
// Actor too (Actor.With), never in the context. Failures
// are *Error values whose Code (ECodeInvalid, ECodeConflict, ECodeSegregation,
// …) the HTTP layer maps to statuses in one place.
//
// Imports go ledger → ledger/rules, migrations; httpapi, reports and
// cmd/coopledger import ledger. The accounting rules are described in
// docs/accounting.md and docs/audit.md.
package ledger
