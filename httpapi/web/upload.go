package web

import (
	"io"
	"mime/multipart"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Upload forms are refused for role and scope before a byte of their body
// is read, and their file is read part by part, never buffered whole before
// its sender is known to be allowed.

const (
	// csrfHeader carries the CSRF token of a script's upload.
	csrfHeader = "X-CSRF-Token"
	// webUploadKey holds the multipart reader of an upload, past its token.
	webUploadKey = "coopledger.web.upload"
	// maxUploadParts bounds the form fields read looking for the file.
	maxUploadParts = 8
)

// UPLOAD registers a file upload form: sign-in, the import role, then the
// token, all before the file is read.
func (g Group) UPLOAD(p string, h echo.HandlerFunc) { g.e.POST(p, h, g.upload...) }

// importAccess refuses an upload by anyone but the book's accountant.
func (a *Pages) importAccess(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := a.Store.CheckImportAccess(httpx.Ctx(c), httpx.Actor(c), c.Param("book")); err != nil {
			return a.webError(c, err)
		}
		return next(c)
	}
}

// checkUploadCSRF checks an upload form's CSRF token without reading its
// file: the token comes in the X-CSRF-Token header or as the form's first
// field (the forms put it first, and browsers send fields in order).
func (a *Pages) checkUploadCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		got := c.Request().Header.Get(csrfHeader)
		mr, mrErr := c.Request().MultipartReader()
		if got == "" && mrErr == nil {
			if part, err := mr.NextPart(); err == nil && part.FormName() == csrfField {
				b, _ := io.ReadAll(io.LimitReader(part, 128))
				got = string(b)
			}
		}
		if !a.ValidCSRF(c, got) {
			return a.webError(c, errCSRF)
		}
		if mrErr != nil {
			return a.webError(c, ledger.FieldError("file", "请选择要导入的 Excel 文件（.xlsx），以 multipart/form-data 上传"))
		}
		c.Set(webUploadKey, mr)
		return next(c)
	}
}

// uploadedFile reads the form's file field from the upload's remaining
// parts, at most MaxImportBytes of it; other fields are skipped.
func uploadedFile(c echo.Context) (name string, data []byte, err error) {
	mr, _ := c.Get(webUploadKey).(*multipart.Reader)
	noFile := ledger.FieldError("file", "请选择要导入的 Excel 文件（.xlsx）")
	if mr == nil {
		return "", nil, noFile
	}
	for range maxUploadParts {
		part, err := mr.NextPart()
		if err != nil {
			return "", nil, noFile
		}
		if part.FormName() != "file" || part.FileName() == "" {
			_, _ = io.Copy(io.Discard, io.LimitReader(part, 4<<10))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, reports.MaxImportBytes+1))
		if err != nil {
			return "", nil, ledger.FieldError("file", "文件无法读取")
		}
		if len(data) > reports.MaxImportBytes {
			return "", nil, ledger.FieldError("file", "文件超过 %d MB，请拆分后分批导入", reports.MaxImportBytes>>20)
		}
		return part.FileName(), data, nil
	}
	return "", nil, noFile
}
