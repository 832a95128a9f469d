package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Household statement links in bulk (对账链接): make the missing ones,
// regenerate or revoke the ticked ones; from a run's slips, make the links
// of its households that have none and go back to print them.

type linksData struct {
	Rows     []linkRow
	Active   int
	Missing  int
	Run      int64 // the run the page was opened from (its slips), if any
	Quarter  string
	CanWrite bool
}

type linkRow struct {
	H ledger.Household
	S ledger.LinkState
}

// maxLinkRows bounds the households the page lists.
const maxLinkRows = 1000

// linkManagers may make and revoke links: the book's accountants and its township.
func linkManager(c echo.Context) bool {
	act, book := httpx.Actor(c), c.Param("book")
	return act.HasRole(book, ledger.RoleAccountant) || act.HasRole(book, ledger.RoleTownship)
}

// HouseholdLinks lists the households with their links (?run= narrows to a run's households).
func (a *Pages) HouseholdLinks(c echo.Context) error {
	p := newPage(c, "农户对账链接", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d, err := a.linksData(c, p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, http.StatusOK, "links", &p)
}

func (a *Pages) linksData(c echo.Context, book string) (linksData, error) {
	ctx, act := httpx.Ctx(c), httpx.Actor(c)
	d := linksData{CanWrite: linkManager(c)}
	in, err := a.runHouseholds(c, book)
	if err != nil {
		return d, err
	}
	if in != nil {
		d.Run, _ = strconv.ParseInt(c.QueryParam("run"), 10, 64)
	}
	states, err := a.Store.HouseholdLinkStates(ctx, act, book)
	if err != nil {
		return d, err
	}
	hs, err := a.Store.Households(ctx, act, book, ledger.HouseholdFilter{Limit: maxLinkRows})
	if err != nil {
		return d, err
	}
	for _, h := range hs {
		if in != nil && !in[h.Code] {
			continue
		}
		st := states[h.Code]
		if st.Active {
			d.Active++
		} else {
			d.Missing++
		}
		d.Rows = append(d.Rows, linkRow{H: h, S: st})
	}
	return d, nil
}

// runHouseholds are the households of the run in ?run= (or the form's run),
// nil without one.
func (a *Pages) runHouseholds(c echo.Context, book string) (map[string]bool, error) {
	v := c.QueryParam("run")
	if v == "" {
		v = c.FormValue("run")
	}
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, ledger.FieldError("run", "收益分配编号无效")
	}
	run, err := a.Store.PayoutRun(httpx.Ctx(c), httpx.Actor(c), book, id)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(run.Households))
	for _, h := range run.Households {
		out[h.Household] = true
	}
	return out, nil
}

// ChangeHouseholdLinks makes or revokes links: action=missing makes the
// links of the ticked households without one (of the whole run when none is
// ticked and the form names a run), regenerate makes new ones, revoke
// disables them.
func (a *Pages) ChangeHouseholdLinks(c echo.Context) error {
	book := c.Param("book")
	form, err := c.FormParams()
	if err != nil {
		return a.webError(c, ledger.FieldError("households", "表单无法读取"))
	}
	codes := form["household"]
	inRun, err := a.runHouseholds(c, book)
	if err != nil {
		return a.webError(c, err)
	}
	action := c.FormValue("action")
	if len(codes) == 0 && inRun != nil && action == "missing" {
		for code := range inRun {
			codes = append(codes, code)
		}
	}
	ctx, act := httpx.Ctx(c), httpx.Actor(c)
	ok := "linked"
	switch action {
	case "missing", "regenerate":
		_, err = a.Store.CreateHouseholdLinks(ctx, act, book, codes, action == "missing")
	case "revoke":
		_, err = a.Store.RevokeHouseholdLinks(ctx, act, book, codes)
		ok = "unlinked"
	default:
		err = ledger.FieldError("action", "未知的操作")
	}
	if err != nil {
		if ledger.ErrorCode(err) != ledger.ECodeInvalid && ledger.ErrorCode(err) != ledger.ECodeNotFound {
			return a.webError(c, err)
		}
		p := newPage(c, "农户对账链接", "households")
		if err2 := a.webBook(c, &p); err2 != nil {
			return a.webError(c, err2)
		}
		p.Error = ledger.ErrorMessage(err)
		d, err2 := a.linksData(c, book)
		if err2 != nil {
			return a.webError(c, err2)
		}
		p.D = d
		return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "links", &p)
	}
	if run := c.FormValue("run"); run != "" && action == "missing" {
		return seeOther(c, bookURL(book, "payouts", run, "slips"))
	}
	to := bookURL(book, "households", "links") + "?ok=" + ok
	if run := c.FormValue("run"); run != "" {
		to += "&run=" + run
	}
	return seeOther(c, to)
}
