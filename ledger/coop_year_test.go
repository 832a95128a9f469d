package ledger_test

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// coopYear is a small cooperative with four members, their capital and a
// year of trade, income and cost.
type coopYear struct {
	ledgertest.Fixture
	ctx context.Context
}

func newCoopYear(t *testing.T, s *ledger.Store) coopYear {
	t.Helper()
	c := coopYear{Fixture: ledgertest.NewFixture(t, s, "COOPY", ledger.KindCooperative, 5), ctx: context.Background()}
	c.Fund(t)
	unitUSCC := "91360730MA35" + "00001"
	unitUSCC += string(ledger.USCCCheckChar(unitUSCC))
	for i, m := range []ledger.Member{
		{Code: "H001", Kind: ledger.MemberFarmer, JoinedOn: "2025-03-01", PovertyCapital: ledger.MustMoney("4000.00")},
		{Code: "H002", Kind: ledger.MemberFarmer, JoinedOn: "2025-03-01"},
		{Code: "H003", Kind: ledger.MemberFarmer, JoinedOn: "2026-02-01"},
		{Code: "H004", Kind: ledger.MemberUnit, Name: "宁都县稻香农业服务有限公司", USCC: unitUSCC, JoinedOn: "2025-03-01"},
	} {
		if _, err := s.CreateMember(c.ctx, c.Preparer, c.Book.Code, m); err != nil {
			t.Fatalf("member %d: %v", i, err)
		}
	}
	if _, err := s.SetCharter(c.ctx, c.Township, c.Book.Code, ledger.Charter{ReserveRate: "10", QuantifyBasis: ledger.BasisCapital}); err != nil {
		t.Fatal(err)
	}
	capital := []ledger.LineInput{{Account: "102", Debit: ledgertest.Amount("100000.00")}}
	for i, h := range []string{"H001", "H002", "H003", "H004"} {
		capital = append(capital, ledger.LineInput{Account: "301", Household: h, Credit: ledgertest.Amount(fmt.Sprintf("%d.00", 10000*(i+1)))})
	}
	c.Post(t, ledger.VoucherInput{Date: "2026-02-05", Summary: "收到成员出资", Lines: capital})
	c.Post(t, ledger.VoucherInput{Date: "2026-03-10", Summary: "向成员供应农资", Lines: []ledger.LineInput{
		{Account: "114", Household: "H001", Debit: ledgertest.Amount("1000.00"), Trade: true},
		{Account: "501", Credit: ledgertest.Amount("1000.00")}}})
	c.Post(t, ledger.VoucherInput{Date: "2026-07-30", Summary: "收购成员稻谷", Lines: []ledger.LineInput{
		{Account: "121", Debit: ledgertest.Amount("8000.00")},
		{Account: "114", Household: "H002", Credit: ledgertest.Amount("5000.00"), Trade: true},
		{Account: "114", Household: "H003", Credit: ledgertest.Amount("3000.00"), Trade: true}}})
	c.Post(t, ledger.VoucherInput{Date: "2026-08-10", Summary: "借给成员周转金", Lines: []ledger.LineInput{
		{Account: "114", Household: "H004", Debit: ledgertest.Amount("2000.00")},
		{Account: "102", Credit: ledgertest.Amount("2000.00")}}})
	c.Post(t, ledger.VoucherInput{Date: "2026-09-25", Summary: "门市销售", Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount("100000.00")}, {Account: "501", Credit: ledgertest.Amount("100000.00")}}})
	c.Post(t, ledger.VoucherInput{Date: "2026-09-30", Summary: "结转销售成本", Lines: []ledger.LineInput{
		{Account: "521", Debit: ledgertest.Amount("20000.00")}, {Account: "121", Credit: ledgertest.Amount("20000.00")}}})
	return c
}

