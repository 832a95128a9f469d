package ledger

import (
	"time"

	"github.com/shopspring/decimal"

	"coopledger/ledger/rules"
)

// The pure rules live in package rules; these names keep ledger's API whole,
// so callers outside ledger go on writing ledger.Money and ledger.ParseQuarter.

// Money is an amount of yuan with exactly two decimals (see rules.Money).
type Money = rules.Money

// Quarter is a calendar quarter, written "2026Q3" (see rules.Quarter).
type Quarter = rules.Quarter

// Period is a month, "YYYY-MM" (see rules.Period).
type Period = rules.Period

// maxLineFen bounds one voucher line (see rules.MaxLineFen).
const maxLineFen = rules.MaxLineFen

// ParseMoney parses s strictly: "12.345", "1e3", "NaN", " 12" and "+1" are errors.
func ParseMoney(s string) (Money, error) { return rules.ParseMoney(s) }

// MoneyFromDecimal converts d, refusing more than two decimals or out-of-range values.
func MoneyFromDecimal(d decimal.Decimal) (Money, error) { return rules.MoneyFromDecimal(d) }

// MustMoney parses s and panics on error; for constants in tests and demo data.
func MustMoney(s string) Money { return rules.MustMoney(s) }

// Fen builds an amount from integer fen.
func Fen(fen int64) Money { return rules.Fen(fen) }

// ParseQuarter parses "YYYYQn".
func ParseQuarter(s string) (Quarter, error) { return rules.ParseQuarter(s) }

// QuarterOf returns the quarter a date falls in.
func QuarterOf(t time.Time) Quarter { return rules.QuarterOf(t) }

// ParsePeriod checks the "YYYY-MM" form and a sane year.
func ParsePeriod(s string) (Period, error) { return rules.ParsePeriod(s) }

// ParseDate checks "YYYY-MM-DD" is a real calendar day (2026-02-30 is refused).
func ParseDate(s string) (time.Time, error) { return rules.ParseDate(s) }

// ValidIDNumber checks an 18-character resident identity number (GB 11643-1999).
func ValidIDNumber(s string) error { return rules.ValidIDNumber(s) }

// IDNumberCheckChar computes the check character of a resident identity number.
func IDNumberCheckChar(first17 string) byte { return rules.IDNumberCheckChar(first17) }

// ValidUSCC checks an 18-character unified social credit code (GB 32100-2015).
func ValidUSCC(s string) error { return rules.ValidUSCC(s) }

// USCCCheckChar computes the check character of a unified social credit code.
func USCCCheckChar(first17 string) byte { return rules.USCCCheckChar(first17) }

// MaskIDNumber hides the middle of an ID number for public notices (公示).
func MaskIDNumber(s string) string { return rules.MaskIDNumber(s) }

// MaskBankAccount keeps the first 4 and last 4 characters of a bank account.
func MaskBankAccount(s string) string { return rules.MaskBankAccount(s) }

// Truncate shortens s to n runes (and "…") for quoting bad input in an error message.
func Truncate(s string, n int) string { return rules.Truncate(s, n) }

func truncate(s string, n int) string { return rules.Truncate(s, n) }

func daysBetween(from, to time.Time) int { return rules.DaysBetween(from, to) }

func allASCIIDigits(s string) bool { return rules.AllASCIIDigits(s) }
