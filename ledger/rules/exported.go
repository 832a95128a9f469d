package rules

import (
	"time"
)

// MaxMoneyFen bounds every amount; MaxLineFen bounds one voucher line.
const (
	MaxMoneyFen = maxMoneyFen
	MaxLineFen  = maxLineFen
)

// Truncate shortens s to n runes for quoting bad input in an error message.
func Truncate(s string, n int) string { return truncate(s, n) }

// DaysBetween counts the days from one date to another, both ends included.
func DaysBetween(from, to time.Time) int { return daysBetween(from, to) }

// Add steps a period by months (negative steps back).
func (p Period) Add(months int) Period { return p.add(months) }

func allASCIIDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AllASCIIDigits reports whether s is non-empty and made of 0-9 only.
func AllASCIIDigits(s string) bool { return allASCIIDigits(s) }