// TestTradeLinesAreRefusedOffTrade: a line marked trade must be a member's
// on 114 against goods or income, never a loan or a non-member, and the
// refusal names the line's field and changes nothing.
func TestTradeLinesAreRefusedOffTrade(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		c := newCoopYear(t, s)
		before := ledgertest.Digest(t, s)
		for _, tc := range []struct {
			name, field, words string
			lines              []ledger.LineInput
		}{
			{"loan", "lines[0].trade", "不是交易", []ledger.LineInput{
				{Account: "114", Household: "H004", Debit: ledgertest.Amount("10.00"), Trade: true}, {Account: "102", Credit: ledgertest.Amount("10.00")}}},
			{"not a member", "lines[0].trade", "不是本社成员", []ledger.LineInput{
				{Account: "114", Household: "H005", Debit: ledgertest.Amount("10.00"), Trade: true}, {Account: "501", Credit: ledgertest.Amount("10.00")}}},
			{"before joining", "lines[0].trade", "入社 2026-02-01", []ledger.LineInput{
				{Account: "114", Household: "H003", Debit: ledgertest.Amount("10.00"), Trade: true}, {Account: "501", Credit: ledgertest.Amount("10.00")}}},
			{"not 114", "lines[1].trade", "114", []ledger.LineInput{
				{Account: "102", Debit: ledgertest.Amount("10.00")}, {Account: "501", Credit: ledgertest.Amount("10.00"), Trade: true}}},
		} {
			date := "2026-10-10"
			if tc.name == "before joining" {
				date = "2026-01-20"
			}
			_, err := s.CreateVoucher(c.ctx, c.Preparer, c.Book.Code, ledger.VoucherInput{Date: date, Summary: "测试", Lines: tc.lines})
			e, ok := ledger.AsError(err)
			if !ok || e.Code != ledger.ECodeInvalid || len(e.Details) == 0 || e.Details[0].Field != tc.field || !strings.Contains(e.Details[0].Message, tc.words) {
				t.Errorf("%s: got %v, want %s on %s", tc.name, err, tc.words, tc.field)
			}
		}
		if _, err := s.CreateMember(c.ctx, c.Preparer, c.Book.Code, ledger.Member{Code: "H005", Kind: "worker", JoinedOn: "2026-13-01"}); !hasFields(err, "kind", "joined_on") {
			t.Errorf("bad member: %v", err)
		}
		if _, err := s.CreateMember(c.ctx, c.Preparer, c.Book.Code, ledger.Member{Code: "NOPE", Kind: ledger.MemberFarmer, JoinedOn: "2026-01-01"}); !hasFields(err, "code") {
			t.Errorf("member off the roster: %v", err)
		}
		if after := ledgertest.Digest(t, s); after != before {
			t.Error("a refused request changed the database")
		}
	})
}

func hasFields(err error, fields ...string) bool {
	e, ok := ledger.AsError(err)
	if !ok {
		return false
	}
	got := map[string]bool{}
	for _, d := range e.Details {
		got[d.Field] = true
	}
	for _, f := range fields {
		if !got[f] {
			return false
		}
	}
	return true
}

