// Package reports renders ledger data for people and reads their Excel files:
// the workbooks township finance reviews (WriteRoster, WriteNotice,
// WriteTownship, WriteTrialBalance, WriteAccountLedgers,
// WriteHouseholdStatement, WriteReconciliation, WriteStatements,
// WriteTownshipStatements), the Excel imports with their templates
// (WriteImportTemplate, Import), amounts in Chinese capitals
// (ChineseCapitals, 大写) and QR codes (QRPNG).
//
// A workbook's data is read from a *ledger.Store as an Actor by a Load…
// function (LoadRoster, which the notice shares, LoadTownship, …) and written
// by its Write… function with
// excelize to an io.Writer: amounts as numbers with totals as SUM formulas,
// big sheets through excelize's StreamWriter. Imports are read with bounded
// sizes (MaxImportBytes) and applied through the ledger, all rows or none.
//
// It knows Excel and the layout of each workbook; it does not know HTTP, and
// the rules it relies on (entitlements, balances, statements' lines) are
// computed by package ledger. Imports go reports → ledger; httpapi and
// cmd/coopledger import reports. docs/excel.md shows every workbook.
package reports
