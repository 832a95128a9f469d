package web

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// Pinyin initials of account names, so that "yfk" finds 应付款. The table
// covers the characters of the shipped charts (web/pinyin.tsv); a character
// it lacks simply matches no letter.

//go:embed pinyin.tsv
var pinyinTable string

var pinyinInitials = sync.OnceValue(func() map[rune]string {
	out := map[rune]string{}
	for line := range strings.SplitSeq(pinyinTable, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ch, letters, ok := strings.Cut(line, "\t")
		r := []rune(ch)
		if !ok || len(r) != 1 || letters == "" {
			panic("pinyin.tsv: bad line " + line)
		}
		out[r[0]] = letters
	}
	return out
})

// nameInitials returns, per character of name that has any, the letters it
// may start with: "应付款" → ["y", "f", "k"], "银行" → ["y", "xh"]. Latin
// letters and digits stand for themselves; punctuation is skipped.
func nameInitials(name string) []string {
	table := pinyinInitials()
	var out []string
	for _, r := range name {
		switch {
		case table[r] != "":
			out = append(out, table[r])
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			out = append(out, strings.ToLower(string(r)))
		}
	}
	return out
}

// initialsMatch reports whether query (lower-case letters) matches the
// initials of consecutive characters starting anywhere in name.
func initialsMatch(initials []string, query string) bool {
	q := []byte(strings.ToLower(query))
	if len(q) == 0 || len(q) > len(initials) {
		return false
	}
	for start := 0; start+len(q) <= len(initials); start++ {
		ok := true
		for i, ch := range q {
			if !strings.ContainsRune(initials[start+i], rune(ch)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
