package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Source documents on the voucher page, and the receipts page of 村账乡代管:
// the 报账员 submits a receipt with its scans, the accountant prepares the
// voucher from it (the voucher form with ?receipt=). Uploads are refused for
// scope and role before their files are read, and streamed.

// voucherDocs is what the voucher page shows of documents and their source.
type voucherDocs struct {
	Documents []ledger.Document
	Receipt   *ledger.Receipt // the receipt the voucher was prepared from
	CanAttach bool            // the draft's preparer, or an addendum after posting
	MaxMB     int
}

func (a *Pages) loadVoucherDocs(c echo.Context, book string, v ledger.Voucher) (voucherDocs, error) {
	act := httpx.Actor(c)
	out := voucherDocs{MaxMB: ledger.MaxDocumentBytes >> 20}
	var err error
	if out.Documents, err = a.Store.Documents(httpx.Ctx(c), act, book, v.ID); err != nil {
		return out, err
	}
	r, ok, err := a.Store.ReceiptOfVoucher(httpx.Ctx(c), act, book, v.ID)
	if ok {
		out.Receipt = &r
	}
	out.CanAttach = len(out.Documents) < ledger.MaxDocuments && ((v.Status == ledger.StatusDraft && v.PreparerID == act.UserID) ||
		(v.Status == ledger.StatusPosted && (act.HasRole(book, ledger.RoleAccountant) || act.HasRole(book, ledger.RoleTownship))))
	return out, err
}

// UploadDocument attaches the form's file to the voucher.
func (a *Pages) UploadDocument(c echo.Context) error {
	var p webPage
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, err)
	}
	if err := a.Store.CheckDocumentAccess(httpx.Ctx(c), httpx.Actor(c), p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	form, err := a.uploadForm(c, nil, 1)
	if err == nil && len(form.Files) == 0 {
		err = ledger.FieldError("file", "请选择要上传的 JPEG、PNG 或 PDF 文件")
	}
	if err == nil {
		defer form.Close()
		_, err = a.Store.AddDocument(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, id, form.Files[0])
	}
	if err != nil {
		return a.voucherActionFailed(c, err, nil)
	}
	return seeOther(c, bookURL(p.Book.Code, "vouchers", strconv.FormatInt(id, 10))+"?ok=document")
}

// uploadForm checks the CSRF token (first field, or the header) and reads
// the form's fields and files.
func (a *Pages) uploadForm(c echo.Context, fields map[string]bool, maxFiles int) (*httpx.DocumentForm, error) {
	got := c.Request().Header.Get(csrfHeader)
	mr, err := httpx.MultipartOf(c)
	if err != nil {
		if !a.ValidCSRF(c, got) {
			return nil, errCSRF
		}
		return nil, ledger.FieldError("file", "请以表单上传文件")
	}
	if got == "" {
		part, err := mr.NextPart()
		if err != nil || part.FormName() != csrfField {
			return nil, errCSRF
		}
		b, _ := io.ReadAll(io.LimitReader(part, 128))
		got = string(b)
	}
	if !a.ValidCSRF(c, got) {
		return nil, errCSRF
	}
	return httpx.ReadDocumentForm(mr, fields, maxFiles)
}

// ViewDocument shows one document of a voucher in the browser.
func (a *Pages) ViewDocument(c echo.Context) error {
	return a.viewDocument(c, a.Store.ReadDocument)
}

// ViewReceiptDocument shows one document of a receipt.
func (a *Pages) ViewReceiptDocument(c echo.Context) error {
	return a.viewDocument(c, a.Store.ReadReceiptDocument)
}

type documentReader func(ctx context.Context, a ledger.Actor, book string, id, doc int64, open func(ledger.Document) io.Writer) error

func (a *Pages) viewDocument(c echo.Context, read documentReader) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return a.webError(c, err)
	}
	doc, err := httpx.DocumentID(c)
	if err != nil {
		return a.webError(c, err)
	}
	err = httpx.SendDocument(c, func(open func(ledger.Document) io.Writer) error {
		return read(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, doc, open)
	})
	if err != nil {
		return a.webError(c, err)
	}
	return nil
}

// receiptsData is the receipts page.
type receiptsData struct {
	Waiting, Prepared []ledger.Receipt
	CanSubmit         bool // 报账员 or accountant
	CanPrepare        bool // accountant
	In                ledger.ReceiptInput
	Amount            string
	MaxMB, MaxFiles   int
}

