package ledger

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Quarter is a calendar quarter, written "2026Q3".
type Quarter struct {
	Year int
	Q    int // 1..4
}

var quarterPattern = regexp.MustCompile(`^(\d{4})Q([1-4])$`)

// ParseQuarter parses "YYYYQn".
func ParseQuarter(s string) (Quarter, error) {
	m := quarterPattern.FindStringSubmatch(s)
	if m == nil {
		return Quarter{}, fmt.Errorf("季度格式应为 YYYYQn（如 2026Q3），收到 %q", truncate(s, 16))
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	if y < 1990 || y > 2200 {
		return Quarter{}, fmt.Errorf("季度年份超出范围：%s", s)
	}
	return Quarter{Year: y, Q: q}, nil
}

// QuarterOf returns the quarter a date falls in.
func QuarterOf(t time.Time) Quarter { return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1} }

func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// First and Last are the first and last day of the quarter (UTC dates).
func (q Quarter) First() time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, time.UTC)
}
func (q Quarter) Last() time.Time { return q.First().AddDate(0, 3, -1) }

// Days is the number of days in the quarter (90, 91 or 92).
func (q Quarter) Days() int { return daysBetween(q.First(), q.Last()) }

// Periods lists the three months of the quarter.
func (q Quarter) Periods() []Period {
	first := Period(q.First().Format("2006-01"))
	return []Period{first, first.Next(), first.Next().Next()}
}

// dateRange is an inclusive range of days; a zero To means open-ended.
type dateRange struct{ From, To time.Time }

// intersect returns the overlap of two ranges and whether it is non-empty.
func (r dateRange) intersect(o dateRange) (dateRange, bool) {
	out := r
	if o.From.After(out.From) {
		out.From = o.From
	}
	if out.To.IsZero() || (!o.To.IsZero() && o.To.Before(out.To)) {
		out.To = o.To
	}
	return out, out.To.IsZero() || !out.To.Before(out.From)
}

// days counts the days of a bounded range, both ends included.
func (r dateRange) days() int { return daysBetween(r.From, r.To) }

func daysBetween(from, to time.Time) int { return int(to.Sub(from).Hours()/24) + 1 }

// parseOptionalDate parses "" as the zero time.
func parseOptionalDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ParseDate(s)
}
