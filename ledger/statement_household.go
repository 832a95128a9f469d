package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// StatementAccount is one account of a household statement. Balances are in
// the account's normal direction: on 211 应付款, a positive balance is money
// the collective owes the household.
type StatementAccount struct {
	Account    string        `json:"account"`
	Name       string        `json:"name"`
	NormalSide Side          `json:"normal_side"`
	Opening    Money         `json:"opening"`
	Entries    []LedgerEntry `json:"entries"`
	Debit      Money         `json:"debit"`
	Credit     Money         `json:"credit"`
	Closing    Money         `json:"closing"`
}

// HouseholdStatement is everything posted to one household in a range.
type HouseholdStatement struct {
	Book      string             `json:"book"`
	Household Household          `json:"household"`
	From      string             `json:"from"`
	To        string             `json:"to"`
	Accounts  []StatementAccount `json:"accounts"`
	Payouts   []QuarterPayout    `json:"payouts"` // per quarter and agreement
}

// HouseholdStatement returns a household's sub-ledgers over a range of months.
func (s *Store) HouseholdStatement(ctx context.Context, a Actor, bookCode, code, from, to string) (HouseholdStatement, error) {
	r, err := ParseRange(from, to)
	if err != nil {
		return HouseholdStatement{}, err
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return HouseholdStatement{}, err
	}
	h, err := householdByCode(ctx, s.db, b.ID, code)
	if err != nil {
		return HouseholdStatement{}, err
	}
	opening, err := sumBalances(ctx, s.db, b.ID, beforeAll, r.From.Prev(), code)
	if err != nil {
		return HouseholdStatement{}, err
	}
	activity, err := sumBalances(ctx, s.db, b.ID, r.From, r.To, code)
	if err != nil {
		return HouseholdStatement{}, err
	}
	accounts, err := loadAccounts(ctx, s.db, b.ID)
	if err != nil {
		return HouseholdStatement{}, err
	}
	scope, err := householdScope(ctx, s.db, b.ID, code, r)
	if err != nil {
		return HouseholdStatement{}, err
	}
	st := HouseholdStatement{Book: b.Code, Household: h, From: string(r.From), To: string(r.To), Accounts: []StatementAccount{}}
	for _, acc := range accounts {
		o, ok1 := opening[acc.Code]
		_, ok2 := activity[acc.Code]
		if !acc.Leaf || (!ok1 && !ok2) {
			continue
		}
		sa, err := statementAccount(ctx, s.db, b.ID, acc, scope, r, o)
		if err != nil {
			return HouseholdStatement{}, err
		}
		st.Accounts = append(st.Accounts, sa)
	}
	st.Payouts, err = s.householdPayouts(ctx, s.db, b, code, r)
	return st, err
}

func statementAccount(ctx context.Context, db bun.IDB, bookID int64, acc Account, scope lineScope, r PeriodRange, o [2]int64) (StatementAccount, error) {
	sign := int64(1)
	if acc.NormalSide == Credit {
		sign = -1
	}
	entries, net, _, err := ledgerEntries(ctx, db, bookID, acc.Code, scope, r, o[0]-o[1])
	if err != nil {
		return StatementAccount{}, err
	}
	sa := StatementAccount{Account: acc.Code, Name: acc.Name, NormalSide: acc.NormalSide,
		Opening: Fen(sign * (o[0] - o[1])), Entries: entries, Closing: Fen(sign * net)}
	for _, e := range entries {
		sa.Debit, sa.Credit = sa.Debit.Add(e.Debit), sa.Credit.Add(e.Credit)
	}
	return sa, nil
}
