package reports

import (
	"sort"
	"strings"
	"testing"

	"coopledger/ledger"
)

func TestSheetName(t *testing.T) {
	used := map[string]bool{"汇总": true}
	long := strings.Repeat("村", 40)
	for _, c := range []struct{ in, want string }{
		{"P1 红星村", "P1 红星村"},
		{"P1 红星村", "P1 红星村~2"},
		{"p1 红星村", "p1 红星村~3"}, // Excel compares sheet names without case
		{"a/b:c*d?[e]\\f", "a_b_c_d__e__f"},
		{"汇总", "汇总~2"},
		{long, strings.Repeat("村", 31)},
		{long, strings.Repeat("村", 29) + "~2"},
		{"'x'", "x"},
		{"", "Sheet"},
	} {
		if got := sheetName(c.in, used); got != c.want {
			t.Errorf("sheetName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNaturalOrder(t *testing.T) {
	groups := []string{"第10组", "第2组", "第1组", "", "二组", "第2组a", "第02组"}
	sort.SliceStable(groups, func(i, j int) bool { return naturalCompare(groups[i], groups[j]) < 0 })
	if got := strings.Join(groups, ","); got != ",二组,第1组,第02组,第2组,第2组a,第10组" {
		t.Errorf("order %s", got)
	}
}

func TestMoneyCellsAreExactNumbers(t *testing.T) {
	for _, s := range []string{"0.01", "0.10", "1234.56", "-0.07", "999999999999.99", "9999999999999.99", "0.00"} {
		c, err := money(ledger.MustMoney(s), 1)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if _, ok := c.Value.(float64); !ok {
			t.Fatalf("%s written as %T, want a number", s, c.Value)
		}
	}
}
