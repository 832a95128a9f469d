package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// MemberAccount is a member's 成员账户 for one year (财会〔2021〕37号 第57条).
// Its 年末 is the member's stake in the cooperative: 出资额 (its 301 股金
// balance on 31 December) + the quantified shares of 公积金, 财政补助 and 捐赠
// standing then; 年初 is the same sum a year earlier, so it equals last
// year's 年末. 交易量（额） counts the trade lines of the year, 盈余返还 and
// 剩余盈余分配 what the year's distributions credited to 221 and 222.
type MemberAccount struct {
	Year           int    `json:"year"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Opening        Money  `json:"opening"`         // 年初
	Capital        Money  `json:"capital"`         // 出资额
	PovertyCapital Money  `json:"poverty_capital"` // 其中：到户类扶贫项目资产
	Reserve        Money  `json:"reserve"`         // 公积金份额
	Subsidy        Money  `json:"subsidy"`         // 财政补助形成财产量化份额
	Donation       Money  `json:"donation"`        // 捐赠形成财产量化份额
	Volume         Money  `json:"volume"`          // 交易量（额）
	Returned       Money  `json:"returned"`        // 盈余返还
	Residual       Money  `json:"residual"`        // 剩余盈余分配
	Closing        Money  `json:"closing"`         // 年末
}

// MemberAccounts is the 成员账户 of every member of a book for a year.
type MemberAccounts struct {
	Book     string          `json:"book"`
	BookName string          `json:"book_name"`
	Year     int             `json:"year"`
	Accounts []MemberAccount `json:"accounts"`
	Total    MemberAccount   `json:"total"`
}

// stakes is each member's year-end stake: 出资额 and quantified shares.
type stakes struct {
	capital map[string]int64
	shares  map[string]quantShares
}

func yearStakes(ctx context.Context, db bun.IDB, bookID int64, year int) (stakes, error) {
	c, err := memberCapital(ctx, db, bookID, yearEndDate(year))
	if err != nil {
		return stakes{}, err
	}
	q, _, err := quantifiedAsOf(ctx, db, bookID, year)
	return stakes{capital: c, shares: q}, err
}

func (st stakes) of(code string) int64 {
	q := st.shares[code]
	return st.capital[code] + q.reserve + q.subsidy + q.donation
}

// memberAccounts builds the accounts of members (all of the book's when nil).
func (s *Store) memberAccounts(ctx context.Context, db bun.IDB, b Book, year int, members []Member) (MemberAccounts, error) {
	out := MemberAccounts{Book: b.Code, BookName: b.Name, Year: year, Accounts: []MemberAccount{}, Total: MemberAccount{Year: year, Name: "合计"}}
	now, err := yearStakes(ctx, db, b.ID, year)
	if err != nil {
		return out, err
	}
	before, err := yearStakes(ctx, db, b.ID, year-1)
	if err != nil {
		return out, err
	}
	volume, err := memberVolume(ctx, db, b.ID, year)
	if err != nil {
		return out, err
	}
	returned, err := memberDistributed(ctx, db, b.ID, year, "221")
	if err != nil {
		return out, err
	}
	residual, err := memberDistributed(ctx, db, b.ID, year, "222")
	if err != nil {
		return out, err
	}
	t := &out.Total
	for _, m := range members {
		q := now.shares[m.Code]
		capital := now.capital[m.Code]
		acc := MemberAccount{Year: year, Code: m.Code, Name: m.Name, Kind: string(m.Kind),
			Opening: Fen(before.of(m.Code)), Capital: Fen(capital), PovertyCapital: Fen(min(m.PovertyCapital.Fen(), max(capital, 0))),
			Reserve: Fen(q.reserve), Subsidy: Fen(q.subsidy), Donation: Fen(q.donation), Volume: Fen(volume[m.Code]),
			Returned: Fen(returned[m.Code]), Residual: Fen(residual[m.Code]), Closing: Fen(now.of(m.Code))}
		out.Accounts = append(out.Accounts, acc)
		t.Opening, t.Capital, t.PovertyCapital = t.Opening.Add(acc.Opening), t.Capital.Add(acc.Capital), t.PovertyCapital.Add(acc.PovertyCapital)
		t.Reserve, t.Subsidy, t.Donation = t.Reserve.Add(acc.Reserve), t.Subsidy.Add(acc.Subsidy), t.Donation.Add(acc.Donation)
		t.Volume, t.Returned, t.Residual = t.Volume.Add(acc.Volume), t.Returned.Add(acc.Returned), t.Residual.Add(acc.Residual)
		t.Closing = t.Closing.Add(acc.Closing)
	}
	return out, nil
}

func (s *Store) memberAccountsFor(ctx context.Context, a Actor, bookCode string, year int, code string) (MemberAccounts, error) {
	if err := checkYear(year); err != nil {
		return MemberAccounts{}, err
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return MemberAccounts{}, err
	}
	if err := cooperativeBook(b); err != nil {
		return MemberAccounts{}, err
	}
	var members []Member
	if code == "" {
		members, err = s.allMembers(ctx, s.db, b.ID)
	} else {
		var m Member
		m, err = s.memberByCode(ctx, s.db, b.ID, code)
		members = []Member{m}
	}
	if err != nil {
		return MemberAccounts{}, err
	}
	return s.memberAccounts(ctx, s.db, b, year, members)
}

// MemberAccounts returns every member's 成员账户 for year.
func (s *Store) MemberAccounts(ctx context.Context, a Actor, bookCode string, year int) (MemberAccounts, error) {
	return s.memberAccountsFor(ctx, a, bookCode, year, "")
}

// MemberAccount returns one member's 成员账户 for year.
func (s *Store) MemberAccount(ctx context.Context, a Actor, bookCode, code string, year int) (MemberAccount, error) {
	all, err := s.memberAccountsFor(ctx, a, bookCode, year, code)
	if err != nil {
		return MemberAccount{}, err
	}
	return all.Accounts[0], nil
}
