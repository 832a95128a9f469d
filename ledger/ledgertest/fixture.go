package ledgertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coopledger/ledger"
)

// Fixture is a book with a preparer, a reviewer, a township officer and an
// auditor, and a few households and parties.
type Fixture struct {
	Store      *ledger.Store
	Book       ledger.Book
	Admin      ledger.Actor
	Preparer   ledger.Actor // accountant of the book
	Reviewer   ledger.Actor // second accountant of the book
	Township   ledger.Actor
	Auditor    ledger.Actor
	Households []string
	Parties    []string
	Tokens     map[string]string // role label → token
}

// IDNumber returns a valid 18-character ID number derived from n, distinct
// for every n below 18,000,000: the birth date walks from 1950 by n/1000 days
// and the sequence number is n%1000.
func IDNumber(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (n/1000)%18000)
	first := fmt.Sprintf("362426%s%03d", birth.Format("20060102"), n%1000)
	return first + string(ledger.IDNumberCheckChar(first))
}

// NewFixture creates book code with households and parties on s.
func NewFixture(t testing.TB, s *ledger.Store, code string, kind ledger.BookKind, households int) Fixture {
	t.Helper()
	ctx := context.Background()
	f := Fixture{Store: s, Tokens: map[string]string{}}
	f.Admin = f.user(t, "admin-"+code, ledger.NewUser{Name: "管理员", Role: ledger.RoleAdmin})
	var err error
	f.Book, err = s.CreateBook(ctx, f.Admin, ledger.NewBook{Code: code, Name: "测试村" + code, Kind: kind,
		Township: ledger.Township{Code: "T01", Name: "测试镇"}, StartPeriod: "2026-01"})
	if err != nil {
		t.Fatalf("create book: %v", err)
	}
	f.Preparer = f.user(t, "preparer", ledger.NewUser{Name: "制单会计", Role: ledger.RoleAccountant, Books: []string{code}})
	f.Reviewer = f.user(t, "reviewer", ledger.NewUser{Name: "审核会计", Role: ledger.RoleAccountant, Books: []string{code}})
	f.Township = f.user(t, "township", ledger.NewUser{Name: "乡镇财政所", Role: ledger.RoleTownship, Township: "T01"})
	f.Auditor = f.user(t, "auditor", ledger.NewUser{Name: "审计", Role: ledger.RoleAuditor, Books: []string{code}})
	for i := 1; i <= households; i++ {
		h := ledger.Household{Code: fmt.Sprintf("H%03d", i), HeadName: fmt.Sprintf("农户%d", i), IDNumber: IDNumber(i),
			BankAccount: fmt.Sprintf("62170000%08d", i), Members: 1 + i%6, Group: fmt.Sprintf("第%d组", 1+i%4), Status: ledger.StatusOrdinary}
		if _, err := s.CreateHousehold(ctx, f.Preparer, code, h); err != nil {
			t.Fatalf("household: %v", err)
		}
		f.Households = append(f.Households, h.Code)
	}
	for i, name := range []string{"龙头农业发展有限公司", "光伏电站运营公司"} {
		p := ledger.Party{Code: fmt.Sprintf("C%02d", i+1), Name: name}
		if _, err := s.CreateParty(ctx, f.Preparer, code, p); err != nil {
			t.Fatalf("party: %v", err)
		}
		f.Parties = append(f.Parties, p.Code)
	}
	return f
}

func (f *Fixture) user(t testing.TB, label string, u ledger.NewUser) ledger.Actor {
	t.Helper()
	ctx := context.Background()
	by := f.Admin
	if u.Role == ledger.RoleAdmin {
		by = ledger.System
	}
	_, token, err := f.Store.CreateUser(ctx, by, u)
	if err != nil {
		t.Fatalf("user %s: %v", label, err)
	}
	f.Tokens[label] = token
	a, err := f.Store.Authenticate(ctx, token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", label, err)
	}
	return a
}

// Amount returns a pointer to the parsed amount, for LineInput.
func Amount(s string) *ledger.Money {
	m := ledger.MustMoney(s)
	return &m
}

// Post creates a draft as the preparer and posts it as the reviewer.
func (f Fixture) Post(t testing.TB, in ledger.VoucherInput) ledger.Voucher {
	t.Helper()
	ctx := context.Background()
	v, err := f.Store.CreateVoucher(ctx, f.Preparer, f.Book.Code, in)
	if err != nil {
		t.Fatalf("create voucher: %v", err)
	}
	v, err = f.Store.PostVoucher(ctx, f.Reviewer, f.Book.Code, v.ID)
	if err != nil {
		t.Fatalf("post voucher: %v", err)
	}
	return v
}

// GoLive moves the book's go-live month as its township officer; a test that
// imports history calls it before anything is posted.
func (f *Fixture) GoLive(t testing.TB, period string) {
	t.Helper()
	if _, err := f.Store.SetGoLive(context.Background(), f.Township, f.Book.Code, period); err != nil {
		t.Fatalf("go-live %s: %v", period, err)
	}
}

// ImportHistory submits a batch of historical vouchers as the preparer and
// approves it as the township officer: the two people every import needs.
func (f *Fixture) ImportHistory(ctx context.Context, batch ledger.ImportBatch) (ledger.BatchImportResult, error) {
	p, err := f.Store.ImportVouchers(ctx, f.Preparer, f.Book.Code, batch)
	if err != nil {
		return ledger.BatchImportResult{}, err
	}
	done, err := f.Store.ApproveImport(ctx, f.Township, f.Book.Code, p.ID, nil)
	if err != nil {
		return ledger.BatchImportResult{}, err
	}
	return *done.Result, nil
}

// Fund gives the book opening balances of 100,000.00 库存现金 and
// 1,000,000.00 银行存款 (against 311), for tests that pay out more than they
// receive: cash and bank may never show a credit balance.
func (f Fixture) Fund(t testing.TB) {
	t.Helper()
	_, err := f.Store.SetOpeningBalances(context.Background(), f.Preparer, f.Book.Code, ledger.OpeningInput{Lines: []ledger.LineInput{
		{Account: "101", Debit: Amount("100000.00")},
		{Account: "102", Debit: Amount("1000000.00")},
		{Account: "311", Credit: Amount("1100000.00")},
	}})
	if err != nil {
		t.Fatalf("fund: %v", err)
	}
}
