package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// Trade lines: a cooperative's sales to and purchases from a member, the
// lines its 交易量（额） (农民专业合作社法 第44条) is counted from. A line marked
// trade must be on 114 成员往来 with a member who belonged to the cooperative
// on the voucher's date, and the voucher must move goods or income on the
// other side (tradeCounterAccounts); a line against cash, a loan, wages or a
// payout is never trade, so a voucher with such counter lines only is refused.

// tradeCounterAccounts are the accounts (and their sub-accounts) whose lines
// make a voucher a trade: income and cost of sales, goods and materials
// bought, sold, processed or handled on the member's behalf.
var tradeCounterAccounts = []string{"121", "122", "124", "125", "127", "128", "141", "401", "501", "521"}

// tradeAccount is the member account a trade line sits on.
const tradeAccount = "114"

func underAny(code string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(code, r) {
			return true
		}
	}
	return false
}

// checkTrade adds a problem to v for each trade line that breaks the rule.
func (s *Store) checkTrade(ctx context.Context, tx bun.IDB, b Book, date string, lines []Line, v *validation) error {
	counter := false
	for _, l := range lines {
		if !l.Trade && underAny(l.Account, tradeCounterAccounts) {
			counter = true
		}
	}
	for i, l := range lines {
		if !l.Trade {
			continue
		}
		field := fmt.Sprintf("lines[%d].trade", i)
		switch {
		case b.Kind != KindCooperative:
			v.Add(field, "只有农民专业合作社账套记录与成员的交易")
			continue
		case !strings.HasPrefix(l.Account, tradeAccount):
			v.Add(field, "与成员的交易只记在 114 成员往来，本行科目是 %s", l.Account)
			continue
		case !counter:
			v.Add(field, "与成员的交易须有对方科目 经营收入、经营支出、产品物资、受托代购/代销商品等（%s）；借款、预付、工资和分配不是交易",
				strings.Join(tradeCounterAccounts, "、"))
			continue
		}
		m, err := s.memberByCode(ctx, tx, b.ID, l.Household)
		if err != nil {
			if ErrorCode(err) != ECodeNotFound {
				return err
			}
			v.Add(field, "%s 不是本社成员，不能记为成员交易", l.Household)
			continue
		}
		if !m.memberAt(date) {
			v.Add(field, "%s（%s）在 %s 不是本社成员（入社 %s，退社 %s）", m.Code, m.Name, date, m.JoinedOn, orDash(m.LeftOn))
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func anyTrade(lines []Line) bool {
	for _, l := range lines {
		if l.Trade {
			return true
		}
	}
	return false
}
