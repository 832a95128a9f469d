package ledger

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// Year-end closing (年终结转) happens in vouchers a reviewer posts like any
// other: PrepareYearEnd drafts them, dated 31 December —
//
//	step 1: every 损益 account to 本年收益 (321; cooperatives 331),
//	step 2: 本年收益 to 收益分配—未分配收益 (32202; cooperatives 33202),
//	step 3: 各项分配 (32201; the leaves of 332 but 33202) to 未分配收益 —
//
// and CloseYear, once they are posted, closes the year so nothing can be
// dated in it. Balances are cumulative, so the next year opens with the
// closing balances of the old one without any carry-forward entry. Reopening
// is a township action with a reason; preparing again after a reopen (or
// after postings that moved the closed accounts) drafts red reversals of the
// earlier closing vouchers plus new ones, never edits.

// Closing steps as recorded in year_end_vouchers.
const (
	StepReversal     = 0
	StepIncome       = 1 // 损益 → 本年收益
	StepProfit       = 2 // 本年收益 → 未分配收益
	StepDistribution = 3 // 各项分配 → 未分配收益
)

// YearEndVoucher is one closing voucher of a year.
type YearEndVoucher struct {
	Round      int           `json:"round"`
	Step       int           `json:"step"`
	VoucherID  int64         `json:"voucher_id"`
	Status     VoucherStatus `json:"status"`
	Period     string        `json:"period"`
	Number     string        `json:"number,omitempty"`
	Summary    string        `json:"summary"`
	Total      Money         `json:"total"`
	ReversesID int64         `json:"reverses_id,omitempty"`
	ReversedBy int64         `json:"reversed_by_id,omitempty"`
}

// YearEnd is the year-end state of one year of a book.
type YearEnd struct {
	Book     string           `json:"book"`
	Year     int              `json:"year"`
	Closed   bool             `json:"closed"`
	ClosedAt string           `json:"closed_at,omitempty"`
	ClosedBy int64            `json:"closed_by,omitempty"`
	Vouchers []YearEndVoucher `json:"vouchers"`
}

func checkYear(year int) error {
	if year < 1990 || year > 2200 {
		return FieldError("year", "年度超出范围：%d", year)
	}
	return nil
}

func startYear(b Book) int {
	y, _ := strconv.Atoi(b.StartPeriod[:4])
	return y
}

// checkYearOpen refuses anything dated in a closed year.
func checkYearOpen(ctx context.Context, db bun.IDB, bookID int64, p Period) error {
	closed, err := yearClosed(ctx, db, bookID, p)
	if err != nil {
		return err
	}
	if closed {
		return yearClosedError(p)
	}
	return nil
}

