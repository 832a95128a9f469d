package ledger_test

import (
	"context"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// Every name, summary and reference field refuses control and bidi
// characters with a message naming the field, and changes nothing.
func TestNameFieldsRefuseInvisibleCharacters(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "TX", ledger.KindVillage, 1)
		const rlo = "\u202e" // RIGHT-TO-LEFT OVERRIDE
		cases := map[string]func() error{
			"head_name": func() error {
				_, err := s.CreateHousehold(ctx, f.Preparer, "TX", ledger.Household{Code: "H900", HeadName: "张" + rlo + "三",
					IDNumber: ledgertest.IDNumber(900), Members: 1, Status: ledger.StatusOrdinary})
				return err
			},
			"group": func() error {
				_, err := s.CreateHousehold(ctx, f.Preparer, "TX", ledger.Household{Code: "H901", HeadName: "李四", Group: "第一组\u200b",
					IDNumber: ledgertest.IDNumber(901), Members: 1, Status: ledger.StatusOrdinary})
				return err
			},
			"name": func() error {
				_, err := s.CreateParty(ctx, f.Preparer, "TX", ledger.Party{Code: "C09", Name: "公司" + rlo + "司公"})
				return err
			},
			"title": func() error {
				_, err := s.CreateAgreement(ctx, f.Preparer, "TX", ledger.AgreementInput{Code: "A9", Title: "协议\u2066", Kind: ledger.FixedSum,
					Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{Schedule: "quarterly", YearlyAmount: money("100.00"), SplitBy: "equal",
						Participants: []ledger.Participant{{Household: "H001"}}}})
				return err
			},
			"summary": func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "TX", ledger.VoucherInput{Date: "2026-03-01", Summary: "存现\x07",
					Lines: []ledger.LineInput{{Account: "102", Debit: money("1.00")}, {Account: "101", Credit: money("1.00")}}})
				return err
			},
			"lines[0].summary": func() error {
				_, err := s.CreateVoucher(ctx, f.Preparer, "TX", ledger.VoucherInput{Date: "2026-03-01", Summary: "存现",
					Lines: []ledger.LineInput{{Account: "102", Debit: money("1.00"), Summary: rlo + "abc"}, {Account: "101", Credit: money("1.00")}}})
				return err
			},
			"township.name": func() error {
				_, err := s.CreateBook(ctx, f.Admin, ledger.NewBook{Code: "TY", Name: "村", Kind: ledger.KindVillage,
					Township: ledger.Township{Code: "T01", Name: "测试镇\ufeff"}, StartPeriod: "2026-01"})
				return err
			},
			"user name": func() error {
				_, _, err := s.CreateUser(ctx, f.Admin, ledger.NewUser{Name: "会计" + rlo, Role: ledger.RoleAuditor, Books: []string{"TX"}})
				return err
			},
			"account name": func() error {
				_, err := s.AddAccount(ctx, f.Preparer, "TX", ledger.NewAccount{Code: "10201", Name: "农商行" + rlo, Parent: "102"})
				return err
			},
		}
		for field, call := range cases {
			before := ledgertest.Digest(t, s)
			err := call()
			want := strings.Fields(field)[len(strings.Fields(field))-1] + "："
			if ledger.ErrorCode(err) != ledger.ECodeInvalid || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "控制") {
				t.Errorf("%s: %v", field, err)
			}
			if ledgertest.Digest(t, s) != before {
				t.Errorf("%s: refused input changed the database", field)
			}
		}
	})
}
