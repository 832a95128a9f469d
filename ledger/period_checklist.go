package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The month-end checklist (月末结账检查) gathers what an accountant checks
// before 结账 from the ledger's own reports: drafts left, the trial balance,
// the bank reconciliation of every bank account, the quarter's payout
// reconciliation and its payout runs. Only what ClosePeriod itself refuses
// (drafts left, the previous month open) blocks closing; the rest is shown
// so the accountant closes knowingly.
//
// The checklist reads core, payouts, reconciliation and bank; nothing reads it.

// Checklist item keys.
const (
	CheckPrevious       = "previous"
	CheckDrafts         = "drafts"
	CheckTrialBalance   = "trial_balance"
	CheckBank           = "bank"
	CheckReconciliation = "reconciliation"
	CheckPayouts        = "payouts"
)

// MonthCheck is one item of a month's checklist.
type MonthCheck struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	OK     bool   `json:"ok"`
	Blocks bool   `json:"blocks"` // ClosePeriod refuses while it fails
	Detail string `json:"detail"`
}

// MonthChecklist is the checklist of one month of a book.
type MonthChecklist struct {
	Book    string       `json:"book"`
	Period  string       `json:"period"`
	Quarter string       `json:"quarter"`
	Closed  bool         `json:"closed"`
	Drafts  int          `json:"drafts"`
	Unpaid  Money        `json:"unpaid"` // outstanding on the quarter's approved runs
	Checks  []MonthCheck `json:"checks"`
	// Closable: nothing that blocks 结账 fails and the month is open.
	Closable bool `json:"closable"`
}

// MonthChecklist checks a month of a book before it is closed.
func (s *Store) MonthChecklist(ctx context.Context, a Actor, bookCode, period string) (MonthChecklist, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return MonthChecklist{}, FieldError("period", "%s", err.Error())
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return MonthChecklist{}, err
	}
	if string(p) < b.StartPeriod {
		return MonthChecklist{}, FieldError("period", "早于账套启用期间 %s", b.StartPeriod)
	}
	q, err := quarterOfPeriod(p)
	if err != nil {
		return MonthChecklist{}, err
	}
	out := MonthChecklist{Book: b.Code, Period: string(p), Quarter: q.String()}
	if out.Closed, err = periodClosed(ctx, s.db, b.ID, p); err != nil {
		return out, err
	}
	steps := []func(context.Context, Actor, Book, Period, *MonthChecklist) error{
		s.checkPrevious, s.checkDrafts, s.checkTrialBalance, s.checkBank, s.checkReconciliation, s.checkPayouts}
	for _, step := range steps {
		if err := step(ctx, a, b, p, &out); err != nil {
			return out, err
		}
	}
	out.Closable = !out.Closed
	for _, c := range out.Checks {
		if c.Blocks && !c.OK {
			out.Closable = false
		}
	}
	return out, nil
}

func quarterOfPeriod(p Period) (Quarter, error) {
	m, err := strconv.Atoi(string(p)[5:])
	if err != nil {
		return Quarter{}, err
	}
	return ParseQuarter(fmt.Sprintf("%sQ%d", string(p)[:4], (m-1)/3+1))
}

func (s *Store) checkPrevious(ctx context.Context, _ Actor, b Book, p Period, out *MonthChecklist) error {
	c := MonthCheck{Key: CheckPrevious, Label: "上一期间已结账", Blocks: true, OK: true, Detail: "本月是账套启用的第一个月"}
	if string(p) > b.StartPeriod {
		closed, err := periodClosed(ctx, s.db, b.ID, p.Prev())
		if err != nil {
			return err
		}
		c.OK, c.Detail = closed, fmt.Sprintf("%s 已结账", p.Prev())
		if !closed {
			c.Detail = fmt.Sprintf("%s 尚未结账，请按月份顺序结账", p.Prev())
		}
	}
	out.Checks = append(out.Checks, c)
	return nil
}

func (s *Store) checkDrafts(ctx context.Context, _ Actor, b Book, p Period, out *MonthChecklist) error {
	if err := s.db.NewRaw("SELECT COUNT(*) FROM vouchers WHERE book_id = ? AND period = ? AND status = 'draft'",
		b.ID, string(p)).Scan(ctx, &out.Drafts); err != nil {
		return err
	}
	c := MonthCheck{Key: CheckDrafts, Label: "草稿凭证已全部审核记账或删除", Blocks: true, OK: out.Drafts == 0, Detail: "没有草稿凭证"}
	if out.Drafts > 0 {
		c.Detail = fmt.Sprintf("还有 %d 张草稿凭证", out.Drafts)
	}
	out.Checks = append(out.Checks, c)
	return nil
}