func yearEndVouchers(ctx context.Context, db bun.IDB, bookID int64, year int) ([]YearEndVoucher, error) {
	rows, err := db.QueryContext(ctx, `SELECT y.round, y.step, v.id, v.status, v.period, COALESCE(v.number, 0), v.summary, v.total_fen,
		COALESCE(v.reverses_id, 0), COALESCE(v.reversed_by_id, 0)
		FROM year_end_vouchers y JOIN vouchers v ON v.book_id = y.book_id AND v.id = y.voucher_id
		WHERE y.book_id = ? AND y.year = ? ORDER BY y.round, y.step DESC, v.id`, bookID, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []YearEndVoucher{}
	for rows.Next() {
		var v YearEndVoucher
		var number int
		var total int64
		if err := rows.Scan(&v.Round, &v.Step, &v.VoucherID, &v.Status, &v.Period, &number, &v.Summary, &total, &v.ReversesID, &v.ReversedBy); err != nil {
			return nil, err
		}
		if number > 0 {
			v.Number = FormatNumber(number)
		}
		v.Total = Fen(total)
		out = append(out, v)
	}
	return out, rows.Err()
}

func yearEnd(ctx context.Context, db bun.IDB, b Book, year int) (YearEnd, error) {
	out := YearEnd{Book: b.Code, Year: year}
	err := db.QueryRowContext(ctx, "SELECT closed, COALESCE(closed_at, ''), COALESCE(closed_by, 0) FROM year_ends WHERE book_id = ? AND year = ?",
		b.ID, year).Scan(&out.Closed, &out.ClosedAt, &out.ClosedBy)
	if err != nil && !isNoRows(err) {
		return YearEnd{}, err
	}
	if !out.Closed {
		out.ClosedAt, out.ClosedBy = "", 0
	}
	out.Vouchers, err = yearEndVouchers(ctx, db, b.ID, year)
	return out, err
}

// YearEndStatus returns whether a year is closed and its closing vouchers.
func (s *Store) YearEndStatus(ctx context.Context, a Actor, bookCode string, year int) (YearEnd, error) {
	if err := checkYear(year); err != nil {
		return YearEnd{}, err
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return YearEnd{}, err
	}
	return yearEnd(ctx, s.db, b, year)
}

// closingBalances are the balances of sub-ledger items through December.
type closingBalances map[balanceKey]int64 // net debit − credit fen

func (cb closingBalances) apply(lines []LineInput) {
	for _, l := range lines {
		k := balanceKey{l.Account, l.Household, l.Party}
		if l.Debit != nil {
			cb[k] += l.Debit.Fen()
		}
		if l.Credit != nil {
			cb[k] -= l.Credit.Fen()
		}
	}
}

// keys returns the items with a balance whose account matches, in order.
func (cb closingBalances) keys(match func(account string) bool) []balanceKey {
	var out []balanceKey
	for k, v := range cb {
		if v != 0 && match(k.account) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].account+"\x00"+out[i].household+"\x00"+out[i].party < out[j].account+"\x00"+out[j].household+"\x00"+out[j].party
	})
	return out
}

// closeInto zeroes every item of keys against one counterpart account.
func (cb closingBalances) closeInto(keys []balanceKey, counterpart string) []LineInput {
	var lines []LineInput
	var sum int64
	for _, k := range keys {
		lines = append(lines, sidedLine(k.account, k.household, k.party, -cb[k], ""))
		sum += cb[k]
	}
	if len(lines) > 0 && sum != 0 {
		lines = append(lines, sidedLine(counterpart, "", "", sum, ""))
	}
	return lines
}

// yearEndAccounts are the accounts closing uses, checked against the book's chart.
type yearEndAccounts struct {
	profit, retained, distribution string
	names                          map[string]string
	income                         map[string]bool // leaf 损益 accounts
}

func loadYearEndAccounts(ctx context.Context, db bun.IDB, b Book) (yearEndAccounts, error) {
	lay, err := statementLayout(b.Kind)
	if err != nil {
		return yearEndAccounts{}, err
	}
	accounts, err := loadAccounts(ctx, db, b.ID)
	if err != nil {
		return yearEndAccounts{}, err
	}
	ya := yearEndAccounts{profit: lay.roles[roleProfit], retained: lay.roles[roleRetained], distribution: lay.roles[roleDistribution],
		names: map[string]string{}, income: map[string]bool{}}
	byCode := map[string]Account{}
	for _, acc := range accounts {
		byCode[acc.Code] = acc
		ya.names[acc.Code] = acc.Name + "（" + acc.Code + "）" // 各项分配（32201）: the name first, as read aloud
		if acc.Leaf && acc.Category == CategoryIncome {
			ya.income[acc.Code] = true
		}
	}
	for _, code := range []string{ya.profit, ya.retained} {
		if acc, ok := byCode[code]; !ok || !acc.Leaf {
			return yearEndAccounts{}, Errorf(ECodeConflict, "年终结转要求科目 %s 存在且为末级科目", code)
		}
	}
	if _, ok := byCode[ya.distribution]; !ok {
		return yearEndAccounts{}, Errorf(ECodeConflict, "年终结转要求科目 %s 存在", ya.distribution)
	}
	return ya, nil
}

// isDistribution reports whether a is closed into 未分配 in step 3: the
// distribution account's leaves (a cooperative's 332 holds 未分配盈余 itself
// among them, which is left out).
func (ya yearEndAccounts) isDistribution(a string) bool {
	return strings.HasPrefix(a, ya.distribution) && a != ya.retained
}

// closingDraft is a closing voucher to draft and its step.
type closingDraft struct {
	step int
	in   VoucherInput
}

