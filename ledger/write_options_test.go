package ledger_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// No write option rides in a context value: the ledger neither stores values
// in a context nor reads them back.
func TestNoContextValues(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	hidden := regexp.MustCompile(`context\.WithValue|\bctx\.Value\(|\.Value\(\w+Key\{\}\)`)
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(src), "\n") {
			if hidden.MatchString(line) {
				t.Errorf("%s:%d carries state in a context value: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d files checked", checked)
	}
}

// The write options on the Actor decide how a write commits: a dry run checks
// and changes nothing; a key is claimed once, by the write that commits.
func TestWriteOptions(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "W1", ledger.KindVillage, 1)
		h := ledger.Household{Code: "H900", HeadName: "试算户", IDNumber: ledgertest.IDNumber(900),
			Members: 2, Group: "第1组", Status: ledger.StatusOrdinary}
		dry := f.Preparer.With(ledger.WriteOptions{DryRun: true})
		if _, err := s.CreateHousehold(ctx, dry, "W1", h); !errors.Is(err, ledger.ErrDryRun) {
			t.Fatalf("dry run: %v, want ErrDryRun", err)
		}
		if _, err := s.Household(ctx, f.Preparer, "W1", "H900"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Fatalf("a dry run left the household: %v", err)
		}
		claim := ledger.IdempotencyClaim{UserID: f.Preparer.UserID, Key: "explicit-0001", RequestHash: "h"}
		claiming := f.Preparer.With(ledger.WriteOptions{Idempotency: claim})
		if _, err := s.CreateHousehold(ctx, claiming, "W1", h); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.LookupIdempotency(ctx, claim.UserID, claim.Key); err != nil || !found {
			t.Fatalf("key not claimed by the write: found=%v err=%v", found, err)
		}
		h.Code, h.IDNumber = "H901", ledgertest.IDNumber(901)
		if _, err := s.CreateHousehold(ctx, claiming, "W1", h); !errors.Is(err, ledger.ErrIdempotencyClaimed) {
			t.Fatalf("second write with the key: %v, want ErrIdempotencyClaimed", err)
		}
		if _, err := s.Household(ctx, f.Preparer, "W1", "H901"); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Fatalf("the refused write left its household: %v", err)
		}
	})
}

// System, the command line's one actor, reads every book and changes none.
func TestSystemReadsEveryBookAndChangesNone(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "S1", ledger.KindVillage, 1)
	f.Post(t, rentVoucher("2026-03-05", "H001", "10.00"))
	if r, err := s.Verify(ctx, ledger.System, "S1"); err != nil || !r.OK {
		t.Fatalf("verify as System: %+v %v", r, err)
	}
	if _, err := s.ChainHead(ctx, ledger.System, "S1"); err != nil {
		t.Fatalf("chain head as System: %v", err)
	}
	if _, err := s.CreateVoucher(ctx, ledger.System, "S1", rentVoucher("2026-03-06", "H001", "1.00")); ledger.ErrorCode(err) != ledger.ECodeForbidden {
		t.Fatalf("System wrote a voucher: %v", err)
	}
}
