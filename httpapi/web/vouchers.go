package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Voucher entry, list, detail with audit trail, post, reverse and print.

// maxFormLines bounds the lines read from one voucher form (the ledger's own limit).
const maxFormLines = 500

// chinaTime is the time zone dates are defaulted in.
var chinaTime = time.FixedZone("CST", 8*60*60)

// pickerAccount is a leaf account as the account picker knows it.
type pickerAccount struct {
	Code     string `json:"c"`
	Name     string `json:"n"` // full name: 应付款—代收土地流转费
	Initials string `json:"p"` // per character, comma-separated: "y,f,k,d,s,tdc,…"
	Aux      string `json:"a"` // none | household | party
}

type pickerItem struct {
	Code string `json:"c"`
	Name string `json:"n"`
}

type lineRow struct {
	Index                                             int
	Account, Household, Party, Debit, Credit, Summary string
	Aux                                               string // none, household, party, or "" when the account is unknown
	// The server's error beside each field.
	ErrAccount, ErrHousehold, ErrParty, ErrDebit, ErrCredit, ErrSummary string
}

type voucherFormData struct {
	FormID      string
	Receipt     string // the receipt the voucher is prepared from (documents.go)
	Date        string
	Summary     string
	Attachments string
	Lines       []lineRow
	Errors      map[string]string
	General     string
	Debit       ledger.Money
	Credit      ledger.Money
	Diff        ledger.Money
	Accounts    []pickerAccount
	Households  []pickerItem
	Parties     []pickerItem
	// The entry aids (voucher_aids.go): where the form posts, the draft it
	// edits (0 for a new one), the 常用摘要 offered and the templates.
	Action    string
	EditID    int64
	From      string // "复制自 …" or "模板 …" when the form was filled from one
	Saved     int64  // the draft just saved by 保存并新增
	Phrases   []ledger.SummaryPhrase
	Templates []ledger.VoucherTemplate
}

// accountPicker lists the book's leaf accounts with full names and initials.
func (a *Pages) accountPicker(c echo.Context, book string) ([]pickerAccount, map[string]pickerAccount, error) {
	accs, err := a.Store.Accounts(httpx.Ctx(c), httpx.Actor(c), book)
	if err != nil {
		return nil, nil, err
	}
	byCode := map[string]ledger.Account{}
	for _, ac := range accs {
		byCode[ac.Code] = ac
	}
	var out []pickerAccount
	index := map[string]pickerAccount{}
	for _, ac := range accs {
		if !ac.Leaf {
			continue
		}
		name := ac.Name
		for p, depth := ac.Parent, 0; p != "" && depth < 10; depth++ {
			name = byCode[p].Name + "—" + name
			p = byCode[p].Parent
		}
		pa := pickerAccount{Code: ac.Code, Name: name, Initials: strings.Join(nameInitials(name), ","), Aux: string(ac.Aux)}
		out = append(out, pa)
		index[ac.Code] = pa
	}
	return out, index, nil
}

