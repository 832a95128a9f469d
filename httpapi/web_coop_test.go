package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"coopledger/ledger"
	"coopledger/ledger/demo"
	"coopledger/ledger/ledgertest"
)

// The cooperative's pages on the demo's DAOXIANG: members added and edited
// through the forms with errors beside the field, and the 盈余分配方案
// drafted, refused below 60 % with the ledger's reason, then drafted within
// the law, its meeting recorded and approved by someone else.

// daoxiangClients signs in the demo's DAOXIANG accountant and township finance.
func daoxiangClients(t *testing.T) (s *ledger.Store, res demo.Result, acc, town *webClient) {
	t.Helper()
	s = ledgertest.Open(t, "sqlite")
	var err error
	res, err = demo.Load(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(s, nil, Options{}))
	t.Cleanup(srv.Close)
	for _, u := range res.Users {
		switch {
		case u.Role == ledger.RoleAccountant && u.Scope == "DAOXIANG" && acc == nil:
			acc = newWebClient(t, srv.URL)
			acc.signIn(u.Token)
		case u.Role == ledger.RoleTownship && town == nil:
			town = newWebClient(t, srv.URL)
			town.signIn(u.Token)
		}
	}
	if acc == nil || town == nil {
		t.Fatal("the demo has no DAOXIANG accountant or township user")
	}
	return s, res, acc, town
}

