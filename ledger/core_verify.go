package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/uptrace/bun"
)

// VerifyReport is the result of recomputing a book's chain and balances.
type VerifyReport struct {
	Book       string   `json:"book"`
	OK         bool     `json:"ok"`
	Vouchers   int      `json:"vouchers"` // posted vouchers checked
	ChainSeq   int64    `json:"chain_seq"`
	ChainHead  string   `json:"chain_head"`
	HeadNumber string   `json:"head_number,omitempty"` // period/number of the chain head
	FirstBad   string   `json:"first_bad,omitempty"`   // the first voucher where anything differs
	Problems   []string `json:"problems"`

	firstSeq int64 // chain seq of FirstBad (0: not known)
}

// maxProblems bounds a report; the first problem is the one that matters.
const maxProblems = 50

// fail records a problem of the voucher labelled voucher, at chain position
// seq (0: not known). FirstBad becomes the voucher earliest in the chain
// among those named, whatever order the checks run in.
func (r *VerifyReport) fail(voucher string, seq int64, format string, args ...any) {
	if voucher != "" {
		if r.FirstBad == "" || (seq != 0 && (r.firstSeq == 0 || seq < r.firstSeq)) {
			r.FirstBad, r.firstSeq = voucher, seq
		}
	}
	r.OK = false
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Verify recomputes a book's hash chain, voucher balance, numbering and every
// maintained balance from the lines, and reports the first discrepancy.
func (s *Store) Verify(ctx context.Context, a Actor, bookCode string) (VerifyReport, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return VerifyReport{}, err
	}
	return s.verifyBook(ctx, b)
}

// VerifyAll verifies every book the actor sees.
func (s *Store) VerifyAll(ctx context.Context, a Actor) ([]VerifyReport, error) {
	books, err := s.Books(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]VerifyReport, 0, len(books))
	for _, b := range books {
		r, err := s.verifyBook(ctx, b)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Store) verifyBook(ctx context.Context, b Book) (VerifyReport, error) {
	r := VerifyReport{Book: b.Code, OK: true, ChainSeq: b.ChainSeq, ChainHead: b.ChainHead, Problems: []string{}}
	if s.dialect == SQLite {
		// SQLite transactions here begin IMMEDIATE; hold the writer lock so a
		// long verification never makes a writer wait on the database.
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	// One read transaction gives a consistent snapshot while others post.
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		b, err := s.bookByCode(ctx, tx, b.Code)
		if err != nil {
			return err
		}
		r.ChainSeq, r.ChainHead = b.ChainSeq, b.ChainHead
		w, err := verifyContents(ctx, tx, b, &r)
		if err != nil {
			return err
		}
		if err := verifyLinks(ctx, tx, b, &r); err != nil {
			return err
		}
		w.checkNumbering(&r)
		if err := verifyAgainstAuditLog(ctx, tx, b.ID, w, &r); err != nil {
			return err
		}
		if err := verifyDocuments(ctx, tx, b.ID, w, &r); err != nil {
			return err
		}
		return verifyBalances(ctx, tx, b.ID, w.sums, &r)
	})
	return r, err
}

// numbered is one posted voucher's number in its month and chain position.
type numbered struct {
	n   int
	seq int64
}

// recomputed is what verification rebuilds from the posted vouchers: the
// balances and every month's numbers.
type recomputed struct {
	sums    map[balanceRowKey]balanceSums
	numbers map[string][]numbered
	labels  map[string]int64 // label → chain position, built only when a problem needs it
}

// verifyChunk is how many vouchers are read (and hashed) at a time.
const verifyChunk = 2000

// verifyContents reads every posted voucher with its lines, in id order and
// in chunks (two range scans of primary keys a chunk, no sort), and checks
// on a second goroutine, while the next chunk is read, that each voucher's
// content still hashes to its stored hash and balances; it adds the lines to
// the recomputed balances.
func verifyContents(ctx context.Context, tx bun.Tx, b Book, r *VerifyReport) (*recomputed, error) {
	w := &recomputed{sums: map[balanceRowKey]balanceSums{}, numbers: map[string][]numbered{}}
	chunks := make(chan []Voucher, 2)
	done := make(chan error, 1)
	go func() {
		err := recovered("verify", func() error {
			for c := range chunks {
				for _, v := range c {
					w.add(v, r)
				}
			}
			return nil
		})
		for range chunks { // after a panic, let the reader finish
		}
		done <- err
	}()
	err := postedChunks(ctx, tx, b, func(c []Voucher) { chunks <- c })
	close(chunks)
	if hashErr := <-done; hashErr != nil {
		return w, hashErr
	}
	return w, err
}