// Receipts lists the receipts waiting and prepared, with the submit form.
func (a *Pages) Receipts(c echo.Context) error {
	p := newPage(c, "报账单据", "receipts")
	if err := a.receiptsPage(c, &p, &receiptsData{}); err != nil {
		return a.webError(c, err)
	}
	return a.render(c, http.StatusOK, "receipts", &p)
}

func (a *Pages) receiptsPage(c echo.Context, p *webPage, d *receiptsData) error {
	if err := a.webBook(c, p); err != nil {
		return err
	}
	all, err := a.Store.Receipts(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, "")
	if err != nil {
		return err
	}
	d.Waiting, d.Prepared = nil, nil
	for _, r := range all {
		if r.Status == ledger.ReceiptSubmitted {
			d.Waiting = append(d.Waiting, r)
		} else {
			d.Prepared = append(d.Prepared, r)
		}
	}
	act, book := httpx.Actor(c), p.Book.Code
	d.CanPrepare = act.HasRole(book, ledger.RoleAccountant)
	d.CanSubmit = d.CanPrepare || act.HasRole(book, ledger.RoleReporter)
	d.MaxMB, d.MaxFiles = ledger.MaxDocumentBytes>>20, ledger.MaxDocuments
	p.D = d
	return nil
}

var receiptFields = map[string]bool{"note": true, "amount": true, "date": true}

// SubmitReceipt hands in the form's receipt with its files.
func (a *Pages) SubmitReceipt(c echo.Context) error {
	p := newPage(c, "报账单据", "receipts")
	if err := a.webBook(c, &p); err != nil {
		return a.webError(c, err)
	}
	if err := a.Store.CheckReceiptAccess(httpx.Ctx(c), httpx.Actor(c), p.Book.Code); err != nil {
		return a.webError(c, err)
	}
	d := &receiptsData{}
	form, err := a.uploadForm(c, receiptFields, ledger.MaxDocuments)
	if err == nil {
		defer form.Close()
		d.In = ledger.ReceiptInput{Note: form.Values["note"], Date: strings.TrimSpace(form.Values["date"])}
		d.Amount = strings.TrimSpace(form.Values["amount"])
		if d.Amount != "" {
			m, perr := ledger.ParseMoney(d.Amount)
			if perr != nil {
				err = ledger.FieldError("amount", "金额格式不正确")
			}
			d.In.Amount = &m
		}
	}
	if err == nil {
		_, err = a.Store.SubmitReceipt(httpx.Ctx(c), httpx.Actor(c), p.Book.Code, d.In, form.Files)
	}
	if err == nil {
		return seeOther(c, bookURL(p.Book.Code, "receipts")+"?ok=receipt")
	}
	if !isFormError(err) {
		return a.webError(c, err)
	}
	if lerr := a.receiptsPage(c, &p, d); lerr != nil {
		return a.webError(c, lerr)
	}
	_, p.Error = formErrors(err, func(string) bool { return false })
	return a.render(c, httpx.StatusByCode[ledger.ErrorCode(err)], "receipts", &p)
}

func init() {
	flashMessages["document"] = "原始凭证已上传"
	flashMessages["receipt"] = "单据已提交，等待会计制单"
	for k, v := range map[string]string{"attach": "附原始凭证", "addendum": "过账后补充原始凭证", "submit": "提交单据", "prepare": "据单据制单"} {
		actionLabels[k] = v
	}
}

// createOrPrepare saves the voucher form: a plain draft, or one prepared
// from receipt (its id as typed in the form).
func (a *Pages) createOrPrepare(c echo.Context, by ledger.Actor, book, receipt string, in ledger.VoucherInput) (ledger.Voucher, error) {
	if receipt == "" {
		return a.Store.CreateVoucher(httpx.Ctx(c), by, book, in)
	}
	id, err := strconv.ParseInt(receipt, 10, 64)
	if err != nil || id <= 0 {
		return ledger.Voucher{}, ledger.FieldError("receipt", "单据编号应为正整数")
	}
	return a.Store.PrepareFromReceipt(httpx.Ctx(c), by, book, id, in)
}

// DOCUMENTS registers a document upload form: sign-in and its own body
// limit; the handler checks scope and role, then the CSRF token, before the
// files are read.
func (g Group) DOCUMENTS(p string, h echo.HandlerFunc, limit int64) {
	g.e.POST(p, h, g.auth, httpx.RouteBodyLimit(limit))
}
