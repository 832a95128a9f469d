package web

import (
	"testing"

	"coopledger/ledger"
)

func TestPinyinInitials(t *testing.T) {
	for _, kind := range []ledger.BookKind{ledger.KindVillage, ledger.KindCooperative} {
		accs, err := ledger.ChartTemplate(kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accs {
			for _, r := range a.Name {
				if r >= 0x4e00 && r <= 0x9fff && pinyinInitials()[r] == "" {
					t.Errorf("web/pinyin.tsv lacks %c (account %s %s)", r, a.Code, a.Name)
				}
			}
		}
	}
	for _, c := range []struct {
		name, query string
		want        bool
	}{{"应付款", "yfk", true}, {"银行存款", "yhck", true}, {"应付款—代收土地流转费", "tdlzf", true},
		{"长期借款", "cqjk", true}, {"库存现金", "yfk", false}, {"应付款", "", false}} {
		if got := initialsMatch(nameInitials(c.name), c.query); got != c.want {
			t.Errorf("initialsMatch(%s, %q) = %v", c.name, c.query, got)
		}
	}
}
