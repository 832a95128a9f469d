package httpapi

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/httpapi/api"
	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// xlsxOf builds a one-sheet workbook from rows of cell values.
func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", ref, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload is a multipart body with one file and form fields.
func upload(t *testing.T, file []byte, fields map[string]string) rawBody {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", "农户花名册.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return rawBody{contentType: w.FormDataContentType(), data: buf.Bytes()}
}

var householdHeader = []any{"户编号", "户主姓名", "身份证号", "银行账号", "家庭人口", "村民小组", "户类型"}

// householdFile is an import of one new household numbered n.
func householdFile(t *testing.T, n int) []byte {
	return xlsxOf(t, [][]any{householdHeader, {fmt.Sprintf("M%03d", n), "导入户", ledgertest.IDNumber(700 + n), "", 3, "第一村民小组", "一般户"}})
}

func exportRouteCases() []routeCase {
	township := statuses{roleAdmin: 403, rolePreparer: 403, roleReviewer: 403, roleTownship: 200, roleAuditor: 200, roleOutsider: 403}
	return append(printRouteCases(), []routeCase{
		{"GET", "/api/v1/books/:book/payout-runs/:id/roster.xlsx", inBook, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.approvedRun("2026Q3"), "/roster.xlsx"), nil
		}},
		{"GET", "/api/v1/books/:book/payout-runs/:id/notice.xlsx", inBook, func(e *env, _ string, _ int) (string, any) {
			return runPath(e.approvedRun("2026Q3"), "/notice.xlsx?from=2026-10-09&days=7&working_days=true&contact=0791-1234567"), nil
		}},
		{"GET", "/api/v1/townships/:township/payouts.xlsx", township, func(e *env, _ string, _ int) (string, any) {
			e.approvedRun("2026Q3")
			return "/api/v1/townships/" + e.f.Book.Township.Code + "/payouts.xlsx?quarter=2026Q3", nil
		}},
		{"GET", "/api/v1/books/:book/trial-balance.xlsx", inBook, fixed("/api/v1/books/V1/trial-balance.xlsx?from=2026-01&to=2026-12", nil)},
		{"GET", "/api/v1/books/:book/ledger.xlsx", inBook, func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return "/api/v1/books/V1/ledger.xlsx?account=102,21101&from=2026-01&to=2026-12", nil
		}},
		{"GET", "/api/v1/books/:book/households/:code/statement.xlsx", inBook, func(e *env, _ string, _ int) (string, any) {
			e.posted()
			return "/api/v1/books/V1/households/H002/statement.xlsx?from=2026-01&to=2026-12", nil
		}},
		{"GET", "/api/v1/books/:book/imports/:kind/template.xlsx", inBook, fixed("/api/v1/books/V1/imports/households/template.xlsx", nil)},
		{"POST", "/api/v1/books/:book/imports/:kind", accountantCreates, func(e *env, _ string, n int) (string, any) {
			return "/api/v1/books/V1/imports/households", upload(e.t, householdFile(e.t, n), nil)
		}},
	}...)
}

// TestWorkbookDownloads checks what a download carries and that each is a
// workbook with the sheets the reports package writes.
func TestWorkbookDownloads(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		id := e.approvedRun("2026Q3")
		for _, path := range []string{
			runPath(id, "/roster.xlsx"), runPath(id, "/notice.xlsx"),
			"/api/v1/townships/" + e.f.Book.Township.Code + "/payouts.xlsx?quarter=2026Q3",
			"/api/v1/books/V1/trial-balance.xlsx?from=2026-01&to=2026-09",
			"/api/v1/books/V1/imports/work-records/template.xlsx",
		} {
			res := e.expect(req{method: "GET", path: path, role: roleTownship}, http.StatusOK)
			if res.header.Get("Content-Type") != api.MimeXLSX || !strings.Contains(res.header.Get("Content-Disposition"), "filename*=UTF-8''") {
				t.Errorf("%s: headers %v", path, res.header)
			}
			f, err := excelize.OpenReader(bytes.NewReader(res.body))
			if err != nil || len(f.GetSheetList()) == 0 {
				t.Fatalf("%s: not a workbook: %v", path, err)
			}
			f.Close()
		}
		res := e.expect(req{method: "GET", path: runPath(id, "/roster.xlsx"), role: rolePreparer}, http.StatusOK)
		f, _ := excelize.OpenReader(bytes.NewReader(res.body))
		defer f.Close()
		found := false
		for _, sheet := range f.GetSheetList() {
			rows, _ := f.GetRows(sheet)
			for _, row := range rows {
				found = found || strings.Contains(strings.Join(row, "|"), ledgertest.IDNumber(1))
			}
		}
		if !found {
			t.Error("roster does not carry the full ID number")
		}
		for _, bad := range []struct{ path, field string }{
			{runPath(id, "/notice.xlsx?days=0"), "days"},
			{runPath(id, "/notice.xlsx?from=2026-02-30"), "from"},
			{"/api/v1/books/V1/trial-balance.xlsx?from=2026-01", "to"},
			{"/api/v1/books/V1/ledger.xlsx?from=2026-01&to=2026-02", "account"},
			{"/api/v1/townships/" + e.f.Book.Township.Code + "/payouts.xlsx", "quarter"},
			{"/api/v1/books/V1/imports/people/template.xlsx", "kind"},
		} {
			checkEnvelope(t, bad.path, e.do(req{method: "GET", path: bad.path, role: roleTownship}), 400, ledger.ECodeInvalid, bad.field)
		}
	})
}

