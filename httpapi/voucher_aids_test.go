package httpapi

import (
	"context"
	"fmt"
	"sync/atomic"

	"coopledger/httpapi/api"
	"coopledger/ledger"
)

// entryAidRouteCases are the routes of a book's 常用摘要 and voucher templates.
func entryAidRouteCases() []routeCase {
	deletes := with(accountantWrites, statuses{rolePreparer: 204, roleReviewer: 204})
	return []routeCase{
		{"GET", "/api/v1/books/:book/summary-phrases", inBook, func(e *env, _ string, _ int) (string, any) {
			e.phrase(0)
			return "/api/v1/books/V1/summary-phrases", nil
		}},
		{"POST", "/api/v1/books/:book/summary-phrases", accountantCreates, func(_ *env, _ string, n int) (string, any) {
			return "/api/v1/books/V1/summary-phrases", api.SummaryPhraseRequest{Text: fmt.Sprintf("收到租金%d", n)}
		}},
		{"DELETE", "/api/v1/books/:book/summary-phrases/:id", deletes, func(e *env, _ string, n int) (string, any) {
			return fmt.Sprintf("/api/v1/books/V1/summary-phrases/%d", e.phrase(n)), nil
		}},
		{"GET", "/api/v1/books/:book/voucher-templates", inBook, func(e *env, _ string, n int) (string, any) {
			e.template(n)
			return "/api/v1/books/V1/voucher-templates", nil
		}},
		{"POST", "/api/v1/books/:book/voucher-templates", accountantCreates, func(e *env, _ string, n int) (string, any) {
			v, err := e.store.CreateVoucher(context.Background(), e.f.Preparer, "V1", rent(10, "H001", "100.00"))
			if err != nil {
				e.t.Fatal(err)
			}
			return "/api/v1/books/V1/voucher-templates", ledger.TemplateInput{Name: fmt.Sprintf("模板%d", n), Voucher: v.ID}
		}},
		{"DELETE", "/api/v1/books/:book/voucher-templates/:id", deletes, func(e *env, _ string, n int) (string, any) {
			return fmt.Sprintf("/api/v1/books/V1/voucher-templates/%d", e.template(n)), nil
		}},
		{"POST", "/api/v1/books/:book/voucher-templates/:id/vouchers", accountantCreates, func(e *env, _ string, n int) (string, any) {
			return fmt.Sprintf("/api/v1/books/V1/voucher-templates/%d/vouchers", e.template(n)), api.TemplateVoucherRequest{Date: "2026-06-30"}
		}},
	}
}

// aidSeq keeps the phrases the tests add distinct.
var aidSeq atomic.Int64

// phrase adds a 常用摘要 to V1 and returns its id.
func (e *env) phrase(n int) int64 {
	e.t.Helper()
	p, err := e.store.AddSummaryPhrase(context.Background(), e.f.Preparer, "V1", fmt.Sprintf("常用摘要%d-%d", n, aidSeq.Add(1)))
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

// template saves a posted voucher of V1 as a template and returns its id.
func (e *env) template(n int) int64 {
	e.t.Helper()
	v := e.f.Post(e.t, rent(11, "H002", "50.00"))
	t, err := e.store.SaveVoucherTemplate(context.Background(), e.f.Preparer, "V1", ledger.TemplateInput{Name: fmt.Sprintf("月度%d-%d", n, v.ID), Voucher: v.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return t.ID
}
