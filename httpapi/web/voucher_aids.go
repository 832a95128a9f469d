package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// What 用友 and 金蝶 users expect of voucher entry: edit a draft, copy a
// voucher, start from a template, 保存并新增, the last voucher's date, and a
// book's 常用摘要; the page /books/{book}/voucher-aids keeps the library and
// the templates.

// canPrepare tells whether the pages offer preparing a voucher; the ledger decides.
func canPrepare(a ledger.Actor, book string) bool {
	return a.HasRole(book, ledger.RoleAccountant) || a.HasRole(book, ledger.RoleCashier) || a.HasRole(book, ledger.RoleReporter)
}

// entryAids loads the 常用摘要 and templates the form offers.
func (a *Pages) entryAids(c echo.Context, book string, d *voucherFormData) error {
	var err error
	if d.Phrases, err = a.Store.SummaryPhrases(httpx.Ctx(c), httpx.Actor(c), book); err != nil {
		return err
	}
	if d.EditID == 0 {
		d.Templates, err = a.Store.VoucherTemplates(httpx.Ctx(c), httpx.Actor(c), book)
	}
	if d.Action == "" {
		d.Action = bookURL(book, "vouchers")
	}
	return err
}

// newVoucherForm is the blank form dated as the user's last voucher, or
// filled from a voucher (?from=, dated today) or a template (?template=).
func (a *Pages) newVoucherForm(c echo.Context, p *webPage) (*voucherFormData, error) {
	ctx, act, book := httpx.Ctx(c), httpx.Actor(c), p.Book.Code
	today := time.Now().In(chinaTime).Format("2006-01-02")
	date, err := a.Store.LastEntryDate(ctx, act, book)
	if err != nil {
		return nil, err
	}
	if date == "" {
		date = today
	}
	d := &voucherFormData{Date: date, Attachments: "0"}
	if id, err := strconv.ParseInt(c.QueryParam("saved"), 10, 64); err == nil && id > 0 {
		d.Saved = id
	}
	if id, err := strconv.ParseInt(c.QueryParam("from"), 10, 64); err == nil && id > 0 {
		v, err := a.Store.Voucher(ctx, act, book, id)
		if err != nil {
			return nil, err
		}
		v.Date = today
		d.fill(v)
		d.From = "复制自 " + voucherLabel(v)
	}
	if id, err := strconv.ParseInt(c.QueryParam("template"), 10, 64); err == nil && id > 0 {
		t, err := a.Store.VoucherTemplateByID(ctx, act, book, id)
		if err != nil {
			return nil, err
		}
		d.fill(ledger.Voucher{Date: date, Summary: t.Summary, Attachments: t.Attachments, Lines: t.Lines})
		d.From = "模板「" + t.Name + "」"
	}
	return d, nil
}

func voucherLabel(v ledger.Voucher) string {
	if v.Number != "" {
		return v.Period + " " + v.Number
	}
	return "草稿 #" + strconv.FormatInt(v.ID, 10)
}

// fill puts a voucher's content into the form as a preparer would type it.
func (d *voucherFormData) fill(v ledger.Voucher) {
	d.Date, d.Summary, d.Attachments = v.Date, v.Summary, strconv.Itoa(v.Attachments)
	d.Lines = d.Lines[:0]
	for i, l := range v.Lines {
		r := lineRow{Index: i, Account: l.Account, Household: l.Household, Party: l.Party, Summary: l.Summary}
		if !l.Debit.IsZero() {
			r.Debit = l.Debit.String()
		}
		if !l.Credit.IsZero() {
			r.Credit = l.Credit.String()
		}
		d.Debit, d.Credit = d.Debit.Add(l.Debit), d.Credit.Add(l.Credit)
		d.Lines = append(d.Lines, r)
	}
	d.Diff = d.Debit.Sub(d.Credit)
}

// EditVoucherForm opens a draft in the entry form. A voucher the user may
// not edit is shown as it is, with the reason.
func (a *Pages) EditVoucherForm(c echo.Context) error {
	p := newPage(c, "修改凭证草稿", "vouchers")
	vd, err := a.loadVoucher(c, &p)
	if err != nil {
		return a.webError(c, err)
	}
	v := vd.V
	if !vd.CanDelete {
		p.Error = "只有制单人可以修改自己的草稿凭证"
		if v.Status != ledger.StatusDraft {
			p.Error = "凭证 " + v.Number + " 已记账，不能修改；如有错误请红字冲销"
		}
		return a.render(c, http.StatusOK, "voucher", &p)
	}
	d := &voucherFormData{EditID: v.ID, Action: bookURL(p.Book.Code, "vouchers", strconv.FormatInt(v.ID, 10), "edit")}
	d.fill(v)
	p.Title = "修改凭证草稿 #" + strconv.FormatInt(v.ID, 10)
	if err := a.voucherFormPage(c, &p, d); err != nil {
		return a.webError(c, err)
	}
	return a.render(c, http.StatusOK, "voucher_form", &p)
}

