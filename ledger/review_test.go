package ledger_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

// queueRefs lists the queue as kind/book/id.
func queueRefs(t *testing.T, s *ledger.Store, a ledger.Actor) map[string]ledger.ReviewItem {
	t.Helper()
	items, err := s.ReviewQueue(context.Background(), a, "T01")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ledger.ReviewItem{}
	for _, it := range items {
		out[it.Ref()] = it
	}
	return out
}

func draftRef(v ledger.Voucher) string { return "draft/" + v.Book + "/" + strconv.FormatInt(v.ID, 10) }

// TestReviewQueueBatchApproval: the queue lists drafts of two villages and a
// payout run awaiting approval; a batch with one item its approver prepared
// refuses that one (preparer ≠ approver), approves the others and says so
// item by item.
func TestReviewQueueBatchApproval(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s) // book P1 in T01, with agreements
		g := ledgertest.NewFixture(t, s, "V2", ledger.KindVillage, 2)
		mine, err := s.CreateVoucher(ctx, f.Reviewer, "P1", rentVoucher("2026-03-05", "H001", "100.00"))
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateVoucher(ctx, f.Preparer, "P1", rentVoucher("2026-03-06", "H002", "50.00"))
		if err != nil {
			t.Fatal(err)
		}
		v2, err := s.CreateVoucher(ctx, g.Preparer, "V2", rentVoucher("2026-03-07", "H001", "20.00"))
		if err != nil {
			t.Fatal(err)
		}
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		runRef := "payout_run/P1/" + strconv.FormatInt(run.ID, 10)
		q := queueRefs(t, s, f.Township)
		for _, ref := range []string{draftRef(mine), draftRef(other), draftRef(v2), runRef} {
			if _, ok := q[ref]; !ok {
				t.Fatalf("queue lacks %s: %v", ref, q)
			}
		}
		if len(q) != 4 || q[runRef].Amount != run.Total || q[draftRef(other)].Preparer != "制单会计" {
			t.Fatalf("queue %+v", q)
		}
		if own := queueRefs(t, s, f.Reviewer); !own[draftRef(mine)].Own || own[draftRef(other)].Own {
			t.Fatalf("own flags: %+v", own)
		}

		// The reviewer of P1 approves its own draft, another's and the run.
		var refs []ledger.ReviewRef
		for _, r := range []string{draftRef(mine), draftRef(other), runRef} {
			ref, err := ledger.ParseReviewRef(r)
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, ref)
		}
		res, err := s.ApproveReviewItems(ctx, f.Reviewer, refs)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 3 || res[0].OK || !strings.Contains(res[0].Message, "制单人") || !res[1].OK || !res[2].OK {
			t.Fatalf("results %+v", res)
		}
		if !strings.Contains(res[1].Message, "记-0001") {
			t.Fatalf("posted message %q", res[1].Message)
		}
		if v, _ := s.Voucher(ctx, f.Auditor, "P1", mine.ID); v.Status != ledger.StatusDraft {
			t.Fatalf("own draft posted by its preparer: %s", v.Status)
		}
		if r, _ := s.PayoutRun(ctx, f.Auditor, "P1", run.ID); r.Status != ledger.RunApproved || r.ApproverID != f.Reviewer.UserID {
			t.Fatalf("run %s by %d", r.Status, r.ApproverID)
		}
		q = queueRefs(t, s, f.Township)
		if _, ok := q[draftRef(mine)]; !ok || len(q) != 2 {
			t.Fatalf("queue after: %v", q)
		}
		if _, err := s.ApproveReviewItems(ctx, f.Township, nil); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("empty batch: %v", err)
		}
		if _, err := ledger.ParseReviewRef("voucher/P1/x"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("bad ref: %v", err)
		}
	})
}