func (s *Store) checkTrialBalance(ctx context.Context, a Actor, b Book, p Period, out *MonthChecklist) error {
	tb, err := s.TrialBalance(ctx, a, b.Code, string(p), string(p))
	if err != nil {
		return err
	}
	t := tb.Totals
	c := MonthCheck{Key: CheckTrialBalance, Label: "科目余额表借贷平衡", OK: tb.Balanced,
		Detail: fmt.Sprintf("本期借方 %s，贷方 %s；期末借方 %s，贷方 %s", t.PeriodDebit.String(), t.PeriodCredit.String(),
			t.ClosingDebit.String(), t.ClosingCredit.String())}
	out.Checks = append(out.Checks, c)
	return nil
}

// checkBank reconciles every bank account (the leaves of 102) that has a
// movement or a balance by the month's end.
func (s *Store) checkBank(ctx context.Context, a Actor, b Book, p Period, out *MonthChecklist) error {
	var accounts []string
	if err := s.db.NewRaw(`SELECT DISTINCT a.code FROM accounts a JOIN account_balances t ON t.book_id = a.book_id AND t.account_code = a.code
		WHERE a.book_id = ? AND a.is_leaf AND a.code LIKE '102%' AND t.period <= ? ORDER BY a.code`, b.ID, string(p)).Scan(ctx, &accounts); err != nil && !isNoRows(err) {
		return err
	}
	c := MonthCheck{Key: CheckBank, Label: "银行存款已对账", OK: true, Detail: "本月末没有银行存款科目的发生额或余额"}
	var notes []string
	for _, code := range accounts {
		r, err := s.BankReconciliation(ctx, a, b.Code, code, string(p))
		switch {
		case ErrorCode(err) == ECodeNotFound:
			c.OK = false
			notes = append(notes, code+" 尚未导入银行对账单")
		case err != nil:
			return err
		case !r.Balanced:
			c.OK = false
			notes = append(notes, fmt.Sprintf("%s 调节后余额不符，相差 %s", code, r.Difference.String()))
		default:
			notes = append(notes, fmt.Sprintf("%s 调节后余额相符 %s", code, r.AdjustedBook.String()))
		}
	}
	if len(notes) > 0 {
		c.Detail = strings.Join(notes, "；")
	}
	out.Checks = append(out.Checks, c)
	return nil
}

func (s *Store) checkReconciliation(ctx context.Context, a Actor, b Book, _ Period, out *MonthChecklist) error {
	r, err := s.Reconcile(ctx, a, b.Code, out.Quarter)
	if err != nil {
		return err
	}
	out.Checks = append(out.Checks, MonthCheck{Key: CheckReconciliation, Label: QuarterName(out.Quarter) + " 收益分配对账相符",
		OK: r.OK, Detail: r.Verdict})
	return nil
}

// checkPayouts: every run of the quarter approved; what is still unpaid is
// listed on its run (the outstanding list), which is what the month needs.
func (s *Store) checkPayouts(ctx context.Context, a Actor, b Book, _ Period, out *MonthChecklist) error {
	runs, err := s.PayoutRuns(ctx, a, b.Code, out.Quarter)
	if err != nil {
		return err
	}
	drafts := 0
	for _, r := range runs {
		if r.Status == RunDraft {
			drafts++
			continue
		}
		out.Unpaid = out.Unpaid.Add(r.Outstanding)
	}
	c := MonthCheck{Key: CheckPayouts, Label: QuarterName(out.Quarter) + " 收益分配已付清或列入未付清单", OK: drafts == 0}
	switch {
	case drafts > 0:
		c.Detail = fmt.Sprintf("有 %d 个收益分配尚未审核", drafts)
	case len(runs) == 0:
		c.Detail = "本季度没有收益分配"
	case out.Unpaid.IsPositive():
		c.Detail = fmt.Sprintf("已审核；未付 %s 元列在未付清单中", out.Unpaid.String())
	default:
		c.Detail = "已审核并全部付清"
	}
	out.Checks = append(out.Checks, c)
	return nil
}
