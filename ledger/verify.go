package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

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

	firstSeq int64            // chain seq of FirstBad (0: not known)
	seqOf    map[string]int64 // label → chain seq, for naming the earliest bad voucher
}

// maxProblems bounds a report; the first problem is the one that matters.
const maxProblems = 50

// fail records a problem. FirstBad becomes the voucher earliest in the chain
// among those named, whatever order the checks run in.
func (r *VerifyReport) fail(voucher, format string, args ...any) {
	if voucher != "" {
		seq := r.seqOf[voucher]
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

// VerifyAll verifies every book; for the command line, which has no actor.
func (s *Store) VerifyAll(ctx context.Context) ([]VerifyReport, error) {
	books, err := s.Books(ctx, Actor{Role: RoleAdmin})
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

// VerifyBook verifies one book by code, for the command line.
func (s *Store) VerifyBook(ctx context.Context, code string) (VerifyReport, error) {
	b, err := s.bookByCode(ctx, s.db, code)
	if err != nil {
		return VerifyReport{}, err
	}
	return s.verifyBook(ctx, b)
}

func (s *Store) verifyBook(ctx context.Context, b Book) (VerifyReport, error) {
	r := VerifyReport{Book: b.Code, OK: true, ChainSeq: b.ChainSeq, ChainHead: b.ChainHead, Problems: []string{}, seqOf: map[string]int64{}}
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
		recomputed, err := s.verifyChain(ctx, tx, b, &r)
		if err != nil {
			return err
		}
		if err := verifyAgainstAuditLog(ctx, tx, b.ID, &r); err != nil {
			return err
		}
		return verifyBalances(ctx, tx, b.ID, recomputed, &r)
	})
	return r, err
}

// verifyChain walks posted vouchers in chain order and returns the balances
// recomputed from their lines.
func (s *Store) verifyChain(ctx context.Context, tx bun.Tx, b Book, r *VerifyReport) (map[balanceRowKey]balanceSums, error) {
	sums := map[balanceRowKey]balanceSums{}
	numbers := map[string][]int{}
	prev := ""
	n := 0
	err := postedInChainOrder(ctx, tx, b, func(v Voucher) {
		n++
		label := v.Period + " " + v.Number
		r.seqOf[label] = max(v.ChainSeq, 1) // as stored: a deleted voucher leaves its successors' seq unchanged
		checkVoucher(v, int64(n), prev, label, r)
		prev = v.Hash
		numbers[v.Period] = append(numbers[v.Period], v.number)
		r.HeadNumber = label
		for _, l := range v.Lines {
			k := balanceRowKey{l.Account, l.Household, l.Party, v.Period}
			d := sums[k]
			if d.first == "" {
				d.first = label
			}
			d.fen = [2]int64{d.fen[0] + l.Debit.Fen(), d.fen[1] + l.Credit.Fen()}
			sums[k] = d
		}
	})
	if err != nil {
		return nil, err
	}
	r.Vouchers = n
	if int64(n) != b.ChainSeq || prev != b.ChainHead {
		r.fail("", "账套记录的链头（序号 %d）与凭证链（%d 张）不一致", b.ChainSeq, n)
	}
	checkNumbering(numbers, r)
	return sums, nil
}

// postedInChainOrder streams every posted voucher with its lines, in chain
// order, to fn: one query for the whole book (vouchers joined to their lines),
// so verifying ten million lines costs one pass, not a query per voucher.
func postedInChainOrder(ctx context.Context, tx bun.Tx, b Book, fn func(Voucher)) error {
	cols := strings.Split(voucherColumns, ",")
	for i, c := range cols {
		cols[i] = "v." + strings.TrimSpace(c)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+`, l.line_no, l.account_code, l.household_code, l.party_code,
		l.debit_fen, l.credit_fen, l.summary FROM vouchers v
		LEFT JOIN voucher_lines l ON l.book_id = v.book_id AND l.voucher_id = v.id
		WHERE v.book_id = ? AND v.status = 'posted' ORDER BY v.chain_seq, v.id, l.line_no`, b.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		cur  Voucher
		have bool
	)
	for rows.Next() {
		var (
			r                         voucherScan
			lineNo                    *int64
			account, household, party *string
			debit, credit             *int64
			summary                   *string
		)
		if err := rows.Scan(append(r.dest(), &lineNo, &account, &household, &party, &debit, &credit, &summary)...); err != nil {
			return err
		}
		if !have || r.v.ID != cur.ID {
			if have {
				fn(cur)
			}
			cur, have = r.voucher(b.Code), true
		}
		if lineNo != nil {
			cur.Lines = append(cur.Lines, Line{LineNo: int(*lineNo), Account: derefStr(account), Household: derefStr(household),
				Party: derefStr(party), Debit: Fen(deref(debit)), Credit: Fen(deref(credit)), Summary: derefStr(summary)})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if have {
		fn(cur)
	}
	return nil
}

func checkVoucher(v Voucher, seq int64, prev, label string, r *VerifyReport) {
	if v.ChainSeq != seq {
		r.fail(label, "凭证 %s 的链序号为 %d，应为 %d", label, v.ChainSeq, seq)
	}
	if v.PrevHash != prev {
		r.fail(label, "凭证 %s 记录的前一哈希与前一张凭证不符", label)
	}
	if got := VoucherHash(v); got != v.Hash {
		r.fail(label, "凭证 %s 的内容与其哈希不符（内容在过账后被改动）", label)
	}
	var debit, credit int64
	for _, l := range v.Lines {
		debit, credit = debit+l.Debit.Fen(), credit+l.Credit.Fen()
	}
	if debit != credit || debit == 0 || debit != v.Total.Fen() {
		r.fail(label, "凭证 %s 借贷不平衡或合计不符：借 %s 贷 %s 合计 %s", label, Fen(debit), Fen(credit), v.Total)
	}
}

// checkNumbering requires numbers 1..n in every month: no gaps, no duplicates.
func checkNumbering(numbers map[string][]int, r *VerifyReport) {
	periods := make([]string, 0, len(numbers))
	for p := range numbers {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	for _, p := range periods {
		ns := numbers[p]
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				r.fail(p+" "+FormatNumber(n), "%s 期间凭证号不连续：第 %d 张的编号为 %s", p, i+1, FormatNumber(n))
				break
			}
		}
	}
}

// failHint records a problem that only points near a voucher (a maintained
// balance that differs: the first voucher that moved it); it names FirstBad
// only when nothing more precise did.
func (r *VerifyReport) failHint(voucher, format string, args ...any) {
	if r.FirstBad == "" && voucher != "" {
		r.FirstBad, r.firstSeq = voucher, r.seqOf[voucher]
	}
	r.fail("", format, args...)
}

type balanceRowKey struct{ account, household, party, period string }

// balanceSums are the debit and credit recomputed for one balances row and
// the first voucher (in chain order) that moved it.
type balanceSums struct {
	fen   [2]int64
	first string
}

func verifyBalances(ctx context.Context, tx bun.Tx, bookID int64, want map[balanceRowKey]balanceSums, r *VerifyReport) error {
	rows, err := tx.QueryContext(ctx, "SELECT account_code, household_code, party_code, period, debit_fen, credit_fen FROM balances WHERE book_id = ?", bookID)
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
			r.failHint(w.first, "余额表 %s 期间科目 %s（%s%s）为 借 %s 贷 %s，按凭证重算应为 借 %s 贷 %s",
				k.period, k.account, k.household, k.party, Fen(d), Fen(c), Fen(w.fen[0]), Fen(w.fen[1]))
		}
	}
	for k, w := range want {
		if !seen[k] && w.fen != [2]int64{} {
			r.failHint(w.first, "余额表缺少 %s 科目 %s %s%s 的记录", k.period, k.account, k.household, k.party)
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
		if a.first == "" || (w.first != "" && r.seqOf[w.first] < r.seqOf[a.first]) {
			a.first = w.first
		}
		wantAcc[ak] = a
	}
	rows, err := tx.QueryContext(ctx, "SELECT account_code, period, debit_fen, credit_fen FROM account_balances WHERE book_id = ?", bookID)
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
			r.failHint(w.first, "科目月合计表 %s 期间科目 %s 为 借 %s 贷 %s，按凭证重算应为 借 %s 贷 %s",
				k.period, k.account, Fen(d), Fen(c), Fen(w.fen[0]), Fen(w.fen[1]))
		}
	}
	for k, w := range wantAcc {
		if !seen[k] && w.fen != [2]int64{} {
			r.failHint(w.first, "科目月合计表缺少 %s 科目 %s 的记录", k.period, k.account)
		}
	}
	return rows.Err()
}

