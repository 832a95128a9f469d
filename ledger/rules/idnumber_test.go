package rules

import (
	"strings"
	"testing"
	"time"
)

// pinToday fixes "today" for birth-date checks so the tests do not drift with the calendar.
func pinToday(t *testing.T, y int, m time.Month, d int) {
	t.Helper()
	saved := idNow
	idNow = func() time.Time { return time.Date(y, m, d, 12, 0, 0, 0, idNumberZone) }
	t.Cleanup(func() { idNow = saved })
}

func TestValidIDNumber(t *testing.T) {
	pinToday(t, 2024, time.March, 15)
	tests := []struct {
		name, id, want string // want: substring of the error, "" for valid
	}{
		{"GB 11643 sample with X", "11010519491231002X", ""},
		{"Jiangxi, digit check", "362421199003071233", ""},
		{"leap day", "510108200002290041", ""},
		{"born today", "362421202403150015", ""},
		{"lowercase x", "11010519491231002x", "大写字母X"},
		{"too short", "1101051949123100", "长度应为18位，实际为16位"},
		{"15-digit old format", "110105491231002", "长度"},
		{"too long", "11010519491231002X1", "长度"},
		{"letter in body", "11010519491231A02X", "前17位"},
		{"bad check char", "11010519491231002Y", "校验码"},
		{"full-width X", "11010519491231002Ｘ", "校验码"},
		{"wrong check digit", "362421199003071234", "校验码错误：按前17位计算应为3，实际为4"},
		{"transposed digits", "362421199003071323", "校验码"},
		{"Feb 30", "362421199002301230", "出生日期19900230不是有效日期"},
		{"not leap year", "362421190002291230", "出生日期"},
		{"month 13", "362421199013011230", "出生日期"},
		{"GB sample born 1880", "440524188001010014", "早于1900年1月1日"},
		{"born tomorrow", "362421202403160011", "晚于今天"},
		{"spaces", " 11010519491231002X", "长度"},
		{"empty", "", "实际为0位"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidIDNumber(tt.id)
			if tt.want == "" {
				if err != nil {
					t.Errorf("ValidIDNumber(%q) = %v, want nil", tt.id, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidIDNumber(%q) = %v, want error containing %q", tt.id, err, tt.want)
			}
		})
	}
}

func TestIDNumberCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"36242119900307123", '3'},
		{"51010820000229004", '1'},
		{"1101051949123100", 0},   // 16 digits
		{"1101051949123100A", 0},  // not a digit
		{"110105194912310021", 0}, // 18 digits
	}
	for _, tt := range tests {
		if got := IDNumberCheckChar(tt.first17); got != tt.want {
			t.Errorf("IDNumberCheckChar(%q) = %q, want %q", tt.first17, got, tt.want)
		}
	}
}

// A generated ID number must validate: test-data generators rely on this.
func TestIDNumberCheckCharRoundTrip(t *testing.T) {
	pinToday(t, 2024, time.March, 15)
	for _, body := range []string{"36242119900307456", "45030520231231888", "65010119000101000"} {
		id := body + string(IDNumberCheckChar(body))
		if err := ValidIDNumber(id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

func TestValidUSCC(t *testing.T) {
	tests := []struct {
		name, code, want string
	}{
		{"published example", "91350100M000100Y43", ""},
		{"check X", "91110000MA01ABCDEX", ""},
		{"check 0 (31 maps to 0)", usccWithCheck("9144030000000000G"), ""},
		{"check letter", "91440300MA5F000007", ""},
		{"wrong check", "91350100M000100Y44", "校验码错误：按前17位计算应为3，实际为4"},
		{"lowercase", "91350100m000100Y43", "第9位的字母应为大写"},
		{"letter O", "91350100MO00100Y43", "第10位字符'O'无效"},
		{"letter I", "9135010IM000100Y43", "第8位"},
		{"full-width", "91350100Ｍ000100Y43", "非法字符"},
		{"short", "91350100M000100Y4", "长度应为18位，实际为17位"},
		{"long", "91350100M000100Y430", "长度"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidUSCC(tt.code)
			if tt.want == "" {
				if err != nil {
					t.Errorf("ValidUSCC(%q) = %v, want nil", tt.code, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidUSCC(%q) = %v, want error containing %q", tt.code, err, tt.want)
			}
		})
	}
}

func usccWithCheck(first17 string) string { return first17 + string(USCCCheckChar(first17)) }

func TestUSCCCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"91350100M000100Y4", '3'},
		{"91110000MA01ABCDE", 'X'},
		{"91440300MA5F00000", '7'},
		{"9144030000000000G", '0'}, // sum ≡ 0 (mod 31): 31 − 0 = 31 wraps to 0
		{"93360821MA35XYZ12", 0},   // Z is not in the alphabet
		{"91350100M000100Y", 0},    // too short
	}
	for _, tt := range tests {
		if got := USCCCheckChar(tt.first17); got != tt.want {
			t.Errorf("USCCCheckChar(%q) = %q, want %q", tt.first17, got, tt.want)
		}
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"362421199003071233", "3624**********1233"},
		{"11010519491231002X", "1101**********002X"},
		{"110105491231002", "1101**********1002"}, // old 15-digit number: same shape
		{"12345678", "****5678"},
		{"123456789", "*****6789"}, // short: never the 4 + 4 shape
		{"123", "***"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskBankAccount(t *testing.T) {
	tests := []struct{ in, want string }{
		{"6228480012345678901", "***************8901"},
		{"6228 4800 1234 5678 901", "***************8901"},
		{"622848001", "*****8001"},
		{"622848", "***848"},
		{"62284800", "****4800"},
		{"12345", "***45"},
		{"1234", "****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskBankAccount(tt.in); got != tt.want {
			t.Errorf("MaskBankAccount(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Whatever the length, a masked bank account shows at most 4 digits and never
// more than half; a masked ID number shows at most 8 characters, and at most 4
// when it is shorter than a real ID number.
func TestMasksShowLittle(t *testing.T) {
	for n := 0; n <= 32; n++ {
		s := strings.Repeat("7", n)
		acct := MaskBankAccount(s)
		if shown := strings.Count(acct, "7"); shown > 4 || shown > n/2 || len(acct) != n {
			t.Errorf("MaskBankAccount of %d digits = %q: %d shown", n, acct, shown)
		}
		id := MaskIDNumber(s)
		limit := 8
		if n < 15 {
			limit = min(4, n/2)
		}
		if shown := strings.Count(id, "7"); shown > limit {
			t.Errorf("MaskIDNumber of %d characters = %q: %d shown", n, id, shown)
		}
	}
}
