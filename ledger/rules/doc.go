// Package rules holds coopledger's pure domain rules: the ones that need no
// database, no clock beyond the calendar and no actor.
//
// It knows money as integer fen (Money, ParseMoney and the per-line and
// per-book bounds), calendar quarters and months (Quarter, Period, ParseDate)
// and the check characters of resident identity numbers and unified social
// credit codes (ValidIDNumber, ValidUSCC) with their masking for public pages.
// Every error it returns speaks Simplified Chinese to a clerk.
//
// Imports: the standard library and shopspring/decimal only. Package ledger
// imports rules and re-exports its names (ledger.Money is rules.Money), so
// callers outside ledger need not know this package exists.
package rules