// UpdateVoucher saves the edited draft: every field is replaced, checked as
// when it was entered.
func (a *Pages) UpdateVoucher(c echo.Context) error {
	p := newPage(c, "修改凭证草稿", "vouchers")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在"))
	}
	form, err := c.FormParams()
	if err != nil {
		return a.webError(c, ledger.FieldError("body", "表单无法读取"))
	}
	d := readVoucherForm(form)
	d.EditID, d.Action = id, bookURL(p.Book.Code, "vouchers", strconv.FormatInt(id, 10), "edit")
	p.Title = "修改凭证草稿 #" + strconv.FormatInt(id, 10)
	_, index, err := a.accountPicker(c, p.Book.Code)
	if err != nil {
		return a.webError(c, err)
	}
	in, rowOf, errs := d.voucherInput(index)
	status := http.StatusBadRequest
	if len(errs) == 0 {
		patch := ledger.VoucherPatch{Date: &in.Date, Summary: &in.Summary, Attachments: &in.Attachments, Lines: &in.Lines}
		_, err := a.Store.UpdateVoucher(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id, patch)
		if err == nil {
			return seeOther(c, bookURL(p.Book.Code, "vouchers", strconv.FormatInt(id, 10))+"?ok=edited")
		}
		if !isFormError(err) {
			return a.webError(c, err)
		}
		errs, status = d.refusal(err, rowOf)
	}
	d.Errors = errs
	if d.General == "" {
		d.General = "修改未保存，请修改标出的项目"
	}
	if err := a.voucherFormPage(c, &p, &d); err != nil {
		return a.webError(c, err)
	}
	return a.render(c, status, "voucher_form", &p)
}

// the 常用摘要 and templates page

type entryAidsData struct {
	Phrases   []ledger.SummaryPhrase
	Templates []ledger.VoucherTemplate
	CanChange bool
	Text      string
	Errors    map[string]string
}

func (a *Pages) EntryAids(c echo.Context) error {
	return a.entryAidsPage(c, http.StatusOK, entryAidsData{})
}

func (a *Pages) entryAidsPage(c echo.Context, status int, d entryAidsData) error {
	p := newPage(c, "常用摘要与凭证模板", "vouchers")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	ctx, act := httpx.Ctx(c), httpx.Actor(c)
	var err error
	if d.Phrases, err = a.Store.SummaryPhrases(ctx, act, p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	if d.Templates, err = a.Store.VoucherTemplates(ctx, act, p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	d.CanChange = canPrepare(act, p.Book.Code)
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	p.D = d
	return a.render(c, status, "voucher_aids", &p)
}

// aidRefused shows the page again with the refusal beside the field.
func (a *Pages) aidRefused(c echo.Context, err error, d entryAidsData) error {
	if !isFormError(err) {
		return a.webError(c, err)
	}
	var general string
	d.Errors, general = formErrors(err, func(f string) bool { return f == "text" })
	if general != "" {
		d.Errors["general"] = general
	}
	return a.entryAidsPage(c, httpx.StatusByCode[ledger.ErrorCode(err)], d)
}

func (a *Pages) AddSummaryPhrase(c echo.Context) error {
	book, text := c.Param("book"), strings.TrimSpace(c.FormValue("text"))
	if _, err := a.Store.AddSummaryPhrase(httpx.Ctx(c), httpx.Actor(c), book, text); err != nil {
		return a.aidRefused(c, err, entryAidsData{Text: text})
	}
	return seeOther(c, bookURL(book, "voucher-aids")+"?ok=saved")
}

func (a *Pages) DeleteSummaryPhrase(c echo.Context) error {
	book := c.Param("book")
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	if err := a.Store.DeleteSummaryPhrase(httpx.Ctx(c), httpx.Actor(c), book, id); err != nil {
		return a.webError(c, err)
	}
	return seeOther(c, bookURL(book, "voucher-aids")+"?ok=removed")
}

// SaveVoucherTemplate saves the voucher shown as a named template.
func (a *Pages) SaveVoucherTemplate(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, ledger.Errorf(ledger.ECodeNotFound, "凭证不存在"))
	}
	book := c.Param("book")
	in := ledger.TemplateInput{Name: strings.TrimSpace(c.FormValue("name")), Voucher: id}
	if _, err := a.Store.SaveVoucherTemplate(httpx.Ctx(c), httpx.Actor(c), book, in); err != nil {
		if !isFormError(err) {
			return a.webError(c, err)
		}
		p := newPage(c, "记账凭证", "vouchers")
		d, lerr := a.loadVoucher(c, &p)
		if lerr != nil {
			return a.webError(c, lerr)
		}
		d.TemplateName = in.Name
		d.Errors, p.Error = formErrors(err, func(f string) bool { return f == "name" })
		if p.Error == "" {
			p.Error = "模板未保存，请修改标出的项目"
		}
		return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "voucher", &p)
	}
	return seeOther(c, bookURL(book, "voucher-aids")+"?ok=template")
}

func (a *Pages) DeleteVoucherTemplate(c echo.Context) error {
	book := c.Param("book")
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	if err := a.Store.DeleteVoucherTemplate(httpx.Ctx(c), httpx.Actor(c), book, id); err != nil {
		return a.webError(c, err)
	}
	return seeOther(c, bookURL(book, "voucher-aids")+"?ok=removed")
}
