package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"coopledger/ledger"

	"github.com/shopspring/decimal"
)

// Agreements and quarterly payout runs go through the ledger's own API, not
// through hand-written vouchers: the plan only schedules them as steps, run
// on their day after that day's vouchers are posted. A step may read what
// earlier steps produced (the run a payment pays, the amount a company owes
// for a quarter), which is why they are not vouchers of the plan.

// step is something done through the ledger on a day of the plan.
type step struct {
	date string
	what string
	do   func(*env) error
}

// at schedules a step; steps of one day run in the order they were added.
func (p *plan) at(date, what string, do func(*env) error) {
	p.steps = append(p.steps, step{date: date, what: what, do: do})
}

// env is what a step works with while a book loads.
type env struct {
	ctx          context.Context
	store        *ledger.Store
	code         string
	acc, officer ledger.Actor
	sim          *simClock
	posted       int            // vouchers posted by steps
	transfers    map[string]int // month → transfers to households' cards by payout runs
	agreements   int
	runs         int
	refs         map[string]int // reference prefix → last number used
}

// voucher prepares e as the accountant and has the officer post it.
func (e *env) voucher(en entry) error {
	e.sim.advance(4 * time.Minute)
	id, err := prepare(e.ctx, e.store, e.acc, e.code, en, nil, nil)
	if err != nil {
		return err
	}
	e.sim.advance(time.Minute)
	if _, err := e.store.PostVoucher(e.ctx, e.officer, e.code, id); err != nil {
		return fmt.Errorf("post %s %s: %w", en.date, en.summary, err)
	}
	e.posted++
	return nil
}

// agreement records an agreement in the accountant's name.
func (p *plan) agreement(date string, in ledger.AgreementInput) {
	p.at(date, "agreement "+in.Code, func(e *env) error {
		e.sim.advance(10 * time.Minute)
		if _, err := e.store.CreateAgreement(e.ctx, e.acc, e.code, in); err != nil {
			return err
		}
		e.agreements++
		return nil
	})
}

// version records new terms of an agreement effective from a date.
func (p *plan) version(date, code string, in ledger.VersionInput) {
	p.at(date, "version of "+code, func(e *env) error {
		e.sim.advance(10 * time.Minute)
		_, err := e.store.AddAgreementVersion(e.ctx, e.acc, e.code, code, in)
		return err
	})
}

// declare records a quarter's pool or surplus.
func (p *plan) declare(date, code, quarter string, fen int64) {
	p.at(date, "declaration "+code+" "+quarter, func(e *env) error {
		e.sim.advance(10 * time.Minute)
		_, err := e.store.Declare(e.ctx, e.acc, e.code, code, ledger.DeclarationInput{Quarter: quarter, Amount: ledger.Fen(fen)})
		return err
	})
}

// work records a batch of work records.
func (p *plan) work(date, code string, records []ledger.WorkRecord) {
	if len(records) == 0 {
		return
	}
	p.at(date, "work records "+code, func(e *env) error {
		e.sim.advance(10 * time.Minute)
		_, err := e.store.AddWorkRecords(e.ctx, e.acc, e.code, code, records)
		return err
	})
}

// runRef is a payout run scheduled by a plan, known once computed.
type runRef struct {
	quarter string
	id      int64
}

// payoutRun has the accountant compute the quarter's run on one day and the
// township officer approve it on another, the accrual vouchers dated that
// day. check, if not nil, compares the computed run with what the plan
// expects (amounts the plan's own vouchers depend on).
func (p *plan) payoutRun(quarter, computed, approved string, check func(ledger.PayoutRun) error) *runRef {
	ref := &runRef{quarter: quarter}
	p.at(computed, "payout run "+quarter, func(e *env) error {
		e.sim.advance(20 * time.Minute)
		run, err := e.store.CreatePayoutRun(e.ctx, e.acc, e.code, ledger.RunInput{Quarter: quarter})
		if err != nil {
			return err
		}
		ref.id = run.ID
		e.runs++
		if check != nil {
			return check(run)
		}
		return nil
	})
	p.at(approved, "approve payout run "+quarter, func(e *env) error {
		e.sim.advance(20 * time.Minute)
		run, err := e.store.ApprovePayoutRun(e.ctx, e.officer, e.code, ref.id, ledger.ApproveInput{Date: approved})
		if err != nil {
			return err
		}
		vouchers := map[int64]bool{}
		for _, l := range run.Lines {
			vouchers[l.AccrualVoucherID] = true
		}
		e.posted += len(vouchers)
		return nil
	})
	return ref
}

// partyPays books the company's transfer of what it owes for a run's
// agreements (the amounts accrued to 112 应收款—[公司], service fee included).
func (p *plan) partyPays(date string, ref *runRef, party, summary string, agreements ...string) {
	p.at(date, "receipt from "+party, func(e *env) error {
		run, err := e.store.PayoutRun(e.ctx, e.acc, e.code, ref.id)
		if err != nil {
			return err
		}
		var gross int64
		for _, l := range run.Lines {
			for _, a := range agreements {
				if l.Agreement == a {
					gross += l.Amount.Fen() + l.Fee.Fen()
				}
			}
		}
		if gross <= 0 {
			return fmt.Errorf("nothing owed by %s in run %d", party, ref.id)
		}
		return e.voucher(entry{date: date, summary: summary, attachments: 2,
			lines: []line{dr("102", gross), cr("112", gross).with(party)}})
	})
}

