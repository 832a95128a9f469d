package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func TestFileImportsApplyOnce(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		file := ledger.FileImport{Book: "P1", SHA256: strings.Repeat("ab", 32), FileName: "务工.xlsx"}
		records := []ledger.WorkRecord{{Household: "H001", Date: "2026-07-10", Quantity: *dec("2"), Unit: "天", UnitRate: *dec("150")}}
		if n, err := s.ImportFileWorkRecords(ctx, f.Preparer, file, "WG", records); err != nil || n != 1 {
			t.Fatalf("first import: %d %v", n, err)
		}
		before := ledgertest.Digest(t, s)
		_, err := s.ImportFileWorkRecords(ctx, f.Preparer, file, "WG", records)
		if err != ledger.ErrFileAlreadyImported || ledgertest.Digest(t, s) != before {
			t.Fatalf("second import of the same file: %v", err)
		}
		prior, found, err := s.FileImported(ctx, f.Reviewer, ledger.FileImport{Book: "P1", Kind: ledger.ImportWorkRecords, Target: "WG", SHA256: file.SHA256})
		if err != nil || !found || prior.Rows != 1 || prior.FileName != "务工.xlsx" || prior.UserID != f.Preparer.UserID {
			t.Fatalf("FileImported: %+v %v %v", prior, found, err)
		}
		other := ledgertest.NewFixture(t, s, "P2", ledger.KindVillage, 1)
		if _, _, err := s.FileImported(ctx, other.Preparer, ledger.FileImport{Book: "P1", Kind: ledger.ImportWorkRecords}); ledger.ErrorCode(err) != ledger.ECodeNotFound {
			t.Fatalf("outsider: %v", err)
		}
	})
}

func TestRegisterImport(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		file := ledger.FileImport{Book: "P1", Kind: ledger.ImportParcels, SHA256: strings.Repeat("cd", 32), FileName: "地块.xlsx"}
		bad := []ledger.RegisterRow{
			{Household: "H001", Parcel: &ledger.Parcel{Name: "东坡", AreaMu: *dec("3.5"), Rate: *dec("800")}},
			{Household: "H001", Parcel: &ledger.Parcel{Name: "西坡", AreaMu: *dec("1.00001"), Rate: *dec("800")}},
			{Household: "H002", Parcel: &ledger.Parcel{Name: "河滩", AreaMu: *dec("2"), Rate: *dec("-1")}},
		}
		before := ledgertest.Digest(t, s)
		_, err := s.ImportFileRegister(ctx, f.Preparer, file, "ZJ", "2026-10-01", bad)
		e, ok := err.(*ledger.Error)
		if !ok || ledgertest.Digest(t, s) != before {
			t.Fatalf("bad register: %v", err)
		}
		fields := map[string]bool{}
		for _, d := range e.Details {
			fields[d.Field] = true
		}
		if !fields["rows[1].area_mu"] || !fields["rows[2].rate"] {
			t.Fatalf("row fields: %+v", e.Details)
		}

		good := []ledger.RegisterRow{
			{Household: "H001", Parcel: &ledger.Parcel{Name: "东坡", AreaMu: *dec("3.5"), Rate: *dec("800")}},
			{Household: "H001", Parcel: &ledger.Parcel{Name: "西坡", AreaMu: *dec("1.25"), Rate: *dec("800")}},
			{Household: "H004", Parcel: &ledger.Parcel{Name: "河滩", AreaMu: *dec("2"), Rate: *dec("700")}},
		}
		ag, err := s.ImportFileRegister(ctx, f.Preparer, file, "ZJ", "2026-10-01", good)
		if err != nil {
			t.Fatal(err)
		}
		last := ag.Versions[len(ag.Versions)-1]
		if last.EffectiveFrom != "2026-10-01" || len(last.Terms.Participants) != 2 || len(last.Terms.Participants[0].Parcels) != 2 ||
			last.Terms.ServiceFeeRate == nil || last.Terms.ServiceFeeRate.String() != "0.05" {
			t.Fatalf("new version: %+v", last)
		}
		if _, err := s.ImportFileRegister(ctx, f.Preparer, file, "ZJ", "2026-10-01", good); err != ledger.ErrFileAlreadyImported {
			t.Fatalf("re-upload: %v", err)
		}
		shares := ledger.FileImport{Book: "P1", Kind: ledger.ImportShares, SHA256: strings.Repeat("ef", 32)}
		if _, err := s.ImportFileRegister(ctx, f.Preparer, shares, "ZJ", "2026-11-01", []ledger.RegisterRow{{Household: "H001", Shares: dec("1")}}); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("shares for a land-rent agreement: %v", err)
		}
		ag, err = s.ImportFileRegister(ctx, f.Preparer, shares, "GJ", "2026-10-01", []ledger.RegisterRow{
			{Household: "H001", Shares: dec("2.5")}, {Household: "H003", Shares: dec("1")}})
		if err != nil || len(ag.Versions[len(ag.Versions)-1].Terms.Participants) != 2 {
			t.Fatalf("share register: %+v %v", ag, err)
		}
	})
}
