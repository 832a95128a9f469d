package public

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// The public pages: a published quarter (财务公开) and a household's own
// statement. No sign-in, Chinese, no external assets (the style sheet and
// the QR code are inlined), a strict Content-Security-Policy, rate limited
// per client address, printable on A4.

//go:embed *.html *.css
var publicFiles embed.FS

const (
	RatePerMinute     = 60     // requests per client address per minute
	publicRateClients = 10_000 // addresses tracked per minute; more share one budget
	maxPageBytes      = 200 << 10
)

var publicTemplates = template.Must(template.New("public").Funcs(template.FuncMap{
	"money":    httpx.FormatMoney,
	"quarter":  quarterName,
	"sentence": func(s string) string { return strings.TrimRight(s, "。") }, // the template ends it: no 。。
	"date":     func(ts string) string { return dateName(ts) },
	"inc":      func(i int) int { return i + 1 },
	"compact":  compactMask,
	"group":    func(g string) string { return strings.Replace(g, "村民小组", "组", 1) },
	"day":      dayName,
	"kind":     kindName,
	"tel":      func(p string) string { return strings.NewReplacer(" ", "", "-", "").Replace(p) },
}).ParseFS(publicFiles, "*.html"))

var publicCSS = func() template.CSS {
	b, err := publicFiles.ReadFile("style.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b) //nolint:gosec // our own embedded file
}()

// ipLimiter counts requests per client address in fixed windows. Memory is
// bounded: at most maxClients addresses are tracked in a window; addresses
// beyond that share one budget, and the whole table is dropped when the
// window turns.
type ipLimiter struct {
	mu         sync.Mutex
	perWindow  int
	maxClients int
	window     time.Duration
	now        func() time.Time
	start      time.Time
	counts     map[string]int
	overflow   int
}

func newIPLimiter(perWindow, maxClients int, window time.Duration, now func() time.Time) *ipLimiter {
	return &ipLimiter{perWindow: perWindow, maxClients: maxClients, window: window, now: now, counts: map[string]int{}}
}

// allow reports whether ip may make one more request now.
func (l *ipLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.now(); t.Sub(l.start) >= l.window || t.Before(l.start) {
		l.start, l.counts, l.overflow = t, make(map[string]int, min(len(l.counts), l.maxClients)), 0
	}
	n, tracked := l.counts[ip]
	if !tracked && len(l.counts) >= l.maxClients {
		l.overflow++
		return l.overflow <= l.perWindow
	}
	l.counts[ip] = n + 1
	return n < l.perWindow
}

func (l *ipLimiter) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !l.allow(c.RealIP()) {
			c.Response().Header().Set("Retry-After", fmt.Sprint(int(l.window.Seconds())))
			return renderPage(c, http.StatusTooManyRequests, "message", messagePage{CSS: publicCSS, Title: "访问太频繁", Text: "访问太频繁，请一分钟后再试。"})
		}
		return next(c)
	}
}

// messagePage is the body of a not-found or too-many-requests page.
type messagePage struct {
	CSS   template.CSS
	Title string
	Text  string
}

