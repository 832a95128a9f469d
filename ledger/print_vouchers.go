package ledger

// Group print: vouchers and account books as 会计基础工作规范 prints them.
// Files: print_vouchers.go (a month's vouchers with names and signatures),
// print_books.go (总账, 明细账 and 日记账 by month). Entry points:
// VoucherPrint, AccountBookOf, GeneralLedgerOf. Uses core only.

import (
	"context"
	"sort"
	"strings"
)

// maxPrintVouchers bounds one month's print; a larger month is printed by
// number range through the voucher list.
const maxPrintVouchers = 5000

// PrintedLine is a voucher line with its accounts by name: 总账科目 is the
// first-level account, 明细科目 the sub-account and the household or party.
type PrintedLine struct {
	Summary     string `json:"summary"`
	GeneralCode string `json:"general_code"`
	GeneralName string `json:"general_name"`
	DetailName  string `json:"detail_name,omitempty"`  // sub-account name, when the line's account is one
	SubjectName string `json:"subject_name,omitempty"` // household head or party name
	SubjectCode string `json:"subject_code,omitempty"` // household or party code, printed small
	Account     string `json:"account"`
	Debit       Money  `json:"debit,omitzero"`
	Credit      Money  `json:"credit,omitzero"`
}

// PrintedVoucher is one posted voucher as printed (第51条).
type PrintedVoucher struct {
	ID          int64         `json:"id"`
	Number      string        `json:"number"`
	Date        string        `json:"date"`
	Summary     string        `json:"summary"`
	Attachments int           `json:"attachments"`
	Lines       []PrintedLine `json:"lines"`
	Debit       Money         `json:"debit"`
	Credit      Money         `json:"credit"`
	Hash        string        `json:"hash,omitempty"`
	// Signatures: empty means the line is left for a hand signature.
	Supervisor string `json:"supervisor"` // 会计主管
	Bookkeeper string `json:"bookkeeper"` // 记账: the preparer who keeps the book
	Reviewer   string `json:"reviewer"`   // 审核: the reviewer who posted
	Cashier    string `json:"cashier"`    // 出纳: who recorded the payment, on cash and bank vouchers
	Preparer   string `json:"preparer"`   // 制单
	CashOrBank bool   `json:"cash_or_bank"`
}

// VoucherPrintSet is a month's posted vouchers in number order.
type VoucherPrintSet struct {
	Book     string           `json:"book"`
	BookName string           `json:"book_name"`
	Period   string           `json:"period"`
	Vouchers []PrintedVoucher `json:"vouchers"`
}

// VoucherPrint returns the posted vouchers of one month ready to print.
//
// Signatures: 制单 is the preparer; 审核 the reviewer who posted; 记账 the
// preparer too — posting is a step of the review, so the entry into the book
// is the book-keeper's, and since nobody may review his own voucher 记账 and
// 审核 are two people by construction. 出纳 is the user who recorded the
// payments of a generated payment voucher; on other cash and bank vouchers it
// is left blank for the cashier's hand. 会计主管 is left blank (no role holds
// it yet).
//
// 附单据: a generated accrual or payment voucher whose stored count is 0
// counts its roster or bank file as one source document; closing and
// correcting (red reversal) vouchers are exempt and print what is stored. A
// voucher with source documents attached (addenda included) prints at least
// their number: a scan is of a paper the typed count already counts.
func (s *Store) VoucherPrint(ctx context.Context, a Actor, bookCode, period string) (VoucherPrintSet, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return VoucherPrintSet{}, FieldError("period", "%s", err.Error())
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return VoucherPrintSet{}, err
	}
	vs, err := s.postedInPeriod(ctx, a, b.Code, string(p))
	if err != nil {
		return VoucherPrintSet{}, err
	}
	names, err := newPrintNames(ctx, s, a, b, vs)
	if err != nil {
		return VoucherPrintSet{}, err
	}
	out := VoucherPrintSet{Book: b.Code, BookName: b.Name, Period: string(p), Vouchers: []PrintedVoucher{}}
	for _, v := range vs {
		out.Vouchers = append(out.Vouchers, names.voucher(v))
	}
	return out, nil
}

// postedInPeriod pages through a month's posted vouchers, in number order.
func (s *Store) postedInPeriod(ctx context.Context, a Actor, book, period string) ([]Voucher, error) {
	var all []Voucher
	var after int64
	for len(all) <= maxPrintVouchers {
		page, err := s.Vouchers(ctx, a, book, VoucherFilter{Period: period, Status: StatusPosted, After: after, Limit: maxPageSize})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < maxPageSize {
			sort.Slice(all, func(i, j int) bool { return all[i].Number < all[j].Number })
			return all, nil
		}
		after = page[len(page)-1].ID
	}
	return nil, FieldError("period", "%s 的凭证超过 %d 张，请按凭证号分批打印", period, maxPrintVouchers)
}

// printNames resolves codes and user ids to the names a voucher prints.
type printNames struct {
	accounts   map[string]Account
	households map[string]string
	parties    map[string]string
	users      map[int64]string
	generated  map[int64]bool  // accrual and payment vouchers
	cashiers   map[int64]int64 // payment voucher → who recorded the payments
	documents  map[int64]int   // voucher → source documents attached (core_documents.go)
}

