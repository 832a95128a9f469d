package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestWebRejectImport: the township's queue offers 驳回 with a reason beside
// each historical import; a blank reason is refused beside that import's
// field and changes nothing; with one the import is rejected as the API's
// reject does, its vouchers unposted, and a second 驳回 is refused.
func TestWebRejectImport(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		e := newEnv(t, s)
		res := e.do(req{method: "POST", path: "/api/v1/books/V1/vouchers/batch", role: rolePreparer, body: e.importBatch("2026-10", 2)})
		var pending ledger.PendingImport
		if res.status != 201 || json.Unmarshal(res.body, &pending) != nil || pending.Status != ledger.ImportPending {
			t.Fatalf("batch: %d %s", res.status, res.body)
		}
		w := newWebClient(t, e.srv.URL)
		w.signIn(e.f.Tokens["township"])
		reject := "/township/T01/review/imports/V1/" + itoa(pending.ID) + "/reject"
		if _, body, _ := w.do(http.MethodGet, "/township/T01/review", nil); !strings.Contains(body, `action="`+reject+`"`) {
			t.Fatal("the queue offers no 驳回 for the import")
		}
		before := ledgertest.Digest(t, s)
		status, body, _ := w.do(http.MethodPost, reject, url.Values{"csrf": {w.csrf}, "reason": {" "}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="e-rj-V1-`+itoa(pending.ID)+`"`) || !strings.Contains(body, "驳回导入须说明理由") {
			t.Errorf("blank reason: %d", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused 驳回 changed the database")
		}
		status, _, h := w.do(http.MethodPost, reject, url.Values{"csrf": {w.csrf}, "reason": {"原凭证号与纸质账不符"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/township/T01/review?ok=rejected" {
			t.Fatalf("驳回: %d %s", status, h.Get("Location"))
		}
		p, err := s.PendingImportByID(ctx, e.f.Auditor, "V1", pending.ID)
		if err != nil || p.Status != ledger.ImportRejected || p.Result != nil {
			t.Fatalf("after 驳回: %+v (%v)", p, err)
		}
		if _, body, _ := w.do(http.MethodGet, "/township/T01/review", nil); strings.Contains(body, reject) {
			t.Error("the rejected import is still in the queue")
		}
		before = ledgertest.Digest(t, s)
		status, body, _ = w.do(http.MethodPost, reject, url.Values{"csrf": {w.csrf}, "reason": {"再驳回一次"}})
		if status != http.StatusConflict || !strings.Contains(body, "不能再审核或驳回") || ledgertest.Digest(t, s) != before {
			t.Errorf("second 驳回: %d", status)
		}
		// the API refuses the same: the page's 驳回 was the API's
		res = e.do(req{method: "POST", path: "/api/v1/books/V1/voucher-imports/" + itoa(pending.ID) + "/reject", role: roleTownship, body: map[string]string{"reason": "再驳回一次"}})
		checkEnvelope(t, "API reject after the page's", res, 409, ledger.ECodeConflict, "")
	})
}
