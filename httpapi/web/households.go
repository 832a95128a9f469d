package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Households and parties: list, search, add, edit, import from Excel; a
// household's statement on screen and as a workbook.

const householdPageSize = 100

type householdsData struct {
	Query      string
	Households []ledger.Household
	Next       string
	CanWrite   bool
}

func canWrite(c echo.Context) bool {
	return httpx.Actor(c).HasRole(c.Param("book"), ledger.RoleAccountant)
}

func (a *Pages) Households(c echo.Context) error {
	p := newPage(c, "农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if r := []rune(q); len(r) > 64 {
		q = string(r[:64])
	}
	f := ledger.HouseholdFilter{Query: q, After: c.QueryParam("after"), Limit: householdPageSize + 1, ByGroup: true}
	hs, err := a.Store.Households(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, f)
	if err != nil {
		return a.webError(c, err)
	}
	d := householdsData{Query: q, CanWrite: canWrite(c)}
	if len(hs) > householdPageSize {
		hs = hs[:householdPageSize]
		d.Next = "?" + url.Values{"q": {q}, "after": {ledger.GroupCursor(hs[len(hs)-1])}}.Encode()
	}
	d.Households = hs
	p.D = d
	return a.render(c, http.StatusOK, "households", &p)
}

type householdFormData struct {
	New       bool
	H         ledger.Household
	Errors    map[string]string
	Statement *ledger.HouseholdStatement
	From, To  string
	CanWrite  bool
	Statuses  []ledger.HouseholdStatus
}

var householdStatuses = []ledger.HouseholdStatus{ledger.StatusFormerlyPoor, ledger.StatusMonitored, ledger.StatusOrdinary}

func knownHouseholdField(f string) bool {
	switch f {
	case "code", "head_name", "id_number", "bank_account", "members", "group", "status":
		return true
	}
	return false
}

func (a *Pages) HouseholdForm(c echo.Context) error {
	p := newPage(c, "新增农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	p.D = householdFormData{New: true, H: ledger.Household{Members: 1, Status: ledger.StatusOrdinary},
		Errors: map[string]string{}, CanWrite: canWrite(c), Statuses: householdStatuses}
	return a.render(c, http.StatusOK, "household", &p)
}

// householdFromForm reads the household form; a bad member count is a field error.
func householdFromForm(c echo.Context) (ledger.Household, map[string]string) {
	errs := map[string]string{}
	h := ledger.Household{Code: strings.TrimSpace(c.FormValue("code")), HeadName: strings.TrimSpace(c.FormValue("head_name")),
		IDNumber: strings.ToUpper(strings.TrimSpace(c.FormValue("id_number"))), BankAccount: strings.TrimSpace(c.FormValue("bank_account")),
		Group: strings.TrimSpace(c.FormValue("group")), Status: ledger.HouseholdStatus(c.FormValue("status"))}
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("members")))
	if err != nil {
		errs["members"] = "家庭人口应为整数"
	}
	h.Members = n
	return h, errs
}

