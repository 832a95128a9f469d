package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// reviewFixture is township T01 with villages V1 (an approved Q1 run and
// three drafts) and V2 (no run); with ownDraft the township officer also
// keeps V2's books as an accountant, so the queue holds a draft the officer
// may not approve.
type reviewFixture struct {
	s        *ledger.Store
	f, g     ledgertest.Fixture
	srv      *httptest.Server
	drafts   []ledger.Voucher // V1: two by the preparer, one by the reviewer
	own      ledger.Voucher   // V2: prepared by the township officer
	run      int64
	township ledger.Actor
}

func newReviewFixture(t *testing.T, s *ledger.Store, ownDraft bool) reviewFixture {
	t.Helper()
	ctx := context.Background()
	f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 3)
	f.Fund(t)
	g := ledgertest.NewFixture(t, s, "V2", ledger.KindVillage, 2)
	createRentAgreement(t, s, f)
	run, err := s.CreatePayoutRun(ctx, f.Preparer, "V1", ledger.RunInput{Quarter: "2026Q1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApprovePayoutRun(ctx, f.Reviewer, "V1", run.ID, ledger.ApproveInput{}); err != nil {
		t.Fatal(err)
	}
	rf := reviewFixture{s: s, f: f, g: g, run: run.ID, township: f.Township}
	for i, by := range []ledger.Actor{f.Preparer, f.Preparer, f.Reviewer} {
		v, err := s.CreateVoucher(ctx, by, "V1", rent(5+i, f.Households[i], "100.00"))
		if err != nil {
			t.Fatal(err)
		}
		rf.drafts = append(rf.drafts, v)
	}
	if ownDraft {
		rf.ownDraft(t)
	}
	rf.srv = httptest.NewServer(New(s, slog.New(slog.DiscardHandler), Options{}))
	t.Cleanup(rf.srv.Close)
	if !strings.HasPrefix(rf.srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", rf.srv.URL)
	}
	return rf
}

// ownDraft makes the township officer also an accountant of V2 and lets it
// prepare a draft there.
func (rf *reviewFixture) ownDraft(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := rf.s.GrantRole(ctx, rf.f.Admin, rf.f.Township.UserID, ledger.GrantInput{Role: ledger.RoleAccountant, Book: "V2"}); err != nil {
		t.Fatal(err)
	}
	var err error
	if rf.township, err = rf.s.Authenticate(ctx, rf.f.Tokens["township"]); err != nil {
		t.Fatal(err)
	}
	if rf.own, err = rf.s.CreateVoucher(ctx, rf.township, "V2", rent(8, "H001", "30.00")); err != nil {
		t.Fatal(err)
	}
}

func ref(kind, book string, id int64) string {
	return kind + "/" + book + "/" + strconv.FormatInt(id, 10)
}

// TestWebReviewBatch: the queue lists every village's drafts; a batch with
// the officer's own draft refuses that one and approves the others, each
// result on the page.
func TestWebReviewBatch(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		rf := newReviewFixture(t, s, true)
		w := newWebClient(t, rf.srv.URL)
		w.signIn(rf.f.Tokens["township"])
		status, body, _ := w.do(http.MethodGet, "/township/T01/review", nil)
		if status != http.StatusOK {
			t.Fatalf("queue: %d", status)
		}
		for _, v := range append(rf.drafts, rf.own) {
			if !strings.Contains(body, `value="`+ref("draft", v.Book, v.ID)+`"`) {
				t.Errorf("queue lacks draft %s #%d", v.Book, v.ID)
			}
		}
		if strings.Count(body, "（本人，须他人审核）") != 1 {
			t.Errorf("the officer's own draft is not marked once")
		}
		form := url.Values{"csrf": {w.csrf}, "item": {ref("draft", "V2", rf.own.ID), ref("draft", "V1", rf.drafts[0].ID), ref("draft", "V1", rf.drafts[2].ID)}}
		status, body, _ = w.do(http.MethodPost, "/township/T01/review", form)
		if status != http.StatusOK {
			t.Fatalf("batch: %d %.300s", status, body)
		}
		results := regexp.MustCompile(`<tr class="(ok|refused)">`).FindAllStringSubmatch(body, -1)
		if len(results) != 3 || results[0][1] != "refused" || results[1][1] != "ok" || results[2][1] != "ok" {
			t.Fatalf("results %v", results)
		}
		if !strings.Contains(body, "制单人") || !strings.Contains(body, "已记账：2026-06 记-0001") {
			t.Errorf("result messages missing: %s", body[strings.Index(body, "review-results"):][:600])
		}
		for i, want := range map[int]ledger.VoucherStatus{0: ledger.StatusPosted, 1: ledger.StatusDraft, 2: ledger.StatusPosted} {
			if v, _ := s.Voucher(context.Background(), rf.f.Auditor, "V1", rf.drafts[i].ID); v.Status != want {
				t.Errorf("draft %d: %s, want %s", i, v.Status, want)
			}
		}
		if v, _ := s.Voucher(context.Background(), rf.g.Auditor, "V2", rf.own.ID); v.Status != ledger.StatusDraft {
			t.Errorf("own draft posted by its preparer")
		}
	})
}

