package demo

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"coopledger/ledger"
)

// A plan is one book's nine months written down before anything touches the
// database: roster, parties and vouchers in date order. Building it first lets
// the loader assert the books make sense (every voucher balances, the bank
// never goes overdrawn, nobody is paid more than they are owed) and keeps the
// database part a plain loop.

// line is one voucher line in fen; exactly one of debit and credit is set.
type line struct {
	account, household, party, note string
	debit, credit                   int64
	trade                           bool // a cooperative's trade with the member on 114
}

func dr(account string, fen int64) line { return line{account: account, debit: fen} }
func cr(account string, fen int64) line { return line{account: account, credit: fen} }

// of names the household of a ★ line; the note starts with the head's name
// so the ledger reads like the paper one.
func (l line) of(h *household, note string) line {
	l.household = h.Code
	l.note = strings.TrimSpace(h.HeadName + " " + note)
	return l
}

// with names the party of a ★ line.
func (l line) with(party string) line { l.party = party; return l }

func (l line) noted(note string) line { l.note = note; return l }

// traded marks a member's 114 line as trade with the cooperative (交易量（额）).
func (l line) traded() line { l.trade = true; return l }

// entry is one voucher of a plan.
type entry struct {
	date        string // YYYY-MM-DD
	summary     string
	attachments int
	lines       []line
	draft       bool // prepared but left for review at the end of the demo
	external    bool // booked by a payout run: only replayed by checkBalances
	reverses    int  // 1-based index of the entry this red reversal cancels; 0 for none
	opening     bool // last year's closing balances, entered through SetOpeningBalances
}

// plan is one book: its header, roster, parties and vouchers.
type plan struct {
	book       ledger.NewBook
	households []*household
	parties    []ledger.Party
	members    []ledger.Member // a cooperative's members, households of the roster
	entries    []entry
	steps      []step // agreements and payout runs, done through the ledger
	// mustDebit and mustCredit are accounts whose balance (per household or
	// party on ★ accounts) may never cross to the other side.
	mustDebit, mustCredit []string
	err                   error
}

// limits on a plan, far above what the demo uses, so a bug cannot run away.
const (
	maxEntries      = 2000
	maxLinesPerPlan = 500 // the ledger's own per-voucher limit
)

func (p *plan) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("demo %s: "+format, append([]any{p.book.Code}, args...)...)
	}
}

// add appends a voucher after checking its shape; it returns the entry's
// 1-based index for a later reversal.
func (p *plan) add(date string, attachments int, summary string, lines ...line) int {
	var debit, credit int64
	for _, l := range lines {
		if (l.debit == 0) == (l.credit == 0) || l.debit < 0 || l.credit < 0 {
			p.fail("%s %s: line %s has no single positive side", date, summary, l.account)
		}
		debit, credit = debit+l.debit, credit+l.credit
	}
	switch {
	case debit != credit || debit == 0:
		p.fail("%s %s: debit %d ≠ credit %d fen", date, summary, debit, credit)
	case len(lines) < 2 || len(lines) > maxLinesPerPlan:
		p.fail("%s %s: %d lines", date, summary, len(lines))
	case len(p.entries) >= maxEntries:
		p.fail("more than %d vouchers", maxEntries)
	}
	p.entries = append(p.entries, entry{date: date, summary: summary, attachments: attachments, lines: lines})
	return len(p.entries)
}

// opening records last year's closing trial balance (by account, household
// and party) as the book's opening balances: entered through the
// opening-balances facility, dated the day before the book's first month, so
// every 年初 column reads it and January shows only January.
func (p *plan) opening(lines ...line) {
	start, _ := time.Parse("2006-01", p.book.StartPeriod)
	p.add(start.AddDate(0, 0, -1).Format("2006-01-02"), 0, ledger.OpeningSummary, lines...)
	p.entries[len(p.entries)-1].opening = true
}

// external records what a payout run will book, so that checkBalances
// replays it and vouchers of the plan that depend on it stay consistent.
func (p *plan) external(date, summary string, lines ...line) {
	p.add(date, 0, summary, lines...)
	p.entries[len(p.entries)-1].external = true
}

// reverse appends a red reversal of entry idx, to be posted on date. summary
// has one %s, filled with the original's month and number ("2月记-0003号")
// once it is known.
func (p *plan) reverse(date string, idx int, summary string) {
	orig := p.entries[idx-1]
	neg := make([]line, len(orig.lines))
	for i, l := range orig.lines {
		neg[i] = l
		neg[i].debit, neg[i].credit = -l.debit, -l.credit
	}
	p.entries = append(p.entries, entry{date: date, summary: summary, attachments: 0, lines: neg, reverses: idx})
}

