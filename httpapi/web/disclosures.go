package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Publishing a quarter's 财务公开 from the payouts page: the one button the
// API (POST /api/v1/books/:book/disclosures) had without a page. Preparing
// and reviewing a disclosure before it goes out is the 公示 issue's.

type disclosureCard struct {
	List       []disclosureRow
	Quarters   []string // quarters that may be published: complete ones
	CanPublish bool
}

type disclosureRow struct {
	ledger.Disclosure
	Path string
}

func (a *Pages) disclosureCard(c echo.Context, book string, recent []string) (disclosureCard, error) {
	ds, err := a.Store.Disclosures(httpx.Ctx(c), httpx.Actor(c), book)
	if err != nil {
		return disclosureCard{}, err
	}
	out := disclosureCard{CanPublish: linkManager(c)}
	if len(recent) > 1 {
		out.Quarters = recent[1:] // this quarter is not over yet
	}
	for _, d := range ds {
		out.List = append(out.List, disclosureRow{Disclosure: d, Path: httpx.DisclosurePath(d.Book, d.Slug)})
	}
	return out, nil
}

// PublishDisclosure publishes the quarter of the form.
func (a *Pages) PublishDisclosure(c echo.Context) error {
	p := newPage(c, "收益分配", "payouts")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	if _, err := a.Store.PublishDisclosure(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, strings.TrimSpace(c.FormValue("quarter"))); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		p.Error = ledger.ErrorMessage(err)
		return a.payoutsPage(c, &p, payoutsData{}, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "payouts")+"?ok=published#h-disclosure")
}

// WithdrawDisclosure takes a published quarter off the villagers' page
// (DELETE /api/v1/books/:book/disclosures/:quarter in the API).
func (a *Pages) WithdrawDisclosure(c echo.Context) error {
	p := newPage(c, "收益分配", "payouts")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	if _, err := a.Store.WithdrawDisclosure(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("quarter")); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		p.Error = ledger.ErrorMessage(err)
		return a.payoutsPage(c, &p, payoutsData{}, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "payouts")+"?ok=withdrawn#h-disclosure")
}
