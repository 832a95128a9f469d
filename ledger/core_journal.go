package ledger

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// Journal formats other tools can check independently.
const (
	JournalHledger   = "hledger"   // hledger 1.25: `hledger -f FILE check -s`
	JournalBeancount = "beancount" // beancount 2.3: `bean-check FILE`
)

// journalCommodity is the currency of every amount.
const journalCommodity = "CNY"

// The five roots beancount requires. Categories map onto them: 资产 and 成本
// (production cost in progress is an asset until it is sold) → Assets,
// 负债 → Liabilities, 所有者权益 → Equity, 损益 → Income when the account's
// normal side is credit, Expenses when it is debit.
const (
	rootAssets      = "Assets"
	rootLiabilities = "Liabilities"
	rootEquity      = "Equity"
	rootIncome      = "Income"
	rootExpenses    = "Expenses"
)

// JournalAccountRoot returns the root an account of the chart goes under.
func JournalAccountRoot(a Account) string {
	switch a.Category {
	case CategoryAsset, CategoryCost:
		return rootAssets
	case CategoryLiability:
		return rootLiabilities
	case CategoryEquity:
		return rootEquity
	}
	if a.NormalSide == Credit {
		return rootIncome
	}
	return rootExpenses
}

// JournalSegment turns a household or party code into an account component
// both tools accept (beancount: a capital letter or digit first, then letters,
// digits and '-'): a prefix letter and '-', then the code with '-' written
// "--" and '_' written "-u", so distinct codes stay distinct.
func JournalSegment(prefix byte, code string) string {
	var b strings.Builder
	b.WriteByte(prefix)
	b.WriteByte('-')
	for _, r := range code {
		switch {
		case r == '-':
			b.WriteString("--")
		case r == '_':
			b.WriteString("-u")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// JournalAccount is the account name of a line: the root, the chain of chart
// codes from the first level down, then H-<household> or P-<party>, e.g.
// "Liabilities:211:21101:H-H001".
func JournalAccount(chart map[string]Account, code, household, party string) string {
	var path []string
	for c := code; c != ""; c = chart[c].Parent {
		path = append(path, c)
		if len(path) > 16 {
			break
		}
	}
	root := rootAssets
	if a, ok := chart[code]; ok {
		root = JournalAccountRoot(a)
	}
	parts := []string{root}
	for i := len(path) - 1; i >= 0; i-- {
		parts = append(parts, path[i])
	}
	if household != "" {
		parts = append(parts, JournalSegment('H', household))
	}
	if party != "" {
		parts = append(parts, JournalSegment('P', party))
	}
	return strings.Join(parts, ":")
}

// Journal writes every posted voucher of a book in [from, to] as a
// transaction of an hledger or beancount journal, preceded by the opening
// balances when the range starts after the book's first month. Empty from and
// to mean the book's first and last month. The chain head heads the file.
func (s *Store) Journal(ctx context.Context, a Actor, bookCode, format string, from, to Period, w io.Writer) error {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return err
	}
	return s.journal(ctx, b, format, from, to, w)
}

func (s *Store) journal(ctx context.Context, b Book, format string, from, to Period, w io.Writer) error {
	if format != JournalHledger && format != JournalBeancount {
		return FieldError("format", "格式应为 hledger 或 beancount，收到 %q", truncate(format, 16))
	}
	r, err := s.journalRange(ctx, b, from, to)
	if err != nil {
		return err
	}
	if s.dialect == SQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		j := &journalWriter{w: bw, beancount: format == JournalBeancount, book: b, r: r}
		return j.write(ctx, tx)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// journalRange fills in and checks the range.
func (s *Store) journalRange(ctx context.Context, b Book, from, to Period) (PeriodRange, error) {
	if from == "" {
		from = Period(b.StartPeriod)
	}
	if to == "" {
		var last *string
		if err := s.db.NewRaw("SELECT MAX(period) FROM vouchers WHERE book_id = ? AND status = 'posted'", b.ID).Scan(ctx, &last); err != nil && !isNoRows(err) {
			return PeriodRange{}, err
		}
		to = max(from, Period(derefStr(last)))
	}
	return ParseRange(string(from), string(to))
}

type journalWriter struct {
	w         *bufio.Writer
	beancount bool
	book      Book
	r         PeriodRange
	chart     map[string]Account
}

// lineKey is one posting account: chart account and sub-ledger.
type lineKey struct{ account, household, party string }

func (j *journalWriter) write(ctx context.Context, tx bun.Tx) error {
	accounts, err := loadAccounts(ctx, tx, j.book.ID)
	if err != nil {
		return err
	}
	j.chart = map[string]Account{}
	for _, a := range accounts {
		j.chart[a.Code] = a
	}
	head, err := chainHeadOf(ctx, tx, j.book)
	if err != nil {
		return err
	}
	used, opening, err := j.load(ctx, tx)
	if err != nil {
		return err
	}
	j.header(head)
	j.declare(used)
	j.opening(opening)
	return j.transactions(ctx, tx)
}

// load returns every posting account used up to the end of the range and the
// balances before its start, recomputed from the posted lines.
func (j *journalWriter) load(ctx context.Context, tx bun.Tx) ([]lineKey, map[lineKey]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.account_code, COALESCE(l.household_code, ''), COALESCE(l.party_code, ''),
		SUM(CASE WHEN v.period < ? THEN l.debit_fen - l.credit_fen ELSE 0 END)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period <= ? GROUP BY 1, 2, 3`, string(j.r.From), j.book.ID, string(j.r.To))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var used []lineKey
	opening := map[lineKey]int64{}
	for rows.Next() {
		var k lineKey
		var net int64
		if err := rows.Scan(&k.account, &k.household, &k.party, &net); err != nil {
			return nil, nil, err
		}
		used = append(used, k)
		if net != 0 {
			opening[k] = net
		}
	}
	sort.Slice(used, func(a, b int) bool { return j.name(used[a]) < j.name(used[b]) })
	return used, opening, rows.Err()
}

func (j *journalWriter) name(k lineKey) string {
	return JournalAccount(j.chart, k.account, k.household, k.party)
}

func (j *journalWriter) date() string { return string(j.r.From) + "-01" }

func (j *journalWriter) header(head ChainHead) {
	w := j.w
	fmt.Fprintf(w, "; coopledger journal — %s %s（%s %s）\n", j.book.Code, oneLine(j.book.Name), j.book.Township.Code, oneLine(j.book.Township.Name))
	fmt.Fprintf(w, "; 期间 %s 至 %s；金额单位 元（%s）\n", j.r.From, j.r.To, journalCommodity)
	fmt.Fprintf(w, "; %s\n", head.String())
	fmt.Fprintf(w, "; 科目：Assets=资产、成本 Liabilities=负债 Equity=所有者权益 Income/Expenses=损益（贷方/借方科目）；H-=农户 P-=往来单位\n\n")
	if j.beancount {
		fmt.Fprintf(w, "option \"title\" %s\n", quote(j.book.Code+" "+j.book.Name))
		fmt.Fprintf(w, "option \"operating_currency\" \"%s\"\n\n", journalCommodity)
		fmt.Fprintf(w, "%s commodity %s\n\n", j.date(), journalCommodity)
	} else {
		fmt.Fprintf(w, "commodity 1000.00 %s\n\n", journalCommodity)
	}
}

// declare opens every posting account, with the chart's Chinese name.
func (j *journalWriter) declare(used []lineKey) {
	for _, k := range used {
		name := j.chart[k.account].Name
		if j.beancount {
			fmt.Fprintf(j.w, "%s open %s %s\n  name: %s\n", j.date(), j.name(k), journalCommodity, quote(k.account+" "+name))
		} else {
			fmt.Fprintf(j.w, "account %s  ; %s %s\n", j.name(k), k.account, oneLine(name))
		}
	}
	fmt.Fprintln(j.w)
}

// opening writes the balances before the range as one transaction.
func (j *journalWriter) opening(opening map[lineKey]int64) {
	if len(opening) == 0 {
		return
	}
	keys := make([]lineKey, 0, len(opening))
	for k := range opening {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return j.name(keys[a]) < j.name(keys[b]) })
	summary := fmt.Sprintf("期初余额（%s 之前）", j.r.From)
	if j.beancount {
		fmt.Fprintf(j.w, "%s * %s\n  voucher: \"期初\"\n", j.date(), quote(summary))
	} else {
		fmt.Fprintf(j.w, "%s * (期初) %s\n", j.date(), summary)
	}
	for _, k := range keys {
		j.posting(k, opening[k], "")
	}
	fmt.Fprintln(j.w)
}

func (j *journalWriter) posting(k lineKey, net int64, summary string) {
	amount := Fen(net).String() + " " + journalCommodity
	name := j.name(k)
	if j.beancount {
		fmt.Fprintf(j.w, "  %s  %s\n", name, amount)
		if k.household != "" {
			fmt.Fprintf(j.w, "    household: %s\n", quote(k.household))
		}
		if k.party != "" {
			fmt.Fprintf(j.w, "    party: %s\n", quote(k.party))
		}
		if summary != "" {
			fmt.Fprintf(j.w, "    summary: %s\n", quote(summary))
		}
		return
	}
	var tags []string
	if summary != "" {
		tags = append(tags, hledgerText(summary))
	}
	if k.household != "" {
		tags = append(tags, "household:"+k.household)
	}
	if k.party != "" {
		tags = append(tags, "party:"+k.party)
	}
	comment := ""
	if len(tags) > 0 {
		comment = "  ; " + strings.Join(tags, ", ")
	}
	fmt.Fprintf(j.w, "    %s  %s%s\n", name, amount, comment)
}

// transactions streams the posted vouchers of the range in date order.
func (j *journalWriter) transactions(ctx context.Context, tx bun.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT v.id, v.date, v.period, v.number, v.summary, COALESCE(v.hash, ''), COALESCE(v.reverses_id, 0),
		l.account_code, COALESCE(l.household_code, ''), COALESCE(l.party_code, ''), l.debit_fen, l.credit_fen, l.summary
		FROM vouchers v JOIN voucher_lines l ON l.book_id = v.book_id AND l.voucher_id = v.id
		WHERE v.book_id = ? AND v.status = 'posted' AND v.period >= ? AND v.period <= ?
		ORDER BY v.date, v.period, v.number, l.line_no`, j.book.ID, string(j.r.From), string(j.r.To))
	if err != nil {
		return err
	}
	defer rows.Close()
	var current int64
	for rows.Next() {
		var id, reverses, d, c int64
		var number int
		var date, period, summary, hash, lineSummary string
		var k lineKey
		if err := rows.Scan(&id, &date, &period, &number, &summary, &hash, &reverses, &k.account, &k.household, &k.party, &d, &c, &lineSummary); err != nil {
			return err
		}
		if id != current {
			if current != 0 {
				fmt.Fprintln(j.w)
			}
			current = id
			j.transaction(id, date, VoucherLabel(period, number), summary, hash, reverses)
		}
		j.posting(k, d-c, lineSummary)
	}
	if current != 0 {
		fmt.Fprintln(j.w)
	}
	return rows.Err()
}

func (j *journalWriter) transaction(id int64, date, label, summary, hash string, reverses int64) {
	if j.beancount {
		fmt.Fprintf(j.w, "%s * %s\n  voucher: %s\n  voucher_id: %d\n  hash: %s\n", date, quote(summary), quote(label), id, quote(hash))
		if reverses != 0 {
			fmt.Fprintf(j.w, "  reverses_id: %d\n", reverses)
		}
		return
	}
	tags := fmt.Sprintf("voucher:%s, voucher_id:%d, hash:%s", label, id, hash)
	if reverses != 0 {
		tags += fmt.Sprintf(", reverses_id:%d", reverses)
	}
	fmt.Fprintf(j.w, "%s * (%s) %s  ; %s\n", date, label, hledgerText(summary), tags)
}

// quote writes a beancount string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ", "\r", " ").Replace(s) + `"`
}

// oneLine keeps a name on its line.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// hledgerText keeps text from starting a comment, a tag or a second column:
// ';', ':' and ',' become their full-width forms, runs of spaces one space.
func hledgerText(s string) string {
	s = strings.NewReplacer(";", "；", ":", "：", ",", "，", "\t", " ", "\n", " ", "\r", " ", "(", "（", ")", "）").Replace(s)
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return strings.TrimSpace(s)
}
