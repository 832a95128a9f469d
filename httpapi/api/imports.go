package api

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/reports"
)

// Excel imports: a template to download per kind, and an upload that is
// applied whole or not at all; the same file uploaded again applies nothing.

// ImportBodyLimit admits the largest import file plus the multipart framing.
const ImportBodyLimit = reports.MaxImportBytes + 1<<20

// importKind parses the {kind} path parameter.
func importKind(c echo.Context) (ledger.ImportKind, error) {
	k := ledger.ImportKind(c.Param("kind"))
	if !k.Valid() {
		return "", httpx.Invalid("kind", "导入类型应为 %s", ledger.ImportKindNames())
	}
	return k, nil
}

func (a *Handlers) ImportTemplate(c echo.Context) error {
	kind, err := importKind(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	if _, err := a.Store.Periods(httpx.Ctx(c), httpx.Actor(c), c.Param("book")); err != nil { // readers of the book only
		return err
	}
	name := fmt.Sprintf("%s导入模板.xlsx", kind.Label())
	return a.sendWorkbook(c, name, func(w io.Writer) error { return reports.WriteImportTemplate(w, kind) })
}

func (a *Handlers) ImportFile(c echo.Context) error {
	kind, err := importKind(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	req, err := importRequest(c, kind)
	if err != nil {
		return err
	}
	res, err := reports.Import(httpx.Ctx(c), a.Store, httpx.Actor(c), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated // for a voucher workbook: the pending import (pending_import) it became
	if res.AlreadyImported {
		status = http.StatusOK
	}
	return c.JSON(status, res)
}

// importFields are the form fields an upload may carry besides the file.
var importFields = map[string]bool{"agreement": true, "effective_from": true, "run": true, "account": true}

// importRequest reads the multipart form: the file and the target fields.
func importRequest(c echo.Context, kind ledger.ImportKind) (reports.ImportRequest, error) {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm {
		return reports.ImportRequest{}, &ledger.Error{Code: httpx.CodeUnsupportedMedia, Message: "Content-Type：上传文件应使用 multipart/form-data",
			Details: []ledger.Detail{{Field: "Content-Type", Message: "上传文件应使用 multipart/form-data"}}}
	}
	form, err := c.MultipartForm()
	if err != nil {
		return reports.ImportRequest{}, httpx.Invalid("file", "无法读取上传的表单：%s", "请以 multipart/form-data 上传一个名为 file 的文件")
	}
	v := httpx.NewFieldErrors()
	for name, values := range form.Value {
		if !importFields[name] {
			v.Add(name, "不是可接受的表单字段（可用：agreement、effective_from、run、account）")
		} else if len(values) > 1 {
			v.Add(name, "表单字段只能出现一次")
		}
	}
	files := form.File["file"]
	if len(files) != 1 || len(form.File) != 1 {
		v.Add("file", "请上传且只上传一个文件（表单字段名 file）")
	}
	req := reports.ImportRequest{Book: c.Param("book"), Kind: kind, Agreement: c.FormValue("agreement"), EffectiveFrom: c.FormValue("effective_from"), Account: c.FormValue("account")}
	if s := c.FormValue("run"); s != "" {
		if req.Run, err = strconv.ParseInt(s, 10, 64); err != nil || req.Run <= 0 {
			v.Add("run", "收益分配 ID 应为正整数")
		}
	}
	if err := v.Err(); err != nil {
		return req, err
	}
	f, err := files[0].Open()
	if err != nil {
		return req, httpx.Invalid("file", "无法读取上传的文件")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, reports.MaxImportBytes+1))
	if err != nil {
		return req, httpx.Invalid("file", "无法读取上传的文件")
	}
	req.FileName, req.File = files[0].Filename, bytes.NewReader(data)
	return req, nil
}
