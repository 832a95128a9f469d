package httpx

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// Page sizes; the ledger enforces the same ceiling.
const (
	defaultPageSize = 100
	MaxPageSize     = 1000
)

// QueryParams reads query parameters, collecting every problem: unknown or
// repeated parameters and malformed values are refused, never ignored.
type QueryParams struct {
	values url.Values
	errs   FieldErrors
}

// ParseQuery accepts only the named parameters, each at most once.
func ParseQuery(c echo.Context, allowed ...string) *QueryParams {
	q := &QueryParams{errs: NewFieldErrors()}
	values, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		q.errs.Add("query", "查询字符串格式不正确")
	}
	q.values = values
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case len(allowed) == 0:
			q.errs.Add(name, "此接口不接受查询参数")
		case !slices.Contains(allowed, name):
			q.errs.Add(name, "不是可接受的查询参数（可用：%s）", strings.Join(allowed, "、"))
		case len(values[name]) > 1:
			q.errs.Add(name, "查询参数只能出现一次")
		}
	}
	return q
}

// Err is every problem found so far, or nil.
func (q *QueryParams) Err() error { return q.errs.Err() }

// Get returns a parameter as given, "" when absent.
func (q *QueryParams) Get(name string) string { return q.values.Get(name) }

// Add records a problem of a parameter a handler checks itself.
func (q *QueryParams) Add(name, format string, args ...any) { q.errs.Add(name, format, args...) }

// Text returns a free-text parameter of at most maxRunes characters.
func (q *QueryParams) Text(name string, maxRunes int) string {
	s := q.values.Get(name)
	if len([]rune(s)) > maxRunes {
		q.errs.Add(name, "不超过 %d 个字", maxRunes)
		return ""
	}
	return s
}

// The shapes of codes and account numbers; the ledger defines the same.
var (
	codeParamPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	accountParamPattern = regexp.MustCompile(`^[0-9]{1,16}$`)
)

// Code returns an optional household or party code.
func (q *QueryParams) Code(name string) string {
	s := q.values.Get(name)
	if s != "" && !codeParamPattern.MatchString(s) {
		q.errs.Add(name, "编号只能由字母、数字、- 和 _ 组成，不超过 32 个字符")
		return ""
	}
	return s
}

// Account returns an optional account code.
func (q *QueryParams) Account(name string) string {
	s := q.values.Get(name)
	if s != "" && !accountParamPattern.MatchString(s) {
		q.errs.Add(name, "科目代码应为数字")
		return ""
	}
	return s
}

// Period returns an optional month, YYYY-MM.
func (q *QueryParams) Period(name string) string {
	s := q.values.Get(name)
	if s == "" {
		return ""
	}
	if _, err := ledger.ParsePeriod(s); err != nil {
		q.errs.Add(name, "%s", err.Error())
		return ""
	}
	return s
}

// Date returns an optional day, YYYY-MM-DD.
func (q *QueryParams) Date(name string) (time.Time, bool) {
	s := q.values.Get(name)
	if s == "" {
		return time.Time{}, false
	}
	d, err := ledger.ParseDate(s)
	if err != nil {
		q.errs.Add(name, "%s", err.Error())
		return time.Time{}, false
	}
	return d, true
}

// OneOf returns an optional value from a fixed set.
func (q *QueryParams) OneOf(name string, options ...string) string {
	s := q.values.Get(name)
	if s != "" && !slices.Contains(options, s) {
		q.errs.Add(name, "应为 %s 之一", strings.Join(options, "、"))
		return ""
	}
	return s
}

// ID returns an optional positive integer (a voucher or audit-entry id, a user id).
func (q *QueryParams) ID(name string) int64 {
	s := q.values.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.errs.Add(name, "应为正整数")
		return 0
	}
	return n
}

// Limit returns the page size: 1 to MaxPageSize, default defaultPageSize.
func (q *QueryParams) Limit() int {
	s := q.values.Get("limit")
	if s == "" {
		return defaultPageSize
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxPageSize {
		q.errs.Add("limit", "每页条数应为 1 到 %d 的整数", MaxPageSize)
		return defaultPageSize
	}
	return n
}

// Page is the shape of every cursor-paginated listing: pass Next as ?after=
// to get the following page; "" means there is none.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// List is the shape of every listing that fits in one response.
type List[T any] struct {
	Items []T `json:"items"`
}

// FetchLimit asks the ledger for one item more than a page, to know whether
// another page follows.
func FetchLimit(limit int) int { return min(limit+1, MaxPageSize) }

// PageOf cuts items fetched with FetchLimit(limit) to a page with its cursor.
func PageOf[T any](items []T, limit int, cursor func(T) string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit || (len(items) == MaxPageSize && limit == MaxPageSize) {
		p.Items = items[:limit]
		p.Next = cursor(items[limit-1])
	}
	return p
}

// Quarter returns an optional calendar quarter, YYYYQn.
func (q *QueryParams) Quarter(name string) string {
	s := q.values.Get(name)
	if s == "" {
		return ""
	}
	if _, err := ledger.ParseQuarter(s); err != nil {
		q.errs.Add(name, "%s", err.Error())
		return ""
	}
	return s
}
