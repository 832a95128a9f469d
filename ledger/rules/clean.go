package rules

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CleanNumber readies a typed ID or bank card number for its check: NFKC
// turns full-width digits and letters (１２３, Ｘ) into ASCII, and every
// space (also the ideographic one, U+3000) is dropped, so "6222 0212 3456
// 7890" as printed on the card is accepted and stored as 6222021234567890.
func CleanNumber(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