// TestWebReturnDraft: from the queue a draft's page has 上一张/下一张 and
// 驳回; 驳回 without a reason is refused beside the field and changes
// nothing; with one it opens the next draft, and the preparer's home page
// shows the reason.
func TestWebReturnDraft(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		rf := newReviewFixture(t, s, false)
		w := newWebClient(t, rf.srv.URL)
		w.signIn(rf.f.Tokens["township"])
		first, second := rf.drafts[0], rf.drafts[1]
		page := "/books/V1/vouchers/" + itoa(first.ID) + "?queue=T01"
		status, body, _ := w.do(http.MethodGet, page, nil)
		if status != http.StatusOK || !strings.Contains(body, `id="queue-next" href="/books/V1/vouchers/`+itoa(second.ID)+`?queue=T01"`) ||
			strings.Contains(body, `id="queue-prev"`) || !strings.Contains(body, "第 1 / 3 张") || !strings.Contains(body, `id="return-voucher"`) {
			t.Fatalf("draft page from the queue: %d", status)
		}
		before := ledgertest.Digest(t, s)
		status, body, _ = w.do(http.MethodPost, "/books/V1/vouchers/"+itoa(first.ID)+"/return", url.Values{"csrf": {w.csrf}, "reason": {" "}, "queue": {"T01"}})
		if status != http.StatusBadRequest || !strings.Contains(body, `id="e-return-reason"`) || ledgertest.Digest(t, s) != before {
			t.Fatalf("blank reason: %d", status)
		}
		status, _, h := w.do(http.MethodPost, "/books/V1/vouchers/"+itoa(first.ID)+"/return", url.Values{"csrf": {w.csrf}, "reason": {"缺少收款收据"}, "queue": {"T01"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/books/V1/vouchers/"+itoa(second.ID)+"?queue=T01&ok=returned" {
			t.Fatalf("return: %d → %s", status, h.Get("Location"))
		}
		if _, body, _ = w.do(http.MethodGet, "/township/T01/review", nil); strings.Contains(body, ref("draft", "V1", first.ID)) {
			t.Error("the returned draft is still in the queue")
		}
		// The officer approves the next one from its page and lands on the third.
		status, _, h = w.do(http.MethodPost, "/township/T01/review", url.Values{"csrf": {w.csrf}, "item": {ref("draft", "V1", second.ID)}, "next": {"1"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/books/V1/vouchers/"+itoa(rf.drafts[2].ID)+"?queue=T01&ok=posted" {
			t.Fatalf("approve and next: %d → %s", status, h.Get("Location"))
		}
		p := newWebClient(t, rf.srv.URL)
		p.signIn(rf.f.Tokens["preparer"])
		_, body, _ = p.do(http.MethodGet, "/books/V1", nil)
		if !strings.Contains(body, `id="returned"`) || !strings.Contains(body, "缺少收款收据") || !strings.Contains(body, "乡镇财政所") {
			t.Fatal("the preparer's home page does not show the return and its reason")
		}
		_, body, _ = p.do(http.MethodGet, "/books/V1/vouchers/"+itoa(first.ID), nil)
		if !strings.Contains(body, `id="returned-note"`) || !strings.Contains(body, "<td>驳回</td>") {
			t.Fatal("the draft's page does not show the return in its record")
		}
	})
}

// TestWebTownshipStatus: a status row per village; a village without an
// approved run shows — for unpaid, one with a run its outstanding.
func TestWebTownshipStatus(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		rf := newReviewFixture(t, s, false)
		w := newWebClient(t, rf.srv.URL)
		w.signIn(rf.f.Tokens["township"])
		status, body, _ := w.do(http.MethodGet, "/township/T01?quarter=2026Q1", nil)
		if status != http.StatusOK {
			t.Fatalf("township: %d", status)
		}
		row := func(book string) string {
			m := regexp.MustCompile(`(?s)<tr data-book="` + book + `">.*?</tr>`).FindString(body)
			if m == "" {
				t.Fatalf("no status row for %s", book)
			}
			return m
		}
		run, err := s.PayoutRun(context.Background(), rf.f.Auditor, "V1", rf.run)
		if err != nil {
			t.Fatal(err)
		}
		v1, v2 := row("V1"), row("V2")
		if !strings.Contains(v1, ">"+httpx.FormatMoney(run.Outstanding)+"</a>") || !strings.Contains(v1, `review?book=V1">3</a>`) {
			t.Errorf("V1 row: %s", v1)
		}
		if !strings.Contains(v2, `<td class="num">—</td>`) || strings.Contains(v2, "0.00") || !strings.Contains(v2, "对账相符") {
			t.Errorf("V2 row: %s", v2)
		}
		if !strings.Contains(body, "审核队列：待审核 3 项") {
			t.Error("the review link does not count the queue")
		}
	})
}