// TestReturnDraft: 驳回 needs a reason and changes nothing without one; the
// draft leaves the queue, the reason is kept for the preparer and audited,
// and editing the draft puts it back.
func TestReturnDraft(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 2)
		v, err := s.CreateVoucher(ctx, f.Preparer, "V1", rentVoucher("2026-03-05", "H001", "100.00"))
		if err != nil {
			t.Fatal(err)
		}
		before := ledgertest.Digest(t, s)
		_, err = s.ReturnDraft(ctx, f.Township, "V1", v.ID, "  ")
		if le := asLedgerError(err); le == nil || le.Code != ledger.ECodeInvalid || le.Details[0].Field != "reason" || ledgertest.Digest(t, s) != before {
			t.Fatalf("blank reason: %v", err)
		}
		if _, err := s.ReturnDraft(ctx, f.Preparer, "V1", v.ID, "自己驳回"); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("preparer returns own draft: %v", err)
		}
		if _, err := s.ReturnDraft(ctx, f.Auditor, "V1", v.ID, "审计驳回"); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("auditor returns: %v", err)
		}
		r, err := s.ReturnDraft(ctx, f.Township, "V1", v.ID, "附件不全，请补充合同")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReturnDraft(ctx, f.Reviewer, "V1", v.ID, "再次驳回"); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("second return: %v", err)
		}
		if _, ok := queueRefs(t, s, f.Township)[draftRef(v)]; ok {
			t.Fatal("a returned draft is still in the queue")
		}
		returns, err := s.DraftReturns(ctx, f.Preparer, "V1")
		if err != nil || returns[v.ID].Reason != "附件不全，请补充合同" || returns[v.ID].By != "乡镇财政所" || returns[v.ID].ReturnedAt != r.ReturnedAt {
			t.Fatalf("returns %+v %v", returns, err)
		}
		log, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{Entity: "voucher", EntityKey: strconv.FormatInt(v.ID, 10), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			found = found || e.Action == "return" && e.Reason == "附件不全，请补充合同" && e.UserID == f.Township.UserID
		}
		if !found {
			t.Fatalf("no audited return: %+v", log)
		}
		summary := "收到公司支付土地流转费（已补合同）"
		if _, err := s.UpdateVoucher(ctx, f.Preparer, "V1", v.ID, ledger.VoucherPatch{Summary: &summary}); err != nil {
			t.Fatal(err)
		}
		if _, ok := queueRefs(t, s, f.Township)[draftRef(v)]; !ok {
			t.Fatal("an edited draft is not back in the queue")
		}
		if returns, _ := s.DraftReturns(ctx, f.Preparer, "V1"); len(returns) != 0 {
			t.Fatalf("return kept after the edit: %+v", returns)
		}
		posted := f.Post(t, rentVoucher("2026-03-06", "H002", "10.00"))
		if _, err := s.ReturnDraft(ctx, f.Township, "V1", posted.ID, "已记账的"); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("return of a posted voucher: %v", err)
		}
	})
}

func asLedgerError(err error) *ledger.Error {
	le, _ := err.(*ledger.Error)
	if le == nil || len(le.Details) == 0 {
		return nil
	}
	return le
}

// TestPayoutWarnings: each agreement without a line is named with its reason.
func TestPayoutWarnings(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s) // GJ declared for 2026Q3 only, WG worked in July only
		rent := func(h string) []ledger.Parcel { return []ledger.Parcel{{AreaMu: *dec("1"), Rate: *dec("800")}} }
		for _, in := range []ledger.AgreementInput{
			{Code: "OLD", Title: "旧租地", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", End: "2026-06-30", Terms: ledger.Terms{
				Schedule: "quarterly", Participants: []ledger.Participant{{Household: "H001", Parcels: rent("H001")}}}},
			{Code: "YR", Title: "按年租地", Kind: ledger.LandRent, Party: "C01", Start: "2026-01-01", Terms: ledger.Terms{
				Schedule: "yearly", PayQuarter: 1, Participants: []ledger.Participant{{Household: "H002", Parcels: rent("H002")}}}},
			{Code: "LATE", Title: "明年入股", Kind: ledger.ShareDividend, Party: "C02", Start: "2026-01-01", Terms: ledger.Terms{
				Basis: "pool", Participants: []ledger.Participant{{Household: "H003", Start: "2027-01-01", Shares: dec("1")}}}},
		} {
			if _, err := s.CreateAgreement(ctx, f.Preparer, "P1", in); err != nil {
				t.Fatalf("agreement %s: %v", in.Code, err)
			}
		}
		if _, err := s.Declare(ctx, f.Preparer, "P1", "LATE", ledger.DeclarationInput{Quarter: "2026Q4", Amount: ledger.MustMoney("500.00")}); err != nil {
			t.Fatal(err)
		}
		ws, err := s.PayoutWarnings(ctx, f.Auditor, "P1", "2026Q4")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, w := range ws {
			got[w.Agreement] = w.Reason
			if w.Message == "" {
				t.Errorf("%s without a message", w.Agreement)
			}
		}
		want := map[string]string{"GJ": ledger.NoLineNoDeclaration, "WG": ledger.NoLineNoWork, "OLD": ledger.NoLineOutsideDates,
			"YR": ledger.NoLineNotDue, "LATE": ledger.NoLineNoParticipant}
		if len(got) != len(want) {
			t.Errorf("warnings %v, want %v", got, want)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %q, want %q", k, got[k], w)
			}
		}
		// Q3: GJ declared, WG worked; only the yearly one and LATE produce nothing.
		ws, err = s.PayoutWarnings(ctx, f.Auditor, "P1", "2026Q3")
		if err != nil || len(ws) != 3 { // OLD ended in June, YR paid in Q1, LATE starts in 2027
			t.Fatalf("Q3 warnings %+v %v", ws, err)
		}
		if _, err := s.PayoutWarnings(ctx, f.Auditor, "P1", "2026Q5"); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("bad quarter: %v", err)
		}
	})
}

