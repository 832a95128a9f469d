package httpx

import (
	"strings"

	"coopledger/ledger"
)

// MoneyOf accepts Money or *Money (optional amounts of terms).
func MoneyOf(v any) ledger.Money {
	switch m := v.(type) {
	case ledger.Money:
		return m
	case *ledger.Money:
		if m != nil {
			return *m
		}
	}
	return ledger.Money{}
}

// FormatMoney writes yuan with thousands separators: 12,345.60.
func FormatMoney(m ledger.Money) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}