func newPrintNames(ctx context.Context, s *Store, a Actor, b Book, vs []Voucher) (*printNames, error) {
	n := &printNames{accounts: map[string]Account{}, households: map[string]string{}, parties: map[string]string{},
		generated: map[int64]bool{}, cashiers: map[int64]int64{}}
	accs, err := loadAccounts(ctx, s.db, b.ID)
	if err != nil {
		return nil, err
	}
	for _, acc := range accs {
		n.accounts[acc.Code] = acc
	}
	if n.users, err = s.UserNames(ctx, a, b.Code); err != nil {
		return nil, err
	}
	hh, pp := map[string]bool{}, map[string]bool{}
	ids := make([]int64, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.ID)
		for _, l := range v.Lines {
			if l.Household != "" {
				hh[l.Household] = true
			}
			if l.Party != "" {
				pp[l.Party] = true
			}
		}
	}
	if err := n.load(ctx, s, "SELECT code, head_name FROM households WHERE book_id = ? AND code IN (?)", b.ID, keys(hh), n.households); err != nil {
		return nil, err
	}
	if err := n.load(ctx, s, "SELECT code, name FROM parties WHERE book_id = ? AND code IN (?)", b.ID, keys(pp), n.parties); err != nil {
		return nil, err
	}
	if n.documents, err = documentCounts(ctx, s, b.ID, vs); err != nil {
		return nil, err
	}
	return n, n.loadGenerated(ctx, s, b.ID, ids)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// load fills dst from a code → name query, 500 codes at a time.
func (n *printNames) load(ctx context.Context, s *Store, q string, bookID int64, codes []string, dst map[string]string) error {
	for start := 0; start < len(codes); start += 500 {
		chunk := codes[start:min(start+500, len(codes))]
		args := []any{bookID}
		for _, c := range chunk {
			args = append(args, c)
		}
		qq := strings.Replace(q, "(?)", "("+strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")+")", 1)
		rows, err := rawQuery(ctx, s.db, qq, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return err
			}
			dst[code] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// loadGenerated marks the accrual and payment vouchers among ids and who
// recorded each payment voucher's payments.
func (n *printNames) loadGenerated(ctx context.Context, s *Store, bookID int64, ids []int64) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",") + ")"
		args := []any{bookID}
		for _, id := range chunk {
			args = append(args, id)
		}
		q := `SELECT DISTINCT accrual_voucher_id, 0 FROM payout_lines WHERE book_id = ? AND accrual_voucher_id IN ` + in + `
			UNION SELECT voucher_id, MIN(created_by) FROM payments WHERE book_id = ? AND voucher_id IN ` + in + ` GROUP BY voucher_id`
		rows, err := rawQuery(ctx, s.db, q, append(args, args...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, by int64
			if err := rows.Scan(&id, &by); err != nil {
				rows.Close()
				return err
			}
			n.generated[id] = true
			if by != 0 {
				n.cashiers[id] = by
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (n *printNames) voucher(v Voucher) PrintedVoucher {
	pv := PrintedVoucher{ID: v.ID, Number: v.Number, Date: v.Date, Summary: v.Summary, Attachments: v.Attachments, Hash: v.Hash,
		Preparer: n.users[v.PreparerID], Bookkeeper: n.users[v.PreparerID], Reviewer: n.users[v.ReviewerID]}
	if v.ReviewerID == 0 { // no reviewer on record (an imported voucher): blank, not 系统
		pv.Reviewer = ""
	}
	if pv.Attachments == 0 && n.generated[v.ID] {
		pv.Attachments = 1 // the roster or the bank file
	}
	// The attached scans are of the source documents the count counts:
	// at least as many are printed, never the two added up.
	pv.Attachments = max(pv.Attachments, n.documents[v.ID])
	if by, ok := n.cashiers[v.ID]; ok {
		pv.Cashier = n.users[by]
	}
	for _, l := range v.Lines {
		pv.Lines = append(pv.Lines, n.line(v, l))
		pv.Debit, pv.Credit = pv.Debit.Add(l.Debit), pv.Credit.Add(l.Credit)
		if strings.HasPrefix(l.Account, "101") || strings.HasPrefix(l.Account, "102") {
			pv.CashOrBank = true
		}
	}
	return pv
}

func (n *printNames) line(v Voucher, l Line) PrintedLine {
	general := l.Account
	if len(general) > 3 {
		general = general[:3]
	}
	pl := PrintedLine{Summary: l.Summary, GeneralCode: general, GeneralName: n.accounts[general].Name, Account: l.Account,
		Debit: l.Debit, Credit: l.Credit}
	if pl.Summary == "" {
		pl.Summary = v.Summary
	}
	if l.Account != general {
		pl.DetailName = n.accounts[l.Account].Name
	}
	switch {
	case l.Household != "":
		pl.SubjectName, pl.SubjectCode = n.households[l.Household], l.Household
	case l.Party != "":
		pl.SubjectName, pl.SubjectCode = n.parties[l.Party], l.Party
	}
	return pl
}