func renderPage(c echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := publicTemplates.ExecuteTemplate(&buf, name+".html", data); err != nil {
		return err
	}
	if buf.Len() > maxPageBytes {
		return fmt.Errorf("public page %s is %d bytes, over %d", name, buf.Len(), maxPageBytes)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// notFoundPage answers a withdrawn, revoked or unknown address, the same way
// for each so nobody learns which.
func notFoundPage(c echo.Context) error {
	return renderPage(c, http.StatusNotFound, "message", messagePage{CSS: publicCSS, Title: "页面不存在",
		Text: "页面不存在，或已经撤回、失效。如有疑问，请联系村会计。"})
}

// qrModulePixels is the size of one QR module in the PNG: whole pixels per
// module keep every module the same width (a fixed image size stretches some
// modules by a pixel, which phone scanners and decoders sometimes misread);
// the page scales the image with CSS.
const qrModulePixels = 6

// qrDataURI is a PNG QR code of url as a data: URI, generated in process.
func qrDataURI(url string) (template.URL, error) {
	png, err := reports.QRPNG(url, qrModulePixels)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil //nolint:gosec // our own PNG
}

// statementRow is a line of a statement as the page prints it.
type statementRow struct {
	Row            int
	Name           string
	First, Second  ledger.Money
	Subtotal, Head bool
}

// shownLines keeps a statement's lines that carry money, its subtotals and
// the headings of what remains, so the page fits on one sheet.
func shownLines(lines []ledger.StatementLine) []statementRow {
	var out []statementRow
	for _, l := range lines {
		if l.Heading {
			out = append(out, statementRow{Name: l.Name, Head: true})
			continue
		}
		if l.First.IsZero() && l.Second.IsZero() && !l.Subtotal {
			continue
		}
		out = append(out, statementRow{Row: l.Row, Name: l.Name, First: l.First, Second: l.Second, Subtotal: l.Subtotal})
	}
	// drop headings with nothing under them
	var kept []statementRow
	for i, r := range out {
		if r.Head && (i+1 == len(out) || out[i+1].Head) {
			continue
		}
		kept = append(kept, r)
	}
	return kept
}

// agreementTotal is one agreement's part of the quarter's approved payouts.
type agreementTotal struct {
	Agreement, Title, Kind string
	Households             int
	Amount, Paid, Owed     ledger.Money
}

// noticeColumn is a kind of money the notice prints, if any household has it.
type noticeColumn struct {
	Name string
	Get  func(reports.RosterHousehold) ledger.Money
}

type disclosurePageData struct {
	CSS           template.CSS
	V             ledger.DisclosureView
	Income        []statementRow
	Balance       []statementRow
	Agreements    []agreementTotal
	PayoutTotal   agreementTotal
	Notices       []reports.RosterData
	Columns       [][]noticeColumn // per notice
	URL           string
	QR            template.URL
	ChainHead     string
	IncomeTitle   string
	BalanceTitle  string
	QuarterPeriod string
	// NoticeHouseholds counts the notice's rows over all runs; PrintNotice
	// says whether the printed sheet carries them (see noticeFitsOnPrint).
	NoticeHouseholds int
	PrintNotice      bool
	Words            ledger.Words // the book kind's names: 村民小组 or 所在分组, 户主 or 成员
	// Query is the notice search's text (?q=), Found what it found.
	Query string
	Found []noticeMatch
}

// The printed page is the notice board's one A4 sheet: the title and QR
// code, the statements in three columns beside the QR code, the payout
// totals, and the notice compactly in three columns (name, group, masked ID
// and account, total). Whether the notice fits is estimated from the rows of
// each part, in millimetres measured from Chromium's A4 print of the page
// (print style sheet in style.css); when it does not, the sheet says
// where the full notice is (the 公示表 workbook on the board, the page itself
// online) instead of spilling onto a second sheet.
// TestDisclosurePrintsOnOneA4Page prints the demo books and generated
// villages on both sides of the limit.
const (
	printBudgetMM     = 273.0         // A4's 297 mm less 8 mm margins, and 8 mm to spare
	printFixedMM      = 9 + 8 + 7 + 4 // title; chain-head footer; notice heading and header row; payouts heading
	printSummaryRowMM = 2.9           // a statement or payout row at 6.5 pt
	printNoticeRowMM  = 2.35          // a notice row at 5.6 pt
	printQRMM         = 26.0          // the QR code beside the statements
)

// noticeFitsOnPrint reports whether the printed sheet can carry the notice.
func noticeFitsOnPrint(d disclosurePageData) bool {
	if d.NoticeHouseholds == 0 {
		return false
	}
	summaryRows := len(d.Income) + len(d.Balance) + 6 // two headings, two table headers, a break's slack
	summary := max(math.Ceil(float64(summaryRows)/3)*printSummaryRowMM, printQRMM)
	payouts := float64(len(d.Agreements)+2) * printSummaryRowMM
	rows := d.NoticeHouseholds
	if len(d.Notices) > 1 {
		rows += len(d.Notices) // a heading per run
	}
	notice := math.Ceil(float64(rows)/3) * printNoticeRowMM
	return printFixedMM+summary+payouts+notice <= printBudgetMM
}

// DisclosurePage is a published quarter, /p/{book}/{slug}.
func (a *Pages) DisclosurePage(c echo.Context) error {
	v, err := a.Store.PublicDisclosure(httpx.Ctx(c), c.Param("book"), c.Param("slug"))
	if ledger.ErrorCode(err) == ledger.ECodeNotFound {
		return notFoundPage(c)
	}
	if err != nil {
		return err
	}
	d := disclosurePageData{CSS: publicCSS, V: v, Income: shownLines(v.Income.Lines),
		Balance: shownLines(append(append([]ledger.StatementLine{}, v.Balance.Assets...), v.Balance.Claims...)),
		URL:     a.PublicBase(c) + httpx.DisclosurePath(v.Book, v.Slug), ChainHead: v.ChainHead.String(),
		IncomeTitle: v.Income.Title, BalanceTitle: v.Balance.Title}
	if d.QR, err = qrDataURI(d.URL); err != nil {
		return err
	}
	d.Agreements, d.PayoutTotal = agreementTotals(v)
	book := reports.BookInfo{Code: v.Book, Name: v.BookName, Kind: v.Kind, TownshipName: v.TownshipName}
	d.Words = ledger.WordsFor(v.Kind)
	for _, run := range v.Runs {
		rd, err := reports.RosterFromRun(book, run, v.Households, v.Titles)
		if err != nil {
			return err
		}
		d.Notices = append(d.Notices, rd)
		d.Columns = append(d.Columns, noticeColumns(rd))
		d.NoticeHouseholds += len(rd.Households)
	}
	d.PrintNotice = noticeFitsOnPrint(d)
	d.Query = noticeQuery(c.QueryParam("q"))
	c.Response().Header().Set("Content-Security-Policy", httpx.PublicSearchCSP) // the search form
	d.Found = searchNotices(d.Notices, d.Query)
	return renderPage(c, http.StatusOK, "disclosure", d)
}

// agreementTotals sums the quarter's approved runs per agreement.
func agreementTotals(v ledger.DisclosureView) ([]agreementTotal, agreementTotal) {
	by := map[string]*agreementTotal{}
	households := map[string]map[string]bool{}
	total := agreementTotal{Title: "合计"}
	all := map[string]bool{}
	for _, run := range v.Runs {
		for _, l := range run.Lines {
			t := by[l.Agreement]
			if t == nil {
				t = &agreementTotal{Agreement: l.Agreement, Title: v.Titles[l.Agreement], Kind: l.Kind}
				by[l.Agreement], households[l.Agreement] = t, map[string]bool{}
			}
			t.Amount, t.Paid, t.Owed = t.Amount.Add(l.Amount), t.Paid.Add(l.Paid), t.Owed.Add(l.Outstanding)
			households[l.Agreement][l.Household], all[l.Household] = true, true
			total.Amount, total.Paid, total.Owed = total.Amount.Add(l.Amount), total.Paid.Add(l.Paid), total.Owed.Add(l.Outstanding)
		}
	}
	out := make([]agreementTotal, 0, len(by))
	for k, t := range by {
		t.Households = len(households[k])
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agreement < out[j].Agreement })
	total.Households = len(all)
	return out, total
}

// noticeColumns are the money columns of the notice workbook that carry
// anything in this run, so the page stays narrow enough for a phone.
func noticeColumns(d reports.RosterData) []noticeColumn {
	names := d.Columns()
	all := []noticeColumn{
		{names[0], func(h reports.RosterHousehold) ledger.Money { return h.Rent }},
		{names[1], func(h reports.RosterHousehold) ledger.Money { return h.Dividend }},
		{names[2], func(h reports.RosterHousehold) ledger.Money { return h.Wage }},
		{names[3], func(h reports.RosterHousehold) ledger.Money { return h.Other }},
	}
	var out []noticeColumn
	for _, col := range all {
		for _, h := range d.Households {
			if !col.Get(h).IsZero() {
				out = append(out, col)
				break
			}
		}
	}
	return out
}

type householdPageData struct {
	CSS template.CSS
	V   ledger.HouseholdView
	URL string
	QR  template.URL
}

// HouseholdPage is a household's own statement, /h/{book}/{token}.
func (a *Pages) HouseholdPage(c echo.Context) error {
	v, err := a.Store.PublicHousehold(httpx.Ctx(c), c.Param("book"), c.Param("token"))
	if ledger.ErrorCode(err) == ledger.ECodeNotFound {
		return notFoundPage(c)
	}
	if err != nil {
		return err
	}
	d := householdPageData{CSS: publicCSS, V: v, URL: a.PublicBase(c) + httpx.HouseholdPath(v.Book, c.Param("token"))}
	if d.QR, err = qrDataURI(d.URL); err != nil {
		return err
	}
	return renderPage(c, http.StatusOK, "household", d)
}

// compactMask shortens a masked ID number or account for the printed
// notice: 3624**********1234 → 3624…1234.
func compactMask(s string) string {
	i, j := strings.IndexByte(s, '*'), strings.LastIndexByte(s, '*')
	if i < 0 {
		return s
	}
	return s[:i] + "…" + s[j+1:]
}

// quarterName is 2026Q3 → 2026年第三季度.
func quarterName(q string) string { return ledger.QuarterName(q) }

// dateName is an RFC 3339 timestamp's date, 2026年10月9日.
func dateName(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	t = t.In(publicZone)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

var publicZone = time.FixedZone("CST", 8*3600)

// dayName is a date 2026-10-09 as 2026年10月9日.
func dayName(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
