package ledger

import (
	"context"
	"database/sql"
	"fmt"
)

// BankPayoutRow is one line of a bank's 代发 (batch payment) list: the
// household's head as the account name, the card, the amount still unpaid.
type BankPayoutRow struct {
	Household string `json:"household"`
	Name      string `json:"name"`   // 户名
	Card      string `json:"card"`   // 卡号; empty when the household has none on record
	Amount    Money  `json:"amount"` // 金额: what the run still owes the household
	Remark    string `json:"remark"` // 备注
}

// BankPayoutList is the 代发 list of an approved run: every household with
// an amount outstanding, in household order. Households without a card are
// listed too, with an empty card, so nobody is silently left out.
func (s *Store) BankPayoutList(ctx context.Context, a Actor, bookCode string, runID int64) ([]BankPayoutRow, error) {
	run, err := s.PayoutRun(ctx, a, bookCode, runID)
	if err != nil {
		return nil, err
	}
	if run.Status != RunApproved {
		return nil, Errorf(ECodeConflict, "收益分配 #%d 尚未审核，不能导出代发清单", runID)
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT code, head_name, bank_account FROM households WHERE book_id = ?", b.ID)
	if err != nil {
		return nil, err
	}
	hs, err := scanAll(rows, func(rows *sql.Rows, h *Household) error { return rows.Scan(&h.Code, &h.HeadName, &h.BankAccount) })
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]Household, len(hs))
	for _, h := range hs {
		byCode[h.Code] = h
	}
	out := []BankPayoutRow{}
	for _, hp := range run.Households {
		if !hp.Outstanding.IsPositive() {
			continue
		}
		h := byCode[hp.Household]
		out = append(out, BankPayoutRow{Household: hp.Household, Name: h.HeadName, Card: h.BankAccount, Amount: hp.Outstanding,
			Remark: fmt.Sprintf("%s收益分配 %s", QuarterName(run.Quarter), hp.Household)})
	}
	return out, nil
}