// plan drafts the closing vouchers for the balances, applying each step's
// lines before computing the next.
func (ya yearEndAccounts) plan(year int, cb closingBalances) []closingDraft {
	date := fmt.Sprintf("%d-12-31", year)
	var out []closingDraft
	add := func(step int, summary string, lines []LineInput) {
		if len(lines) == 0 {
			return
		}
		cb.apply(lines)
		out = append(out, closingDraft{step, VoucherInput{Date: date, Summary: summary, Lines: lines}})
	}
	// Summaries name accounts as 各项分配（32201）. Vouchers an earlier release
	// generated keep their words: a posted summary is in the hash chain.
	add(StepIncome, fmt.Sprintf("结转%d年度 损益类科目至%s", year, ya.names[ya.profit]),
		cb.closeInto(cb.keys(func(a string) bool { return ya.income[a] }), ya.profit))
	add(StepProfit, fmt.Sprintf("结转%d年度 %s至%s", year, ya.names[ya.profit], ya.names[ya.retained]),
		cb.closeInto(cb.keys(func(a string) bool { return a == ya.profit }), ya.retained))
	add(StepDistribution, fmt.Sprintf("结转%d年度 %s至%s", year, ya.names[ya.distribution], ya.names[ya.retained]),
		cb.closeInto(cb.keys(ya.isDistribution), ya.retained))
	return out
}

func loadClosingBalances(ctx context.Context, db bun.IDB, bookID int64, year int) (closingBalances, error) {
	items, err := itemBalances(ctx, db, bookID, Period(fmt.Sprintf("%d-12", year)))
	if err != nil {
		return nil, err
	}
	cb := closingBalances{}
	for _, it := range items {
		cb[balanceKey{it.account, it.household, it.party}] += it.debit - it.credit
	}
	return cb, nil
}

// PrepareYearEnd drafts the year's closing vouchers, prepared by the actor,
// for a reviewer to post. Closing vouchers of earlier rounds that still stand
// (the year was reopened, or postings moved the closed accounts since) get red
// reversals first, and the new vouchers close the balances as they will be
// once those reversals are posted. A year with nothing to close gets no
// vouchers.
func (s *Store) PrepareYearEnd(ctx context.Context, a Actor, bookCode string, year int) ([]Voucher, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	var out []Voucher
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		out = []Voucher{}
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := checkYearPreparable(ctx, tx, b, year); err != nil {
			return err
		}
		ya, err := loadYearEndAccounts(ctx, tx, b)
		if err != nil {
			return err
		}
		earlier, err := yearEndVouchers(ctx, tx, b.ID, year)
		if err != nil {
			return err
		}
		var round int
		if err := tx.NewRaw("SELECT COALESCE(MAX(round), 0) FROM year_end_vouchers WHERE book_id = ? AND year = ?", b.ID, year).Scan(ctx, &round); err != nil {
			return err
		}
		round++
		cb, err := loadClosingBalances(ctx, tx, b.ID, year)
		if err != nil {
			return err
		}
		for _, e := range earlier {
			if e.Step == StepReversal || e.Status != StatusPosted || e.ReversedBy != 0 {
				continue
			}
			v, err := s.draftClosingReversal(ctx, tx, a, b, year, round, e.VoucherID, cb)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		for _, p := range ya.plan(year, cb) {
			lines, total, err := p.in.checkShape(false)
			if err != nil {
				return err
			}
			v, err := s.insertDraft(ctx, tx, a, b, p.in, lines, total, 0)
			if err != nil {
				return err
			}
			if err := recordYearEndVoucher(ctx, tx, b.ID, v.ID, year, round, p.step); err != nil {
				return err
			}
			out = append(out, v)
		}
		ids := make([]int64, len(out))
		for i, v := range out {
			ids[i] = v.ID
		}
		return s.audit(ctx, tx, a, b.ID, "prepare", "year_end", fmt.Sprint(year), "", nil, map[string]any{"round": round, "vouchers": ids})
	})
	return out, err
}

