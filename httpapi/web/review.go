package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// The township's review queue: everything of its books awaiting approval,
// approved in batches (a result per item), drafts returned with a reason,
// and previous / next through the queue from a draft's page.

type reviewData struct {
	Code    string
	Book    string // the village the queue is narrowed to, if any
	Items   []ledger.ReviewItem
	Results []reviewResult
	Names   map[string]string   // book code → name, for the filter
	Imports []ledger.ReviewItem // historical imports, each with its 驳回
	Reject  rejectEcho          // a refused 驳回, shown beside its import
}

type reviewResult struct {
	ledger.ReviewResult
	BookName string
	Label    string
}

// reviewKindLabels name the kinds of review items.
var reviewKindLabels = map[string]string{
	ledger.ReviewDraft: "凭证草稿", ledger.ReviewYearEnd: "年终结转凭证", ledger.ReviewPayoutRun: "收益分配",
	ledger.ReviewImport: "历史凭证导入", ledger.ReviewReceipt: "报账单据",
}

func reviewKindLabel(k string) string {
	if l, ok := reviewKindLabels[k]; ok {
		return l
	}
	return k
}

// reviewItemURL is the page of an item, carrying the queue for previous / next.
func reviewItemURL(it ledger.ReviewItem, township string) string {
	switch it.Kind {
	case ledger.ReviewDraft, ledger.ReviewYearEnd:
		return bookURL(it.Book, "vouchers", strconv.FormatInt(it.ID, 10)) + "?queue=" + url.QueryEscape(township)
	case ledger.ReviewPayoutRun:
		return bookURL(it.Book, "payouts", strconv.FormatInt(it.ID, 10))
	}
	return ""
}

// townshipParam is the path's township, which must be the user's own.
func townshipParam(c echo.Context) (string, error) {
	code := c.Param("township")
	if httpx.Actor(c).Township != code {
		return "", ledger.Errorf(ledger.ECodeNotFound, "乡镇不存在")
	}
	return code, nil
}

// Review shows the township's review queue.
func (a *Pages) Review(c echo.Context) error {
	return a.reviewPage(c, nil, http.StatusOK)
}

func (a *Pages) reviewPage(c echo.Context, results []ledger.ReviewResult, status int) error {
	p := newPage(c, "乡镇审核", "review")
	code, err := townshipParam(c)
	if err != nil {
		return a.webError(c, err)
	}
	items, err := a.Store.ReviewQueue(httpx.Ctx(c), httpx.Actor(c), code)
	if err != nil {
		return a.webError(c, err)
	}
	d := reviewData{Code: code, Book: c.QueryParam("book"), Names: map[string]string{}}
	for _, it := range items {
		d.Names[it.Book] = it.BookName
		if d.Book == "" || it.Book == d.Book {
			d.Items = append(d.Items, it)
			if it.Kind == ledger.ReviewImport {
				d.Imports = append(d.Imports, it)
			}
		}
	}
	for _, r := range results {
		d.Results = append(d.Results, reviewResult{ReviewResult: r, BookName: d.Names[r.Ref.Book], Label: reviewKindLabel(r.Ref.Kind)})
	}
	if d.Reject = rejectOf(c); d.Reject.Err != "" && !hasItem(d.Imports, d.Reject.Ref) {
		p.Error = d.Reject.Err // the import left the queue: no field to show it by
	}
	p.Title = "待审核事项（" + code + "）"
	p.D = d
	return a.render(c, status, "review", &p)
}

// ApproveReview approves the ticked items one by one and shows each result;
// with next=1 (the button on a draft's page) it goes on to the next draft.
func (a *Pages) ApproveReview(c echo.Context) error {
	code, err := townshipParam(c)
	if err != nil {
		return a.webError(c, err)
	}
	form, err := c.FormParams()
	if err != nil {
		return a.webError(c, ledger.FieldError("items", "表单无法读取"))
	}
	var refs []ledger.ReviewRef
	for _, s := range form["item"] {
		r, err := ledger.ParseReviewRef(s)
		if err != nil {
			return a.webError(c, err)
		}
		refs = append(refs, r)
	}
	next := ""
	if len(refs) == 1 && c.FormValue("next") != "" { // found before the draft leaves the queue
		if next, err = a.nextInQueue(c, code, refs[0].Book, refs[0].ID); err != nil {
			return a.webError(c, err)
		}
	}
	results, err := a.Store.ApproveReviewItems(httpx.Ctx(c), httpx.Actor(c), refs)
	if err != nil {
		if ledger.ErrorCode(err) != ledger.ECodeInvalid {
			return a.webError(c, err)
		}
		p := newPage(c, "乡镇审核", "review")
		p.Error = ledger.ErrorMessage(err)
		return a.reviewPageWith(c, &p, http.StatusBadRequest)
	}
	if next != "" && results[0].OK {
		return seeOther(c, next+"ok=posted")
	}
	return a.reviewPage(c, results, http.StatusOK)
}

// reviewPageWith renders the queue under an error already set on p.
func (a *Pages) reviewPageWith(c echo.Context, p *webPage, status int) error {
	items, err := a.Store.ReviewQueue(httpx.Ctx(c), httpx.Actor(c), c.Param("township"))
	if err != nil {
		return a.webError(c, err)
	}
	p.D = reviewData{Code: c.Param("township"), Items: items}
	return a.render(c, status, "review", p)
}

