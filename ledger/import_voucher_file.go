package ledger

import (
	"context"
	"sort"

	"github.com/uptrace/bun"
)

// MaxFileVoucherLines bounds the voucher lines of one workbook of historical
// vouchers, all written in one transaction (the reader takes no more rows).
const MaxFileVoucherLines = 200_000

// ImportFileVouchers submits the vouchers of an uploaded workbook of
// historical books as one pending import, however many there are: the whole
// file is checked against the book first, so every bad voucher is named at
// once (by its index, as ImportVouchers does); nothing is posted until a
// township officer other than the uploader approves it (ApproveImport), which
// writes it in one transaction, all or none. The file's SHA-256 is kept with
// it: the same file again, pending or applied, is refused
// (ErrFileAlreadyImported). A dry run only checks.
func (s *Store) ImportFileVouchers(ctx context.Context, a Actor, f FileImport, vs []ImportVoucher) (PendingImport, error) {
	f.Kind, f.Target, f.Rows = ImportVoucherSheet, "", len(vs)
	lines := 0
	for _, v := range vs {
		lines += len(v.Lines)
	}
	switch {
	case len(vs) == 0:
		return PendingImport{}, FieldError("vouchers", "文件中没有凭证")
	case lines > MaxFileVoucherLines:
		return PendingImport{}, FieldError("vouchers", "一个文件的分录不超过 %d 行，收到 %d 行：请按年度拆分为几个文件", MaxFileVoucherLines, lines)
	}
	if err := s.refuseReimport(ctx, a, f); err != nil {
		return PendingImport{}, err
	}
	return s.submitImport(ctx, a, f.Book, ViaWorkbookImport, f, vs, MaxFileVoucherLines)
}

// numberOrder returns the indices of items by month, then number: each step
// then continues the numbering the previous one left.
func numberOrder(items []importItem) []int {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := items[order[i]].v, items[order[j]].v
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		return a.number < b.number
	})
	return order
}

// writeImportInSteps writes checked items in the given order, a batch at a time.
func (s *Store) writeImportInSteps(ctx context.Context, tx bun.Tx, a Actor, ip importPosting, b Book, items []importItem, order []int, progress func(int)) (BatchImportResult, error) {
	out := BatchImportResult{Book: b.Code, ChainSeq: b.ChainSeq, ChainHead: b.ChainHead, Vouchers: make([]ImportedVoucher, 0, len(items))}
	step := make([]importItem, 0, MaxImportVouchers)
	for start := 0; start < len(order); start += MaxImportVouchers {
		idx := order[start:min(start+MaxImportVouchers, len(order))]
		step = step[:0]
		for _, i := range idx {
			step = append(step, items[i])
		}
		res, err := s.writeImport(ctx, tx, a, ip, b, step)
		if err != nil {
			return BatchImportResult{}, err
		}
		b.ChainSeq, b.ChainHead = res.ChainSeq, res.ChainHead
		for k, v := range res.Vouchers {
			v.Index = idx[k]
			out.Vouchers = append(out.Vouchers, v)
		}
		out.Imported += res.Imported
		out.Lines += res.Lines
		out.ChainSeq, out.ChainHead = res.ChainSeq, res.ChainHead
		if progress != nil {
			progress(out.Imported)
		}
	}
	return out, nil
}
