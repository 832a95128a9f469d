package rules

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

func daysBetween(from, to time.Time) int { return int(to.Sub(from).Hours()/24) + 1 }

// Period is a month, "YYYY-MM".
type Period string

// ParsePeriod checks the "YYYY-MM" form and a sane year.
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return "", fmt.Errorf("期间格式应为 YYYY-MM，收到 %q", truncate(s, 16))
	}
	if t.Year() < 1990 || t.Year() > 2200 {
		return "", fmt.Errorf("期间年份超出范围：%s", s)
	}
	return Period(s), nil
}

// Next and Prev step one month.
func (p Period) Next() Period { return p.add(1) }

func (p Period) Prev() Period { return p.add(-1) }

func (p Period) add(months int) Period {
	t, _ := time.Parse("2006-01", string(p))
	return Period(t.AddDate(0, months, 0).Format("2006-01"))
}

// ParseDate checks "YYYY-MM-DD" is a real calendar day (2026-02-30 is refused).
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil || len(s) != 10 {
		return time.Time{}, fmt.Errorf("日期应为真实存在的 YYYY-MM-DD，收到 %q", truncate(s, 16))
	}
	if t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}, fmt.Errorf("日期年份超出范围：%s", s)
	}
	return t, nil
}
