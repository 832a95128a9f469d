package ledger_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestDisclosureLifecycle: who may publish, one publication per quarter at a
// time, withdrawn and unknown slugs are not found, a new publication gets a
// new slug, and both actions are in the audit log.
func TestDisclosureLifecycle(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		for _, a := range []ledger.Actor{f.Auditor, f.Admin} {
			if _, err := s.PublishDisclosure(ctx, a, "V1", "2026Q2"); err == nil {
				t.Fatalf("%s published", a.Role)
			}
		}
		if _, err := s.PublishDisclosure(ctx, f.Preparer, "V1", "2025Q4"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Errorf("quarter before the book's start: %v", err)
		}
		d, err := s.PublishDisclosure(ctx, f.Preparer, "V1", "2026Q2")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Slug) != 26 || !d.Published() {
			t.Fatalf("disclosure %+v", d)
		}
		if _, err := s.PublishDisclosure(ctx, f.Township, "V1", "2026Q2"); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Errorf("second publication: %v", err)
		}
		v, err := s.PublicDisclosure(ctx, "V1", d.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if v.Quarter != "2026Q2" || v.Income.From != "2026-04" || v.Income.To != "2026-06" || v.Balance.Month != "2026-06" {
			t.Errorf("view covers %s %s..%s, balance %s", v.Quarter, v.Income.From, v.Income.To, v.Balance.Month)
		}
		for _, bad := range [][2]string{{"V2", d.Slug}, {"V1", strings.Repeat("a", 26)}, {"V1", d.Slug + "x"}, {"V1", ""}} {
			if _, err := s.PublicDisclosure(ctx, bad[0], bad[1]); ledger.ErrorCode(err) != ledger.ECodeNotFound {
				t.Errorf("lookup %v: %v", bad, err)
			}
		}
		w, err := s.WithdrawDisclosure(ctx, f.Township, "V1", "2026Q2")
		if err != nil || w.Published() {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		if _, err := s.PublicDisclosure(ctx, "V1", d.Slug); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("withdrawn disclosure: %v", err)
		}
		if _, err := s.WithdrawDisclosure(ctx, f.Township, "V1", "2026Q2"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("second withdrawal: %v", err)
		}
		d2, err := s.PublishDisclosure(ctx, f.Reviewer, "V1", "2026Q2")
		if err != nil || d2.Slug == d.Slug {
			t.Fatalf("republish: %+v %v", d2, err)
		}
		if _, err := s.PublicDisclosure(ctx, "V1", d.Slug); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("old slug after republishing: %v", err)
		}
		list, err := s.Disclosures(ctx, f.Auditor, "V1")
		if err != nil || len(list) != 2 || !list[0].Published() || list[1].Published() {
			t.Errorf("list: %+v %v", list, err)
		}
		entries, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range entries {
			if e.Entity == "disclosure" {
				count[e.Action]++
			}
		}
		if count["publish"] != 2 || count["withdraw"] != 1 {
			t.Errorf("audit log: %v", count)
		}
	})
}

