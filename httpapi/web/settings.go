package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// The book's settings page: the contact person and phone the villagers'
// pages print (the household statement and the quarter's disclosure), and
// for the township the segregation opt-out and the go-live month
// (settings_township.go).

type settingsData struct {
	Contact  ledger.BookContact
	Errors   map[string]string
	CanWrite bool // the book's accountants and its township set the contact
	// The township's settings; Reason and GoLive echo a refused form.
	IsTownship     bool
	Reason, GoLive string
}

func canSetContact(c echo.Context) bool {
	a := httpx.Actor(c)
	return a.HasRole(c.Param("book"), ledger.RoleAccountant) || a.HasRole(c.Param("book"), ledger.RoleTownship)
}

// isTownshipOf reports whether the actor may change the township's settings
// of the book (the ledger checks again per book).
func isTownshipOf(c echo.Context) bool {
	a := httpx.Actor(c)
	return a.Role == ledger.RoleAdmin || a.HasRole(c.Param("book"), ledger.RoleTownship)
}

func knownContactField(f string) bool { return f == "name" || f == "phone" }

// Settings shows the book's settings.
func (a *Pages) Settings(c echo.Context) error {
	p := newPage(c, "账套设置", "settings")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d, err := a.settingsData(c, &p)
	if err != nil {
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, http.StatusOK, "settings", &p)
}

// settingsData loads the page's data with no form echoed.
func (a *Pages) settingsData(c echo.Context, p *webPage) (settingsData, error) {
	contact, err := a.Store.BookContactOf(httpx.Ctx(c), httpx.Actor(c), p.Book.Code)
	if err != nil {
		return settingsData{}, err
	}
	return settingsData{Contact: contact, Errors: map[string]string{}, CanWrite: canSetContact(c),
		IsTownship: isTownshipOf(c), GoLive: p.Book.GoLivePeriod}, nil
}

// SetContact saves the contact; field errors come back beside the fields.
func (a *Pages) SetContact(c echo.Context) error {
	p := newPage(c, "账套设置", "settings")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	in := ledger.BookContact{Name: c.FormValue("name"), Phone: c.FormValue("phone")}
	_, err := a.Store.SetBookContact(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, in)
	if err == nil {
		return seeOther(c, bookURL(p.Book.Code, "settings")+"?ok=saved")
	}
	return a.settingsRefused(c, &p, err, knownContactField, func(d *settingsData) { d.Contact = in })
}

// settingsRefused shows the settings page again with a refused form's
// errors beside its fields; fill puts the form's input back.
func (a *Pages) settingsRefused(c echo.Context, p *webPage, err error, known func(string) bool, fill func(*settingsData)) error {
	if !isFormError(err) {
		return a.webError(c, err)
	}
	d, lerr := a.settingsData(c, p)
	if lerr != nil {
		return a.webError(c, lerr)
	}
	fill(&d)
	d.Errors, p.Error = formErrors(err, known)
	p.D = d
	return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "settings", p)
}