// payBank pays by the bank's 一卡通 batch, in full, every household of the run
// with something outstanding that pick accepts; the references are the
// bank's serial numbers, "NXYH-QZ-2026Q1-0001".
func (p *plan) payBank(date string, ref *runRef, pick func(household string) bool) {
	p.at(date, "bank batch "+ref.quarter, func(e *env) error {
		pays, err := e.outstanding(ref, date, ledger.MethodBank, "NXYH", pick)
		if err != nil || len(pays) == 0 {
			return err
		}
		if err := e.pay(ref, pays); err != nil {
			return err
		}
		e.transfers[date[:7]] += len(pays)
		return nil
	})
}

// payCash pays the households pick accepts in cash against receipts, after
// drawing the cash from the bank.
func (p *plan) payCash(date string, ref *runRef, pick func(household string) bool) {
	p.at(date, "cash "+ref.quarter, func(e *env) error {
		pays, err := e.outstanding(ref, date, ledger.MethodCash, "XJ", pick)
		if err != nil || len(pays) == 0 {
			return err
		}
		var sum int64
		for _, py := range pays {
			sum += py.Amount.Fen()
		}
		q := quarterName(3 * int(ref.quarter[5]-'0'))
		if err := e.voucher(entry{date: date, attachments: 1, lines: []line{dr("101", sum), cr("102", sum)},
			summary: fmt.Sprintf("提取现金，用于现金发放%s收益（%d户）", q, len(pays))}); err != nil {
			return err
		}
		return e.pay(ref, pays)
	})
}

// outstanding lists full payments of what pick's households are still owed.
func (e *env) outstanding(ref *runRef, date, method, bank string, pick func(string) bool) ([]ledger.PaymentInput, error) {
	run, err := e.store.PayoutRun(e.ctx, e.acc, e.code, ref.id)
	if err != nil {
		return nil, err
	}
	var out []ledger.PaymentInput
	prefix := fmt.Sprintf("%s-%s-%s-", bank, e.code[:2], ref.quarter)
	for _, h := range run.Households {
		if !h.Outstanding.IsPositive() || !pick(h.Household) {
			continue
		}
		e.refs[prefix]++
		out = append(out, ledger.PaymentInput{Household: h.Household, Amount: h.Outstanding, Date: date, Method: method,
			Reference: fmt.Sprintf("%s%04d", prefix, e.refs[prefix])})
	}
	return out, nil
}

func (e *env) pay(ref *runRef, pays []ledger.PaymentInput) error {
	e.sim.advance(15 * time.Minute)
	done, err := e.store.RecordPayments(e.ctx, e.acc, e.code, ref.id, pays)
	if err != nil {
		return err
	}
	vouchers := map[int64]bool{}
	for _, d := range done {
		vouchers[d.VoucherID] = true
	}
	e.posted += len(vouchers)
	return nil
}

// Choosing households without a random stream, so a household's luck does
// not depend on how many were drawn before it.

// hashPct is a household's fixed number 0–99 for a purpose.
func hashPct(household, purpose string) int {
	h := fnv.New32a()
	h.Write([]byte(purpose + "|" + household))
	return int(h.Sum32() % 100)
}

func all(string) bool { return true }

// except accepts every household but the listed ones.
func except(codes ...string) func(string) bool {
	return func(h string) bool {
		for _, c := range codes {
			if c == h {
				return false
			}
		}
		return true
	}
}

// only accepts the listed households.
func only(codes ...string) func(string) bool {
	return func(h string) bool { return !except(codes...)(h) }
}

// bankFees adds each month's bank charges, posted at month end: account fee
// and SMS notices 13.00 plus 0.50 for every transfer to a household's card,
// counting the payout runs' bank batches.
func (p *plan) bankFees(account string) {
	transfers := map[string]int{}
	for _, e := range p.entries {
		fromBank := false
		for _, l := range e.lines {
			fromBank = fromBank || (l.account == "102" && l.credit > 0)
		}
		for _, l := range e.lines {
			if fromBank && l.household != "" && l.debit > 0 && !e.external {
				transfers[e.date[:7]]++
			}
		}
	}
	for m := 1; m <= 9; m++ {
		p.at(monthEnd(m), "bank fees", func(e *env) error {
			month := date(m, 1)[:7]
			n := transfers[month] + e.transfers[month]
			fee := int64(1300 + 50*n)
			summary := fmt.Sprintf("支付%d月银行账户管理费及短信费", m)
			if n > 0 {
				summary = fmt.Sprintf("支付%d月银行账户管理费、短信费及代发手续费（代发%d笔）", m, n)
			}
			return e.voucher(entry{date: monthEnd(m), summary: summary, attachments: 1, lines: []line{dr(account, fee), cr("102", fee)}})
		})
	}
}

// dec is n × 10^exp as a decimal: dec(12345, -4) is 1.2345.
func dec(n int64, exp int32) *decimal.Decimal {
	d := decimal.New(n, exp)
	return &d
}

// quarterOf is "2026Q1" … for months 1–12.
func quarterOf(month int) string { return fmt.Sprintf("2026Q%d", (month-1)/3+1) }
