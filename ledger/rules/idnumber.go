package rules

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// idWeights and idCheckChars are the GB 11643-1999 ISO 7064 MOD 11-2 parameters: check =
// idCheckChars[sum(digit[i] × idWeights[i]) mod 11].
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// idNumberZone is UTC+8 without tzdata, so "today" for a birth-date check does not depend on the
// server's zone or on the zoneinfo database being installed.
var idNumberZone = time.FixedZone("CST", 8*3600)

// idNow is replaced in tests to pin "today".
var idNow = time.Now

// ValidIDNumber checks an 18-character resident identity number (GB 11643-1999). It returns nil or
// an error whose Simplified Chinese message tells a clerk what to fix. A lowercase x is refused:
// the standard prints an uppercase X, and storing one spelling keeps duplicate checks exact.
func ValidIDNumber(s string) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		return fmt.Errorf("身份证号码长度应为18位，实际为%d位", n)
	}
	if !allASCIIDigits(s[:17]) {
		return fmt.Errorf("身份证号码前17位应全部为数字")
	}
	last := s[17]
	if last == 'x' {
		return fmt.Errorf("身份证号码末位校验码应为大写字母X，不能是小写x")
	}
	if !(last >= '0' && last <= '9') && last != 'X' {
		return fmt.Errorf("身份证号码末位校验码应为数字或大写字母X")
	}
	if err := checkBirthDate(s[6:14]); err != nil {
		return err
	}
	if want := IDNumberCheckChar(s[:17]); last != want {
		return fmt.Errorf("身份证号码校验码错误：按前17位计算应为%c，实际为%c，请核对号码", want, last)
	}
	return nil
}

// checkBirthDate checks the YYYYMMDD birth date of an ID number.
func checkBirthDate(ymd string) error {
	birth, err := time.ParseInLocation("20060102", ymd, idNumberZone)
	if err != nil {
		return fmt.Errorf("身份证号码中的出生日期%s不是有效日期", ymd)
	}
	if birth.Before(time.Date(1900, 1, 1, 0, 0, 0, 0, idNumberZone)) {
		return fmt.Errorf("身份证号码中的出生日期%s早于1900年1月1日", ymd)
	}
	y, m, d := idNow().In(idNumberZone).Date()
	if birth.After(time.Date(y, m, d, 0, 0, 0, 0, idNumberZone)) {
		return fmt.Errorf("身份证号码中的出生日期%s晚于今天", ymd)
	}
	return nil
}

// IDNumberCheckChar returns the GB 11643 check character for the first 17 digits of an ID number,
// or 0 when first17 is not exactly 17 ASCII digits.
func IDNumberCheckChar(first17 string) byte {
	if len(first17) != 17 || !allASCIIDigits(first17) {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// usccChars is the GB 32100-2015 alphabet: digits and uppercase letters without I, O, Z, S, V,
// which are too easily confused with 1, 0, 2, 5, U. A character's value is its index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^i mod 31 for positions 1..17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidUSCC checks an 18-character unified social credit code (统一社会信用代码, GB 32100-2015), the
// identifier of a company or cooperative party. Messages are Simplified Chinese.
func ValidUSCC(s string) error {
	if n := utf8.RuneCountInString(s); n != 18 {
		return fmt.Errorf("统一社会信用代码长度应为18位，实际为%d位", n)
	}
	for i := 0; i < 18; i++ {
		if err := usccCharError(s[i], i+1); err != nil {
			return err
		}
	}
	if want := USCCCheckChar(s[:17]); s[17] != want {
		return fmt.Errorf("统一社会信用代码校验码错误：按前17位计算应为%c，实际为%c，请核对代码", want, s[17])
	}
	return nil
}

// usccCharError explains why c at 1-based position pos is not allowed in a USCC.
func usccCharError(c byte, pos int) error {
	switch {
	case strings.IndexByte(usccChars, c) >= 0:
		return nil
	case c >= 'a' && c <= 'z':
		return fmt.Errorf("统一社会信用代码第%d位的字母应为大写", pos)
	case c < utf8.RuneSelf:
		return fmt.Errorf("统一社会信用代码第%d位字符%q无效（只能是数字和大写字母，不含I、O、Z、S、V）", pos, c)
	}
	return fmt.Errorf("统一社会信用代码第%d位含有非法字符（可能是全角字符）", pos)
}

// USCCCheckChar returns the GB 32100 check character for the first 17 characters of a USCC, or 0
// when first17 is not 17 characters of the USCC alphabet.
func USCCCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}

// MaskIDNumber hides the middle of an ID number for public notices (公示): the first 4 characters
// (province and city) and the last 4 stay, e.g. 3624**********1234. The star count is fixed at 10
// so the notice shows the familiar shape. That shape is for real ID numbers (15 or 18
// characters); anything shorter is masked as MaskBankAccount does, so a short value never shows
// most of itself (a 9-character one showed 8).
func MaskIDNumber(s string) string {
	r := []rune(s)
	if len(r) < 15 {
		return MaskBankAccount(s)
	}
	return string(r[:4]) + strings.Repeat("*", 10) + string(r[len(r)-4:])
}

// MaskBankAccount stars a bank account for public pages, keeping its length: at most the last 4
// characters show, and never more than half of them (6 digits show 3; up to 4 nothing shows).
// Showing the first 4 as well left a 9-digit account 8 digits in the clear. Spaces that banks
// print between groups are dropped first so they cannot shift what is shown.
func MaskBankAccount(s string) string {
	r := []rune(strings.Join(strings.Fields(s), ""))
	n := len(r)
	shown := min(4, n/2)
	if n <= 4 {
		shown = 0
	}
	return strings.Repeat("*", n-shown) + string(r[n-shown:])
}