// TestWebBankPayoutFiles: the 代发 list as CSV and workbook has 户名, 卡号,
// 金额, 备注 per household still owed; the payout page links it and the
// result-upload template.
func TestWebBankPayoutFiles(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		rf := newReviewFixture(t, s, false)
		w := newWebClient(t, rf.srv.URL)
		w.signIn(rf.f.Tokens["preparer"])
		base := "/books/V1/payouts/" + itoa(rf.run)
		_, page, _ := w.do(http.MethodGet, base, nil)
		for _, link := range []string{base + "/bank.csv", base + "/bank.xlsx", base + "/payments/template.xlsx"} {
			if !strings.Contains(page, `href="`+link+`"`) {
				t.Errorf("payout page lacks %s", link)
			}
		}
		rows, err := s.BankPayoutList(context.Background(), rf.f.Auditor, "V1", rf.run)
		if err != nil || len(rows) != 3 {
			t.Fatalf("rows %v %v", rows, err)
		}
		status, body, h := w.do(http.MethodGet, base+"/bank.csv", nil)
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", status, h.Get("Content-Type"))
		}
		want := "\uFEFF户名,卡号,金额,备注\r\n"
		for _, r := range rows {
			want += r.Name + "," + r.Card + "," + r.Amount.String() + "," + r.Remark + "\r\n"
		}
		if body != want || !strings.Contains(body, "农户1,6217000000000001,") {
			t.Fatalf("csv:\n%q\nwant\n%q", body, want)
		}
		status, body, _ = w.do(http.MethodGet, base+"/bank.xlsx", nil)
		if status != http.StatusOK {
			t.Fatalf("xlsx: %d", status)
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		got, err := x.GetRows("代发清单")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1+len(rows) || strings.Join(got[0], ",") != "户名,卡号,金额,备注" {
			t.Fatalf("xlsx rows %v", got)
		}
		for i, r := range rows {
			amount, _ := x.GetCellValue("代发清单", "C"+itoa(int64(i+2)), excelize.Options{RawCellValue: true})
			if got[i+1][0] != r.Name || got[i+1][1] != r.Card || amount != strings.TrimRight(strings.TrimRight(r.Amount.String(), "0"), ".") || got[i+1][3] != r.Remark {
				t.Errorf("xlsx row %d %v (amount %s), want %+v", i+2, got[i+1], amount, r)
			}
		}
		if status, _, _ := w.do(http.MethodGet, base+"/payments/template.xlsx", nil); status != http.StatusOK {
			t.Errorf("template: %d", status)
		}
	})
}

