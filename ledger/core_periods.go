package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// PeriodStatus describes one month of a book.
type PeriodStatus struct {
	Period   string `json:"period"`
	Closed   bool   `json:"closed"`
	ClosedAt string `json:"closed_at,omitempty"`
	ClosedBy int64  `json:"closed_by,omitempty"`
	Drafts   int    `json:"drafts"`
	Posted   int    `json:"posted"`
}

func periodClosed(ctx context.Context, db bun.IDB, bookID int64, p Period) (bool, error) {
	var closed bool
	err := db.NewRaw("SELECT closed FROM periods WHERE book_id = ? AND period = ?", bookID, string(p)).Scan(ctx, &closed)
	if isNoRows(err) {
		return false, nil
	}
	return closed, err
}

// checkPeriodOpen refuses months before the book starts and closed months.
func (s *Store) checkPeriodOpen(ctx context.Context, db bun.IDB, b Book, p Period) error {
	if string(p) < b.StartPeriod {
		return &Error{Code: ECodePeriodClosed, Message: fmt.Sprintf("日期早于账套启用期间 %s", b.StartPeriod),
			Details: []Detail{{Field: "date", Message: "早于账套启用期间"}}}
	}
	year, err := strconv.Atoi(string(p)[:4])
	if err != nil {
		return err
	}
	// The year's and the month's closing in one statement (checkYearOpen and
	// periodClosed, which other callers use, read them one at a time).
	var yearClosed, closed bool
	err = s.scanRow(ctx, db, `SELECT EXISTS (SELECT 1 FROM year_ends WHERE book_id = ? AND year = ? AND closed),
		EXISTS (SELECT 1 FROM periods WHERE book_id = ? AND period = ? AND closed)`,
		[]any{b.ID, year, b.ID, string(p)}, &yearClosed, &closed)
	if err != nil {
		return err
	}
	if yearClosed {
		return yearClosedError(p)
	}
	if closed {
		return &Error{Code: ECodePeriodClosed, Message: fmt.Sprintf("%s 期间已结账，不能再记账或修改", p),
			Details: []Detail{{Field: "date", Message: "期间已结账"}}}
	}
	return nil
}

// Periods lists the book's months from its start to the later of this month
// and its last voucher, with counts of drafts and posted vouchers.
func (s *Store) Periods(ctx context.Context, a Actor, bookCode string) ([]PeriodStatus, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	counts, last, err := voucherCounts(ctx, s.db, b.ID)
	if err != nil {
		return nil, err
	}
	closed, err := closedPeriods(ctx, s.db, b.ID)
	if err != nil {
		return nil, err
	}
	end := Period(s.now().Format("2006-01"))
	if last > end {
		end = last
	}
	out := []PeriodStatus{}
	for p := Period(b.StartPeriod); p <= end && len(out) < 1200; p = p.Next() {
		st := closed[string(p)]
		st.Period = string(p)
		st.Drafts, st.Posted = counts[string(p)][0], counts[string(p)][1]
		out = append(out, st)
	}
	return out, nil
}

func voucherCounts(ctx context.Context, db bun.IDB, bookID int64) (map[string][2]int, Period, error) {
	rows, err := db.QueryContext(ctx, "SELECT period, status, COUNT(*) FROM vouchers WHERE book_id = ? GROUP BY period, status", bookID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	counts := map[string][2]int{}
	var last Period
	for rows.Next() {
		var p, st string
		var n int
		if err := rows.Scan(&p, &st, &n); err != nil {
			return nil, "", err
		}
		c := counts[p]
		if st == string(StatusDraft) {
			c[0] = n
		} else {
			c[1] = n
		}
		counts[p] = c
		last = max(last, Period(p))
	}
	return counts, last, rows.Err()
}

func closedPeriods(ctx context.Context, db bun.IDB, bookID int64) (map[string]PeriodStatus, error) {
	rows, err := db.QueryContext(ctx, "SELECT period, closed, COALESCE(closed_at, ''), COALESCE(closed_by, 0) FROM periods WHERE book_id = ?", bookID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]PeriodStatus{}
	for rows.Next() {
		var st PeriodStatus
		if err := rows.Scan(&st.Period, &st.Closed, &st.ClosedAt, &st.ClosedBy); err != nil {
			return nil, err
		}
		if st.Closed {
			out[st.Period] = st
		}
	}
	return out, rows.Err()
}

// ClosePeriod closes a month (结账): no drafts left in it, the previous
// month closed (or this is the book's first month).
func (s *Store) ClosePeriod(ctx context.Context, a Actor, bookCode, period string) (PeriodStatus, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return PeriodStatus{}, FieldError("period", "%s", err.Error())
	}
	var out PeriodStatus
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permClose)
		if err != nil {
			return err
		}
		if err := s.checkClosable(ctx, tx, b, p); err != nil {
			return err
		}
		now := s.timestamp()
		_, err = tx.NewRaw(`INSERT INTO periods (book_id, period, closed, closed_at, closed_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (book_id, period) DO UPDATE SET closed = excluded.closed, closed_at = excluded.closed_at, closed_by = excluded.closed_by`,
			b.ID, string(p), true, now, a.UserID).Exec(ctx)
		if err != nil {
			return err
		}
		out = PeriodStatus{Period: string(p), Closed: true, ClosedAt: now, ClosedBy: a.UserID}
		return s.audit(ctx, tx, a, b.ID, "close", "period", string(p), "", nil, out)
	})
	return out, err
}