// share is one household's part of a batch (accrual or payout).
type share struct {
	h    *household
	fen  int64
	note string
}

func total(shares []share) int64 {
	var t int64
	for _, s := range shares {
		t += s.fen
	}
	return t
}

// credits turns shares into ★ credit lines on account, skipping zero parts.
func credits(account string, shares []share) []line {
	out := make([]line, 0, len(shares))
	for _, s := range shares {
		if s.fen > 0 {
			out = append(out, cr(account, s.fen).of(s.h, s.note))
		}
	}
	return out
}

// debits turns shares into ★ debit lines on account, skipping zero parts.
func debits(account string, shares []share) []line {
	out := make([]line, 0, len(shares))
	for _, s := range shares {
		if s.fen > 0 {
			out = append(out, dr(account, s.fen).of(s.h, s.note))
		}
	}
	return out
}

// accrued books amounts owed to households: Dr from / Cr account—[户].
func (p *plan) accrued(date string, attachments int, summary, from, account string, shares []share) {
	p.add(date, attachments, summary, append([]line{dr(from, total(shares))}, credits(account, shares)...)...)
}

// paid books a bank batch (一卡通代发) to households: Dr account—[户] / Cr 102.
func (p *plan) paid(date string, attachments int, summary, account string, shares []share) {
	p.add(date, attachments, summary, append(debits(account, shares), cr("102", total(shares)))...)
}

// sortEntries orders vouchers by date, keeping the written order within a day
// (a reversal always comes after what it reverses).
func (p *plan) sortEntries() {
	idx := make([]int, len(p.entries))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p.entries[idx[a]].date < p.entries[idx[b]].date })
	pos := make([]int, len(idx)) // old index → new index
	sorted := make([]entry, len(idx))
	for newI, oldI := range idx {
		sorted[newI] = p.entries[oldI]
		pos[oldI] = newI
	}
	for i := range sorted {
		if r := sorted[i].reverses; r != 0 {
			sorted[i].reverses = pos[r-1] + 1
			if sorted[i].reverses > i {
				p.fail("reversal on %s precedes its original", sorted[i].date)
			}
		}
	}
	p.entries = sorted
}

// checkBalances replays the plan and asserts that no watched balance crosses
// to the wrong side: the bank is never overdrawn and no household or party is
// paid more than it is owed.
func (p *plan) checkBalances() {
	type key struct{ account, household, party string }
	net := map[key]int64{} // debit minus credit, fen
	watched := func(account string, list []string) bool {
		for _, a := range list {
			if account == a {
				return true
			}
		}
		return false
	}
	for _, e := range p.entries {
		for _, l := range e.lines {
			k := key{l.account, l.household, l.party}
			net[k] += l.debit - l.credit
			n := net[k]
			if (n < 0 && watched(l.account, p.mustDebit)) || (n > 0 && watched(l.account, p.mustCredit)) {
				p.fail("%s %s: balance of %s %s%s becomes %s", e.date, e.summary, l.account, l.household, l.party, ledger.Fen(n))
				return
			}
		}
	}
}

// roundDiv is num/den rounded half up (四舍五入), for non-negative num and positive den.
func roundDiv(num, den int64) int64 { return (2*num + den) / (2 * den) }

// yuan formats fen for a summary: "1234.50".
func yuan(fen int64) string { return ledger.Fen(fen).String() }

// mu formats an area in ten-thousandths of a 亩 with four decimals: "1.2500亩".
func mu(areaE4 int64) string { return fmt.Sprintf("%d.%04d亩", areaE4/10000, areaE4%10000) }

// date formats a day of 2026.
func date(month, day int) string { return fmt.Sprintf("2026-%02d-%02d", month, day) }

// monthEnd is the last day of a month of 2026.
func monthEnd(month int) string { return date(month, daysIn(2026, month)) }

// quarterName is "一季度" … for months 1–12.
func quarterName(month int) string { return chineseDigits[(month-1)/3] + "季度" }

// sortShares orders shares by household code, the order of a roster.
func sortShares(s []share) {
	sort.Slice(s, func(a, b int) bool { return s[a].h.Code < s[b].h.Code })
}
