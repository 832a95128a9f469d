package api

import (
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Source documents of a voucher and receipts of 村账乡代管 (ledger
// core_documents.go, core_receipts.go). An upload is multipart/form-data
// with one part named file, streamed (httpx.ReadDocumentForm).

func (a *Handlers) ListDocuments(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ds, err := a.Store.Documents(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Document]{Items: ds})
}

// oneDocument reads an upload of exactly one file.
func oneDocument(c echo.Context) (*httpx.DocumentForm, error) {
	mr, err := httpx.MultipartOf(c)
	if err != nil {
		return nil, err
	}
	form, err := httpx.ReadDocumentForm(mr, nil, 1)
	if err != nil {
		return nil, err
	}
	if len(form.Files) != 1 {
		form.Close()
		return nil, httpx.Invalid("file", "请上传一个 JPEG、PNG 或 PDF 文件（表单字段名 file）")
	}
	return form, nil
}

func (a *Handlers) AddDocument(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	// Scope and role before a byte of the file is read.
	if err := a.Store.CheckDocumentAccess(httpx.Ctx(c), httpx.Actor(c), c.Param("book")); err != nil {
		return err
	}
	form, err := oneDocument(c)
	if err != nil {
		return err
	}
	defer form.Close()
	d, err := a.Store.AddDocument(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, form.Files[0])
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (a *Handlers) GetDocument(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	doc, err := httpx.DocumentID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	return httpx.SendDocument(c, func(open func(ledger.Document) io.Writer) error {
		return a.Store.ReadDocument(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, doc, open)
	})
}

func (a *Handlers) ListReceipts(c echo.Context) error {
	q := httpx.ParseQuery(c, "status")
	status := q.OneOf("status", ledger.ReceiptSubmitted, ledger.ReceiptPrepared)
	if err := q.Err(); err != nil {
		return err
	}
	rs, err := a.Store.Receipts(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Receipt]{Items: rs})
}

func (a *Handlers) SubmitReceipt(c echo.Context) error {
	var in ledger.ReceiptInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.Store.SubmitReceipt(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (a *Handlers) GetReceipt(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	r, err := a.Store.Receipt(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (a *Handlers) AddReceiptDocument(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	if err := a.Store.CheckReceiptAccess(httpx.Ctx(c), httpx.Actor(c), c.Param("book")); err != nil {
		return err
	}
	form, err := oneDocument(c)
	if err != nil {
		return err
	}
	defer form.Close()
	d, err := a.Store.AddReceiptDocument(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, form.Files[0])
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (a *Handlers) GetReceiptDocument(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	doc, err := httpx.DocumentID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	return httpx.SendDocument(c, func(open func(ledger.Document) io.Writer) error {
		return a.Store.ReadReceiptDocument(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, doc, open)
	})
}

func (a *Handlers) PrepareFromReceipt(c echo.Context) error {
	id, err := httpx.VoucherID(c)
	if err != nil {
		return err
	}
	var in ledger.VoucherInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.Store.PrepareFromReceipt(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}
