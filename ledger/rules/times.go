package rules

import (
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Shanghai on a server without zoneinfo
)

// Times are stored as they are written (RFC 3339 in UTC, with nanoseconds)
// and shown in Beijing time to the second: 2026-12-04 21:59:40.

// Beijing is Asia/Shanghai, embedded with the binary.
var Beijing = beijing()

func beijing() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600) // unreachable with time/tzdata; the same offset
}

// ShowTime prints a stored timestamp in Beijing time to the second; text
// that is not a timestamp (a date, "") comes back unchanged.
func ShowTime(stored string) string {
	t, err := time.Parse(time.RFC3339Nano, stored)
	if err != nil {
		return stored
	}
	return t.In(Beijing).Format(time.DateTime)
}

// ShowDate is the Beijing date of a stored timestamp: 2026-12-05 for
// 2026-12-04T20:00:00Z. Text that is not a timestamp comes back unchanged.
func ShowDate(stored string) string {
	t, err := time.Parse(time.RFC3339Nano, stored)
	if err != nil {
		return stored
	}
	return t.In(Beijing).Format(time.DateOnly)
}

var chineseQuarters = [...]string{"", "一", "二", "三", "四"}

// QuarterName is how a quarter is printed: 2026Q3 → 2026年第三季度. Text that
// is not a quarter comes back unchanged.
func QuarterName(q string) string {
	p, err := ParseQuarter(q)
	if err != nil {
		return q
	}
	return fmt.Sprintf("%d年第%s季度", p.Year, chineseQuarters[p.Q])
}
