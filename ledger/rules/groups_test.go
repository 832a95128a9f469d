package rules

import (
	"sort"
	"testing"
)

func TestGroupNumber(t *testing.T) {
	cases := []struct {
		in   string
		want int // 0: not a numbered group
	}{
		{"第一村民小组", 1}, {"一组", 1}, {"第一组", 1}, {"1组", 1}, {"第1组", 1}, {"１组", 1}, {"第一", 1},
		{"十", 10}, {"第十村民小组", 10}, {"十一组", 11}, {"第十一", 11}, {"二十", 20}, {"二十组", 20},
		{"二十一", 21}, {"第二十三村民小组", 23}, {"九十九", 99}, {"一百", 100}, {"一百零一", 101},
		{"一百一十", 110}, {"一百一十一组", 111}, {"一千零二", 1002}, {"一千零二十", 1020}, {"两组", 2},
		{"10组", 10}, {"2组", 2}, {" 三队 ", 3}, {"五社", 5}, {"9999", 9999},
		// junk
		{"", 0}, {"第", 0}, {"组", 0}, {"第组", 0}, {"东组", 0}, {"十十", 0}, {"一一", 0}, {"一二组", 0},
		{"百", 0}, {"一百二", 0}, {"零", 0}, {"零一", 0}, {"一百零", 0}, {"一百零零一", 0}, {"二十零", 0},
		{"十百", 0}, {"一十百", 0}, {"0组", 0}, {"10000", 0}, {"一万", 0}, {"1二组", 0}, {"第一第二组", 0},
		{"村民小组", 0}, {"第一村民小组长", 0}, {"A组", 0},
	}
	for _, c := range cases {
		n, ok := GroupNumber(c.in)
		if ok != (c.want > 0) || n != c.want {
			t.Errorf("GroupNumber(%q) = %d, %v; want %d", c.in, n, ok, c.want)
		}
	}
}

func TestGroupSortKeyOrders(t *testing.T) {
	want := []string{"第一村民小组", "第二村民小组", "第三村民小组", "第七村民小组", "第十村民小组", "第十一村民小组",
		"第二十村民小组", "第二十三村民小组", "一百组", "东山组", "稻香村第二村民小组", "稻香村第十村民小组",
		"红芽村第三村民小组", "红芽村第七村民小组", "西山组"}
	got := append([]string{}, want...)
	sort.Slice(got, func(i, j int) bool { return GroupSortKey(got[i]) > GroupSortKey(got[j]) }) // scramble
	sort.SliceStable(got, func(i, j int) bool { return GroupSortKey(got[i]) < GroupSortKey(got[j]) })
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	for _, same := range [][2]string{{"1组", "第一村民小组"}, {"一组", "第1组"}, {"10组", "第十村民小组"}} {
		if GroupSortKey(same[0]) != GroupSortKey(same[1]) {
			t.Errorf("%s and %s: keys %q, %q", same[0], same[1], GroupSortKey(same[0]), GroupSortKey(same[1]))
		}
	}
	if !(GroupSortKey("2组") < GroupSortKey("10组")) || !(GroupSortKey("1组") < GroupSortKey("2组")) {
		t.Error("2组 does not sort between 1组 and 10组")
	}
}

func TestGroupQueryKey(t *testing.T) {
	for q, want := range map[string]string{"一组": "0001", "第一组": "0001", "1组": "0001", "第一村民小组": "0001",
		"十一组": "0011", "1": "", "一": "", "十": "", "王": "", "": "", "东组": ""} {
		if got := GroupQueryKey(q); got != want {
			t.Errorf("GroupQueryKey(%q) = %q, want %q", q, got, want)
		}
	}
}
