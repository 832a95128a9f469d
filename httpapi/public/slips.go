package public

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
	"coopledger/reports"

	"coopledger/httpapi/internal/httpx"
)

// Household slips: one printed A4 page per household of a payout run that
// has an active link, with the household's name, village group, the QR code
// and its address written out, to hand to each household. Readers of the
// book may print them (the roster they can download carries the same codes).
// The page is for signed-in users, so it is not limited to 200 KB like the
// public pages; a very large run is printed slipsPerPage households at a time.

const slipsPerPage = 500

type slip struct {
	Household, HeadName, Group, URL string
	QR                              template.URL
}

type slipsPageData struct {
	CSS                                   template.CSS
	Book, BookName, TownshipName, Quarter string
	RunID                                 int64
	Slips                                 []slip
	Unlinked, Page, Pages, PerPage        int
	PrintedOn                             string
	Words                                 ledger.Words
}

// slipsPage renders the slips of a run: page is 1-based.
func (a *Pages) slipsPage(c echo.Context, book string, runID int64, page int) ([]byte, error) {
	d, err := reports.LoadRoster(httpx.Ctx(c), a.Store, httpx.Actor(c), book, runID)
	if err != nil {
		return nil, err
	}
	links, err := httpx.HouseholdLinkURLs(httpx.Ctx(c), a.Store, httpx.Actor(c), book, a.PublicBase(c))
	if err != nil {
		return nil, err
	}
	p := slipsPageData{CSS: publicCSS, Book: d.Book.Code, BookName: d.Book.Name, TownshipName: d.Book.TownshipName,
		Quarter: d.Run.Quarter, RunID: d.Run.ID, PerPage: slipsPerPage, PrintedOn: time.Now().In(publicZone).Format("2006-01-02"),
		Words: d.Words()}
	var linked []reports.RosterHousehold
	for _, h := range d.Households {
		if links[h.Code] != "" {
			linked = append(linked, h)
		}
	}
	p.Unlinked = len(d.Households) - len(linked)
	p.Pages = max(1, (len(linked)+slipsPerPage-1)/slipsPerPage)
	p.Page = min(max(page, 1), p.Pages)
	from := (p.Page - 1) * slipsPerPage
	for _, h := range linked[from:min(from+slipsPerPage, len(linked))] {
		s := slip{Household: h.Code, HeadName: h.HeadName, Group: h.Group, URL: links[h.Code]}
		if s.QR, err = qrDataURI(s.URL); err != nil {
			return nil, err
		}
		p.Slips = append(p.Slips, s)
	}
	var buf bytes.Buffer
	err = publicTemplates.ExecuteTemplate(&buf, "slips.html", p)
	return buf.Bytes(), err
}

// slipsPageParam is ?page=N, 1 when absent.
func slipsPageParam(c echo.Context) (int, error) {
	s := c.QueryParam("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, httpx.Invalid("page", "页码应为正整数")
	}
	return n, nil
}

// RunSlips is GET /api/v1/books/{book}/payout-runs/{id}/slips.
func (a *Pages) RunSlips(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	q := httpx.ParseQuery(c, "page")
	if err := q.Err(); err != nil {
		return err
	}
	page, err := slipsPageParam(c)
	if err != nil {
		return err
	}
	body, err := a.slipsPage(c, c.Param("book"), id, page)
	if err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, body)
}

// Slips is the slips page of run runID of book with the page number from
// ?page=, for the accountants' payout wizard (see web.SlipsFunc).
func (a *Pages) Slips(c echo.Context, book string, runID int64) ([]byte, error) {
	page, err := slipsPageParam(c)
	if err != nil {
		return nil, err
	}
	return a.slipsPage(c, book, runID, page)
}