// TestHouseholdLinkLifecycle: a link works until it is regenerated or
// revoked, only its hash is stored, and nobody but the book's accountants
// and the township may make one.
func TestHouseholdLinkLifecycle(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		for _, a := range []ledger.Actor{f.Auditor, f.Admin} {
			if _, err := s.CreateHouseholdLink(ctx, a, "V1", "H001"); err == nil {
				t.Fatalf("%s made a link", a.Role)
			}
		}
		if _, err := s.CreateHouseholdLink(ctx, f.Preparer, "V1", "H999"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("unknown household: %v", err)
		}
		l, err := s.CreateHouseholdLink(ctx, f.Preparer, "V1", "H001")
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Token) != 22 {
			t.Fatalf("token %q", l.Token)
		}
		v, err := s.PublicHousehold(ctx, "V1", l.Token)
		if err != nil || v.Household != "H001" || v.HeadName != "农**" {
			t.Fatalf("view %+v %v", v, err)
		}
		if _, err := s.PublicHousehold(ctx, "V2", l.Token); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("token under another book: %v", err)
		}
		var stored string
		if err := s.DB().QueryRowContext(ctx, "SELECT token_sha256 FROM household_links").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, l.Token) || len(stored) != 64 {
			t.Errorf("stored %q for token %q", stored, l.Token)
		}
		var leaked int
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE ?", "%"+l.Token+"%").Scan(&leaked); err != nil || leaked != 0 {
			t.Errorf("token in the audit log: %d %v", leaked, err)
		}
		l2, err := s.CreateHouseholdLink(ctx, f.Township, "V1", "H001")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublicHousehold(ctx, "V1", l.Token); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("regenerated link still works: %v", err)
		}
		if _, err := s.PublicHousehold(ctx, "V1", l2.Token); err != nil {
			t.Errorf("new link: %v", err)
		}
		if err := s.RevokeHouseholdLink(ctx, f.Auditor, "V1", "H001"); err == nil {
			t.Error("auditor revoked a link")
		}
		if err := s.RevokeHouseholdLink(ctx, f.Reviewer, "V1", "H001"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PublicHousehold(ctx, "V1", l2.Token); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("revoked link still works: %v", err)
		}
		if err := s.RevokeHouseholdLink(ctx, f.Reviewer, "V1", "H001"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("second revoke: %v", err)
		}
		entries, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.Entity == "household_link" {
				actions = append(actions, e.Action)
			}
		}
		if strings.Join(actions, ",") != "create,regenerate,revoke" {
			t.Errorf("audit log: %v", actions)
		}
	})
}

// TestHouseholdLinkTokens: the roster and the slips recover each household's
// current link (and only active ones); regenerating or revoking and making a
// link again never brings back an earlier token; every token differs.
func TestHouseholdLinkTokens(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		got, err := s.HouseholdLinkTokens(ctx, f.Auditor, "V1")
		if err != nil || len(got) != 0 {
			t.Fatalf("before any link: %v %v", got, err)
		}
		if _, err := s.HouseholdLinkTokens(ctx, f.Auditor, "V2"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Errorf("another book's links: %v", err)
		}
		seen := map[string]bool{}
		link := func(code string) string {
			t.Helper()
			l, err := s.CreateHouseholdLink(ctx, f.Preparer, "V1", code)
			if err != nil {
				t.Fatal(err)
			}
			if seen[l.Token] {
				t.Fatalf("token %s given twice", l.Token)
			}
			seen[l.Token] = true
			return l.Token
		}
		h1, h2 := link("H001"), link("H002")
		want := map[string]string{"H001": h1, "H002": h2}
		if got, err = s.HouseholdLinkTokens(ctx, f.Auditor, "V1"); err != nil || !maps.Equal(got, want) {
			t.Fatalf("tokens %v, want %v (%v)", got, want, err)
		}
		h1b := link("H001") // regenerate
		if err := s.RevokeHouseholdLink(ctx, f.Preparer, "V1", "H002"); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.HouseholdLinkTokens(ctx, f.Auditor, "V1"); !maps.Equal(got, map[string]string{"H001": h1b}) {
			t.Fatalf("after regenerate and revoke: %v", got)
		}
		h2b := link("H002") // after revoking: a new generation, not the revoked token
		for _, old := range []string{h1, h2} {
			if _, err := s.PublicHousehold(ctx, "V1", old); ledger.ErrorCode(err) != ledger.ECodeNotFound {
				t.Errorf("old token %s answers: %v", old, err)
			}
		}
		for code, tok := range map[string]string{"H001": h1b, "H002": h2b} {
			if v, err := s.PublicHousehold(ctx, "V1", tok); err != nil || v.Household != code {
				t.Errorf("%s: %+v %v", code, v.Household, err)
			}
		}
		var secrets int
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM link_secret").Scan(&secrets); err != nil || secrets != 1 {
			t.Errorf("link secrets %d %v", secrets, err)
		}
		// A link made before tokens were derived (generation 0) still opens
		// its page but cannot be printed until it is regenerated.
		if _, err := s.DB().ExecContext(ctx, "UPDATE household_links SET generation = 0 WHERE household_code = 'H002'"); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.HouseholdLinkTokens(ctx, f.Auditor, "V1"); !maps.Equal(got, map[string]string{"H001": h1b}) {
			t.Errorf("with a link from before migration 009: %v", got)
		}
		if _, err := s.PublicHousehold(ctx, "V1", h2b); err != nil {
			t.Errorf("old link no longer opens: %v", err)
		}
	})
}
