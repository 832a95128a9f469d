package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// TestOldOpeningNoticeAndMove: a book opened with an ordinary January voucher
// (the previous release's way) is told so on its home page, and the API moves
// that opening into the opening-balances facility; the notice then goes.
func TestOldOpeningNoticeAndMove(t *testing.T) {
	s := ledgertest.Open(t, "sqlite")
	e := newEnv(t, s)
	old := e.f.Post(t, ledger.VoucherInput{Date: "2026-01-01", Summary: "期初建账", Lines: []ledger.LineInput{
		{Account: "102", Debit: ledgertest.Amount("8000.00")}, {Account: "301", Credit: ledgertest.Amount("8000.00")}}})

	w := newWebClient(t, e.srv.URL)
	w.signIn(e.f.Tokens["preparer"])
	_, body, _ := w.do(http.MethodGet, "/books/V1", nil)
	if !strings.Contains(body, `id="old-opening"`) || !strings.Contains(body, "opening-balances/move") {
		t.Fatalf("home page of a book opened by an ordinary voucher lacks the notice")
	}

	e.expect(req{method: http.MethodPost, path: "/api/v1/books/V1/opening-balances/move", role: rolePreparer, body: map[string]any{}}, http.StatusBadRequest)
	res := e.expect(req{method: http.MethodPost, path: "/api/v1/books/V1/opening-balances/move", role: rolePreparer,
		body: map[string]any{"voucher_id": old.ID}}, http.StatusCreated)
	var moved ledger.MovedOpening
	e.decode(res, &moved)
	if moved.Opening.Period != "2025-12" || moved.Reversal.ReversesID != old.ID {
		t.Fatalf("moved: %+v", moved)
	}
	_, body, _ = w.do(http.MethodGet, "/books/V1", nil)
	if strings.Contains(body, `id="old-opening"`) {
		t.Error("the notice stays after the move")
	}
}