// add checks one voucher's content and adds it to the recomputed state.
func (w *recomputed) add(v Voucher, r *VerifyReport) {
	label, seq := v.Period+" "+v.Number, max(v.ChainSeq, 1) // as stored: a deleted voucher leaves its successors' seq unchanged
	if got := VoucherHash(v); got != v.Hash {
		r.fail(label, seq, "凭证 %s 的内容与其哈希不符（内容在过账后被改动）", label)
	}
	var debit, credit int64
	for _, l := range v.Lines {
		debit, credit = debit+l.Debit.Fen(), credit+l.Credit.Fen()
		k := balanceRowKey{l.Account, l.Household, l.Party, v.Period}
		d := w.sums[k]
		if d.first == "" || seq < d.firstSeq {
			d.first, d.firstSeq = label, seq
		}
		d.fen = [2]int64{d.fen[0] + l.Debit.Fen(), d.fen[1] + l.Credit.Fen()}
		w.sums[k] = d
	}
	if debit != credit || debit == 0 || debit != v.Total.Fen() {
		r.fail(label, seq, "凭证 %s 借贷不平衡或合计不符：借 %s 贷 %s 合计 %s", label, Fen(debit), Fen(credit), v.Total)
	}
	w.numbers[v.Period] = append(w.numbers[v.Period], numbered{v.number, seq})
}

// postedChunks passes every posted voucher with its lines to fn, a chunk of
// consecutive ids at a time.
func postedChunks(ctx context.Context, tx bun.Tx, b Book, fn func([]Voucher)) error {
	after := int64(0)
	for {
		c, err := postedAfter(ctx, tx, b, after)
		if err != nil || len(c) == 0 {
			return err
		}
		if err := attachLines(ctx, tx, b.ID, c); err != nil {
			return err
		}
		if err := attachDocumentHashes(ctx, tx, b.ID, c); err != nil {
			return err
		}
		fn(c)
		after = c[len(c)-1].ID
	}
}

// postedAfter reads the next chunk of posted vouchers after id after.
func postedAfter(ctx context.Context, tx bun.Tx, b Book, after int64) ([]Voucher, error) {
	rows, err := rawQuery(ctx, tx, "SELECT "+voucherColumns+" FROM vouchers WHERE book_id = ? AND status = 'posted' AND id > ? ORDER BY id LIMIT ?",
		b.ID, after, verifyChunk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Voucher, 0, verifyChunk)
	for rows.Next() {
		var r voucherScan
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, err
		}
		out = append(out, r.voucher(b.Code))
	}
	return out, rows.Err()
}

// attachLines reads the lines of the chunk's id range in key order and hands
// them to their vouchers (lines of drafts in the range are skipped).
func attachLines(ctx context.Context, tx bun.Tx, bookID int64, c []Voucher) error {
	rows, err := rawQuery(ctx, tx, `SELECT voucher_id, line_no, account_code, COALESCE(household_code, ''), COALESCE(party_code, ''),
		debit_fen, credit_fen, summary, trade FROM voucher_lines WHERE book_id = ? AND voucher_id >= ? AND voucher_id <= ?
		ORDER BY voucher_id, line_no`, bookID, c[0].ID, c[len(c)-1].ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var (
			id            int64
			l             Line
			debit, credit int64
		)
		if err := rows.Scan(&id, &l.LineNo, &l.Account, &l.Household, &l.Party, &debit, &credit, &l.Summary, &l.Trade); err != nil {
			return err
		}
		for i < len(c) && c[i].ID < id {
			i++
		}
		if i == len(c) || c[i].ID != id {
			continue
		}
		l.Debit, l.Credit = Fen(debit), Fen(credit)
		c[i].Lines = append(c[i].Lines, l)
	}
	return rows.Err()
}

