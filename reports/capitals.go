package reports

import (
	"errors"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

var (
	capitalDigits = []rune("零壹贰叁肆伍陆柒捌玖")
	// capitalUnits are the units inside a group of four digits, indexed by position from the right.
	capitalUnits = []string{"", "拾", "佰", "仟"}
	// capitalGroups name each four-digit group from the right: ones, 万, 亿.
	capitalGroups = []string{"", "万", "亿"}

	errCapitalsFraction = errors.New("大写金额：金额最多两位小数（到分）")
	errCapitalsRange    = errors.New("大写金额：金额须小于1万亿元")
)

// ChineseCapitals writes an amount in Chinese capitals (大写金额) as required on vouchers, receipts
// and rosters (会计基础工作规范 第52条). Negative amounts are prefixed 负. Amounts with more than two
// decimals, or of 1万亿 or more, are refused rather than rounded: a capital amount is what people
// sign for, so it must state the booked amount exactly.
//
// Zeros follow the examples in domain.md, which the central bank's rules leave partly optional:
//   - a run of zeros between non-zero digits is written as one 零 (6007 → 陆仟零柒), also across a
//     group (100000001 → 壹亿零壹);
//   - zeros at the end of a 万 or 亿 group are absorbed by the group word and no 零 is written
//     before the next group (107000 → 壹拾万柒仟, not 壹拾万零柒仟);
//   - zeros at the end of the yuan part are written as 零 after 元 when 角 or 分 follow
//     (107000.53 → 壹拾万柒仟元零伍角叁分, 20000.40 → 贰万元零肆角整), and 角 = 0 with 分 ≠ 0
//     also gives 元零 (16409.02 → …元零贰分); below one yuan nothing precedes 角/分, so no 零
//     (0.05 → 伍分).
func ChineseCapitals(d decimal.Decimal) (string, error) {
	cents, err := capitalsCents(d)
	if err != nil {
		return "", err
	}
	sign := ""
	if cents < 0 {
		sign, cents = "负", -cents
	}
	yuan, jiao, fen := cents/100, int(cents/10%10), int(cents%10)
	switch {
	case cents == 0:
		return "零元整", nil
	case yuan == 0:
		return sign + capitalsFraction(jiao, fen, false), nil // 0.05 → 伍分: no 元, no 零
	}
	return sign + capitalsInteger(yuan) + "元" + capitalsFraction(jiao, fen, jiao == 0 || yuan%10 == 0), nil
}

// capitalsCents converts d to whole fen, refusing fractions of a fen and amounts ≥ 1万亿. The
// exponent is checked first: rescaling a value such as 1e-999999999 or 1e999999999 would build a
// huge number before any comparison could refuse it.
func capitalsCents(d decimal.Decimal) (int64, error) {
	if d.IsZero() {
		return 0, nil
	}
	exp := d.Exponent()
	if exp > 12 {
		return 0, errCapitalsRange // a non-zero coefficient times 10^13 or more
	}
	if exp < -2 && int64(-2-exp) > int64(d.NumDigits()) {
		return 0, errCapitalsFraction // 10^(-2-exp) exceeds the coefficient, so cannot divide it
	}
	c := d.Shift(2)
	if !c.IsInteger() {
		return 0, errCapitalsFraction
	}
	if c.Abs().Cmp(decimal.New(1, 14)) >= 0 {
		return 0, errCapitalsRange
	}
	return c.IntPart(), nil
}

// capitalsInteger writes a positive yuan amount below 1万亿 without the trailing 元.
func capitalsInteger(n int64) string {
	var b strings.Builder
	digits := []byte(strconv.FormatInt(n, 10))
	zero := false // a zero was skipped since the last digit written
	for i, c := range digits {
		pos := len(digits) - 1 - i
		if c == '0' {
			zero = true
		} else {
			if zero {
				b.WriteRune('零')
			}
			zero = false
			b.WriteRune(capitalDigits[c-'0'])
			b.WriteString(capitalUnits[pos%4])
		}
		if pos%4 == 0 && pos > 0 && groupHasDigit(digits, pos) {
			b.WriteString(capitalGroups[pos/4])
			zero = false // the group word absorbs the zeros at the end of its group
		}
	}
	return b.String()
}

// groupHasDigit reports whether the four-digit group whose lowest digit is at position pos (from
// the right) has a non-zero digit; an all-zero 万 group gets no 万 (100000001 → 壹亿零壹).
func groupHasDigit(digits []byte, pos int) bool {
	end := len(digits) - pos // index just past the group's lowest digit
	for i := max(0, end-4); i < end; i++ {
		if digits[i] != '0' {
			return true
		}
	}
	return false
}

// capitalsFraction writes what follows 元 (or the whole amount below one yuan): 角 and 分, with 整
// when nothing follows 元 or 角. needZero puts 零 before the first of them.
func capitalsFraction(jiao, fen int, needZero bool) string {
	if jiao == 0 && fen == 0 {
		return "整"
	}
	s := ""
	if needZero {
		s = "零"
	}
	if jiao != 0 {
		s += string(capitalDigits[jiao]) + "角"
	}
	if fen == 0 {
		return s + "整"
	}
	return s + string(capitalDigits[fen]) + "分"
}
