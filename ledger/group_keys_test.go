package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestHouseholdsInGroupOrder: the roster lists village groups as numbers,
// page after page, and a search for 一组 finds 第一村民小组 and 1组 but not
// 十一组; keys of rows written before migration 022 are filled when migrating.
func TestHouseholdsInGroupOrder(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "G1", ledger.KindVillage, 0)
		groups := []string{"第十村民小组", "第二村民小组", "东山组", "第一村民小组", "第十一组", "1组", "第三村民小组", "10组", "", "稻香村第一村民小组"}
		for i, g := range groups {
			h := ledger.Household{Code: fmt.Sprintf("H%02d", 20-i), HeadName: fmt.Sprintf("户主%c", '甲'+rune(i)), IDNumber: ledgertest.IDNumber(i + 1),
				Members: 2, Group: g, Status: ledger.StatusOrdinary}
			if _, err := s.CreateHousehold(ctx, f.Preparer, "G1", h); err != nil {
				t.Fatal(err)
			}
		}
		want := "1组 第一村民小组 第二村民小组 第三村民小组 10组 第十村民小组 第十一组 (none) 东山组 稻香村第一村民小组"
		if got := listGroups(t, s, f, ""); got != want {
			t.Errorf("group order:\n got %s\nwant %s", got, want)
		}
		for q, want := range map[string]string{"一组": "1组 第一村民小组 稻香村第一村民小组", "第一组": "1组 第一村民小组 稻香村第一村民小组",
			"十组": "10组 第十村民小组", "东山": "东山组", "十一": "第十一组"} {
			if got := listGroups(t, s, f, q); got != want {
				t.Errorf("search %q: %s, want %s", q, got, want)
			}
		}
		// As an older release left them: no keys, filled at migrate time.
		if _, err := s.DB().ExecContext(ctx, "UPDATE households SET group_key = NULL"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := listGroups(t, s, f, ""); got != want {
			t.Errorf("after filling keys:\n got %s\nwant %s", got, want)
		}
		// A changed group moves the household.
		g := "第四组"
		if _, err := s.UpdateHousehold(ctx, f.Preparer, "G1", "H12", ledger.HouseholdPatch{Group: &g}); err != nil {
			t.Fatal(err)
		}
		if got := listGroups(t, s, f, ""); !strings.Contains(got, "第三村民小组 第四组 10组") {
			t.Errorf("after moving to 第四组: %s", got)
		}
	})
}

// listGroups pages through the roster two at a time in group order.
func listGroups(t *testing.T, s *ledger.Store, f ledgertest.Fixture, q string) string {
	t.Helper()
	var out []string
	after := ""
	for range 20 {
		hs, err := s.Households(context.Background(), f.Auditor, "G1", ledger.HouseholdFilter{Query: q, After: after, Limit: 2, ByGroup: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.Group == "" {
				h.Group = "(none)"
			}
			out = append(out, h.Group)
		}
		if len(hs) < 2 {
			break
		}
		after = ledger.GroupCursor(hs[len(hs)-1])
	}
	return strings.Join(out, " ")
}