// TestHouseholdLinksBulk: making the missing links makes only those,
// regenerating replaces a token, revoking disables the ticked ones; each is audited.
func TestHouseholdLinksBulk(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "V1", ledger.KindVillage, 4)
		if _, err := s.CreateHouseholdLink(ctx, f.Preparer, "V1", "H001"); err != nil {
			t.Fatal(err)
		}
		before, err := s.HouseholdLinkTokens(ctx, f.Auditor, "V1")
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.CreateHouseholdLinks(ctx, f.Preparer, "V1", f.Households, true)
		if err != nil || n != 3 {
			t.Fatalf("missing: %d %v", n, err)
		}
		tokens, _ := s.HouseholdLinkTokens(ctx, f.Auditor, "V1")
		if len(tokens) != 4 || tokens["H001"] != before["H001"] {
			t.Fatalf("missing made %v (H001 was %s)", tokens, before["H001"])
		}
		if n, err := s.CreateHouseholdLinks(ctx, f.Township, "V1", []string{"H001", "H002", "H001"}, false); err != nil || n != 2 {
			t.Fatalf("regenerate: %d %v", n, err)
		}
		after, _ := s.HouseholdLinkTokens(ctx, f.Auditor, "V1")
		if after["H001"] == tokens["H001"] || after["H002"] == tokens["H002"] || after["H003"] != tokens["H003"] {
			t.Fatalf("regenerated %v from %v", after, tokens)
		}
		if n, err := s.RevokeHouseholdLinks(ctx, f.Preparer, "V1", []string{"H003", "H004", "H999"}); err != nil || n != 2 {
			t.Fatalf("revoke: %d %v", n, err)
		}
		states, err := s.HouseholdLinkStates(ctx, f.Auditor, "V1")
		if err != nil || !states["H001"].Active || !states["H003"].Revoked || states["H004"].Active {
			t.Fatalf("states %+v %v", states, err)
		}
		digest := ledgertest.Digest(t, s)
		if _, err := s.CreateHouseholdLinks(ctx, f.Preparer, "V1", []string{"H001", "H999"}, false); ledger.ErrorCode(err) != ledger.ECodeNotFound || ledgertest.Digest(t, s) != digest {
			t.Fatalf("unknown household: %v (or something changed)", err)
		}
		if _, err := s.CreateHouseholdLinks(ctx, f.Auditor, "V1", []string{"H001"}, false); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("auditor: %v", err)
		}
		if _, err := s.RevokeHouseholdLinks(ctx, f.Preparer, "V1", nil); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("empty: %v", err)
		}
		log, err := s.AuditLog(ctx, f.Auditor, "V1", ledger.AuditFilter{Entity: "household_link", Limit: 100})
		if err != nil || len(log) != 1+3+2+2 {
			t.Fatalf("audit entries %d %v", len(log), err)
		}
	})
}

// TestBankPayoutList: the 代发 list of an approved run is what each
// household is still owed, with its card.
func TestBankPayoutList(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := payoutFixture(t, s)
		run, err := s.CreatePayoutRun(ctx, f.Preparer, "P1", ledger.RunInput{Quarter: "2026Q3"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.BankPayoutList(ctx, f.Auditor, "P1", run.ID); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("draft run: %v", err)
		}
		if run, err = s.ApprovePayoutRun(ctx, f.Reviewer, "P1", run.ID, ledger.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordPayments(ctx, f.Preparer, "P1", run.ID, []ledger.PaymentInput{
			{Household: "H001", Amount: ledger.MustMoney("1000.00"), Date: "2026-10-08", Method: "bank", Reference: "B1"}}); err != nil {
			t.Fatal(err)
		}
		rows, err := s.BankPayoutList(ctx, f.Auditor, "P1", run.ID)
		if err != nil {
			t.Fatal(err)
		}
		run, _ = s.PayoutRun(ctx, f.Auditor, "P1", run.ID)
		var sum ledger.Money
		for _, r := range rows {
			sum = sum.Add(r.Amount)
			if r.Card == "" || !strings.HasPrefix(r.Name, "农户") || !strings.Contains(r.Remark, "2026年第三季度") {
				t.Errorf("row %+v", r)
			}
		}
		if len(rows) != 4 || sum != run.Outstanding || rows[0].Household != "H001" || rows[0].Amount.String() != "712.63" {
			t.Fatalf("rows %+v, outstanding %s", rows, run.Outstanding)
		}
	})
}
