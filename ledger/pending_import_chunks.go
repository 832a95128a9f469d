package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/uptrace/bun"
)

// A pending import keeps its vouchers in chunks of at most MaxImportVouchers
// (pending_import_chunks), in the order they will be posted, so that neither
// submitting nor approving 200,000 lines holds more than one chunk checked,
// encoded or decoded at a time: the whole file as one JSON payload, plus the
// vouchers parsed twice over, took the command line past 450 MB.

// importChunk is one stored chunk: the vouchers and each one's index in the
// submission, which problems and the approval's answer name. A chunk stored
// before chunks existed (migration 018) has no indices: its vouchers are the
// whole import, in the order submitted.
type importChunk struct {
	Indices  []int           `json:"indices"`
	Vouchers []ImportVoucher `json:"vouchers"`
}

// chunkSource hands each chunk of an import to each, in posting order.
type chunkSource func(each func(c importChunk) error) error

// submittedChunks cuts vs into chunks in order, positions into vs.
func submittedChunks(vs []ImportVoucher, order []int) chunkSource {
	return func(each func(importChunk) error) error {
		for start := 0; start < len(order); start += MaxImportVouchers {
			idx := order[start:min(start+MaxImportVouchers, len(order))]
			c := importChunk{Indices: idx, Vouchers: make([]ImportVoucher, len(idx))}
			for k, i := range idx {
				c.Vouchers[k] = vs[i]
			}
			if err := each(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// postingOrder is the order vs join the chain in: a workbook's by month and
// number (each step then continues the numbering the previous one left), a
// batch's as given.
func postingOrder(vs []ImportVoucher, via string) []int {
	order := givenOrder(len(vs))
	if via == ViaWorkbookImport {
		sort.SliceStable(order, func(i, j int) bool {
			a, b := vs[order[i]], vs[order[j]]
			if pa, pb := monthOf(a.Date), monthOf(b.Date); pa != pb {
				return pa < pb
			}
			return a.Number < b.Number
		})
	}
	return order
}

// monthOf is a date's YYYY-MM, or the date itself when it is shorter (a bad
// date, refused by the checks).
func monthOf(date string) string {
	return date[:min(7, len(date))]
}

// storedChunks reads an import's chunks from the database one at a time.
func storedChunks(ctx context.Context, tx bun.Tx, bookID, importID int64) chunkSource {
	return func(each func(importChunk) error) error {
		var seqs []int
		err := tx.NewRaw("SELECT seq FROM pending_import_chunks WHERE book_id = ? AND import_id = ? ORDER BY seq", bookID, importID).Scan(ctx, &seqs)
		if err != nil && !isNoRows(err) {
			return err
		}
		done := 0
		for _, seq := range seqs {
			var payload string
			err := tx.NewRaw("SELECT payload FROM pending_import_chunks WHERE book_id = ? AND import_id = ? AND seq = ?",
				bookID, importID, seq).Scan(ctx, &payload)
			if err != nil {
				return err
			}
			var c importChunk
			if err := json.Unmarshal([]byte(payload), &c); err != nil {
				return fmt.Errorf("pending import %d, chunk %d: %w", importID, seq, err)
			}
			if c.Indices == nil {
				c.Indices = givenOrder(done + len(c.Vouchers))[done:]
			}
			if len(c.Indices) != len(c.Vouchers) {
				return fmt.Errorf("pending import %d, chunk %d: %d indices for %d vouchers", importID, seq, len(c.Indices), len(c.Vouchers))
			}
			done += len(c.Vouchers)
			if err := each(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// insertChunk stores the seq-th chunk of an import.
func insertChunk(ctx context.Context, tx bun.Tx, bookID, importID int64, seq int, c importChunk) error {
	payload, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.NewRaw("INSERT INTO pending_import_chunks (book_id, import_id, seq, payload) VALUES (?, ?, ?, ?)",
		bookID, importID, seq, string(payload)).Exec(ctx)
	return err
}

// checkImportChunks checks every voucher of src against the book, a chunk at
// a time, and hands each chunk to store (if not nil) once it and all before
// it passed. Problems are reported as one checked batch would report them:
// the vouchers' own problems if any has one, else every problem against the
// book, numbering included. It returns how many vouchers src held.
func (s *Store) checkImportChunks(ctx context.Context, tx bun.Tx, b Book, src chunkSource, store func(importChunk) error) (int, error) {
	var shapeProblems, bookProblems []Detail
	var numbers []numberAt
	last := map[string]int{}
	n := 0
	err := src(func(c importChunk) error {
		n += len(c.Vouchers)
		items, problems := checkShapes(c.Vouchers, c.Indices)
		if shapeProblems = append(shapeProblems, problems...); len(shapeProblems) > 0 {
			return nil // only the vouchers' own problems are reported then
		}
		problems, lastOf, err := s.checkItemsAgainstBook(ctx, tx, b, items, c.Indices, false)
		if err != nil {
			return err
		}
		bookProblems = append(bookProblems, problems...)
		for p, num := range lastOf {
			last[p] = num
		}
		for k, it := range items {
			numbers = append(numbers, numberAt{it.v.Period, it.v.number, c.Indices[k]})
		}
		if store == nil || len(bookProblems) > 0 {
			return nil
		}
		return store(c)
	})
	if err != nil {
		return n, err
	}
	if len(shapeProblems) > 0 {
		return n, batchError(ECodeInvalid, shapeProblems)
	}
	return n, importProblems(append(bookProblems, checkImportNumbers(numbers, last)...))
}

// postChunks writes the checked chunks of src, in order, a step of at most
// MaxImportVouchers at a time; each step continues the chain and numbering
// the one before left. progress, if not nil, is told the vouchers written.
func (s *Store) postChunks(ctx context.Context, tx bun.Tx, a Actor, ip importPosting, b Book, src chunkSource, progress func(int)) (BatchImportResult, error) {
	out := BatchImportResult{Book: b.Code, ChainSeq: b.ChainSeq, ChainHead: b.ChainHead}
	err := src(func(c importChunk) error {
		items, problems := checkShapes(c.Vouchers, c.Indices)
		if len(problems) > 0 { // checked a moment ago in the same transaction
			return batchError(ECodeInvalid, problems)
		}
		order := givenOrder(len(items))
		if ip.via == ViaWorkbookImport { // sorted when submitted; a chunk from before migration 018 may not be
			order = numberOrder(items)
		}
		step := make([]importItem, 0, min(len(order), MaxImportVouchers))
		for start := 0; start < len(order); start += MaxImportVouchers {
			idx := order[start:min(start+MaxImportVouchers, len(order))]
			step = step[:0]
			for _, k := range idx {
				step = append(step, items[k])
			}
			res, err := s.writeImport(ctx, tx, a, ip, b, step)
			if err != nil {
				return err
			}
			b.ChainSeq, b.ChainHead = res.ChainSeq, res.ChainHead
			for k, v := range res.Vouchers {
				v.Index = c.Indices[idx[k]]
				out.Vouchers = append(out.Vouchers, v)
			}
			out.Imported += res.Imported
			out.Lines += res.Lines
			out.ChainSeq, out.ChainHead = res.ChainSeq, res.ChainHead
			if progress != nil {
				progress(out.Imported)
			}
		}
		return nil
	})
	return out, err
}