// verifyLinks walks the posted vouchers in chain order and checks that each
// sits at its position and records the hash of the one before it (their
// contents were checked against those hashes by verifyContents).
func verifyLinks(ctx context.Context, tx bun.Tx, b Book, r *VerifyReport) error {
	rows, err := rawQuery(ctx, tx, `SELECT COALESCE(chain_seq, 0), COALESCE(prev_hash, ''), COALESCE(hash, ''), period, COALESCE(number, 0)
		FROM vouchers WHERE book_id = ? AND status = 'posted' ORDER BY chain_seq, id`, b.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	prev := ""
	n := int64(0)
	for rows.Next() {
		var (
			seq               int64
			prevHash, hash, p string
			number            int
		)
		if err := rows.Scan(&seq, &prevHash, &hash, &p, &number); err != nil {
			return err
		}
		n++
		label := p + " " + FormatNumber(number)
		if seq != n {
			r.fail(label, max(seq, 1), "凭证 %s 的链序号为 %d，应为 %d", label, seq, n)
		}
		if prevHash != prev {
			r.fail(label, max(seq, 1), "凭证 %s 记录的前一哈希与前一张凭证不符", label)
		}
		prev = hash
		r.HeadNumber = label
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.Vouchers = int(n)
	if n != b.ChainSeq || prev != b.ChainHead {
		r.fail("", 0, "账套记录的链头（序号 %d）与凭证链（%d 张）不一致", b.ChainSeq, n)
	}
	return nil
}

// checkNumbering requires numbers 1..n in every month: no gaps, no duplicates.
func (w *recomputed) checkNumbering(r *VerifyReport) {
	periods := make([]string, 0, len(w.numbers))
	for p := range w.numbers {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	for _, p := range periods {
		ns := w.numbers[p]
		sort.Slice(ns, func(i, j int) bool { return ns[i].n < ns[j].n })
		for i, x := range ns {
			if x.n != i+1 {
				r.fail(p+" "+FormatNumber(x.n), x.seq, "%s 期间凭证号不连续：第 %d 张的编号为 %s", p, i+1, FormatNumber(x.n))
				break
			}
		}
	}
}

// seqOf returns the chain position of the posted voucher labelled label, if
// there is one; the index is built on the first call (a problem was found).
func (w *recomputed) seqOf(label string) (int64, bool) {
	if w.labels == nil {
		w.labels = map[string]int64{}
		for p, ns := range w.numbers {
			for _, x := range ns {
				w.labels[p+" "+FormatNumber(x.n)] = x.seq
			}
		}
	}
	seq, ok := w.labels[label]
	return seq, ok
}

// failHint records a problem that only points near a voucher (a maintained
// balance that differs: the first voucher that moved it); it names FirstBad
// only when nothing more precise did.
func (r *VerifyReport) failHint(voucher string, seq int64, format string, args ...any) {
	if r.FirstBad == "" && voucher != "" {
		r.FirstBad, r.firstSeq = voucher, seq
	}
	r.fail("", 0, format, args...)
}

// balanceSums are the debit and credit recomputed for one balances row and
// the first voucher (in chain order) that moved it.
type balanceSums struct {
	fen      [2]int64
	first    string
	firstSeq int64
}

func verifyBalances(ctx context.Context, tx bun.Tx, bookID int64, want map[balanceRowKey]balanceSums, r *VerifyReport) error {
	rows, err := rawQuery(ctx, tx, "SELECT account_code, household_code, party_code, period, debit_fen, credit_fen FROM balances WHERE book_id = ?", bookID)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[balanceRowKey]bool{}
	for rows.Next() {
		var k balanceRowKey
		var d, c int64
		if err := rows.Scan(&k.account, &k.household, &k.party, &k.period, &d, &c); err != nil {
			return err
		}
		seen[k] = true
		if w := want[k]; w.fen != [2]int64{d, c} {
			r.failHint(w.first, w.firstSeq, "余额表 %s 期间科目 %s（%s%s）为 借 %s 贷 %s，按凭证重算应为 借 %s 贷 %s",
				k.period, k.account, k.household, k.party, Fen(d), Fen(c), Fen(w.fen[0]), Fen(w.fen[1]))
		}
	}
	for k, w := range want {
		if !seen[k] && w.fen != [2]int64{} {
			r.failHint(w.first, w.firstSeq, "余额表缺少 %s 科目 %s %s%s 的记录", k.period, k.account, k.household, k.party)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return verifyAccountBalances(ctx, tx, bookID, want, r)
}

// verifyAccountBalances compares the per-account monthly totals (which the
// trial balance reads) with the balances recomputed from the lines.
func verifyAccountBalances(ctx context.Context, tx bun.Tx, bookID int64, want map[balanceRowKey]balanceSums, r *VerifyReport) error {
	wantAcc := map[accountPeriod]balanceSums{}
	for k, w := range want {
		ak := accountPeriod{k.account, k.period}
		a := wantAcc[ak]
		a.fen = [2]int64{a.fen[0] + w.fen[0], a.fen[1] + w.fen[1]}
		if a.first == "" || (w.first != "" && w.firstSeq < a.firstSeq) {
			a.first, a.firstSeq = w.first, w.firstSeq
		}
		wantAcc[ak] = a
	}
	rows, err := rawQuery(ctx, tx, "SELECT account_code, period, debit_fen, credit_fen FROM account_balances WHERE book_id = ?", bookID)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[accountPeriod]bool{}
	for rows.Next() {
		var k accountPeriod
		var d, c int64
		if err := rows.Scan(&k.account, &k.period, &d, &c); err != nil {
			return err
		}
		seen[k] = true
		if w := wantAcc[k]; w.fen != [2]int64{d, c} {
			r.failHint(w.first, w.firstSeq, "科目月合计表 %s 期间科目 %s 为 借 %s 贷 %s，按凭证重算应为 借 %s 贷 %s",
				k.period, k.account, Fen(d), Fen(c), Fen(w.fen[0]), Fen(w.fen[1]))
		}
	}
	for k, w := range wantAcc {
		if !seen[k] && w.fen != [2]int64{} {
			r.failHint(w.first, w.firstSeq, "科目月合计表缺少 %s 科目 %s 的记录", k.period, k.account)
		}
	}
	return rows.Err()
}

// verifyAgainstAuditLog compares every posting the append-only audit log
// recorded with the voucher in the book, joined in one pass: a posted voucher
// deleted, renumbered or re-hashed behind the triggers' back is named by the
// number it was posted under.
func verifyAgainstAuditLog(ctx context.Context, tx bun.Tx, bookID int64, w *recomputed, r *VerifyReport) error {
	rows, err := rawQuery(ctx, tx, `SELECT a.entity_key, a.after_json, COALESCE(v.status, ''), COALESCE(v.period, ''), COALESCE(v.number, 0),
		COALESCE(v.hash, '') FROM audit_log a LEFT JOIN vouchers v ON v.book_id = a.book_id AND v.id = CAST(a.entity_key AS BIGINT)
		WHERE a.book_id = ? AND a.action = 'post' AND a.entity = 'voucher' ORDER BY a.id`, bookID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var deleted []string // hashes of posted vouchers no longer in the book
	deletedLabel := map[string]string{}
	for rows.Next() {
		var key, after, status, period, hash string
		var number int
		if err := rows.Scan(&key, &after, &status, &period, &number, &hash); err != nil {
			return err
		}
		var posted struct{ Number, Period, Hash string }
		if json.Unmarshal([]byte(after), &posted) != nil || posted.Number == "" {
			continue
		}
		label := posted.Period + " " + posted.Number
		switch {
		case status != string(StatusPosted):
			if _, known := w.seqOf(label); !known && len(deleted) < maxProblems {
				deleted = append(deleted, posted.Hash)
				deletedLabel[posted.Hash] = label
			}
			seq, _ := w.seqOf(label)
			r.fail(label, seq, "审计日志记录凭证 %s（id %s）已过账，哈希 %s，但账中已没有这张已过账凭证", label, key, posted.Hash)
		case period+" "+FormatNumber(number) != label || hash != posted.Hash:
			seq, _ := w.seqOf(label)
			r.fail(label, seq, "凭证 %s（id %s）过账时记入审计日志的编号或哈希与现在的 %s %s 不符", label, key, period, FormatNumber(number))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return placeDeleted(ctx, tx, bookID, deleted, deletedLabel, r)
}

// placeDeleted finds where in the chain each deleted voucher stood (just
// before the voucher that records its hash as the previous one), so that
// FirstBad names the earliest of them.
func placeDeleted(ctx context.Context, tx bun.Tx, bookID int64, hashes []string, labels map[string]string, r *VerifyReport) error {
	for _, h := range hashes {
		var seq int64
		rows, err := rawQuery(ctx, tx, "SELECT COALESCE(chain_seq, 0) FROM vouchers WHERE book_id = ? AND prev_hash = ?", bookID, h)
		if err != nil {
			return err
		}
		if rows.Next() {
			err = rows.Scan(&seq)
		}
		rows.Close()
		if err != nil {
			return err
		}
		if seq > 1 && (r.firstSeq == 0 || seq-1 < r.firstSeq) {
			r.FirstBad, r.firstSeq = labels[h], seq-1
		}
	}
	return nil
}
