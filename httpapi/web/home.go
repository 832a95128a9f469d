package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// The book's home: what needs doing now.

type kindTotal struct {
	Kind   string
	Amount ledger.Money
}

type homeData struct {
	Current      ledger.PeriodStatus
	HasCurrent   bool
	OpenPeriods  []ledger.PeriodStatus // open months with drafts
	ToReview     []ledger.Voucher      // drafts prepared by someone else
	MyDrafts     []ledger.Voucher
	Recent       []ledger.Voucher
	RecentPeriod string
	OpenRuns     []ledger.PayoutRun
	Outstanding  []kindTotal
	OutTotal     ledger.Money
	Head         ledger.ChainHead
	CanWrite     bool
	CanPost      bool
	// OldOpening is an opening entered the previous release's way (an
	// ordinary voucher of the first month), to be moved into 期初余额.
	OldOpening    ledger.Voucher
	HasOldOpening bool
	Returned      []returnedDraft // my drafts returned with a reason (review.go)
}

// maxHomeItems bounds every list on the home page.
const maxHomeItems = 10

func (a *Pages) Home(c echo.Context) error {
	p := newPage(c, "账套首页", "home")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	act, book := httpx.Actor(c), p.Book.Code
	d := homeData{CanWrite: act.HasRole(book, ledger.RoleAccountant),
		CanPost: act.HasRole(book, ledger.RoleAccountant) || act.HasRole(book, ledger.RoleTownship)}
	periods, err := a.Store.Periods(httpx.Ctx(c), act, book)
	if err != nil {
		return a.webError(c, err)
	}
	if d.OldOpening, d.HasOldOpening, err = a.Store.OpeningToMove(httpx.Ctx(c), act, book); err != nil {
		return a.webError(c, err)
	}
	for _, ps := range periods {
		if !ps.Closed && !d.HasCurrent {
			d.Current, d.HasCurrent = ps, true
		}
		if !ps.Closed && ps.Drafts > 0 {
			d.OpenPeriods = append(d.OpenPeriods, ps)
		}
	}
	drafts, err := a.Store.Vouchers(httpx.Ctx(c), act, book, ledger.VoucherFilter{Status: ledger.StatusDraft, Limit: 1000})
	if err != nil {
		return a.webError(c, err)
	}
	for _, v := range drafts {
		if v.PreparerID != act.UserID && len(d.ToReview) < maxHomeItems {
			d.ToReview = append(d.ToReview, v)
		} else if v.PreparerID == act.UserID && len(d.MyDrafts) < maxHomeItems {
			d.MyDrafts = append(d.MyDrafts, v)
		}
	}
	if d.Returned, err = a.returnedDrafts(c, book, drafts); err != nil {
		return a.webError(c, err)
	}
	for i := len(periods) - 1; i >= 0; i-- {
		if periods[i].Drafts+periods[i].Posted == 0 {
			continue
		}
		vs, err := a.Store.Vouchers(httpx.Ctx(c), act, book, ledger.VoucherFilter{Period: periods[i].Period, Limit: 1000})
		if err != nil {
			return a.webError(c, err)
		}
		slices.Reverse(vs)
		d.Recent, d.RecentPeriod = vs[:min(len(vs), maxHomeItems)], periods[i].Period
		break
	}
	runs, err := a.Store.PayoutRuns(httpx.Ctx(c), act, book, "")
	if err != nil {
		return a.webError(c, err)
	}
	byKind := map[string]ledger.Money{}
	for _, r := range runs {
		if r.Status == ledger.RunDraft || r.Outstanding.IsPositive() {
			if len(d.OpenRuns) < maxHomeItems {
				d.OpenRuns = append(d.OpenRuns, r)
			}
		}
		if r.Status != ledger.RunApproved || !r.Outstanding.IsPositive() {
			continue
		}
		// The list leaves the lines out; the kinds are on the lines.
		full, err := a.Store.PayoutRun(httpx.Ctx(c), act, book, r.ID)
		if err != nil {
			return a.webError(c, err)
		}
		for _, l := range full.Lines {
			byKind[l.Kind] = byKind[l.Kind].Add(l.Outstanding)
		}
	}
	for _, k := range []ledger.AgreementKind{ledger.LandRent, ledger.ShareDividend, ledger.Wage, ledger.FixedSum, ledger.CoopSurplus} {
		if m := byKind[string(k)]; !m.IsZero() {
			d.Outstanding = append(d.Outstanding, kindTotal{Kind: string(k), Amount: m})
			d.OutTotal = d.OutTotal.Add(m)
		}
		delete(byKind, string(k))
	}
	for k, m := range byKind { // adjustments and anything newer
		if !m.IsZero() {
			d.Outstanding = append(d.Outstanding, kindTotal{Kind: k, Amount: m})
			d.OutTotal = d.OutTotal.Add(m)
		}
	}
	if d.Head, err = a.Store.ChainHead(httpx.Ctx(c), act, book); err != nil {
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, http.StatusOK, "home", &p)
}