func (s *Store) checkClosable(ctx context.Context, tx bun.IDB, b Book, p Period) error {
	if string(p) < b.StartPeriod {
		return FieldError("period", "早于账套启用期间 %s", b.StartPeriod)
	}
	if closed, err := periodClosed(ctx, tx, b.ID, p); err != nil {
		return err
	} else if closed {
		return Errorf(ECodeConflict, "%s 期间已经结账", p)
	}
	if string(p) > b.StartPeriod {
		if closed, err := periodClosed(ctx, tx, b.ID, p.Prev()); err != nil {
			return err
		} else if !closed {
			return Errorf(ECodeConflict, "上一期间 %s 尚未结账，请按月份顺序结账", p.Prev())
		}
	}
	var drafts int
	if err := tx.NewRaw("SELECT COUNT(*) FROM vouchers WHERE book_id = ? AND period = ? AND status = 'draft'", b.ID, string(p)).Scan(ctx, &drafts); err != nil {
		return err
	}
	if drafts > 0 {
		return Errorf(ECodeConflict, "%s 期间还有 %d 张未过账的草稿凭证，请先过账或删除", p, drafts)
	}
	return nil
}

// ReopenPeriod reopens a closed month (反结账): township finance only, with a
// written reason kept in the audit log, and only the latest closed month.
func (s *Store) ReopenPeriod(ctx context.Context, a Actor, bookCode, period, reason string) (PeriodStatus, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return PeriodStatus{}, FieldError("period", "%s", err.Error())
	}
	reason = strings.TrimSpace(reason)
	if err := textError("reason", reason); err != nil {
		return PeriodStatus{}, err
	}
	if !validName(reason, 500) {
		return PeriodStatus{}, FieldError("reason", "反结账必须填写理由（不超过 500 字）")
	}
	var out PeriodStatus
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permReopen)
		if err != nil {
			return err
		}
		if closed, err := periodClosed(ctx, tx, b.ID, p); err != nil {
			return err
		} else if !closed {
			return Errorf(ECodeConflict, "%s 期间没有结账，无需反结账", p)
		}
		if closed, err := periodClosed(ctx, tx, b.ID, p.Next()); err != nil {
			return err
		} else if closed {
			return Errorf(ECodeConflict, "下一期间 %s 已结账，请先反结账后面的期间", p.Next())
		}
		if _, err := tx.NewRaw("UPDATE periods SET closed = ? WHERE book_id = ? AND period = ?", false, b.ID, string(p)).Exec(ctx); err != nil {
			return err
		}
		out = PeriodStatus{Period: string(p), Closed: false}
		return s.audit(ctx, tx, a, b.ID, "reopen", "period", string(p), reason, nil, out)
	})
	return out, err
}

// yearClosed reports whether the year of p is closed.
func yearClosed(ctx context.Context, db bun.IDB, bookID int64, p Period) (bool, error) {
	y, err := strconv.Atoi(string(p)[:4])
	if err != nil {
		return false, err
	}
	return yearClosedInt(ctx, db, bookID, y)
}

func yearClosedInt(ctx context.Context, db bun.IDB, bookID int64, year int) (bool, error) {
	var closed bool
	err := db.NewRaw("SELECT closed FROM year_ends WHERE book_id = ? AND year = ?", bookID, year).Scan(ctx, &closed)
	if isNoRows(err) {
		return false, nil
	}
	return closed, err
}

func yearClosedError(p Period) error {
	return &Error{Code: ECodePeriodClosed, Message: fmt.Sprintf("%s 年度已年终结账，不能再记账或修改（如需更正，请乡镇财政所反结账该年度）", string(p)[:4]),
		Details: []Detail{{Field: "date", Message: "年度已年终结账"}}}
}