func (a *Pages) CreateHousehold(c echo.Context) error {
	p := newPage(c, "新增农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	h, errs := householdFromForm(c)
	status := http.StatusBadRequest
	if len(errs) == 0 {
		created, err := a.Store.CreateHousehold(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, h)
		if err == nil {
			return seeOther(c, bookURL(p.Book.Code, "households", created.Code)+"?ok=created")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = formErrors(err, knownHouseholdField)
		status = httpx.StatusByCode[ledger.ErrorCode(err)]
	}
	p.D = householdFormData{New: true, H: h, Errors: errs, CanWrite: true, Statuses: householdStatuses}
	return a.render(c, status, "household", &p)
}

// statementRange defaults to the book's start month through this month.
func statementRange(c echo.Context, b ledger.Book) (string, string) {
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if _, err := ledger.ParsePeriod(from); err != nil {
		from = b.StartPeriod
	}
	if _, err := ledger.ParsePeriod(to); err != nil {
		to = time.Now().In(chinaTime).Format("2006-01")
	}
	return from, to
}

func (a *Pages) householdPage(c echo.Context, p *webPage, h ledger.Household, errs map[string]string, status int) error {
	d := householdFormData{H: h, Errors: errs, CanWrite: canWrite(c), Statuses: householdStatuses}
	d.From, d.To = statementRange(c, p.Book)
	st, err := a.Store.HouseholdStatement(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, h.Code, d.From, d.To)
	if err != nil && ledger.ErrorCode(err) != ledger.ECodeInvalid {
		return a.webError(c, err)
	}
	if err == nil {
		d.Statement = &st
	}
	p.Title = "农户 " + h.Code + " " + h.HeadName
	p.D = d
	return a.render(c, status, "household", p)
}

func (a *Pages) Household(c echo.Context) error {
	p := newPage(c, "农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	h, err := a.Store.Household(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	return a.householdPage(c, &p, h, map[string]string{}, http.StatusOK)
}

func (a *Pages) UpdateHousehold(c echo.Context) error {
	p := newPage(c, "农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	old, err := a.Store.Household(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	h, errs := householdFromForm(c)
	h.Code = old.Code
	if len(errs) == 0 {
		patch := ledger.HouseholdPatch{HeadName: &h.HeadName, IDNumber: &h.IDNumber, BankAccount: &h.BankAccount,
			Members: &h.Members, Group: &h.Group, Status: &h.Status}
		if _, err = a.Store.UpdateHousehold(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, old.Code, patch); err == nil {
			return seeOther(c, bookURL(p.Book.Code, "households", old.Code)+"?ok=saved")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, p.Error = formErrors(err, knownHouseholdField)
		return a.householdPage(c, &p, h, errs, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return a.householdPage(c, &p, h, errs, http.StatusBadRequest)
}

func (a *Pages) StatementXLSX(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	from, to := statementRange(c, p.Book)
	d, err := reports.LoadHouseholdStatement(httpx.Ctx(c), a.Store, httpx.Actor(c), p.Book.Code, c.Param("code"), from, to)
	if err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, p.Book.Code+"-"+c.Param("code")+"-农户对账单.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteHouseholdStatement(w, d, reports.Options{Creator: webMe(c).Name})
	})
}

// webSendWorkbook writes a workbook as a download from memory (the JSON
// room's sendWorkbook streams through a temporary file, with other headers).
func (a *Pages) webSendWorkbook(c echo.Context, name string, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return a.webError(c, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

// import

type importData struct {
	Result   *reports.ImportResult
	Problems []ledger.Detail
	Message  string
}

func (a *Pages) ImportForm(c echo.Context) error {
	p := newPage(c, "从 Excel 导入农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	p.D = importData{}
	return a.render(c, http.StatusOK, "import", &p)
}

func (a *Pages) ImportTemplate(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.webSendWorkbook(c, "农户导入模板.xlsx", func(w *bytes.Buffer) error {
		return reports.WriteImportTemplate(w, ledger.ImportHouseholds)
	})
}

// runImport reads the uploaded file of the form and applies it.
func (a *Pages) runImport(c echo.Context, req reports.ImportRequest) (reports.ImportResult, error) {
	name, data, err := uploadedFile(c)
	if err != nil {
		return reports.ImportResult{}, err
	}
	req.FileName, req.File = name, bytes.NewReader(data)
	return reports.Import(httpx.Ctx(c), a.Store, httpx.Actor(c), req)
}

func importProblems(err error) ([]ledger.Detail, string) {
	var le *ledger.Error
	if !errors.As(err, &le) {
		return nil, ""
	}
	return le.Details, le.Message
}

func (a *Pages) ImportHouseholds(c echo.Context) error {
	p := newPage(c, "从 Excel 导入农户", "households")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	res, err := a.runImport(c, reports.ImportRequest{Book: p.Book.Code, Kind: ledger.ImportHouseholds})
	d := importData{}
	status := http.StatusOK
	if err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		d.Problems, d.Message = importProblems(err)
		status = httpx.StatusByCode[ledger.ErrorCode(err)]
	} else {
		d.Result = &res
	}
	p.D = d
	return a.render(c, status, "import", &p)
}

// parties

type partiesData struct {
	Parties  []ledger.Party
	New      ledger.Party
	Errors   map[string]string
	CanWrite bool
	Edit     bool
}

func knownPartyField(f string) bool { return f == "code" || f == "name" || f == "uscc" }

func (a *Pages) partiesPage(c echo.Context, p *webPage, d partiesData, status int) error {
	ps, err := a.Store.Parties(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, "", 1000)
	if err != nil {
		return a.webError(c, err)
	}
	d.Parties, d.CanWrite = ps, canWrite(c)
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	p.D = d
	return a.render(c, status, "parties", p)
}

func (a *Pages) Parties(c echo.Context) error {
	p := newPage(c, "往来单位", "parties")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.partiesPage(c, &p, partiesData{}, http.StatusOK)
}

func partyFromForm(c echo.Context) ledger.Party {
	return ledger.Party{Code: strings.TrimSpace(c.FormValue("code")), Name: strings.TrimSpace(c.FormValue("name")),
		USCC: strings.ToUpper(strings.TrimSpace(c.FormValue("uscc")))}
}

func (a *Pages) CreateParty(c echo.Context) error {
	p := newPage(c, "往来单位", "parties")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	in := partyFromForm(c)
	if _, err := a.Store.CreateParty(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, in); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, general := formErrors(err, knownPartyField)
		p.Error = general
		return a.partiesPage(c, &p, partiesData{New: in, Errors: errs}, httpx.StatusByCode[ledger.ErrorCode(err)])
	}
	return seeOther(c, bookURL(p.Book.Code, "parties")+"?ok=created")
}

func (a *Pages) Party(c echo.Context) error {
	p := newPage(c, "往来单位", "parties")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	pt, err := a.Store.Party(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	p.Title = "往来单位 " + pt.Code
	p.D = partiesData{New: pt, Edit: true, Errors: map[string]string{}, CanWrite: canWrite(c)}
	return a.render(c, http.StatusOK, "party", &p)
}

func (a *Pages) UpdateParty(c echo.Context) error {
	p := newPage(c, "往来单位", "parties")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	old, err := a.Store.Party(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, c.Param("code"))
	if err != nil {
		return a.webError(c, err)
	}
	in := partyFromForm(c)
	in.Code = old.Code
	if _, err := a.Store.UpdateParty(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, old.Code, ledger.PartyPatch{Name: &in.Name, USCC: &in.USCC}); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, general := formErrors(err, knownPartyField)
		p.Error = general
		p.D = partiesData{New: in, Edit: true, Errors: errs, CanWrite: true}
		return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "party", &p)
	}
	return seeOther(c, bookURL(p.Book.Code, "parties", old.Code)+"?ok=saved")
}