func TestWebCoopMembers(t *testing.T) {
	s, res, acc, _ := daoxiangClients(t)
	status, body, _ := acc.do(http.MethodGet, "/books/DAOXIANG/members", nil)
	if status != http.StatusOK {
		t.Fatalf("members page: %d", status)
	}
	mustContain(t, "the members page", body, `action="/books/DAOXIANG/members"`, "农民成员", "出资额", "其中扶贫资产", "member-accounts.xlsx?year=", "成员与盈余分配")

	ma, err := s.MemberAccounts(context.Background(), demoAccountant(t, s, res, "DAOXIANG"), "DAOXIANG", time.Now().Year())
	if err != nil || len(ma.Accounts) == 0 {
		t.Fatalf("member accounts: %v", err)
	}
	first := ma.Accounts[0]
	if !strings.Contains(body, ">"+first.Code+"</a></td><td>"+first.Name+"</td><td>农民成员</td><td>2025-01-01</td><td></td><td class=\"num\">"+pageMoney(t, first.Capital.String())+"</td>") {
		t.Errorf("the members page lacks %s's 出资额 %s", first.Code, first.Capital)
	}
	// every demo household is a member already: a new household joins.
	if _, err := s.CreateHousehold(context.Background(), demoAccountant(t, s, res, "DAOXIANG"), "DAOXIANG", ledger.Household{Code: "W901",
		HeadName: "赖水生", IDNumber: ledgertest.IDNumber(901), Members: 3, Status: ledger.StatusOrdinary}); err != nil {
		t.Fatal(err)
	}
	before := ledgertest.Digest(t, s)
	status, body, _ = acc.do(http.MethodPost, "/books/DAOXIANG/members", url.Values{"csrf": {acc.csrf}, "code": {"W901"},
		"kind": {"unit"}, "name": {"宁都县稻香粮油有限公司"}, "uscc": {"123"}, "joined_on": {"2026-02-30"}})
	if status != http.StatusBadRequest {
		t.Errorf("a bad member: %d, want 400", status)
	}
	mustContain(t, "the refused member form", body, `id="e-m-joined_on"`, "入社日期不正确", `id="e-m-uscc"`, "统一社会信用代码不正确")
	if ledgertest.Digest(t, s) != before {
		t.Errorf("a refused member changed the books")
	}

	status, _, h := acc.do(http.MethodPost, "/books/DAOXIANG/members", url.Values{"csrf": {acc.csrf}, "code": {"W901"},
		"kind": {"farmer"}, "name": {"赖水生"}, "joined_on": {"2026-03-01"}, "poverty_capital": {"1,200.50"}})
	if status != http.StatusSeeOther {
		t.Fatalf("add a member: %d", status)
	}
	_, body, _ = acc.do(http.MethodGet, h.Get("Location"), nil)
	mustContain(t, "the members page after adding", body, "已创建", ">W901</a>", "赖水生", "2026-03-01", "1,200.50")

	status, body, _ = acc.do(http.MethodPost, "/books/DAOXIANG/members/W901", url.Values{"csrf": {acc.csrf}, "kind": {"farmer"},
		"name": {"赖水生"}, "joined_on": {"2026-03-01"}, "left_on": {"2026-01-01"}, "poverty_capital": {"1200.50"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="e-m-left_on"`) {
		t.Errorf("leaving before joining: %d, want 400 beside 退社日期", status)
	}
	status, _, _ = acc.do(http.MethodPost, "/books/DAOXIANG/members/W901", url.Values{"csrf": {acc.csrf}, "kind": {"farmer"},
		"name": {"赖水生"}, "joined_on": {"2026-03-01"}, "left_on": {"2026-12-31"}, "poverty_capital": {"1200.50"}})
	if status != http.StatusSeeOther {
		t.Fatalf("edit a member: %d", status)
	}
	m, err := s.Member(context.Background(), demoAccountant(t, s, res, "DAOXIANG"), "DAOXIANG", "W901")
	if err != nil || m.LeftOn != "2026-12-31" || m.PovertyCapital.String() != "1200.50" {
		t.Errorf("the member after editing: %+v %v", m, err)
	}
}

var atLeast = regexp.MustCompile(`至少 ([0-9,]+\.[0-9]{2}) 元`)

func TestWebSurplusPlan(t *testing.T) {
	s, _, acc, town := daoxiangClients(t)
	status, body, _ := acc.do(http.MethodGet, "/books/DAOXIANG/surplus-plans?year=2026", nil)
	if status != http.StatusOK {
		t.Fatalf("plans page: %d", status)
	}
	mustContain(t, "the plans page", body, `action="/books/DAOXIANG/surplus-plans"`)

	// the demo's charter is not entered: without it the plan is refused;
	// township finance enters it.
	status, body, _ = acc.do(http.MethodPost, "/books/DAOXIANG/surplus-plans", url.Values{"csrf": {acc.csrf}, "year": {"2026"}, "return": {"0.01"}})
	if status != http.StatusConflict || !strings.Contains(body, "尚未录入") {
		t.Errorf("a plan before the charter: %d, want 409 naming the charter", status)
	}
	town.do(http.MethodGet, "/books/DAOXIANG/surplus-plans", nil)
	status, body, _ = town.do(http.MethodPost, "/books/DAOXIANG/charter", url.Values{"csrf": {town.csrf}, "reserve_rate": {"百分之十"}, "quantify_basis": {"capital"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="e-reserve_rate"`) {
		t.Errorf("a bad charter rate: %d, want 400 beside the field", status)
	}
	status, _, _ = town.do(http.MethodPost, "/books/DAOXIANG/charter", url.Values{"csrf": {town.csrf}, "reserve_rate": {"10"}, "quantify_basis": {"capital"}})
	if status != http.StatusSeeOther {
		t.Fatalf("set the charter: %d", status)
	}

	before := ledgertest.Digest(t, s)
	status, body, _ = acc.do(http.MethodPost, "/books/DAOXIANG/surplus-plans", url.Values{"csrf": {acc.csrf}, "year": {"2026"}, "return": {"0.01"}})
	if status != http.StatusBadRequest {
		t.Fatalf("a plan below 60 %%: %d, want 400", status)
	}
	mustContain(t, "the refused plan", body, `id="e-return"`, "低于可分配盈余", "百分之六十")
	if ledgertest.Digest(t, s) != before {
		t.Errorf("a refused plan changed the books")
	}
	m := atLeast.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the refusal names no floor: %s", body)
	}
	floor := strings.ReplaceAll(m[1], ",", "")

	status, _, h := acc.do(http.MethodPost, "/books/DAOXIANG/surplus-plans", url.Values{"csrf": {acc.csrf}, "year": {"2026"}, "return": {floor}})
	if status != http.StatusSeeOther {
		t.Fatalf("a plan at the floor %s: %d", floor, status)
	}
	plan := h.Get("Location")
	_, body, _ = acc.do(http.MethodGet, plan, nil)
	mustContain(t, "the drafted plan", body, "已保存", "本年盈余", "年初未分配盈余", "提取盈余公积", "可分配盈余",
		pageMoney(t, floor), `id="plan-members"`, "/meeting\"", "/approve\"")
	if !regexp.MustCompile(`返还占可分配盈余（法定不低于 60%）</th><td class="num">60\.[0-9]{2}%`).MatchString(body) {
		t.Errorf("the plan page lacks the return's share of 可分配盈余")
	}

	path := strings.SplitN(plan, "?", 2)[0]
	status, _, _ = acc.do(http.MethodPost, path+"/meeting", url.Values{"csrf": {acc.csrf}, "date": {"2027-01-10"},
		"attended": {"30"}, "total": {"35"}, "resolution": {"DX-决议-2027-01"}})
	if status != http.StatusSeeOther {
		t.Fatalf("record the meeting: %d", status)
	}
	status, body, _ = acc.do(http.MethodPost, path+"/approve", url.Values{"csrf": {acc.csrf}})
	if status != http.StatusForbidden && status != http.StatusConflict || !strings.Contains(body, "不能是编制人本人") {
		t.Errorf("the preparer approving: %d, want the segregation refusal", status)
	}
	town.do(http.MethodGet, path, nil)
	status, _, h = town.do(http.MethodPost, path+"/approve", url.Values{"csrf": {town.csrf}})
	if status != http.StatusSeeOther {
		t.Fatalf("township approves: %d", status)
	}
	_, body, _ = town.do(http.MethodGet, h.Get("Location"), nil)
	mustContain(t, "the approved plan", body, "盈余分配方案已审批", "已审批入账", "DX-决议-2027-01")
}