// TestWebPayoutWarnings: a draft run's page names an agreement that made no
// line (a pooled dividend not declared) and the accrual date an approval
// would use.
func TestWebPayoutWarnings(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		rf := newReviewFixture(t, s, false)
		ctx := context.Background()
		shares := decimalOf(t, "1")
		_, err := s.CreateAgreement(ctx, rf.f.Preparer, "V1", ledger.AgreementInput{Code: "GF", Title: "光伏股金", Kind: ledger.ShareDividend,
			Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{Basis: "pool", Participants: []ledger.Participant{{Household: "H001", Shares: &shares}}}})
		if err != nil {
			t.Fatal(err)
		}
		run, err := s.CreatePayoutRun(ctx, rf.f.Preparer, "V1", ledger.RunInput{Quarter: "2026Q2"})
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.DefaultAccrualDate("2026Q2")
		if err != nil {
			t.Fatal(err)
		}
		w := newWebClient(t, rf.srv.URL)
		w.signIn(rf.f.Tokens["reviewer"])
		_, body, _ := w.do(http.MethodGet, "/books/V1/payouts/"+itoa(run.ID), nil)
		if !strings.Contains(body, `data-reason="no_declaration"`) || !strings.Contains(body, "GF 光伏股金") || !strings.Contains(body, "尚未申报分配总额") {
			t.Error("the run page does not warn about the undeclared dividend")
		}
		if !strings.Contains(body, `<strong id="accrual-default">`+want+`</strong>`) {
			t.Errorf("the run page does not show the accrual date %s", want)
		}
	})
}

// TestWebHouseholdLinks: the slips page offers making the missing links;
// the links page makes them for the run's households, then revokes one.
func TestWebHouseholdLinks(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		rf := newReviewFixture(t, s, false)
		w := newWebClient(t, rf.srv.URL)
		w.signIn(rf.f.Tokens["preparer"])
		run := itoa(rf.run)
		_, slips, _ := w.do(http.MethodGet, "/books/V1/payouts/"+run+"/slips", nil)
		if !strings.Contains(slips, `href="/books/V1/households/links?run=`+run+`"`) {
			t.Fatal("the slips page has no way to make the missing links")
		}
		status, body, _ := w.do(http.MethodGet, "/books/V1/households/links?run="+run, nil)
		if status != http.StatusOK || !strings.Contains(body, "为没有链接的 3 户生成链接") {
			t.Fatalf("links page: %d", status)
		}
		status, _, h := w.do(http.MethodPost, "/books/V1/households/links", url.Values{"csrf": {w.csrf}, "action": {"missing"}, "run": {run}})
		if status != http.StatusSeeOther || h.Get("Location") != "/books/V1/payouts/"+run+"/slips" {
			t.Fatalf("make missing: %d → %s", status, h.Get("Location"))
		}
		states, err := s.HouseholdLinkStates(context.Background(), rf.f.Auditor, "V1")
		if err != nil || len(states) != 3 || !states["H002"].Active {
			t.Fatalf("states %v %v", states, err)
		}
		if _, slips, _ = w.do(http.MethodGet, "/books/V1/payouts/"+run+"/slips", nil); strings.Contains(slips, "make-links") {
			t.Error("the slips page still asks for links")
		}
		status, _, _ = w.do(http.MethodPost, "/books/V1/households/links", url.Values{"csrf": {w.csrf}, "action": {"revoke"}, "household": {"H002"}})
		if status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", status)
		}
		if states, _ = s.HouseholdLinkStates(context.Background(), rf.f.Auditor, "V1"); !states["H002"].Revoked || !states["H001"].Active {
			t.Fatalf("after revoke %v", states)
		}
		a := newWebClient(t, rf.srv.URL)
		a.signIn(rf.f.Tokens["auditor"])
		if _, body, _ = a.do(http.MethodGet, "/books/V1/households/links", nil); strings.Contains(body, `name="action"`) {
			t.Error("an auditor is offered the link buttons")
		}
	})
}
