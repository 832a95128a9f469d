package ledger

import (
	"context"
	"sort"
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
// then continues the numbering the previous one left (postingOrder sorts a
// submission so; this sorts a chunk stored before migration 018).
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
