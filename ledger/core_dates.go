package ledger

import (
	"time"
)

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

// parseOptionalDate parses "" as the zero time.
func parseOptionalDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ParseDate(s)
}
