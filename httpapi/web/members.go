package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// A cooperative's members (成员): list, add, edit, and the 成员账户 workbook
// of a year. The same ledger calls as the API's members handlers.

// memberForm is a member as typed on the form.
type memberForm struct {
	Code, Name, Kind, USCC, JoinedOn, LeftOn, PovertyCapital string
}

type membersData struct {
	Members  []ledger.Member
	F        memberForm
	Errors   map[string]string
	CanWrite bool
	Edit     bool
	Year     int
	Capital  map[string]ledger.Money // 出资额 from the year's 成员账户
}

func knownMemberField(f string) bool {
	switch f {
	case "code", "name", "kind", "uscc", "joined_on", "left_on", "poverty_capital":
		return true
	}
	return false
}

func readMemberForm(c echo.Context) memberForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return memberForm{Code: v("code"), Name: v("name"), Kind: v("kind"), USCC: strings.ToUpper(v("uscc")),
		JoinedOn: v("joined_on"), LeftOn: v("left_on"), PovertyCapital: v("poverty_capital")}
}

// capital reads 其中扶贫资产, an amount that may be left empty (zero).
func (f memberForm) capital(errs map[string]string) ledger.Money {
	m, err := formMoney(f.PovertyCapital)
	if err != nil {
		errs["poverty_capital"] = "金额不正确：" + err.Error()
		return ledger.Money{}
	}
	if m == nil {
		return ledger.Money{}
	}
	return *m
}

func formOfMember(m ledger.Member) memberForm {
	return memberForm{Code: m.Code, Name: m.Name, Kind: string(m.Kind), USCC: m.USCC, JoinedOn: m.JoinedOn, LeftOn: m.LeftOn,
		PovertyCapital: m.PovertyCapital.String()}
}

func (a *Pages) membersPage(c echo.Context, p *webPage, d membersData, status int) error {
	ms, err := a.Store.Members(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, "", 10000)
	if err != nil {
		return a.webError(c, err)
	}
	d.Members, d.CanWrite, d.Year = ms, canWrite(c), time.Now().Year()
	accts, err := a.Store.MemberAccounts(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, d.Year)
	if err != nil {
		return a.webError(c, err)
	}
	d.Capital = map[string]ledger.Money{}
	for _, ac := range accts.Accounts {
		d.Capital[ac.Code] = ac.Capital
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if d.F.Kind == "" {
		d.F.Kind = string(ledger.MemberFarmer)
	}
	p.D = d
	return a.render(c, status, "members", p)
}

func (a *Pages) Members(c echo.Context) error {
	p := newPage(c, "成员", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.membersPage(c, &p, membersData{}, http.StatusOK)
}

func (a *Pages) CreateMember(c echo.Context) error {
	p := newPage(c, "成员", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	f, errs := readMemberForm(c), map[string]string{}
	capital := f.capital(errs)
	if len(errs) > 0 {
		return a.membersPage(c, &p, membersData{F: f, Errors: errs}, http.StatusBadRequest)
	}
	in := ledger.Member{Code: f.Code, Name: f.Name, Kind: ledger.MemberKind(f.Kind), USCC: f.USCC, JoinedOn: f.JoinedOn,
		LeftOn: f.LeftOn, PovertyCapital: capital}
	if _, err := a.Store.CreateMember(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, in); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = formErrors(err, knownMemberField)
		return a.membersPage(c, &p, membersData{F: f, Errors: errs}, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "members")+"?ok=created")
}

func (a *Pages) Member(c echo.Context) error {
	p := newPage(c, "成员", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	m, err := a.Store.Member(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	return a.memberPage(c, &p, formOfMember(m), nil, http.StatusOK)
}

func (a *Pages) memberPage(c echo.Context, p *webPage, f memberForm, errs map[string]string, status int) error {
	if errs == nil {
		errs = map[string]string{}
	}
	p.Title = "成员 " + f.Code
	p.D = membersData{F: f, Errors: errs, Edit: true, CanWrite: canWrite(c)}
	return a.render(c, status, "member", p)
}

func (a *Pages) UpdateMember(c echo.Context) error {
	p := newPage(c, "成员", "members")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	old, err := a.Store.Member(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	f, errs := readMemberForm(c), map[string]string{}
	f.Code = old.Code
	capital := f.capital(errs)
	if len(errs) > 0 {
		return a.memberPage(c, &p, f, errs, http.StatusBadRequest)
	}
	kind := ledger.MemberKind(f.Kind)
	patch := ledger.MemberPatch{Name: &f.Name, Kind: &kind, USCC: &f.USCC, JoinedOn: &f.JoinedOn, LeftOn: &f.LeftOn, PovertyCapital: &capital}
	if _, err := a.Store.UpdateMember(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, old.Code, patch); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = formErrors(err, knownMemberField)
		return a.memberPage(c, &p, f, errs, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "members", old.Code)+"?ok=saved")
}
