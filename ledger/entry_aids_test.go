package ledger_test

import (
	"context"
	"strconv"
	"testing"

	"coopledger/ledger"
	"coopledger/ledger/ledgertest"
)

func wages(date, amount string) ledger.VoucherInput {
	return ledger.VoucherInput{Date: date, Summary: "计提本月工资", Lines: []ledger.LineInput{
		{Account: "513", Debit: ledgertest.Amount(amount), Summary: "计提本月工资"},
		{Account: "212", Household: "H001", Credit: ledgertest.Amount(amount), Summary: "计提本月工资"}}}
}

// Editing a draft keeps it an unnumbered draft and is audited; a refused
// edit changes nothing; only the preparer edits, and never a posted voucher.
func TestUpdateDraft(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "ED", ledger.KindVillage, 2)
		d, err := s.CreateVoucher(ctx, f.Preparer, "ED", wages("2026-03-05", "100.00"))
		if err != nil {
			t.Fatal(err)
		}
		in := wages("2026-03-06", "120.50")
		in.Summary = "计提三月工资"
		v, err := s.UpdateVoucher(ctx, f.Preparer, "ED", d.ID, ledger.VoucherPatch{Date: &in.Date, Summary: &in.Summary, Lines: &in.Lines})
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != ledger.StatusDraft || v.Number != "" || v.Date != "2026-03-06" || v.Summary != "计提三月工资" || v.Total.String() != "120.50" {
			t.Fatalf("after edit: %+v", v)
		}
		log, err := s.AuditLog(ctx, f.Preparer, "ED", ledger.AuditFilter{Entity: "voucher", EntityKey: strconv.FormatInt(d.ID, 10), Action: "update"})
		if err != nil || len(log) != 1 || len(log[0].Before) == 0 || len(log[0].After) == 0 {
			t.Fatalf("audit of the edit: %+v %v", log, err)
		}

		before := ledgertest.Digest(t, s)
		bad := wages("2026-03-06", "120.50")
		bad.Lines[1].Credit = ledgertest.Amount("99.00")
		if _, err := s.UpdateVoucher(ctx, f.Preparer, "ED", d.ID, ledger.VoucherPatch{Lines: &bad.Lines}); ledger.ErrorCode(err) != ledger.ECodeUnbalanced {
			t.Fatalf("unbalanced edit: %v", err)
		}
		if _, err := s.UpdateVoucher(ctx, f.Reviewer, "ED", d.ID, ledger.VoucherPatch{Summary: &in.Summary}); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("another user's draft: %v", err)
		}
		if ledgertest.Digest(t, s) != before {
			t.Fatal("a refused edit changed the book")
		}
		posted := f.Post(t, wages("2026-03-07", "10.00"))
		if _, err := s.UpdateVoucher(ctx, f.Preparer, "ED", posted.ID, ledger.VoucherPatch{Summary: &in.Summary}); ledger.ErrorCode(err) != ledger.ECodeImmutable {
			t.Fatalf("posted voucher edited: %v", err)
		}
	})
}

// 常用摘要 and templates belong to one book: listed there, changed by its
// preparers only, invisible from another book.
func TestEntryAidsPerBook(t *testing.T) {
	ledgertest.Each(t, func(t *testing.T, s *ledger.Store) {
		ctx := context.Background()
		f := ledgertest.NewFixture(t, s, "EA", ledger.KindVillage, 2)
		g := ledgertest.NewFixture(t, s, "EB", ledger.KindVillage, 1)
		p, err := s.AddSummaryPhrase(ctx, f.Preparer, "EA", "  收到土地流转费 ")
		if err != nil || p.Text != "收到土地流转费" {
			t.Fatalf("add phrase: %+v %v", p, err)
		}
		if _, err := s.AddSummaryPhrase(ctx, f.Preparer, "EA", "收到土地流转费"); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("duplicate phrase: %v", err)
		}
		if _, err := s.AddSummaryPhrase(ctx, f.Preparer, "EA", " "); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("blank phrase: %v", err)
		}
		if _, err := s.AddSummaryPhrase(ctx, f.Auditor, "EA", "审计添加"); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("auditor adds a phrase: %v", err)
		}
		if _, err := s.SummaryPhrases(ctx, g.Preparer, "EA"); err == nil {
			t.Fatal("another book's accountant reads the phrases")
		}
		if ps, err := s.SummaryPhrases(ctx, g.Preparer, "EB"); err != nil || len(ps) != 0 {
			t.Fatalf("phrases leak into another book: %+v %v", ps, err)
		}
		if err := s.DeleteSummaryPhrase(ctx, g.Preparer, "EA", p.ID); err == nil {
			t.Fatal("another book's accountant deletes a phrase")
		}
		if err := s.DeleteSummaryPhrase(ctx, f.Preparer, "EA", p.ID); err != nil {
			t.Fatal(err)
		}
		if ps, _ := s.SummaryPhrases(ctx, f.Auditor, "EA"); len(ps) != 0 {
			t.Fatalf("deleted phrase still listed: %+v", ps)
		}

		src := f.Post(t, wages("2026-02-28", "3000.00"))
		tpl, err := s.SaveVoucherTemplate(ctx, f.Preparer, "EA", ledger.TemplateInput{Name: "每月工资", Voucher: src.ID})
		if err != nil || len(tpl.Lines) != 2 {
			t.Fatalf("save template: %+v %v", tpl, err)
		}
		if _, err := s.SaveVoucherTemplate(ctx, f.Preparer, "EA", ledger.TemplateInput{Name: "每月工资", Voucher: src.ID}); ledger.ErrorCode(err) != ledger.ECodeConflict {
			t.Fatalf("duplicate template name: %v", err)
		}
		if _, err := s.SaveVoucherTemplate(ctx, g.Preparer, "EB", ledger.TemplateInput{Name: "偷看", Voucher: src.ID}); ledger.ErrorCode(err) != ledger.ECodeInvalid {
			t.Fatalf("template from another book's voucher: %v", err)
		}
		if _, err := s.VoucherTemplateByID(ctx, g.Preparer, "EA", tpl.ID); err == nil {
			t.Fatal("another book's accountant reads a template")
		}
		d, err := s.VoucherFromTemplate(ctx, f.Reviewer, "EA", tpl.ID, "2026-03-31")
		if err != nil || d.Status != ledger.StatusDraft || d.Date != "2026-03-31" || d.Total.String() != "3000.00" || d.PreparerID != f.Reviewer.UserID {
			t.Fatalf("draft from template: %+v %v", d, err)
		}
		if _, err := s.VoucherFromTemplate(ctx, f.Auditor, "EA", tpl.ID, "2026-03-31"); ledger.ErrorCode(err) != ledger.ECodeForbidden {
			t.Fatalf("auditor makes a draft from a template: %v", err)
		}
		if date, err := s.LastEntryDate(ctx, f.Reviewer, "EA"); err != nil || date != "2026-03-31" {
			t.Fatalf("last entry date: %q %v", date, err)
		}
		if err := s.DeleteVoucherTemplate(ctx, f.Preparer, "EA", tpl.ID); err != nil {
			t.Fatal(err)
		}
		if ts, _ := s.VoucherTemplates(ctx, f.Preparer, "EA"); len(ts) != 0 {
			t.Fatalf("deleted template still listed: %+v", ts)
		}
	})
}
