package ledger

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// multiInsert is one multi-row INSERT: head ("INSERT INTO t (…) VALUES "),
// the values of a row, an optional suffix (ON CONFLICT …) and the rows a
// statement carries (0: as many as 32,000 parameters allow, within both
// databases' limits: SQLite 32,766, PostgreSQL 65,535).
type multiInsert struct {
	head    string
	cols    int
	suffix  string
	perStmt int
}

type multiRowKey struct {
	head, suffix string
	cols, rows   int
}

var multiRowTexts sync.Map // multiRowKey → statement text

// sql returns the statement text for rows rows: head, "(?, …)" groups, suffix.
func (m multiInsert) sql(rows int) string {
	k := multiRowKey{m.head, m.suffix, m.cols, rows}
	if q, ok := multiRowTexts.Load(k); ok {
		return q.(string)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", m.cols), ", ") + ")"
	var q strings.Builder
	q.Grow(len(m.head) + rows*(len(one)+2) + len(m.suffix))
	q.WriteString(m.head)
	for i := 0; i < rows; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(one)
	}
	q.WriteString(m.suffix)
	// Bulk imports' last chunks have any size; caching their texts would
	// only fill the map, so those are built each time.
	if m.perStmt > 0 || rows == m.maxRows() {
		multiRowTexts.Store(k, q.String())
	}
	return q.String()
}

func (m multiInsert) maxRows() int {
	if m.perStmt > 0 {
		return m.perStmt
	}
	return max(1, 32000/m.cols)
}

// exec writes rows (each m.cols values) in statements of m.maxRows() rows.
// Statements go through the prepared-statement cache, except a bulk insert's
// shorter last chunk, whose text rarely recurs. On SQLite each statement of a
// large transaction copies the pages it changes that earlier statements
// changed to the statement journal, so bulk writes use few, large statements.
func (m multiInsert) exec(ctx context.Context, s *Store, tx bun.IDB, rows [][]any) error {
	per := m.maxRows()
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, m.cols*len(chunk))
		for _, r := range chunk {
			args = append(args, r...)
		}
		q := m.sql(len(chunk))
		var err error
		if m.perStmt > 0 || len(chunk) == per {
			_, err = s.execSQL(ctx, tx, q, args...)
		} else {
			_, err = rawExec(ctx, tx, q, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// balanceRowKey is one row of the maintained balances: account, household,
// party and month.
type balanceRowKey struct{ account, household, party, period string }

// balanceDeltas sums lines per maintained-balance row: [debit, credit] in fen.
// Posting one voucher and importing a batch both add through it.
type balanceDeltas map[balanceRowKey][2]int64

// add sums the lines of one voucher of month period.
func (d balanceDeltas) add(period string, lines []Line) {
	for _, l := range lines {
		k := balanceRowKey{l.Account, l.Household, l.Party, period}
		t := d[k]
		d[k] = [2]int64{t[0] + l.Debit.Fen(), t[1] + l.Credit.Fen()}
	}
}

// accountPeriod is one row of the per-account totals (account_balances).
type accountPeriod struct{ account, period string }

// perAccount sums the rows per account and month.
func (d balanceDeltas) perAccount() map[accountPeriod][2]int64 {
	out := map[accountPeriod][2]int64{}
	for k, v := range d {
		ak := accountPeriod{k.account, k.period}
		t := out[ak]
		out[ak] = [2]int64{t[0] + v[0], t[1] + v[1]}
	}
	return out
}

var upsertBalances = multiInsert{
	head: "INSERT INTO balances (book_id, account_code, household_code, party_code, period, debit_fen, credit_fen) VALUES ",
	cols: 7,
	suffix: ` ON CONFLICT (book_id, account_code, household_code, party_code, period)
		DO UPDATE SET debit_fen = balances.debit_fen + excluded.debit_fen, credit_fen = balances.credit_fen + excluded.credit_fen`,
}

var upsertAccountBalances = multiInsert{
	head: "INSERT INTO account_balances (book_id, account_code, period, debit_fen, credit_fen) VALUES ",
	cols: 5,
	suffix: ` ON CONFLICT (book_id, account_code, period)
		DO UPDATE SET debit_fen = account_balances.debit_fen + excluded.debit_fen, credit_fen = account_balances.credit_fen + excluded.credit_fen`,
	perStmt: balanceRowsPerUpsert,
}

// balanceRowsPerUpsert bounds one upsert of a single voucher's balances.
const balanceRowsPerUpsert = 100

// addBalanceDeltas adds d to the maintained balances and the per-account
// totals, rows in key order so concurrent transactions on PostgreSQL lock
// rows in the same order. perStmt is the rows a statement carries (0: bulk).
func (s *Store) addBalanceDeltas(ctx context.Context, tx bun.IDB, bookID int64, d balanceDeltas, perStmt int) error {
	keys := make([]balanceRowKey, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.account != b.account {
			return a.account < b.account
		}
		if a.household != b.household {
			return a.household < b.household
		}
		if a.party != b.party {
			return a.party < b.party
		}
		return a.period < b.period
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		v := d[k]
		rows[i] = []any{bookID, k.account, k.household, k.party, k.period, v[0], v[1]}
	}
	up := upsertBalances
	up.perStmt = perStmt
	if err := up.exec(ctx, s, tx, rows); err != nil {
		return err
	}
	return s.addAccountBalances(ctx, tx, bookID, d.perAccount())
}

// addAccountBalances adds per-account sums to account_balances, in key order.
func (s *Store) addAccountBalances(ctx context.Context, tx bun.IDB, bookID int64, sums map[accountPeriod][2]int64) error {
	keys := make([]accountPeriod, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].account != keys[j].account {
			return keys[i].account < keys[j].account
		}
		return keys[i].period < keys[j].period
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		v := sums[k]
		rows[i] = []any{bookID, k.account, k.period, v[0], v[1]}
	}
	return upsertAccountBalances.exec(ctx, s, tx, rows)
}
