package reports_test

import (
	"strings"
	"testing"

	"coopledger/reports"
)

// TestSortHouseholdsByGroupNumber: rosters, notices, slips and the public
// page list 第二 before 第十 and 2组 before 10组 (not in Unicode order).
func TestSortHouseholdsByGroupNumber(t *testing.T) {
	hs := []reports.RosterHousehold{{Code: "H1", Group: "第十村民小组"}, {Code: "H2", Group: "第七村民小组"},
		{Code: "H3", Group: "第二村民小组"}, {Code: "H4", Group: "第一村民小组"}, {Code: "H5", Group: "第三村民小组"},
		{Code: "H6", Group: "10组"}, {Code: "H7", Group: "2组"}, {Code: "H8", Group: "第十一村民小组"}, {Code: "H9", Group: "1组"}}
	reports.SortHouseholds(hs)
	var got []string
	for _, h := range hs {
		got = append(got, h.Group)
	}
	want := "第一村民小组 1组 第二村民小组 2组 第三村民小组 第七村民小组 第十村民小组 10组 第十一村民小组"
	if strings.Join(got, " ") != want {
		t.Errorf("order %s\nwant  %s", strings.Join(got, " "), want)
	}
}