// nextInQueue is the address of the draft after (book, id) in the queue, or
// of the queue itself when none is left, ready for a query parameter.
func (a *Pages) nextInQueue(c echo.Context, township, book string, id int64) (string, error) {
	items, err := a.Store.ReviewQueue(httpx.Ctx(c), httpx.Actor(c), township)
	if err != nil {
		return "", err
	}
	if nav := navAround(items, book, id, township); nav.Next != "" {
		return nav.Next + "&", nil
	}
	return "/township/" + url.PathEscape(township) + "/review?", nil
}

// reviewNav is the queue around one draft: its place and its neighbours.
type reviewNav struct {
	Township   string
	Ref        string // kind/book/id of this draft, for the approve button
	Pos, Total int    // Pos 0: not in the queue (approved or returned)
	Prev, Next string
	Return     ledger.DraftReturn
	Returned   bool
	CanReturn  bool
}

// navAround finds the drafts before and after (book, id) among the queue's
// vouchers; a draft already gone from the queue is placed where it was, by
// book and id, so "next" still leads on.
func navAround(items []ledger.ReviewItem, book string, id int64, township string) reviewNav {
	nav := reviewNav{Township: township}
	var vs []ledger.ReviewItem
	for _, it := range items {
		if it.Kind == ledger.ReviewDraft || it.Kind == ledger.ReviewYearEnd {
			vs = append(vs, it)
		}
	}
	nav.Total = len(vs)
	after := len(vs) // the first item after (book, id)
	for i, it := range vs {
		if it.Book == book && it.ID == id {
			nav.Pos, after = i+1, i+1
			if i > 0 {
				nav.Prev = reviewItemURL(vs[i-1], township)
			}
			break
		}
		if it.Book > book || it.Book == book && it.ID > id {
			after = i
			if i > 0 {
				nav.Prev = reviewItemURL(vs[i-1], township)
			}
			break
		}
	}
	if after < len(vs) {
		nav.Next = reviewItemURL(vs[after], township)
	}
	return nav
}

// voucherReview is the review bar of a draft's page: the queue's previous /
// next when opened from the queue (?queue=), and 驳回 for a reviewer.
func (a *Pages) voucherReview(c echo.Context, v ledger.Voucher, canPost bool) (*reviewNav, error) {
	act := httpx.Actor(c)
	nav := &reviewNav{}
	if q := c.QueryParam("queue"); q != "" && q == act.Township {
		items, err := a.Store.ReviewQueue(httpx.Ctx(c), act, q)
		if err != nil {
			return nil, err
		}
		*nav = navAround(items, v.Book, v.ID, q)
		kind := ledger.ReviewDraft
		for _, it := range items {
			if it.Book == v.Book && it.ID == v.ID {
				kind = it.Kind
			}
		}
		nav.Ref = ledger.ReviewItem{Kind: kind, Book: v.Book, ID: v.ID}.Ref()
	}
	if v.Status != ledger.StatusDraft {
		return nav, nil
	}
	returns, err := a.Store.DraftReturns(httpx.Ctx(c), act, v.Book)
	if err != nil {
		return nil, err
	}
	nav.Return, nav.Returned = returns[v.ID]
	nav.CanReturn = canPost && !nav.Returned && v.PreparerID != act.UserID
	return nav, nil
}

// ReturnVoucher returns a draft to its preparer with the reason typed; from
// the queue it goes on to the next draft.
func (a *Pages) ReturnVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在"))
	}
	book := c.Param("book")
	next := bookURL(book, "vouchers", strconv.FormatInt(id, 10)) + "?"
	if q := strings.TrimSpace(c.FormValue("queue")); q != "" && q == httpx.Actor(c).Township {
		if next, err = a.nextInQueue(c, q, book, id); err != nil {
			return a.webError(c, err)
		}
	}
	if _, err := a.Store.ReturnDraft(httpx.Ctx(c), httpx.Actor(c), book, id, c.FormValue("reason")); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		p := newPage(c, "记账凭证", "vouchers")
		d, lerr := a.loadVoucher(c, &p)
		if lerr != nil {
			return a.webError(c, lerr)
		}
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "reason" })
		if p.Error == "" {
			p.Error = "未驳回：请填写驳回理由"
		}
		return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "voucher", &p)
	}
	return seeOther(c, next+"ok=returned")
}

// returnedDraft is a draft of mine returned to me, with the reason.
type returnedDraft struct {
	V ledger.Voucher
	R ledger.DraftReturn
}

// returnedDrafts are the signed-in user's drafts among drafts that a reviewer returned.
func (a *Pages) returnedDrafts(c echo.Context, book string, drafts []ledger.Voucher) ([]returnedDraft, error) {
	returns, err := a.Store.DraftReturns(httpx.Ctx(c), httpx.Actor(c), book)
	if err != nil || len(returns) == 0 {
		return nil, err
	}
	var out []returnedDraft
	for _, v := range drafts {
		if r, ok := returns[v.ID]; ok && v.PreparerID == httpx.Actor(c).UserID {
			out = append(out, returnedDraft{V: v, R: r})
		}
	}
	return out, nil
}
