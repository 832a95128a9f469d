// Package ledgertest opens fresh databases for tests: SQLite always and, when
// COOPLEDGER_TEST_POSTGRES names a PostgreSQL server, PostgreSQL too.
//
// Each(t, fn) runs fn once per dialect on a fresh *ledger.Store; Open gives a
// fresh, migrated store of one dialect, closed and removed when the test ends,
// and DSN an empty database. NewFixture creates a book with households and
// parties; Invariants lists every broken invariant of a book
// (balanced vouchers and trial balance, control accounts equal to their
// sub-ledgers, maintained balances, gapless numbers, a clean Verify); Digest
// fingerprints every table so a test can show a refused request changed
// nothing.
//
// It is imported by tests only and imports ledger; production code never
// imports it.
package ledgertest