// verifyAgainstAuditLog compares every posting the append-only audit log
// recorded with the voucher in the book: a posted voucher deleted, renumbered
// or re-hashed behind the triggers' back is named by the number it was posted
// under.
func verifyAgainstAuditLog(ctx context.Context, tx bun.Tx, bookID int64, r *VerifyReport) error {
	type header struct {
		status, period, hash, prev string
		number                     int
		seq                        int64
	}
	vouchers := map[string]header{}   // by id
	bySuccessor := map[string]int64{} // prev hash → seq of the voucher after it
	rows, err := tx.QueryContext(ctx, `SELECT id, status, period, COALESCE(number, 0), COALESCE(hash, ''), COALESCE(prev_hash, ''),
		COALESCE(chain_seq, 0) FROM vouchers WHERE book_id = ?`, bookID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var h header
		if err := rows.Scan(&id, &h.status, &h.period, &h.number, &h.hash, &h.prev, &h.seq); err != nil {
			rows.Close()
			return err
		}
		vouchers[fmt.Sprint(id)] = h
		if h.prev != "" {
			bySuccessor[h.prev] = h.seq
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT entity_key, after_json FROM audit_log WHERE book_id = ? AND action = 'post' AND entity = 'voucher' ORDER BY id`, bookID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, after string
		if err := rows.Scan(&key, &after); err != nil {
			return err
		}
		var posted struct{ Number, Period, Hash string }
		if json.Unmarshal([]byte(after), &posted) != nil || posted.Number == "" {
			continue
		}
		label := posted.Period + " " + posted.Number
		v, ok := vouchers[key]
		switch {
		case !ok || v.status != string(StatusPosted):
			if _, known := r.seqOf[label]; !known {
				if seq := bySuccessor[posted.Hash]; seq > 0 {
					r.seqOf[label] = seq - 1
				}
			}
			r.fail(label, "审计日志记录凭证 %s（id %s）已过账，哈希 %s，但账中已没有这张已过账凭证", label, key, posted.Hash)
		case v.period+" "+FormatNumber(v.number) != label || v.hash != posted.Hash:
			r.fail(label, "凭证 %s（id %s）过账时记入审计日志的编号或哈希与现在的 %s %s 不符", label, key, v.period, FormatNumber(v.number))
		}
	}
	return rows.Err()
}
