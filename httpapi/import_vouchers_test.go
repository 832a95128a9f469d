package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

var voucherHeader = []any{"日期", "原凭证号", "摘要", "科目编码", "户编号", "往来单位编号", "借方金额", "贷方金额", "附件张数", "原制单人", "原审核人"}

// TestImportVoucherSheetUpload imports historical vouchers from the voucher
// template over HTTP: the template, a refused file naming its cells, the
// vouchers posted with their numbers, the same file again applying nothing.
func TestImportVoucherSheetUpload(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		e := newEnv(t, s)
		res := e.expect(req{method: "GET", path: "/api/v1/books/V1/imports/vouchers/template.xlsx", role: roleAuditor}, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		head, err := f.GetRows("历史凭证")
		f.Close()
		if err != nil || len(head) != 1 || head[0][1] != "原凭证号*" {
			t.Fatalf("template: %v %v", head, err)
		}
		const path = "/api/v1/books/V1/imports/vouchers"
		before := ledgertest.Digest(t, s)
		bad := xlsxOf(t, [][]any{voucherHeader,
			{"2026-01-05", "1", "收到土地流转费", "102", "", "", 300, "", 1, "", "李审核"},
			{"2026-01-05", "1", "", "21101", "H001", "", "", "300.001"},
			{"2026-01-06", "2", "现金存银行", "102", "", "", 50, "", "", "", "李审核"},
			{"2026-01-06", "2", "", "101", "", "", "", 40},
		})
		res = e.do(req{method: "POST", path: path, role: rolePreparer, body: upload(t, bad, nil)})
		checkEnvelope(t, "bad vouchers", res, 400, ledger.ECodeInvalid, "H3")
		if !strings.Contains(string(res.body), "第 3 行「贷方金额」") || !strings.Contains(string(res.body), "本凭证在第 4–5 行") {
			t.Errorf("bad vouchers: %s", res.body)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("refused upload changed the database")
		}
		good := xlsxOf(t, [][]any{voucherHeader,
			{"2026-01-05", "记-0001", "收到土地流转费", "102", "", "", 300, "", 1, "张会计", "李审核"},
			{"2026-01-05", "记-0001", "", "21101", "H001", "", "", "300.00"},
		})
		res = e.expect(req{method: "POST", path: path, role: rolePreparer, body: upload(t, good, nil)}, http.StatusCreated)
		var up struct {
			Rows    int                  `json:"rows"`
			Already bool                 `json:"already_imported"`
			Pending ledger.PendingImport `json:"pending_import"`
		}
		if err := json.Unmarshal(res.body, &up); err != nil || up.Rows != 1 || up.Already || up.Pending.Status != ledger.ImportPending ||
			up.Pending.Via != ledger.ViaWorkbookImport {
			t.Fatalf("upload: %v %s", err, res.body)
		}
		if vs, err := s.Vouchers(t.Context(), e.f.Auditor, "V1", ledger.VoucherFilter{}); err != nil || len(vs) != 0 {
			t.Fatalf("posted before approval: %d %v", len(vs), err)
		}
		// The same file while it waits is refused; the uploader cannot approve it.
		res = e.do(req{method: "POST", path: path, role: rolePreparer, body: upload(t, good, nil)})
		checkEnvelope(t, "same file pending", res, 409, ledger.ECodeConflict, "")
		approve := fmt.Sprintf("/api/v1/books/V1/voucher-imports/%d/approve", up.Pending.ID)
		checkEnvelope(t, "uploader approves", e.do(req{method: "POST", path: approve, role: rolePreparer}), 403, ledger.ECodeForbidden, "")
		e.expect(req{method: "POST", path: approve, role: roleTownship}, http.StatusOK)
		vs, err := s.Vouchers(t.Context(), e.f.Auditor, "V1", ledger.VoucherFilter{})
		if err != nil || len(vs) != 1 || vs[0].Number != "记-0001" || vs[0].Date != "2026-01-05" || !vs[0].Imported ||
			vs[0].PostedVia != ledger.ViaWorkbookImport || vs[0].ReviewerID != e.f.Township.UserID || vs[0].OrigPrepBy != "张会计" {
			t.Fatalf("imported: %+v %v", vs, err)
		}
		after := ledgertest.Digest(t, s)
		res = e.expect(req{method: "POST", path: path, role: rolePreparer, body: upload(t, good, nil)}, http.StatusOK)
		if !strings.Contains(string(res.body), `"already_imported":true`) || ledgertest.Digest(t, s) != after {
			t.Fatalf("second upload: %s", res.body)
		}
	})
}