func (a *Pages) householdPicker(c echo.Context, book string) ([]pickerItem, []pickerItem, error) {
	hs, err := a.Store.Households(httpx.Ctx(c), httpx.Actor(c), book, ledger.HouseholdFilter{Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	ps, err := a.Store.Parties(httpx.Ctx(c), httpx.Actor(c), book, "", 1000)
	if err != nil {
		return nil, nil, err
	}
	hh := make([]pickerItem, len(hs))
	for i, h := range hs {
		hh[i] = pickerItem{Code: h.Code, Name: h.HeadName}
	}
	pp := make([]pickerItem, len(ps))
	for i, p := range ps {
		pp[i] = pickerItem{Code: p.Code, Name: p.Name}
	}
	return hh, pp, nil
}

// firstToken takes the code from a picker value like "102 银行存款".
func firstToken(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t　"); i >= 0 {
		return s[:i]
	}
	return s
}

// resolveAccount finds the account a typed value means: a code, or (without
// the script's picker) a full name or pinyin initials naming one leaf account.
func resolveAccount(value string, index map[string]pickerAccount) string {
	code := firstToken(value)
	if _, ok := index[code]; ok || code == "" {
		return code
	}
	var found []string
	for _, pa := range index {
		own := pa.Name
		if i := strings.LastIndex(own, "—"); i >= 0 {
			own = own[i+len("—"):]
		}
		if pa.Name == value || own == value || initialsEqual(pa.Name, value) || initialsEqual(own, value) {
			found = append(found, pa.Code)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return code
}

// initialsEqual reports whether query spells the initials of the whole name.
func initialsEqual(name, query string) bool {
	ini := nameInitials(name)
	return len(ini) == len(query) && initialsMatch(ini, query)
}

var lineKey = regexp.MustCompile(`^lines\[(\d{1,3})\]\.(account|household|party|debit|credit|summary)$`)

// readVoucherForm reads the submitted form, keeping every row as typed.
func readVoucherForm(form url.Values) voucherFormData {
	d := voucherFormData{FormID: form.Get("form_id"), Receipt: form.Get("receipt"), Date: strings.TrimSpace(form.Get("date")),
		Summary: strings.TrimSpace(form.Get("summary")), Attachments: strings.TrimSpace(form.Get("attachments"))}
	rows := map[int]*lineRow{}
	last := -1
	for k, vs := range form {
		m := lineKey.FindStringSubmatch(k)
		if m == nil || len(vs) == 0 {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i >= maxFormLines {
			continue
		}
		r := rows[i]
		if r == nil {
			r = &lineRow{Index: i}
			rows[i] = r
		}
		v := strings.TrimSpace(vs[0])
		switch m[2] {
		case "account":
			r.Account = v
		case "household":
			r.Household = v
		case "party":
			r.Party = v
		case "debit":
			r.Debit = v
		case "credit":
			r.Credit = v
		case "summary":
			r.Summary = v
		}
		last = max(last, i)
	}
	for i := 0; i <= last; i++ {
		if r := rows[i]; r != nil {
			r.Index = len(d.Lines)
			d.Lines = append(d.Lines, *r)
		}
	}
	return d
}

func (r lineRow) blank() bool {
	return r.Account == "" && r.Household == "" && r.Party == "" && r.Debit == "" && r.Credit == "" && r.Summary == ""
}

// formMoney parses an amount typed on a form: blanks and thousands commas are allowed.
func formMoney(s string) (*ledger.Money, error) {
	s = strings.NewReplacer(",", "", "，", "", " ", "").Replace(s)
	if s == "" {
		return nil, nil
	}
	m, err := ledger.ParseMoney(s)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// voucherInput turns the form into the ledger's input; rowOf maps the
// input's line numbers back to the form's rows. Amount typing errors are
// returned per field.
func (d *voucherFormData) voucherInput(index map[string]pickerAccount) (ledger.VoucherInput, []int, map[string]string) {
	errs := map[string]string{}
	in := ledger.VoucherInput{Date: d.Date, Summary: d.Summary}
	if d.Attachments != "" {
		n, err := strconv.Atoi(d.Attachments)
		if err != nil {
			errs["attachments"] = "附件张数应为整数"
		}
		in.Attachments = n
	}
	var rowOf []int
	for i := range d.Lines {
		r := &d.Lines[i]
		if r.blank() {
			continue
		}
		code := resolveAccount(r.Account, index)
		li := ledger.LineInput{Account: code, Summary: r.Summary}
		if pa, ok := index[code]; ok {
			r.Account, r.Aux = pa.Code+" "+pa.Name, pa.Aux
			switch pa.Aux {
			case string(ledger.AuxHousehold):
				li.Household = firstToken(r.Household)
			case string(ledger.AuxParty):
				li.Party = firstToken(r.Party)
			}
		}
		var err error
		field := fmt.Sprintf("lines[%d].", r.Index)
		if li.Debit, err = formMoney(r.Debit); err != nil {
			errs[field+"debit"] = err.Error()
		}
		if li.Credit, err = formMoney(r.Credit); err != nil {
			errs[field+"credit"] = err.Error()
		}
		if li.Debit != nil {
			d.Debit = d.Debit.Add(*li.Debit)
		}
		if li.Credit != nil {
			d.Credit = d.Credit.Add(*li.Credit)
		}
		in.Lines = append(in.Lines, li)
		rowOf = append(rowOf, r.Index)
	}
	d.Diff = d.Debit.Sub(d.Credit)
	return in, rowOf, errs
}

var bareLine = regexp.MustCompile(`^lines\[\d+\]$`)

var inputLineField = regexp.MustCompile(`^lines\[(\d+)\](.*)$`)

// formFieldOf maps the ledger's field path to the form's: lines[k] of the
// input is the form row rowOf[k].
func formFieldOf(field string, rowOf []int) string {
	m := inputLineField.FindStringSubmatch(field)
	if m == nil {
		return field
	}
	k, err := strconv.Atoi(m[1])
	if err != nil || k >= len(rowOf) {
		return field
	}
	return fmt.Sprintf("lines[%d]%s", rowOf[k], m[2])
}

func knownVoucherField(f string) bool {
	switch f {
	case "date", "summary", "attachments", "lines":
		return true
	}
	return lineKey.MatchString(f)
}

// padLines keeps at least n rows and one blank row at the end to type into.
func (d *voucherFormData) padLines(n int) {
	for len(d.Lines) < n || len(d.Lines) == 0 || !d.Lines[len(d.Lines)-1].blank() {
		if len(d.Lines) >= maxFormLines {
			break
		}
		d.Lines = append(d.Lines, lineRow{Index: len(d.Lines)})
	}
}

func (a *Pages) voucherFormPage(c echo.Context, p *webPage, d *voucherFormData) error {
	accounts, index, err := a.accountPicker(c, p.Book.Code)
	if err != nil {
		return err
	}
	if d.Households, d.Parties, err = a.householdPicker(c, p.Book.Code); err != nil {
		return err
	}
	d.Accounts = accounts
	if err := a.entryAids(c, p.Book.Code, d); err != nil {
		return err
	}
	for i := range d.Lines {
		r := &d.Lines[i]
		if pa, ok := index[resolveAccount(r.Account, index)]; ok {
			r.Account, r.Aux = pa.Code+" "+pa.Name, pa.Aux
		}
	}
	d.padLines(4)
	if d.FormID == "" {
		d.FormID = randomHex(16)
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	for i := range d.Lines {
		r := &d.Lines[i]
		e := func(f string) string { return d.Errors[fmt.Sprintf("lines[%d].%s", r.Index, f)] }
		r.ErrAccount, r.ErrHousehold, r.ErrParty = e("account"), e("household"), e("party")
		r.ErrDebit, r.ErrCredit, r.ErrSummary = e("debit"), e("credit"), e("summary")
	}
	p.D = d
	return nil
}

func (a *Pages) VoucherForm(c echo.Context) error {
	p := newPage(c, "录入记账凭证", "new")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d, err := a.newVoucherForm(c, &p)
	if err != nil {
		return a.webError(c, err)
	}
	d.Receipt = c.QueryParam("receipt")
	if err := a.voucherFormPage(c, &p, d); err != nil {
		return a.webError(c, err)
	}
	return a.render(c, http.StatusOK, "voucher_form", &p)
}

var formIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (a *Pages) CreateVoucher(c echo.Context) error {
	p := newPage(c, "录入记账凭证", "new")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	form, err := c.FormParams()
	if err != nil {
		return a.webError(c, ledger.FieldError("body", "表单无法读取"))
	}
	d := readVoucherForm(form)
	_, index, err := a.accountPicker(c, p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	in, rowOf, errs := d.voucherInput(index)
	status := http.StatusBadRequest
	if len(errs) == 0 {
		by := httpx.Actor(c)
		if formIDPattern.MatchString(d.FormID) { // a second click on 保存 saves nothing more
			by = by.With(ledger.WriteOptions{Idempotency: ledger.IdempotencyClaim{UserID: by.UserID, Key: "web:voucher:" + d.FormID,
				RequestHash: "web"}})
		}
		v, err := a.createOrPrepare(c, by, p.Book.Code, d.Receipt, in)
		if err == nil {
			if c.FormValue("then") == "new" { // 保存并新增
				return seeOther(c, bookURL(p.Book.Code, "vouchers", "new")+"?ok=draft&saved="+strconv.FormatInt(v.ID, 10))
			}
			return seeOther(c, bookURL(p.Book.Code, "vouchers", strconv.FormatInt(v.ID, 10))+"?ok=draft")
		}
		if errors.Is(err, ledger.ErrIdempotencyClaimed) {
			return seeOther(c, bookURL(p.Book.Code, "vouchers")+"?status=draft&ok=submitted")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, status = d.refusal(err, rowOf)
	}
	d.Errors = errs
	if d.General == "" {
		d.General = "凭证未保存，请修改标出的项目"
	}
	if err := a.voucherFormPage(c, &p, &d); err != nil {
		return a.webError(c, err)
	}
	return a.render(c, status, "voucher_form", &p)
}

// refusal puts the ledger's refusal of the form's voucher beside the fields
// and returns the fields' errors and the status.
func (d *voucherFormData) refusal(err error, rowOf []int) (map[string]string, int) {
	var le *ledger.Error
	errors.As(err, &le)
	remapped := *le
	remapped.Details = make([]ledger.Detail, len(le.Details))
	for i, det := range le.Details {
		field := formFieldOf(det.Field, rowOf)
		if bareLine.MatchString(field) { // "one side only" and the like: shown beside the debit
			field += ".debit"
		}
		remapped.Details[i] = ledger.Detail{Field: field, Message: det.Message}
	}
	errs, general := formErrors(&remapped, knownVoucherField)
	d.General = general
	if le.Code == ledger.ECodeUnbalanced {
		d.General = le.Message + "，差额 " + httpx.FormatMoney(d.Diff)
	}
	return errs, httpx.StatusByCode[le.Code]
}

// voucher list

type voucherListData struct {
	Period, Status, Account, Household string
	Vouchers                           []ledger.Voucher
	Next                               string
	Names                              map[int64]string
}

const voucherPageSize = 50

func (a *Pages) Vouchers(c echo.Context) error {
	p := newPage(c, "凭证列表", "vouchers")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	d := voucherListData{Period: strings.TrimSpace(c.QueryParam("period")), Status: c.QueryParam("status"),
		Account: strings.TrimSpace(c.QueryParam("account")), Household: firstToken(c.QueryParam("household"))}
	if !c.QueryParams().Has("period") { // the list opens on this month; an empty 期间 lists every month
		d.Period = time.Now().In(chinaTime).Format("2006-01")
	}
	f := ledger.VoucherFilter{Period: d.Period, Account: firstToken(d.Account), Household: d.Household, Limit: voucherPageSize + 1, Newest: true}
	if d.Period != "" {
		if _, err := ledger.ParsePeriod(d.Period); err != nil {
			p.Error = "期间应为 YYYY-MM，如 2026-03"
			f.Period = "9999-99"
		}
	}
	switch d.Status {
	case "draft", "posted":
		f.Status = ledger.VoucherStatus(d.Status)
	default:
		d.Status = ""
	}
	if before, err := strconv.ParseInt(c.QueryParam("before"), 10, 64); err == nil && before > 0 {
		f.Before = before
	}
	vs, err := a.Store.Vouchers(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, f)
	if err != nil {
		return a.webError(c, err)
	}
	if len(vs) > voucherPageSize {
		vs = vs[:voucherPageSize]
		q := c.Request().URL.Query()
		q.Set("period", d.Period)
		q.Set("before", strconv.FormatInt(vs[len(vs)-1].ID, 10))
		d.Next = "?" + q.Encode()
	}
	d.Vouchers = vs
	if d.Names, err = a.Store.UserNames(httpx.Ctx(c), httpx.Actor(c), p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	p.D = d
	return a.render(c, http.StatusOK, "vouchers", &p)
}

// voucher detail

type voucherData struct {
	V            ledger.Voucher
	Debit        ledger.Money
	Credit       ledger.Money
	Capitals     string
	Names        map[int64]string
	Audit        []ledger.AuditEntry
	CanPost      bool
	CanReverse   bool
	CanDelete    bool
	CanPrepare   bool // may copy it or save it as a template
	TemplateName string
	Reverse      ledger.ReverseInput
	Errors       map[string]string
	Docs         voucherDocs // documents.go
	Review       *reviewNav  // the review queue around a draft, and 驳回 (review.go)
}

func (a *Pages) loadVoucher(c echo.Context, p *webPage) (*voucherData, error) {
	if err := a.webBook(c, p); err != nil {
		return nil, err
	}
	id, err := httpx.VoucherID(c)
	if err != nil {
		return nil, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在")
	}
	v, err := a.Store.Voucher(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id)
	if err != nil {
		return nil, err
	}
	act := httpx.Actor(c)
	d := &voucherData{V: v, Errors: map[string]string{}}
	for _, l := range v.Lines {
		d.Debit, d.Credit = d.Debit.Add(l.Debit), d.Credit.Add(l.Credit)
	}
	d.Capitals = capitals(d.Debit)
	d.Audit, err = a.Store.AuditLog(httpx.Ctx(c), act, p.Book.Code, ledger.AuditFilter{Entity: "voucher",
		EntityKey: strconv.FormatInt(v.ID, 10), Limit: 100})
	if err != nil {
		return nil, err
	}
	if d.Names, err = a.Store.UserNames(httpx.Ctx(c), act, p.Book.Code); err != nil {
		return nil, err
	}
	book := p.Book.Code
	if d.Docs, err = a.loadVoucherDocs(c, book, v); err != nil {
		return nil, err
	}
	canPost := act.HasRole(book, ledger.RoleAccountant) || act.HasRole(book, ledger.RoleTownship)
	d.CanPost = v.Status == ledger.StatusDraft && canPost
	d.CanReverse = v.Status == ledger.StatusPosted && v.ReversedBy == 0 && v.ReversesID == 0 && act.HasRole(book, ledger.RoleAccountant)
	d.CanDelete = v.Status == ledger.StatusDraft && v.PreparerID == act.UserID
	d.CanPrepare = canPrepare(act, book) && v.ReversesID == 0
	if d.Review, err = a.voucherReview(c, v, canPost); err != nil {
		return nil, err
	}
	d.Reverse = ledger.ReverseInput{Date: time.Now().In(chinaTime).Format("2006-01-02"),
		Summary: "冲销" + v.Period + " " + v.Number + " " + v.Summary}
	if r := []rune(d.Reverse.Summary); len(r) > 200 {
		d.Reverse.Summary = string(r[:200])
	}
	p.Title = "记账凭证 " + v.Number
	if v.Number == "" {
		p.Title = "凭证草稿 #" + strconv.FormatInt(v.ID, 10)
	}
	p.D = d
	return d, nil
}

// capitals writes an amount in Chinese capitals; a red reversal's total is 负….
func capitals(m ledger.Money) string {
	prefix := ""
	if m.IsNegative() {
		prefix, m = "负", m.Neg()
	}
	s, err := reports.ChineseCapitals(m.Decimal())
	if err != nil {
		return ""
	}
	return prefix + s
}

func (a *Pages) Voucher(c echo.Context) error {
	p := newPage(c, "记账凭证", "vouchers")
	if _, err := a.loadVoucher(c, &p); err != nil {
		return a.webError(c, err)
	}
	return a.render(c, http.StatusOK, "voucher", &p)
}

func (a *Pages) VoucherPrint(c echo.Context) error {
	p := newPage(c, "打印记账凭证", "vouchers")
	if _, err := a.loadVoucher(c, &p); err != nil {
		return a.webError(c, err)
	}
	p.Print = true
	return a.render(c, http.StatusOK, "voucher_print", &p)
}

// voucherActionFailed shows the voucher again with the refusal.
func (a *Pages) voucherActionFailed(c echo.Context, err error, reverse *ledger.ReverseInput) error {
	if !isFormError(err) {
		return a.webError(c, err)
	}
	p := newPage(c, "记账凭证", "vouchers")
	d, lerr := a.loadVoucher(c, &p)
	if lerr != nil {
		return a.webError(c, lerr)
	}
	errs, general := formErrors(err, func(f string) bool { return f == "date" || f == "summary" })
	if reverse != nil {
		d.Reverse, d.Errors = *reverse, errs
	}
	p.Error = general
	if general == "" {
		p.Error = "冲销凭证未生成，请修改标出的项目"
	}
	return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "voucher", &p)
}

func (a *Pages) PostVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在"))
	}
	book := c.Param("book")
	if _, err := a.Store.PostVoucher(httpx.Ctx(c), httpx.Actor(c), book, id); err != nil {
		return a.voucherActionFailed(c, err, nil)
	}
	return seeOther(c, bookURL(book, "vouchers", strconv.FormatInt(id, 10))+"?ok=posted")
}

func (a *Pages) ReverseVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在"))
	}
	book := c.Param("book")
	in := ledger.ReverseInput{Date: strings.TrimSpace(c.FormValue("date")), Summary: strings.TrimSpace(c.FormValue("summary"))}
	v, err := a.Store.ReverseVoucher(httpx.Ctx(c), httpx.Actor(c), book, id, in)
	if err != nil {
		return a.voucherActionFailed(c, err, &in)
	}
	return seeOther(c, bookURL(book, "vouchers", strconv.FormatInt(v.ID, 10))+"?ok=reversed")
}

func (a *Pages) DeleteVoucher(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在"))
	}
	book := c.Param("book")
	if err := a.Store.DeleteVoucher(httpx.Ctx(c), httpx.Actor(c), book, id); err != nil {
		return a.voucherActionFailed(c, err, nil)
	}
	return seeOther(c, bookURL(book, "vouchers")+"?ok=deleted")
}
