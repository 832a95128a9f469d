package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Village groups (村民小组) are named in many ways: 第一村民小组, 一组, 1组,
// 第十一组, 三队. GroupNumber reads the number so that every list orders
// groups as numbers (第二 before 第十, 2组 before 10组) and a search for
// "一组" finds 第一村民小组.

// maxGroupNumber bounds the numbers read: no village has ten thousand groups.
const maxGroupNumber = 9999

// groupSuffixes may follow the number; the longest is tried first.
var groupSuffixes = []string{"村民小组", "村民组", "小组", "生产队", "组", "队", "社"}

var chineseDigit = map[rune]int{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

var chineseUnit = map[rune]int{'十': 10, '百': 100, '千': 1000}

// GroupNumber reads a group name's number: an optional 第, Chinese numerals
// (一 … 九千九百九十九) or digits (ASCII or full-width), and an optional
// suffix such as 组 or 村民小组, with nothing else. ok is false for anything
// else (an empty name, 东组, 第组, 十十组).
func GroupNumber(name string) (n int, ok bool) {
	s := strings.TrimSpace(name)
	s = strings.TrimPrefix(s, "第")
	for _, suf := range groupSuffixes {
		if strings.HasSuffix(s, suf) {
			s = strings.TrimSuffix(s, suf)
			break
		}
	}
	if s == "" {
		return 0, false
	}
	if n, ok = arabicNumber(s); !ok {
		n, ok = chineseNumber(s)
	}
	if !ok || n < 1 || n > maxGroupNumber {
		return 0, false
	}
	return n, true
}

// arabicNumber reads digits, full-width ones too (１２ = 12).
func arabicNumber(s string) (int, bool) {
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n = n*10 + int(r-'0')
		case r >= '０' && r <= '９':
			n = n*10 + int(r-'０')
		default:
			return 0, false
		}
		if n > maxGroupNumber {
			return 0, false
		}
	}
	return n, true
}

// chineseNumber reads 一 … 九千九百九十九 as written: each unit (千, 百, 十)
// at most once and in falling order, a digit before every unit but a leading
// 十 (十一 = 11), 零 only to skip a place (一百零一). A run of bare digits
// (一二, 二〇) is not a number here.
func chineseNumber(s string) (int, bool) {
	total, digit, lastUnit := 0, 0, 10000
	hasDigit, zero, skipped := false, false, false
	for i, r := range []rune(s) {
		if d, ok := chineseDigit[r]; ok {
			switch {
			case hasDigit, d == 0 && (zero || lastUnit <= 10 || lastUnit == 10000):
				return 0, false // 一二, 一百零零, 零一, 十零
			case d == 0:
				zero, skipped = true, true
			default:
				digit, hasDigit, zero = d, true, false
			}
			continue
		}
		u, ok := chineseUnit[r]
		if !ok || zero || u >= lastUnit || (!hasDigit && (u != 10 || i != 0)) {
			return 0, false
		}
		if !hasDigit {
			digit = 1 // 十一: a leading 十 stands for 一十
		}
		total += digit * u
		digit, hasDigit, lastUnit, skipped = 0, false, u, false
	}
	if zero || (hasDigit && lastUnit > 10 && lastUnit < 10000 && !skipped) {
		return 0, false // 一百零, and 一百二 (spoken short for 一百二十)
	}
	return total + digit, total+digit > 0
}

// GroupSortKey is what households are ordered by: a numbered group's number,
// zero-padded ("0001"), so text order is number order; any other name after
// every number, as "~" and the name. Households of one key (1组 and
// 第一村民小组 alike) follow in code order.
func GroupSortKey(name string) string {
	name = strings.TrimSpace(name)
	if n, ok := GroupNumber(name); ok {
		return fmt.Sprintf("%04d", n)
	}
	// 红芽村第五村民小组 (a cooperative's members come from several villages):
	// by village, then by number within it.
	if i := strings.LastIndex(name, "村第"); i > 0 {
		if n, ok := GroupNumber(name[i+len("村"):]); ok {
			return fmt.Sprintf("~%s|%04d", name[:i+len("村")], n)
		}
	}
	return "~" + name
}

// GroupQueryKey is the sort key a search text names when it names a numbered
// group (一组, 第一组, 1组, 第一村民小组), and "" when it does not: a bare
// number (1, 一) is a household code or a name, not a group.
func GroupQueryKey(q string) string {
	q = strings.TrimSpace(q)
	n, ok := GroupNumber(q)
	if !ok || utf8.RuneCountInString(q) < 2 {
		return ""
	}
	if _, bare := arabicNumber(q); bare {
		return ""
	}
	if _, bare := chineseNumber(q); bare {
		return ""
	}
	return fmt.Sprintf("%04d", n)
}
