package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// payoutBook creates book R1 with a land-rent agreement whose 2026Q3 run is
// approved and paid in part; it returns the run.
func payoutBook(t *testing.T, s *ledger.Store) (ledgertest.Fixture, ledger.PayoutRun) {
	t.Helper()
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "R1", ledger.KindVillage, 2)
	f.Fund(t)
	_, err := s.CreateAgreement(ctx, f.Preparer, "R1", ledger.AgreementInput{Code: "ZJ", Title: "土地流转协议", Kind: ledger.LandRent,
		Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly", Participants: []ledger.Participant{
			{Household: "H001", Parcels: []ledger.Parcel{{AreaMu: decimal.RequireFromString("2"), Rate: decimal.RequireFromString("800")}}},
			{Household: "H002", Parcels: []ledger.Parcel{{AreaMu: decimal.RequireFromString("1.5"), Rate: decimal.RequireFromString("800")}}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "R1", ledger.RunInput{Quarter: "2026Q3"})
	if err != nil {
		t.Fatal(err)
	}
	if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "R1", run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPayments(ctx, f.Preparer, "R1", run.ID, []ledger.PaymentInput{
		{Household: "H001", Amount: ledger.MustMoney("400.00"), Date: "2026-10-09", Method: "bank", Reference: "YKT-1"}}); err != nil {
		t.Fatal(err)
	}
	return f, run
}

func TestReconcileExitStatus(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openDSN(t, dsn)
		f, run := payoutBook(t, s)
		out := mustInvoke(t, "reconcile", "--db", dsn, "--book", "R1", "--quarter", "2026Q3", "--details")
		if !strings.HasPrefix(out, ledger.VerdictReconciles+"：R1 2026年第三季度") || !strings.Contains(out, "差异 0 项") ||
			!strings.Contains(out, "已付 400.00") {
			t.Fatalf("clean reconcile:\n%s", out)
		}
		out = mustInvoke(t, "reconcile", "--db", dsn, "--township", "T01", "--quarter", "2026Q3")
		if !strings.HasPrefix(out, ledger.VerdictReconciles+"：乡镇 T01") {
			t.Fatalf("township reconcile:\n%s", out)
		}
		if _, _, err := invoke(ctx, nil, "reconcile", "--db", dsn, "--book", "R1"); err == nil {
			t.Fatal("reconcile without --quarter succeeded")
		}

		// Change the run behind the ledger's back: accrued no longer equals
		// the posted accrual voucher.
		if _, err := s.DB().ExecContext(ctx, "UPDATE payout_lines SET amount_fen = amount_fen + 100 WHERE book_id = ? AND run_id = ? AND household_code = 'H002'",
			f.Book.ID, run.ID); err != nil {
			t.Fatal(err)
		}
		v, err := s.Voucher(ctx, f.Auditor, "R1", run.Lines[0].AccrualVoucherID)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err = invoke(ctx, nil, "reconcile", "--db", dsn, "--book", "R1", "--quarter", "2026Q3")
		if err == nil || !strings.Contains(err.Error(), ledger.VerdictDoesNotMatch) {
			t.Fatalf("tampered run: error %v\n%s", err, out)
		}
		if !strings.HasPrefix(out, ledger.VerdictDoesNotMatch) || !strings.Contains(out, v.Label()) || !strings.Contains(out, "[accrual_voucher]") {
			t.Fatalf("tampered run does not name %s:\n%s", v.Label(), out)
		}
	})
}

func TestVerifyHead(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		s := openDSN(t, dsn)
		payoutBook(t, s)
		head, err := s.ChainHead(context.Background(), ledger.System, "R1")
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"verify", "--db", dsn, "--head"}, {"verify", "--db", dsn, "--head", "--book", "R1"}} {
			out := mustInvoke(t, args...)
			if strings.TrimSpace(out) != head.String() || !strings.Contains(out, "sha256:"+head.Hash) || !strings.Contains(out, "2026年10月记-0001") {
				t.Fatalf("%v:\n%s\nwant %s", args, out, head)
			}
		}
	})
}

func TestExportJournal(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		s := openDSN(t, dsn)
		payoutBook(t, s)
		dir := t.TempDir()
		for format, checker := range map[string][]string{"hledger": {"hledger", "check", "-s", "-f"}, "beancount": {"bean-check"}} {
			file := filepath.Join(dir, "r1."+format)
			mustInvoke(t, "export", "journal", "--db", dsn, "--book", "R1", "--format", format, "--from", "2026-10", "--out", file)
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "期初余额") || !strings.Contains(string(b), "2026年10月记-0001") || !strings.Contains(string(b), "H-H001") {
				t.Fatalf("%s journal:\n%s", format, b)
			}
			if path, err := exec.LookPath(checker[0]); err == nil {
				out, err := exec.Command(path, append(checker[1:], file)...).CombinedOutput()
				if err != nil || len(out) > 0 && format == "beancount" {
					t.Fatalf("%s %s: %v\n%s\n%s", checker[0], file, err, out, b)
				}
			}
		}
		stdout := mustInvoke(t, "export", "journal", "--db", dsn, "--book", "R1")
		if !strings.Contains(stdout, "2026年9月记-0001") {
			t.Fatalf("stdout journal:\n%s", stdout)
		}
		if _, _, err := invoke(context.Background(), nil, "export", "journal", "--db", dsn, "--book", "R1", "--format", "ledger"); err == nil {
			t.Fatal("unknown format accepted")
		}
	})
}