func checkYearPreparable(ctx context.Context, tx bun.IDB, b Book, year int) error {
	if year < startYear(b) {
		return FieldError("year", "账套从 %s 启用，没有 %d 年度", b.StartPeriod, year)
	}
	if closed, err := yearClosedInt(ctx, tx, b.ID, year); err != nil {
		return err
	} else if closed {
		return Errorf(ECodeConflict, "%d 年度已经年终结账，不能再生成结转凭证；如需更正，请乡镇财政所先反结账该年度", year)
	}
	var drafts int
	if err := tx.NewRaw(`SELECT COUNT(*) FROM year_end_vouchers y JOIN vouchers v ON v.book_id = y.book_id AND v.id = y.voucher_id
		WHERE y.book_id = ? AND y.year = ? AND v.status = 'draft'`, b.ID, year).Scan(ctx, &drafts); err != nil {
		return err
	}
	if drafts > 0 {
		return Errorf(ECodeConflict, "%d 年度已有 %d 张未过账的年终结转凭证，请先审核过账，或由制单人删除后再重新生成", year, drafts)
	}
	return nil
}

// draftClosingReversal drafts the red reversal of an earlier closing voucher
// and takes its lines out of cb, as posting it will.
func (s *Store) draftClosingReversal(ctx context.Context, tx bun.Tx, a Actor, b Book, year, round int, id int64, cb closingBalances) (Voucher, error) {
	orig, err := s.voucherByID(ctx, tx, b, id)
	if err != nil {
		return Voucher{}, err
	}
	rin, err := reversalInput(ctx, tx, b, orig, ReverseInput{Date: fmt.Sprintf("%d-12-31", year)})
	if err != nil {
		return Voucher{}, err
	}
	lines, total, err := rin.checkShape(true)
	if err != nil {
		return Voucher{}, err
	}
	v, err := s.insertDraft(ctx, tx, a, b, rin, lines, total, orig.ID)
	if err != nil {
		return Voucher{}, err
	}
	cb.apply(rin.Lines)
	return v, recordYearEndVoucher(ctx, tx, b.ID, v.ID, year, round, StepReversal)
}

func recordYearEndVoucher(ctx context.Context, tx bun.Tx, bookID, voucherID int64, year, round, step int) error {
	_, err := tx.NewRaw("INSERT INTO year_end_vouchers (book_id, voucher_id, year, round, step) VALUES (?, ?, ?, ?, ?)",
		bookID, voucherID, year, round, step).Exec(ctx)
	return err
}

// CloseYear closes a year (年终结账): the previous year closed, no drafts and
// no draft payout runs left in it, the closing vouchers posted, and every 损益,
// 本年收益 and 各项分配 account at zero. Afterwards nothing can be dated in the
// year until township finance reopens it.
func (s *Store) CloseYear(ctx context.Context, a Actor, bookCode string, year int) (YearEnd, error) {
	if err := checkYear(year); err != nil {
		return YearEnd{}, err
	}
	var out YearEnd
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		if err := checkYearClosable(ctx, tx, b, year); err != nil {
			return err
		}
		now := s.timestamp()
		_, err = tx.NewRaw(`INSERT INTO year_ends (book_id, year, closed, closed_at, closed_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (book_id, year) DO UPDATE SET closed = excluded.closed, closed_at = excluded.closed_at, closed_by = excluded.closed_by`,
			b.ID, year, true, now, a.UserID).Exec(ctx)
		if err != nil {
			return err
		}
		if out, err = yearEnd(ctx, tx, b, year); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "close", "year", fmt.Sprint(year), "", nil, map[string]any{"year": year, "closed_at": now})
	})
	return out, err
}

