// Command coopledger is the double-entry ledger for village collectives and
// farmer cooperatives: it serves the HTTP API and web pages, migrates and
// verifies the database, creates users' tokens, loads the demo township,
// reconciles, exports workbooks and journals, imports historical vouchers,
// backs up SQLite and measures performance.
//
// main only calls run(ctx, args, getenv, stdin, stdout, stderr), so tests run
// the whole program in process, flags and environment included; each
// subcommand has its own file (serve.go, migrate.go, demo.go, token.go,
// verify.go, reconcile.go, export*.go, import*.go, backup.go, bench*.go).
//
// This package parses flags and wires the others; the ledger's rules are in
// package ledger, workbooks in reports, the HTTP surface in httpapi. It
// imports all of them (and ledger/demo); nothing imports it.
//
// Its tests also run the documentation: readme_test.go runs the curl
// walkthroughs of README.md and docs/api.md against a freshly loaded demo,
// and docs_test.go checks the README's size and every link in README.md and
// docs/*.md.
package main
