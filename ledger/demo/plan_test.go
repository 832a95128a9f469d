package demo

import (
	"reflect"
	"testing"

	"coopledger/ledger"
)

func TestRoundDiv(t *testing.T) {
	for _, tt := range []struct{ num, den, want int64 }{{5, 10, 1}, {4, 10, 0}, {15, 10, 2}, {25, 10, 3}, {0, 7, 0}} {
		if got := roundDiv(tt.num, tt.den); got != tt.want {
			t.Errorf("roundDiv(%d, %d) = %d, want %d", tt.num, tt.den, got, tt.want)
		}
	}
}

// luhnValid checks a whole card number.
func luhnValid(s string) bool {
	return luhnDigit(s[:len(s)-1]) == s[len(s)-1]
}

func TestLuhn(t *testing.T) {
	// Published test numbers of the card schemes.
	for _, n := range []string{"4111111111111111", "5555555555554444", "6011111111111117", "79927398713"} {
		if !luhnValid(n) {
			t.Errorf("%s should pass the Luhn check", n)
		}
	}
	if luhnValid("4111111111111112") {
		t.Error("4111111111111112 should fail the Luhn check")
	}
}

func TestOrgCheckChar(t *testing.T) {
	// 91350100M000100Y43 is the example USCC of GB 32100-2015: its
	// organization code is M000100Y4.
	if got := orgCheckChar("M000100Y"); got != '4' {
		t.Fatalf("orgCheckChar(M000100Y) = %c, want 4", got)
	}
}

// TestPlansAreDeterministicAndValid builds the plans twice and checks the
// rosters and parties against the ledger's own validators.
func TestPlansAreDeterministicAndValid(t *testing.T) {
	a, err := buildPlans()
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildPlans()
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !reflect.DeepEqual(a[i].entries, b[i].entries) || !reflect.DeepEqual(a[i].households, b[i].households) {
			t.Fatalf("plan %s differs between two builds", a[i].book.Code)
		}
	}
	statuses := map[ledger.HouseholdStatus]int{}
	for _, p := range a {
		for _, h := range p.households {
			if err := ledger.ValidIDNumber(h.IDNumber); err != nil {
				t.Errorf("%s %s: %v", p.book.Code, h.Code, err)
			}
			if n := len(h.BankAccount); n < 16 || n > 19 || !luhnValid(h.BankAccount) {
				t.Errorf("%s %s: bank card %s", p.book.Code, h.Code, h.BankAccount)
			}
			if h.Members < 1 || h.Members > 7 {
				t.Errorf("%s %s: %d members", p.book.Code, h.Code, h.Members)
			}
			statuses[h.Status]++
		}
		for _, party := range p.parties {
			if err := ledger.ValidUSCC(party.USCC); err != nil {
				t.Errorf("%s %s: %v", p.book.Code, party.Code, err)
			}
		}
	}
	if statuses[ledger.StatusFormerlyPoor] == 0 || statuses[ledger.StatusMonitored] == 0 || statuses[ledger.StatusOrdinary] == 0 {
		t.Errorf("statuses %v: want all three", statuses)
	}
}
