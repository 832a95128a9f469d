package httpx

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// Source documents over HTTP: an upload is read part by part and each file
// spooled to a temporary file by the ledger (hashed while copying), so no
// upload is ever held whole in memory; a download is written chunk by chunk.

const (
	// DocumentBodyLimit admits one document plus the multipart framing.
	DocumentBodyLimit = ledger.MaxDocumentBytes + 1<<20
	// ReceiptBodyLimit admits a receipt form with its largest set of documents.
	ReceiptBodyLimit = ledger.MaxDocuments*ledger.MaxDocumentBytes + 1<<20
	maxFieldBytes    = 2 << 10
	maxFormParts     = ledger.MaxDocuments + 16
)

// MultipartOf returns the request's multipart reader, or the error an
// upload that is not multipart/form-data gets.
func MultipartOf(c echo.Context) (*multipart.Reader, error) {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err == nil && mt == echo.MIMEMultipartForm {
		if mr, err := c.Request().MultipartReader(); err == nil {
			return mr, nil
		}
	}
	return nil, &ledger.Error{Code: CodeUnsupportedMedia, Message: "Content-Type：上传文件应使用 multipart/form-data",
		Details: []ledger.Detail{{Field: "Content-Type", Message: "上传文件应使用 multipart/form-data"}}}
}

// DocumentForm is a read upload form: its text fields and its files.
type DocumentForm struct {
	Values map[string]string
	Files  []*ledger.SpooledDocument
}

// Close removes the spooled files.
func (f *DocumentForm) Close() { ledger.CloseAll(f.Files) }

// ReadDocumentForm reads the remaining parts of mr: the text fields named in
// fields (each once) and up to maxFiles files in parts named "file". On an
// error nothing stays spooled.
func ReadDocumentForm(mr *multipart.Reader, fields map[string]bool, maxFiles int) (*DocumentForm, error) {
	f := &DocumentForm{Values: map[string]string{}}
	err := f.read(mr, fields, maxFiles)
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (f *DocumentForm) read(mr *multipart.Reader, fields map[string]bool, maxFiles int) error {
	for range maxFormParts {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return Invalid("file", "无法读取上传的表单")
		}
		name := part.FormName()
		switch {
		case name == "file" && part.FileName() == "":
			_, _ = io.Copy(io.Discard, io.LimitReader(part, maxFieldBytes)) // an empty file input
		case name == "file":
			if len(f.Files) == maxFiles {
				return Invalid("file", "最多只能上传 %d 个文件", maxFiles)
			}
			d, err := ledger.SpoolDocument("file", part.FileName(), part)
			if err != nil {
				return err
			}
			f.Files = append(f.Files, d)
		case fields[name]:
			if _, dup := f.Values[name]; dup {
				return Invalid(name, "表单字段只能出现一次")
			}
			b, _ := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if len(b) > maxFieldBytes {
				return Invalid(name, "内容过长")
			}
			f.Values[name] = string(b)
		default:
			return Invalid(name, "不是可接受的表单字段")
		}
	}
	return Invalid("file", "表单字段过多")
}

// SendDocument streams a stored document as the response, to be shown in
// the browser (inline) under its own name. read calls open once the
// document is known, before its first byte.
func SendDocument(c echo.Context, read func(open func(ledger.Document) io.Writer) error) error {
	started := false
	err := read(func(d ledger.Document) io.Writer {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, d.ContentType) // one of three, checked by content at upload
		h.Set(echo.HeaderContentLength, strconv.FormatInt(d.Size, 10))
		h.Set(echo.HeaderContentDisposition, inline(d.Name))
		h.Set("Cache-Control", "private, no-store")
		c.Response().WriteHeader(http.StatusOK)
		started = true
		return c.Response()
	})
	if err != nil && started {
		// The status is sent: the client sees a short body; the log says why.
		c.Logger().Error(fmt.Errorf("document download: %w", err))
		return nil
	}
	return err
}

// inline is a Content-Disposition for a Chinese file name shown in place.
func inline(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x80 && r >= 0x20 && r != '"' && r != '\\' {
			return r
		}
		return -1
	}, name)
	return fmt.Sprintf(`inline; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// DocumentID parses the {doc} path parameter.
func DocumentID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("doc"), 10, 64)
	if err != nil || id <= 0 {
		return 0, Invalid("doc", "原始凭证 ID 应为正整数")
	}
	return id, nil
}
