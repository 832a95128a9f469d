package reports

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestChineseCapitals(t *testing.T) {
	tests := []struct{ in, want string }{
		// The examples in domain.md, "Amounts in Chinese capitals".
		{"12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"},
		{"6007.14", "陆仟零柒元壹角肆分"},
		{"16409.02", "壹万陆仟肆佰零玖元零贰分"},
		{"107000.53", "壹拾万柒仟元零伍角叁分"},
		{"1409.50", "壹仟肆佰零玖元伍角整"},
		{"10.00", "壹拾元整"},
		{"0.05", "伍分"},
		{"100000000.00", "壹亿元整"},
		// Zero handling.
		{"0.00", "零元整"},
		{"0", "零元整"},
		{"0.50", "伍角整"},
		{"0.30", "叁角整"},
		{"0.55", "伍角伍分"},
		{"1.01", "壹元零壹分"},
		{"3.00", "叁元整"},
		{"3", "叁元整"},
		{"100.10", "壹佰元零壹角整"},
		{"20000.40", "贰万元零肆角整"},
		{"20000.04", "贰万元零肆分"},
		{"20000.44", "贰万元零肆角肆分"},
		{"1000000.00", "壹佰万元整"},
		{"10010.00", "壹万零壹拾元整"},
		{"100000001.00", "壹亿零壹元整"},
		{"100010000", "壹亿零壹万元整"},
		{"110000000", "壹亿壹仟万元整"},
		{"10010000", "壹仟零壹万元整"},
		{"101000", "壹拾万壹仟元整"},
		{"1001001", "壹佰万壹仟零壹元整"},
		{"15", "壹拾伍元整"},
		{"115", "壹佰壹拾伍元整"},
		{"999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},
		{"100000000000", "壹仟亿元整"},
		// Trailing zeros in the input do not count as decimals.
		{"1.230", "壹元贰角叁分"},
		{"5e2", "伍佰元整"},
		// Negative amounts (red reversals).
		{"-6007.14", "负陆仟零柒元壹角肆分"},
		{"-0.05", "负伍分"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ChineseCapitals(decimal.RequireFromString(tt.in))
			if err != nil || got != tt.want {
				t.Errorf("ChineseCapitals(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestChineseCapitalsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   decimal.Decimal
		want string
	}{
		{"0.001", decimal.RequireFromString("0.001"), "两位小数"},
		{"12.345", decimal.RequireFromString("12.345"), "两位小数"},
		{"999999999999.995", decimal.RequireFromString("999999999999.995"), "两位小数"},
		{"1万亿", decimal.RequireFromString("1000000000000"), "1万亿"},
		{"-1万亿", decimal.RequireFromString("-1000000000000"), "1万亿"},
		{"1e13", decimal.RequireFromString("1e13"), "1万亿"},
		// Extreme exponents (not parseable from strings, but constructible) must fail fast;
		// printing them would build a billion-digit string, hence the names.
		{"1e-999999999", decimal.New(1, -999999999), "两位小数"},
		{"1e999999999", decimal.New(1, 999999999), "1万亿"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChineseCapitals(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ChineseCapitals(%s) = %q, %v; want error containing %q", tt.name, got, err, tt.want)
			}
		})
	}
}

// parseCapitals reads a capital amount back into fen, so the fuzz target can check that the words
// state the same amount as the number (a real round trip, not just "no panic").
func parseCapitals(t *testing.T, s string) int64 {
	t.Helper()
	digit := map[rune]int64{'零': 0, '壹': 1, '贰': 2, '叁': 3, '肆': 4, '伍': 5, '陆': 6, '柒': 7, '捌': 8, '玖': 9}
	unit := map[rune]int64{'拾': 10, '佰': 100, '仟': 1000}
	sign, total, section, d, fen := int64(1), int64(0), int64(0), int64(0), int64(0)
	for i, r := range s {
		switch v, isDigit := digit[r]; {
		case r == '负' && i == 0:
			sign = -1
		case isDigit:
			d = v
		case unit[r] != 0:
			section, d = section+d*unit[r], 0
		case r == '万':
			total, section, d = total+(section+d)*10000, 0, 0
		case r == '亿':
			total, section, d = (total+section+d)*100000000, 0, 0
		case r == '元':
			fen, total, section, d = (total+section+d)*100, 0, 0, 0
		case r == '角':
			fen, d = fen+d*10, 0
		case r == '分':
			fen, d = fen+d, 0
		case r == '整':
		default:
			t.Fatalf("unexpected %q in %q", r, s)
		}
	}
	return sign * fen
}

// Every amount whose digits are 0 or 1 (up to 14 digits of fen) exercises each placement of zeros;
// each must read back to itself and keep the zero rules.
func TestChineseCapitalsZeroPatterns(t *testing.T) {
	for bits := int64(1); bits < 1<<14; bits++ {
		fen := int64(0)
		for i := 13; i >= 0; i-- {
			fen = fen*10 + bits>>i&1
		}
		checkCapitals(t, decimal.New(fen, -2))
	}
}

// checkCapitals asserts the shape rules and the round trip for an amount ChineseCapitals accepts.
func checkCapitals(t *testing.T, d decimal.Decimal) {
	t.Helper()
	got, err := ChineseCapitals(d)
	if err != nil {
		t.Fatalf("ChineseCapitals(%s): %v", d, err)
	}
	if !strings.HasSuffix(got, "整") && !strings.HasSuffix(got, "分") {
		t.Fatalf("ChineseCapitals(%s) = %q: must end in 整 or 分", d, got)
	}
	for _, bad := range []string{"零零", "分整", "零万", "零亿", "零元", "亿万", "零整"} {
		if strings.Contains(got, bad) && got != "零元整" {
			t.Fatalf("ChineseCapitals(%s) = %q: contains %q", d, got, bad)
		}
	}
	if strings.HasPrefix(got, "零") && got != "零元整" {
		t.Fatalf("ChineseCapitals(%s) = %q: leading 零", d, got)
	}
	if back := parseCapitals(t, got); back != d.Shift(2).IntPart() {
		t.Fatalf("ChineseCapitals(%s) = %q, which reads back as %d fen", d, got, back)
	}
}

func FuzzChineseCapitals(f *testing.F) {
	for _, s := range []string{"12345.67", "6007.14", "16409.02", "107000.53", "1409.50", "10.00", "0.05",
		"100000000.00", "0", "-1.01", "100000001", "999999999999.99", "1e-3", "1e13", "0.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := decimal.NewFromString(in)
		if err != nil {
			return
		}
		if _, err := ChineseCapitals(d); err != nil {
			return // refusing is fine; a panic or hang is not
		}
		checkCapitals(t, d)
	})
}
