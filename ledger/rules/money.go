package rules

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/shopspring/decimal"
)

// Money is an amount of yuan with exactly two decimals (fen). It is stored as
// integer fen and travels in JSON as a string ("1234.50").
type Money struct{ fen int64 }

// maxMoneyFen bounds every amount: 10^15 fen is ten trillion yuan, far above any
// village's books and far below int64 overflow even when summed millions of times.
const maxMoneyFen = 1_000_000_000_000_000

// maxLineFen bounds one voucher line: 10^12 fen is ten billion yuan. A payout
// accrual credits each agreement's quarter in one line, so every agreement's
// quarterly total is held to it when its terms are entered.
const maxLineFen = maxMoneyFen / 1000

// moneyPattern accepts plain decimal notation with at most two decimals; no sign
// other than a leading minus, no exponent, no spaces, no leading zeros.
var moneyPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$`)

// ParseMoney parses s strictly: "12.345", "1e3", "NaN", " 12" and "+1" are errors.
func ParseMoney(s string) (Money, error) {
	if !moneyPattern.MatchString(s) {
		return Money{}, fmt.Errorf("金额格式不正确（%q）：应为最多两位小数的数字，如 1234.50", truncate(s, 32))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Money{}, fmt.Errorf("金额格式不正确（%q）", truncate(s, 32))
	}
	return MoneyFromDecimal(d)
}

// MoneyFromDecimal converts d, refusing more than two decimals or out-of-range values.
func MoneyFromDecimal(d decimal.Decimal) (Money, error) {
	fen := d.Shift(2)
	if !fen.Equal(fen.Truncate(0)) {
		return Money{}, fmt.Errorf("金额 %s 超过两位小数（分）", d.String())
	}
	if fen.Abs().GreaterThanOrEqual(decimal.NewFromInt(maxMoneyFen)) {
		return Money{}, fmt.Errorf("金额 %s 超出允许范围", d.String())
	}
	return Money{fen: fen.IntPart()}, nil
}

// MustMoney parses s and panics on error; for constants in tests and demo data.
func MustMoney(s string) Money {
	m, err := ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Fen builds an amount from integer fen.
func Fen(fen int64) Money { return Money{fen: fen} }

// Fen returns the amount in integer fen.
func (m Money) Fen() int64 { return m.fen }

// Decimal returns the amount in yuan.
func (m Money) Decimal() decimal.Decimal { return decimal.New(m.fen, -2) }

// String renders two decimals: "1234.50", "-0.05".
func (m Money) String() string { return m.Decimal().StringFixed(2) }

// IsZero, IsNegative, IsPositive describe the sign.
func (m Money) IsZero() bool     { return m.fen == 0 }
func (m Money) IsNegative() bool { return m.fen < 0 }
func (m Money) IsPositive() bool { return m.fen > 0 }

// Add, Sub and Neg are exact integer arithmetic on fen.
func (m Money) Add(o Money) Money { return Money{fen: m.fen + o.fen} }
func (m Money) Sub(o Money) Money { return Money{fen: m.fen - o.fen} }
func (m Money) Neg() Money        { return Money{fen: -m.fen} }

// MarshalJSON writes the amount as a JSON string with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.String() + `"`), nil }

// UnmarshalJSON accepts a string ("12.30") or a plain JSON number (12.3, taken
// exactly from its text, never through float64); exponents are refused.
func (m *Money) UnmarshalJSON(b []byte) error {
	text := string(bytes.TrimSpace(b))
	if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
		text = text[1 : len(text)-1]
	} else if text == "null" {
		return fmt.Errorf("金额不能为空")
	}
	v, err := ParseMoney(text)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
