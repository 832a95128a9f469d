package ledger_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// Numbers typed on a form or sent to the API as printed on the card, or in
// full-width digits, are cleaned before they are checked and stored.
func TestHouseholdNumbersCleaned(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "HN", ledger.KindVillage, 1)
		id := ledgertest.IDNumber(77)
		h, err := s.CreateHousehold(ctx, f.Preparer, "HN", ledger.Household{Code: "H077", HeadName: "陈七", IDNumber: id[:6] + "　" + id[6:],
			BankAccount: "6222 0212 3456 7890", Members: 2, Status: ledger.StatusOrdinary})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.Household(ctx, f.Preparer, "HN", "H077")
		if err != nil || stored.IDNumber != id || stored.BankAccount != "6222021234567890" || h.BankAccount != stored.BankAccount {
			t.Fatalf("stored %q / %q (%v)", stored.IDNumber, stored.BankAccount, err)
		}
		card := "６２１７ ０００１ ２３４５ ６７８"
		if _, err := s.UpdateHousehold(ctx, f.Preparer, "HN", "H077", ledger.HouseholdPatch{BankAccount: &card}); err != nil {
			t.Fatal(err)
		}
		if stored, _ = s.Household(ctx, f.Preparer, "HN", "H077"); stored.BankAccount != "621700012345678" {
			t.Fatalf("updated card stored as %q", stored.BankAccount)
		}
		// The same ID with spaces is still the same person.
		_, err = s.CreateHousehold(ctx, f.Preparer, "HN", ledger.Household{Code: "H078", HeadName: "陈八", IDNumber: " " + id,
			Members: 1, Status: ledger.StatusOrdinary})
		if ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("duplicate ID behind a space: %v", err)
		}
	})
}
