package ledger_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// transferVoucher is a 记 voucher without a cash or bank line.
func transferVoucher(date string) ledger.VoucherInput {
	return ledger.VoucherInput{Date: date, Summary: "计提办公费", Attachments: 1, Lines: []ledger.LineInput{
		{Account: "513", Debit: ledgertest.Amount("100.00")},
		{Account: "214", Credit: ledgertest.Amount("100.00")},
	}}
}

// newActor creates a user and signs in with its token.
func newActor(t *testing.T, s *ledger.Store, by ledger.Actor, u ledger.NewUser) ledger.Actor {
	t.Helper()
	ctx := context.Background()
	_, token, err := s.CreateUser(ctx, by, u)
	if err != nil {
		t.Fatalf("user %s: %v", u.Name, err)
	}
	a, err := s.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if ledger.ErrorCode(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

func permissions(t *testing.T, s *ledger.Store, a ledger.Actor, book string) string {
	t.Helper()
	ps, err := s.Permissions(context.Background(), a, book)
	if err != nil {
		return ledger.ErrorCode(err)
	}
	return strings.Join(ps, ",")
}

// reauth signs the user in again, so its grants are read afresh.
func reauth(t *testing.T, s *ledger.Store, f ledgertest.Fixture, label string) ledger.Actor {
	t.Helper()
	a, err := s.Authenticate(context.Background(), f.Tokens[label])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRolesPerBook: an accountant of book A who is auditor of book B gets
// exactly that, and grants follow who may give them.
func TestRolesPerBook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		for _, nb := range []ledger.NewBook{
			{Code: "V2", Name: "二村", Kind: ledger.KindVillage, Township: ledger.Township{Code: "T01", Name: "测试镇"}, StartPeriod: "2026-01"},
			{Code: "V3", Name: "外镇村", Kind: ledger.KindVillage, Township: ledger.Township{Code: "T02", Name: "外镇"}, StartPeriod: "2026-01"},
		} {
			if _, err := s.CreateBook(ctx, f.Admin, nb); err != nil {
				t.Fatal(err)
			}
		}
		u, token, err := s.CreateUser(ctx, f.Admin, ledger.NewUser{Name: "两村会计", Role: ledger.RoleAccountant, Books: []string{"V1"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GrantRole(ctx, f.Admin, u.ID, ledger.GrantInput{Role: ledger.RoleAuditor, Book: "V2"}); err != nil {
			t.Fatal(err)
		}
		a, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		me, err := s.Me(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var grants []string
		for _, g := range me.Grants {
			grants = append(grants, string(g.Role)+"@"+g.Book+g.Township)
		}
		if me.Role != "" || !slices.Equal(grants, []string{"accountant@V1", "auditor@V2"}) || !slices.Equal(me.Books, []string{"V1", "V2"}) {
			t.Fatalf("me = %+v", me)
		}
		if got := permissions(t, s, a, "V1"); got != "read,write,post,close,pay,cash_bank,submit" {
			t.Errorf("V1 permissions %s", got)
		}
		if got := permissions(t, s, a, "V2"); got != "read" {
			t.Errorf("V2 permissions %s", got)
		}
		if got := permissions(t, s, a, "V3"); got != ledger.ECodeNotFound {
			t.Errorf("V3 permissions %s", got)
		}
		if _, err := s.CreateVoucher(ctx, a, "V1", transferVoucher("2026-03-01")); err != nil {
			t.Fatalf("accountant in V1: %v", err)
		}
		_, err = s.CreateVoucher(ctx, a, "V2", transferVoucher("2026-03-01"))
		mustCode(t, "voucher in V2 as its auditor", err, ledger.ECodeForbidden)
		if _, err := s.TrialBalance(ctx, a, "V2", "2026-01", "2026-03"); err != nil {
			t.Fatalf("auditor reads V2: %v", err)
		}
		books, err := s.Books(ctx, a)
		if err != nil || len(books) != 2 {
			t.Fatalf("books %v %v", books, err)
		}

		// A township officer grants on its township's books only.
		mustCode(t, "township grants on another township's book", grantErr(s, f.Township, u.ID, ledger.RoleCashier, "V3", ""), ledger.ECodeNotFound)
		mustCode(t, "township grants a township", grantErr(s, f.Township, u.ID, ledger.RoleAuditor, "", "T02"), ledger.ECodeForbidden)
		mustCode(t, "accountant grants", grantErr(s, f.Preparer, u.ID, ledger.RoleCashier, "V1", ""), ledger.ECodeForbidden)
		mustCode(t, "unknown role", grantErr(s, f.Admin, u.ID, "boss", "V1", ""), ledger.ECodeInvalid)
		mustCode(t, "book and township", grantErr(s, f.Admin, u.ID, ledger.RoleAuditor, "V1", "T01"), ledger.ECodeInvalid)
		mustCode(t, "cashier over a township", grantErr(s, f.Admin, u.ID, ledger.RoleCashier, "", "T01"), ledger.ECodeInvalid)
		if err := grantErr(s, f.Township, u.ID, ledger.RoleCashier, "V2", ""); err != nil {
			t.Fatalf("township grants cashier on V2: %v", err)
		}
		if got := permissions(t, s, mustAuth(t, s, token), "V2"); got != "read,pay,cash_bank" {
			t.Errorf("V2 after the grant replaced auditor by cashier: %s", got)
		}
		if _, err := s.RevokeRole(ctx, f.Admin, u.ID, ledger.GrantInput{Role: ledger.RoleCashier, Book: "V2"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.RevokeRole(ctx, f.Admin, u.ID, ledger.GrantInput{Role: ledger.RoleCashier, Book: "V2"})
		mustCode(t, "revoke twice", err, ledger.ECodeNotFound)
		if got := permissions(t, s, mustAuth(t, s, token), "V2"); got != ledger.ECodeNotFound {
			t.Errorf("V2 after revoking: %s", got)
		}
		mustCode(t, "admin holds no book role", grantErr(s, f.Admin, f.Admin.UserID, ledger.RoleAuditor, "V1", ""), ledger.ECodeInvalid)
	})
}

func grantErr(s *ledger.Store, by ledger.Actor, id int64, role ledger.Role, book, township string) error {
	_, err := s.GrantRole(context.Background(), by, id, ledger.GrantInput{Role: role, Book: book, Township: township})
	return err
}

func mustAuth(t *testing.T, s *ledger.Store, token string) ledger.Actor {
	t.Helper()
	a, err := s.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCashierPaysButDoesNotPostTransfers: the 出纳 records payments and cash
// and bank vouchers, and cannot prepare or post a 记 (transfer) voucher.
func TestCashierPaysButDoesNotPostTransfers(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		cashier := newActor(t, s, f.Admin, ledger.NewUser{Name: "出纳", Role: ledger.RoleCashier, Books: []string{"P1"}})
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ApprovePayoutRun(ctx, cashier, "P1", run.ID, ledger.ApproveInput{})
		mustCode(t, "cashier approves a run", err, ledger.ECodeForbidden)
		if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		pays, err := s.RecordPayments(ctx, cashier, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1000.00"), Date: "2026-10-08", Method: "bank", Reference: "B1"}})
		if err != nil || len(pays) != 1 {
			t.Fatalf("cashier pays: %v", err)
		}
		_, err = s.RecordPayments(ctx, f.Auditor, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H002", Amount: ledger.MustMoney("0.01"), Date: "2026-10-08", Method: "bank", Reference: "B2"}})
		mustCode(t, "auditor pays", err, ledger.ECodeForbidden)

		before := ledgertest.Digest(t, s)
		_, err = s.CreateVoucher(ctx, cashier, "P1", transferVoucher("2026-10-09"))
		mustCode(t, "cashier prepares a 记 voucher", err, ledger.ECodeForbidden)
		transfer, err := s.CreateVoucher(ctx, f.Preparer, "P1", transferVoucher("2026-10-09"))
		if err != nil {
			t.Fatal(err)
		}
		before = ledgertest.Digest(t, s)
		_, err = s.PostVoucher(ctx, cashier, "P1", transfer.ID)
		mustCode(t, "cashier posts a 记 voucher", err, ledger.ECodeForbidden)
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused posting changed the database")
		}
		own, err := s.CreateVoucher(ctx, cashier, "P1", rentVoucher("2026-10-10", "H001", "50.00"))
		if err != nil {
			t.Fatalf("cashier prepares a bank voucher: %v", err)
		}
		_, err = s.PostVoucher(ctx, cashier, "P1", own.ID)
		mustCode(t, "cashier posts its own voucher", err, ledger.ECodeSegregation)
		if _, err := s.PostVoucher(ctx, f.Reviewer, "P1", own.ID); err != nil {
			t.Fatalf("accountant posts the cashier's voucher: %v", err)
		}
		bank, err := s.CreateVoucher(ctx, f.Preparer, "P1", rentVoucher("2026-10-11", "H002", "20.00"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PostVoucher(ctx, cashier, "P1", bank.ID); err != nil {
			t.Fatalf("cashier posts a bank voucher: %v", err)
		}
		_, err = s.CreateHousehold(ctx, cashier, "P1", ledger.Household{Code: "H099", HeadName: "新户", IDNumber: ledgertest.IDNumber(99), Members: 1, Group: "第1组", Status: ledger.StatusOrdinary})
		mustCode(t, "cashier registers a household", err, ledger.ECodeForbidden)
	})
}

// TestReporterReadsAndSubmits: the 报账员 reads his village's book and hands
// in drafts, and changes nothing else; the 民主理财小组 member reads and
// may sign.
func TestReporterReadsAndSubmits(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		if _, err := s.CreateBook(ctx, f.Admin, ledger.NewBook{Code: "V2", Name: "二村", Kind: ledger.KindVillage,
			Township: ledger.Township{Code: "T01", Name: "测试镇"}, StartPeriod: "2026-01"}); err != nil {
			t.Fatal(err)
		}
		reporter := newActor(t, s, f.Admin, ledger.NewUser{Name: "报账员", Role: ledger.RoleReporter, Books: []string{"V1"}})
		member := newActor(t, s, f.Admin, ledger.NewUser{Name: "理财小组成员", Role: ledger.RoleMember, Books: []string{"V1"}})
		if got := permissions(t, s, reporter, "V1"); got != "read,submit" {
			t.Errorf("reporter: %s", got)
		}
		if got := permissions(t, s, member, "V1"); got != "read,sign" {
			t.Errorf("member: %s", got)
		}
		if _, err := s.TrialBalance(ctx, reporter, "V1", "2026-01", "2026-03"); err != nil {
			t.Fatalf("reporter reads: %v", err)
		}
		_, err := s.TrialBalance(ctx, reporter, "V2", "2026-01", "2026-03")
		mustCode(t, "reporter reads another village", err, ledger.ECodeNotFound)
		draft, err := s.CreateVoucher(ctx, reporter, "V1", transferVoucher("2026-03-02"))
		if err != nil || draft.Status != ledger.StatusDraft {
			t.Fatalf("reporter submits: %v", err)
		}
		_, err = s.PostVoucher(ctx, reporter, "V1", draft.ID)
		mustCode(t, "reporter posts", err, ledger.ECodeForbidden)
		if _, err := s.PostVoucher(ctx, f.Reviewer, "V1", draft.ID); err != nil {
			t.Fatalf("accountant posts the submission: %v", err)
		}
		_, err = s.CreateHousehold(ctx, reporter, "V1", ledger.Household{Code: "H099", HeadName: "新户", IDNumber: ledgertest.IDNumber(99), Members: 1, Group: "第1组", Status: ledger.StatusOrdinary})
		mustCode(t, "reporter registers a household", err, ledger.ECodeForbidden)
		_, err = s.CreateVoucher(ctx, member, "V1", transferVoucher("2026-03-02"))
		mustCode(t, "member prepares a voucher", err, ledger.ECodeForbidden)
		if _, err := s.CheckSign(ctx, member, "V1"); err != nil {
			t.Fatalf("member signs: %v", err)
		}
		_, err = s.CheckSign(ctx, reporter, "V1")
		mustCode(t, "reporter signs", err, ledger.ECodeForbidden)
		_, err = s.CheckSign(ctx, f.Preparer, "V1")
		mustCode(t, "accountant signs", err, ledger.ECodeForbidden)
	})
}
