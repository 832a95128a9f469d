package ledger_test

import (
	"context"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func line(account, household string, debit, credit string) ledger.LineInput {
	l := ledger.LineInput{Account: account, Household: household}
	if debit != "" {
		l.Debit = ledgertest.Amount(debit)
	}
	if credit != "" {
		l.Credit = ledgertest.Amount(credit)
	}
	return l
}

func voucher(date string, lines ...ledger.LineInput) ledger.VoucherInput {
	return ledger.VoucherInput{Date: date, Summary: "测试凭证", Lines: lines}
}

// TestRefusals checks that each bad request gets its own error code and
// leaves every table's content exactly as it was.
func TestRefusals(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
		other := ledgertest.NewFixture(t, s, "V2", ledger.KindVillage, 0)
		if _, err := s.CreateHousehold(ctx, other.Preparer, "V2", ledger.Household{Code: "X01", HeadName: "外村户",
			IDNumber: ledgertest.IDNumber(900), Members: 2, Status: ledger.StatusOrdinary}); err != nil {
			t.Fatal(err)
		}
		posted := f.Post(t, rentVoucher("2026-02-03", "H001", "100.00"))
		reversal, err := s.ReverseVoucher(ctx, f.Preparer, "V1", posted.ID, ledger.ReverseInput{Date: "2026-02-04"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostVoucher(ctx, f.Reviewer, "V1", reversal.ID); err != nil {
			t.Fatal(err)
		}
		secondPosted := f.Post(t, rentVoucher("2026-02-05", "H002", "50.00"))
		draft, err := s.CreateVoucher(ctx, f.Preparer, "V1", rentVoucher("2026-02-06", "H003", "10.00"))
		if err != nil {
			t.Fatal(err)
		}
		// January has no vouchers: close it so dates in it are refused.
		if _, err := s.ClosePeriod(ctx, f.Preparer, "V1", "2026-01"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			code string
			do   func() error
		}{
			{"unbalanced", ledger.ECodeUnbalanced, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", ""), line("21101", "H001", "", "9.99")))
				return err
			}},
			{"one line", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", "")))
				return err
			}},
			{"both sides", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", "10.00"), line("21101", "H001", "", "10.00")))
				return err
			}},
			{"neither side", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "", ""), line("21101", "H001", "", "10.00")))
				return err
			}},
			{"negative amount", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "-10.00", ""), line("21101", "H001", "", "-10.00")))
				return err
			}},
			{"non-leaf account", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", ""), line("211", "", "", "10.00")))
				return err
			}},
			{"unknown account", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", ""), line("999", "", "", "10.00")))
				return err
			}},
			{"control account without household", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", ""), line("21101", "", "", "10.00")))
				return err
			}},
			{"household of another book", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", voucher("2026-02-10", line("102", "", "10.00", ""), line("21101", "X01", "", "10.00")))
				return err
			}},
			{"date in closed period", ledger.ECodePeriodClosed, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", rentVoucher("2026-01-15", "H001", "10.00"))
				return err
			}},
			{"date before the book starts", ledger.ECodePeriodClosed, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", rentVoucher("2025-12-31", "H001", "10.00"))
				return err
			}},
			{"impossible date", ledger.ECodeInvalid, func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "V1", rentVoucher("2026-02-30", "H001", "10.00"))
				return err
			}},
			{"posting by the preparer", ledger.ECodeSegregation, func() error {
				_, err := s.PostVoucher(ctx, f.Preparer, "V1", draft.ID)
				return err
			}},
			{"posting by an auditor", ledger.ECodeForbidden, func() error {
				_, err := s.PostVoucher(ctx, f.Auditor, "V1", draft.ID)
				return err
			}},
			{"reversing twice", ledger.ECodeConflict, func() error {
				_, err := s.ReverseVoucher(ctx, f.Preparer, "V1", posted.ID, ledger.ReverseInput{Date: "2026-02-10"})
				return err
			}},
			{"reversing a reversal", ledger.ECodeConflict, func() error {
				_, err := s.ReverseVoucher(ctx, f.Preparer, "V1", reversal.ID, ledger.ReverseInput{Date: "2026-02-10"})
				return err
			}},
			{"editing a posted voucher", ledger.ECodeImmutable, func() error {
				summary := "改"
				_, err := s.UpdateVoucher(ctx, f.Preparer, "V1", secondPosted.ID, ledger.VoucherPatch{Summary: &summary})
				return err
			}},
			{"deleting a posted voucher", ledger.ECodeImmutable, func() error {
				return s.DeleteVoucher(ctx, f.Preparer, "V1", secondPosted.ID)
			}},
			{"editing another's draft", ledger.ECodeForbidden, func() error {
				summary := "改"
				_, err := s.UpdateVoucher(ctx, f.Reviewer, "V1", draft.ID, ledger.VoucherPatch{Summary: &summary})
				return err
			}},
			{"invalid ID number", ledger.ECodeInvalid, func() error {
				_, err := s.CreateHousehold(ctx, f.Preparer, "V1", ledger.Household{Code: "H100", HeadName: "张三",
					IDNumber: "362426199001011230", Members: 3, Status: ledger.StatusOrdinary})
				return err
			}},
			{"duplicate ID number", ledger.ECodeConflict, func() error {
				_, err := s.CreateHousehold(ctx, f.Preparer, "V1", ledger.Household{Code: "H100", HeadName: "张三",
					IDNumber: ledgertest.IDNumber(1), Members: 3, Status: ledger.StatusOrdinary})
				return err
			}},
			{"book out of scope", ledger.ECodeNotFound, func() error {
				_, err := s.CreateVoucher(ctx, other.Preparer, "V1", rentVoucher("2026-02-10", "H001", "10.00"))
				return err
			}},
			{"closing out of order", ledger.ECodeConflict, func() error {
				_, err := s.ClosePeriod(ctx, f.Preparer, "V1", "2026-03")
				return err
			}},
			{"closing with drafts", ledger.ECodeConflict, func() error {
				_, err := s.ClosePeriod(ctx, f.Preparer, "V1", "2026-02")
				return err
			}},
			{"reopening by an accountant", ledger.ECodeForbidden, func() error {
				_, err := s.ReopenPeriod(ctx, f.Preparer, "V1", "2026-01", "更正")
				return err
			}},
			{"reopening without reason", ledger.ECodeInvalid, func() error {
				_, err := s.ReopenPeriod(ctx, f.Township, "V1", "2026-01", " ")
				return err
			}},
			{"sub-account under a used leaf", ledger.ECodeConflict, func() error {
				_, err := s.AddAccount(ctx, f.Preparer, "V1", ledger.NewAccount{Code: "10201", Name: "农商行", Parent: "102"})
				return err
			}},
		}
		for _, c := range cases {
			before := ledgertest.Digest(t, s)
			err := c.do()
			if got := ledger.ErrorCode(err); got != c.code {
				t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
			}
			if msg := ledger.ErrorMessage(err); err != nil && !hasHan(msg) {
				t.Errorf("%s: message %q is not Chinese", c.name, msg)
			}
			if after := ledgertest.Digest(t, s); after != before {
				t.Errorf("%s: database changed", c.name)
			}
		}
	})
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestMoneyParsing(t *testing.T) {
	good := map[string]string{"0": "0.00", "12.3": "12.30", "12.34": "12.34", "-0.05": "-0.05", "1000000": "1000000.00"}
	for in, want := range good {
		m, err := ledger.ParseMoney(in)
		if err != nil || m.String() != want {
			t.Errorf("ParseMoney(%q) = %s, %v; want %s", in, m, err, want)
		}
	}
	for _, in := range []string{"12.345", "1e3", "NaN", " 12", "12 ", "+1", "", ".5", "1.", "01", "1,000", "Infinity", "0x10", "12345678901234"} {
		if _, err := ledger.ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) accepted", in)
		}
	}
	var m ledger.Money
	for in, want := range map[string]string{`12.3`: "12.30", `"7.05"`: "7.05", `100`: "100.00"} {
		if err := m.UnmarshalJSON([]byte(in)); err != nil || m.String() != want {
			t.Errorf("UnmarshalJSON(%s) = %s, %v", in, m, err)
		}
	}
	for _, in := range []string{`1e400`, `1e3`, `12.345`, `null`, `true`, `"abc"`} {
		if err := m.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("UnmarshalJSON(%s) accepted", in)
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "12.30", "-5.5", "1e3", "12.345", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ledger.ParseMoney(s)
		if err != nil {
			return
		}
		again, err := ledger.ParseMoney(m.String())
		if err != nil || again != m {
			t.Fatalf("%q → %s does not round-trip", s, m)
		}
		if m.Decimal().Exponent() != -2 {
			t.Fatalf("%q has exponent %d", s, m.Decimal().Exponent())
		}
	})
}
