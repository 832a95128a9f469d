// Package migrations holds the numbered SQL migrations of coopledger for
// SQLite and PostgreSQL (sqlite/ and postgres/, embedded) and applies them
// with bun's migrator: Apply(ctx, db, dialect) runs the pending ones and
// returns their names. A failed migration is not marked applied.
//
// Money columns are BIGINT fen on both databases so SUM is exact in SQL.
// Triggers refuse UPDATE and DELETE of posted voucher content, posted voucher
// lines and audit-log rows, so not even a bug in our code can rewrite history.
// Every table that belongs to a book carries book_id in its primary key.
//
// It knows SQL and nothing of the ledger's Go types; it imports no coopledger
// package, and only package ledger imports it (ledger.Open migrates).
package migrations