// TestImportUpload uploads a roster over HTTP: all rows or none with every
// bad cell named, once per file, replayable with an Idempotency-Key.
func TestImportUpload(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		const path = "/api/v1/books/V1/imports/households"
		bad := xlsxOf(t, [][]any{householdHeader,
			{"M001", "好户", ledgertest.IDNumber(801), "", 3, "", "一般户"},
			{"H001", "重复", ledgertest.IDNumber(802), "", 3, "", "一般户"},
			{"M003", "", ledgertest.IDNumber(803), "", "三", "", "贫困户"},
		})
		before := ledgertest.Digest(t, s)
		res := e.do(req{method: "POST", path: path, role: rolePreparer, body: upload(t, bad, nil)})
		checkEnvelope(t, "bad roster", res, 400, ledger.ECodeInvalid, "A3")
		for _, cell := range []string{"A3", "B4", "E4"} {
			if !strings.Contains(string(res.body), `"field":"`+cell+`"`) {
				t.Errorf("bad roster: %s not named: %s", cell, res.body)
			}
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("refused upload changed the database")
		}
		for _, r := range []struct {
			name string
			body rawBody
			ct   string
			code int
			fld  string
		}{
			{"not xlsx", upload(t, []byte("PK\x03\x04 not really"), nil), "", 400, "file"},
			{"unknown field", upload(t, householdFile(t, 1), map[string]string{"book": "V2"}), "", 400, "book"},
			{"json instead of a form", rawBody{"application/json", []byte(`{"file": "x"}`)}, "", 415, "Content-Type"},
			{"bad run", upload(t, householdFile(t, 1), map[string]string{"run": "abc"}), "", 400, "run"},
		} {
			res := e.do(req{method: "POST", path: path, role: rolePreparer, body: r.body})
			if r.name == "not xlsx" {
				checkEnvelope(t, r.name, res, r.code, ledger.ECodeInvalid, "")
			} else {
				checkEnvelope(t, r.name, res, r.code, codeFor415(r.code), r.fld)
			}
			if ledgertest.Digest(t, s) != before {
				t.Fatalf("%s changed the database", r.name)
			}
		}
		good := upload(t, householdFile(t, 1), nil)
		key := map[string]string{"Idempotency-Key": "roster-upload-1"}
		res = e.expect(req{method: "POST", path: path, role: rolePreparer, body: good, headers: key}, http.StatusCreated)
		if !strings.Contains(string(res.body), `"rows":1`) || !strings.Contains(string(res.body), `"already_imported":false`) {
			t.Fatalf("upload: %s", res.body)
		}
		// The same upload again with the key (a new multipart boundary) replays.
		res = e.expect(req{method: "POST", path: path, role: rolePreparer, body: upload(t, householdFile(t, 1), nil), headers: key}, http.StatusCreated)
		if res.header.Get("Idempotency-Hit") != "true" {
			t.Errorf("replay without Idempotency-Hit: %v", res.header)
		}
		// Without the key the file is recognised and nothing is applied twice.
		after := ledgertest.Digest(t, s)
		res = e.expect(req{method: "POST", path: path, role: rolePreparer, body: upload(t, householdFile(t, 1), nil)}, http.StatusOK)
		if !strings.Contains(string(res.body), `"already_imported":true`) || ledgertest.Digest(t, s) != after {
			t.Fatalf("second upload: %s", res.body)
		}
	})
}

func codeFor415(status int) string {
	if status == http.StatusUnsupportedMediaType {
		return httpx.CodeUnsupportedMedia
	}
	return ledger.ECodeInvalid
}
