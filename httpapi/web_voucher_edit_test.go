package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestWebEditDraft: the preparer edits a draft through the page and it stays
// an unnumbered draft; another user and a posted voucher get the reason and
// no form, and a refused save changes nothing.
func TestWebEditDraft(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		w := newWebFixture(t, s)
		ctx := context.Background()
		d, err := s.CreateVoucher(ctx, w.f.Preparer, "V1", rent(12, "H001", "100.00"))
		if err != nil {
			t.Fatal(err)
		}
		edit := "/books/V1/vouchers/" + itoa(d.ID) + "/edit"
		form := func(csrf, amount string) url.Values {
			return url.Values{"csrf": {csrf}, "date": {"2026-06-13"}, "summary": {"更正后的租金"}, "attachments": {"1"},
				"lines[0].account": {"102"}, "lines[0].debit": {amount},
				"lines[1].account": {"21101"}, "lines[1].household": {"H001"}, "lines[1].credit": {amount}}
		}

		bob := newWebClient(t, w.srv.URL)
		bob.signIn(w.f.Tokens["reviewer"])
		if status, body, _ := bob.do(http.MethodGet, edit, nil); status != http.StatusOK || !strings.Contains(body, "只有制单人") || strings.Contains(body, `id="voucher-form"`) {
			t.Errorf("another user's draft: %d, form offered %v", status, strings.Contains(body, `id="voucher-form"`))
		}
		if status, body, _ := bob.do(http.MethodGet, "/books/V1/vouchers/"+itoa(w.voucher)+"/edit", nil); status != http.StatusOK || !strings.Contains(body, "已记账，不能修改") {
			t.Errorf("posted voucher's edit page: %d", status)
		}
		before := ledgertest.Digest(t, s)
		if status, _, _ := bob.do(http.MethodPost, edit, form(bob.csrf, "80.00")); status != http.StatusForbidden {
			t.Errorf("another user saves the edit: %d", status)
		}
		alice := newWebClient(t, w.srv.URL)
		alice.signIn(w.f.Tokens["preparer"])
		if status, body, _ := alice.do(http.MethodGet, edit, nil); status != http.StatusOK || !strings.Contains(body, `action="/books/V1/vouchers/`+itoa(d.ID)+`/edit"`) {
			t.Fatalf("edit form: %d", status)
		}
		bad := form(alice.csrf, "80.00")
		bad.Set("lines[1].credit", "70.00")
		if status, body, _ := alice.do(http.MethodPost, edit, bad); status != http.StatusUnprocessableEntity && status != http.StatusBadRequest || !strings.Contains(body, "借贷不平衡") {
			t.Errorf("unbalanced edit: %d", status)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused edit changed the book")
		}
		if status, _, h := alice.do(http.MethodPost, edit, form(alice.csrf, "80.00")); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "ok=edited") {
			t.Fatalf("edit: %d %s", status, h.Get("Location"))
		}
		v, err := s.Voucher(ctx, w.f.Preparer, "V1", d.ID)
		if err != nil || v.Status != ledger.StatusDraft || v.Number != "" || v.Summary != "更正后的租金" || v.Total.String() != "80.00" || v.Attachments != 1 {
			t.Fatalf("edited draft: %+v %v", v, err)
		}
	})
}