// TestSurplusPlanFollowsTheLaw drafts the year's plan from the books: less
// than 60 % returned by volume and more than 可分配盈余 are refused with both
// figures and change nothing; the return is split by volume as recomputed
// here; the preparer cannot approve; the approved plan posts to 332's
// leaves and 221/222/301 per member; member accounts open with last year's
// closing.
func TestSurplusPlanFollowsTheLaw(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		c := newCoopYear(t, s)
		ctx, book := c.ctx, c.Book.Code
		q, err := s.QuantifyMembers(ctx, c.Preparer, book, 2026, ledger.QuantifyInput{Subsidy: ledger.MustMoney("1000000.00")})
		if err != nil {
			t.Fatal(err)
		}
		var sub int64
		for _, m := range q.Members {
			sub += m.Subsidy.Fen()
		}
		if sub != 100000000 || q.Donation.Fen() != 10000000 {
			t.Errorf("quantified subsidy parts add to %d fen, donation %s; want 100000000 and 100000.00", sub, q.Donation)
		}

		// 本年盈余 1,000 + 100,000 − 20,000 = 81,000; 提取 10 % = 8,100; 可分配 72,900.
		const distributable = "72900.00"
		before := ledgertest.Digest(t, s)
		_, err = s.DraftSurplusPlan(ctx, c.Preparer, book, ledger.PlanInput{Year: 2026, Return: ledger.MustMoney("43739.99")})
		if msg := ledger.ErrorMessage(err); !strings.Contains(msg, "第四十四条") || !strings.Contains(msg, "43739.99") || !strings.Contains(msg, distributable) {
			t.Errorf("return below 60 %%: %v", err)
		}
		_, err = s.DraftSurplusPlan(ctx, c.Preparer, book, ledger.PlanInput{Year: 2026, Return: ledger.MustMoney("50000.00"), Residual: ledger.MustMoney("22900.01")})
		if msg := ledger.ErrorMessage(err); !strings.Contains(msg, "72900.01") || !strings.Contains(msg, distributable) {
			t.Errorf("plan above 可分配盈余: %v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused plan changed the database")
		}

		in := ledger.PlanInput{Year: 2026, Return: ledger.MustMoney("50000.00"), Residual: ledger.MustMoney("20000.00"), ToCapital: ledger.MustMoney("2900.00")}
		p, err := s.DraftSurplusPlan(ctx, c.Preparer, book, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Distributable.String() != distributable || p.Reserve.String() != "8100.00" || p.NetSurplus.String() != "81000.00" {
			t.Errorf("figures: 本年盈余 %s 提取 %s 可分配 %s", p.NetSurplus, p.Reserve, p.Distributable)
		}
		if p.Return.Fen()*100 < 60*p.Distributable.Fen() {
			t.Errorf("return %s is below 60 %% of %s", p.Return, p.Distributable)
		}
		// The volumes as traded: H001 bought 1,000, H002 and H003 sold 5,000 and 3,000.
		volumes := map[string]int64{"H001": 100000, "H002": 500000, "H003": 300000, "H004": 0}
		want := largestRemainderSplit(p.Return.Fen(), volumes)
		for _, m := range p.Members {
			if m.Volume.Fen() != volumes[m.Code] || m.Return.Fen() != want[m.Code] {
				t.Errorf("%s: volume %s return %s, want volume %d return %d", m.Code, m.Volume, m.Return, volumes[m.Code], want[m.Code])
			}
		}

		if _, err := s.ApproveSurplusPlan(ctx, c.Reviewer, book, p.ID); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Errorf("approved without the members' meeting: %v", err)
		}
		if _, err := s.RecordPlanMeeting(ctx, c.Preparer, book, p.ID, ledger.Meeting{Date: "2027-01-15", Attended: 2, Total: 4, Resolution: "决议"}); !hasFields(err, "attended") {
			t.Errorf("a meeting without two thirds present: %v", err)
		}
		if mp, err := s.RecordPlanMeeting(ctx, c.Preparer, book, p.ID, ledger.Meeting{Date: "2027-01-15", Attended: 4, Total: 4, Resolution: "稻香社决〔2027〕1号"}); err != nil || mp.Meeting == nil || mp.Meeting.Attended != 4 {
			t.Fatalf("meeting: %+v %v", mp.Meeting, err)
		}
		if _, err := s.ApproveSurplusPlan(ctx, c.Preparer, book, p.ID); ledger.ErrorCode(err) != ledger.ECodeSegregation {
			t.Errorf("the preparer approved their own plan: %v", err)
		}
		ap, err := s.ApproveSurplusPlan(ctx, c.Reviewer, book, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ap.Status != ledger.PlanApproved || len(ap.VoucherIDs) != 1 {
			t.Fatalf("approved plan: %+v", ap)
		}
		v, err := s.Voucher(ctx, c.Auditor, book, ap.VoucherIDs[0])
		if err != nil || v.Status != ledger.StatusPosted || v.Date != "2026-12-31" {
			t.Fatalf("plan voucher %+v: %v", v, err)
		}
		debits := map[string]int64{}
		for _, l := range v.Lines {
			debits[l.Account] += l.Debit.Fen()
		}
		if debits["33203"] != 810000 || debits["33204"] != 5000000 || debits["33205"] != 2000000 || debits["33206"] != 290000 {
			t.Errorf("332 leaves debited %v", debits)
		}
		if _, err := s.DraftSurplusPlan(ctx, c.Preparer, book, in); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Errorf("redrafted an approved plan: %v", err)
		}

		// 成员账户: 2026 closing = 出资额 + shares; 2027 opens with it.
		c.Post(t, ledger.VoucherInput{Date: "2027-01-20", Summary: "成员追加出资", Lines: []ledger.LineInput{
			{Account: "102", Debit: ledgertest.Amount("500.00")}, {Account: "301", Household: "H001", Credit: ledgertest.Amount("500.00")}}})
		y26, err := s.MemberAccounts(ctx, c.Auditor, book, 2026)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range y26.Accounts {
			pm := planMember(ap, a.Code)
			if a.Returned != pm.Return || a.Residual != pm.Residual || a.Volume != pm.Volume {
				t.Errorf("%s account: returned %s residual %s volume %s, plan %s %s %s", a.Code, a.Returned, a.Residual, a.Volume, pm.Return, pm.Residual, pm.Volume)
			}
			if a.Closing != a.Capital.Add(a.Reserve).Add(a.Subsidy).Add(a.Donation) {
				t.Errorf("%s closing %s is not its capital and shares", a.Code, a.Closing)
			}
			y27, err := s.MemberAccount(ctx, c.Auditor, book, a.Code, 2027)
			if err != nil {
				t.Fatal(err)
			}
			if y27.Opening != a.Closing {
				t.Errorf("%s: 2027 年初 %s ≠ 2026 年末 %s", a.Code, y27.Opening, a.Closing)
			}
		}
		if h1 := y26.Accounts[0]; h1.Capital.String() != fmt.Sprint(ledger.Fen(1000000+planMember(ap, "H001").ToCapital.Fen())) || h1.PovertyCapital.String() != "4000.00" {
			t.Errorf("H001 capital %s (poverty %s)", h1.Capital, h1.PovertyCapital)
		}
	})
}

func planMember(p ledger.SurplusPlan, code string) ledger.PlanMember {
	for _, m := range p.Members {
		if m.Code == code {
			return m
		}
	}
	return ledger.PlanMember{}
}

// largestRemainderSplit splits pool by weights with exact fractions: floors
// first, then one fen each to the largest remainders, ties by code.
func largestRemainderSplit(pool int64, weights map[string]int64) map[string]int64 {
	var total int64
	codes := make([]string, 0, len(weights))
	for c, w := range weights {
		total += w
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := map[string]int64{}
	rems := map[string]*big.Rat{}
	left := pool
	for _, c := range codes {
		share := new(big.Rat).SetFrac64(pool*weights[c], total)
		floor := new(big.Int).Quo(share.Num(), share.Denom()).Int64()
		out[c], rems[c] = floor, new(big.Rat).Sub(share, new(big.Rat).SetInt64(floor))
		left -= floor
	}
	sort.SliceStable(codes, func(i, j int) bool { return rems[codes[i]].Cmp(rems[codes[j]]) > 0 })
	for i := int64(0); i < left; i++ {
		out[codes[i]]++
	}
	return out
}
