package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// The book's settings page: the contact person and phone the villagers'
// pages print (the household statement and the quarter's disclosure).

type settingsData struct {
	Contact  ledger.BookContact
	Errors   map[string]string
	CanWrite bool // the book's accountants and its township set the contact
}

func canSetContact(c echo.Context) bool {
	a := httpx.Actor(c)
	return a.HasRole(c.Param("book"), ledger.RoleAccountant) || a.HasRole(c.Param("book"), ledger.RoleTownship)
}

func knownContactField(f string) bool { return f == "name" || f == "phone" }

// Settings shows the book's settings.
func (a *Pages) Settings(c echo.Context) error {
	p := newPage(c, "账套设置", "settings")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	contact, err := a.Store.BookContactOf(httpx.Ctx(c), httpx.Actor(c), p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	p.D = settingsData{Contact: contact, Errors: map[string]string{}, CanWrite: canSetContact(c)}
	return a.render(c, http.StatusOK, "settings", &p)
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
	if !isFormError(err) {
		return a.webError(c, err)
	}
	d := settingsData{Contact: in, CanWrite: canSetContact(c)}
	d.Errors, p.Error = formErrors(err, knownContactField)
	p.D = d
	return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "settings", &p)
}