func checkYearClosable(ctx context.Context, tx bun.IDB, b Book, year int) error {
	if year < startYear(b) {
		return FieldError("year", "账套从 %s 启用，没有 %d 年度", b.StartPeriod, year)
	}
	if closed, err := yearClosedInt(ctx, tx, b.ID, year); err != nil {
		return err
	} else if closed {
		return Errorf(ECodeConflict, "%d 年度已经年终结账，不能重复结账", year)
	}
	if year > startYear(b) {
		if closed, err := yearClosedInt(ctx, tx, b.ID, year-1); err != nil {
			return err
		} else if !closed {
			return Errorf(ECodeConflict, "上一年度 %d 尚未年终结账，请按年度顺序结账", year-1)
		}
	}
	if err := checkNoDrafts(ctx, tx, b, year); err != nil {
		return err
	}
	ya, err := loadYearEndAccounts(ctx, tx, b)
	if err != nil {
		return err
	}
	cb, err := loadClosingBalances(ctx, tx, b.ID, year)
	if err != nil {
		return err
	}
	left := cb.keys(func(a string) bool {
		return ya.income[a] || a == ya.profit || ya.isDistribution(a)
	})
	if len(left) > 0 {
		k := left[0]
		return Errorf(ECodeConflict, "科目 %s 在 %d 年末尚有余额 %s，请先生成年终结转凭证并审核过账", ya.names[k.account], year, Fen(abs64(cb[k])))
	}
	return nil
}

func checkNoDrafts(ctx context.Context, tx bun.IDB, b Book, year int) error {
	from, to := fmt.Sprintf("%d-01", year), fmt.Sprintf("%d-12", year)
	var closing, drafts, runs int
	if err := tx.NewRaw(`SELECT COUNT(*) FROM year_end_vouchers y JOIN vouchers v ON v.book_id = y.book_id AND v.id = y.voucher_id
		WHERE y.book_id = ? AND y.year = ? AND v.status = 'draft'`, b.ID, year).Scan(ctx, &closing); err != nil {
		return err
	}
	if closing > 0 {
		return Errorf(ECodeConflict, "%d 年度还有 %d 张年终结转凭证未审核过账，请先过账", year, closing)
	}
	if err := tx.NewRaw("SELECT COUNT(*) FROM vouchers WHERE book_id = ? AND status = 'draft' AND period >= ? AND period <= ?",
		b.ID, from, to).Scan(ctx, &drafts); err != nil {
		return err
	}
	if drafts > 0 {
		return Errorf(ECodeConflict, "%d 年度还有 %d 张未过账的草稿凭证，请先过账或删除", year, drafts)
	}
	if err := tx.NewRaw("SELECT COUNT(*) FROM payout_runs WHERE book_id = ? AND status = 'draft' AND quarter LIKE ?",
		b.ID, fmt.Sprintf("%dQ%%", year)).Scan(ctx, &runs); err != nil {
		return err
	}
	if runs > 0 {
		return Errorf(ECodeConflict, "%d 年度还有 %d 个未审批的收益分配（草稿），请先审批或删除", year, runs)
	}
	return nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// ReopenYear reopens a closed year (年度反结账): township finance only, with a
// written reason kept in the audit log, and only the latest closed year.
// Preparing the year-end again afterwards reverses the closing vouchers that
// stand and drafts new ones.
func (s *Store) ReopenYear(ctx context.Context, a Actor, bookCode string, year int, reason string) (YearEnd, error) {
	if err := checkYear(year); err != nil {
		return YearEnd{}, err
	}
	reason = strings.TrimSpace(reason)
	if err := textError("reason", reason); err != nil {
		return YearEnd{}, err
	}
	if !validName(reason, 500) {
		return YearEnd{}, FieldError("reason", "年度反结账必须填写理由（不超过 500 字）")
	}
	var out YearEnd
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permReopen)
		if err != nil {
			return err
		}
		if closed, err := yearClosedInt(ctx, tx, b.ID, year); err != nil {
			return err
		} else if !closed {
			return Errorf(ECodeConflict, "%d 年度没有年终结账，无需反结账", year)
		}
		if closed, err := yearClosedInt(ctx, tx, b.ID, year+1); err != nil {
			return err
		} else if closed {
			return Errorf(ECodeConflict, "下一年度 %d 已年终结账，请先反结账下一年度", year+1)
		}
		before, err := yearEnd(ctx, tx, b, year)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw("UPDATE year_ends SET closed = ? WHERE book_id = ? AND year = ?", false, b.ID, year).Exec(ctx); err != nil {
			return err
		}
		if out, err = yearEnd(ctx, tx, b, year); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "reopen", "year", fmt.Sprint(year), reason,
			map[string]any{"closed": true, "closed_at": before.ClosedAt}, map[string]any{"closed": false})
	})
	return out, err
}
