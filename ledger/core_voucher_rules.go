package ledger

import (
	"fmt"
	"strings"
)

// checkShape validates a voucher on its own, before looking at the book.
// allowNegative is true only for red reversals built by Reverse.
func (in VoucherInput) checkShape(allowNegative bool) ([]Line, Money, error) {
	var v validation
	if _, err := ParseDate(in.Date); err != nil {
		v.Add("date", "%s", err.Error())
	}
	if !v.text("summary", in.Summary) && !validName(in.Summary, maxSummary) {
		v.Add("summary", "摘要不能为空且不超过 %d 个字", maxSummary)
	}
	if in.Attachments < 0 || in.Attachments > maxAttachments {
		v.Add("attachments", "附件张数应为 0 到 %d", maxAttachments)
	}
	if len(in.Lines) < minLines || len(in.Lines) > maxLines {
		v.Add("lines", "凭证应有 %d 到 %d 行分录，收到 %d 行", minLines, maxLines, len(in.Lines))
	}
	return checkBalancedLines(&v, in.Lines, allowNegative, voucherBalance)
}

// balanceWording names what must balance in the unbalanced error.
type balanceWording struct{ what, side string }

var (
	voucherBalance = balanceWording{what: "借贷", side: ""}
	openingBalance = balanceWording{what: "期初余额", side: "余额"}
)

// checkBalancedLines is the one line check and debit = credit rule of every
// voucher (entered, imported, opening balances): it checks each line, numbers
// them, and refuses with v's problems (joined by those of the caller) or,
// when debits and credits differ or are zero, ECodeUnbalanced. It returns the
// lines and their total.
func checkBalancedLines(v *validation, in []LineInput, allowNegative bool, w balanceWording) ([]Line, Money, error) {
	lines := make([]Line, 0, len(in))
	var debit, credit Money
	for i, li := range in {
		l := li.check(v, fmt.Sprintf("lines[%d]", i), allowNegative)
		l.LineNo = i + 1
		debit, credit = debit.Add(l.Debit), credit.Add(l.Credit)
		lines = append(lines, l)
	}
	if err := v.Err(); err != nil {
		return nil, Money{}, err
	}
	if debit != credit || debit.IsZero() {
		return nil, Money{}, &Error{Code: ECodeUnbalanced,
			Message: fmt.Sprintf("%s不平衡：借方合计 %s，贷方合计 %s", w.what, debit, credit),
			Details: []Detail{{Field: "lines", Message: fmt.Sprintf("借方%s合计应等于贷方%s合计且不为零", w.side, w.side)}}}
	}
	return lines, debit, nil
}

func (li LineInput) check(v *validation, field string, allowNegative bool) Line {
	l := Line{Account: strings.TrimSpace(li.Account), Household: li.Household, Party: li.Party, Summary: strings.TrimSpace(li.Summary),
		Trade: li.Trade}
	if l.Account == "" {
		v.Add(field+".account", "科目不能为空")
	}
	if li.Household != "" && !validCode(li.Household) {
		v.Add(field+".household", "户编号格式不正确")
	}
	if li.Party != "" && !validCode(li.Party) {
		v.Add(field+".party", "单位编号格式不正确")
	}
	if !v.text(field+".summary", li.Summary) && len([]rune(l.Summary)) > maxSummary {
		v.Add(field+".summary", "分录摘要不超过 %d 个字", maxSummary)
	}
	switch {
	case li.Debit != nil && li.Credit != nil:
		v.Add(field, "一行分录只能填借方或贷方其中之一")
	case li.Debit == nil && li.Credit == nil:
		v.Add(field, "一行分录必须填写借方或贷方金额")
	case li.Debit != nil:
		l.Debit = *li.Debit
		checkLineAmount(v, field+".debit", l.Debit, allowNegative)
	default:
		l.Credit = *li.Credit
		checkLineAmount(v, field+".credit", l.Credit, allowNegative)
	}
	return l
}

func checkLineAmount(v *validation, field string, m Money, allowNegative bool) {
	switch {
	case m.IsZero():
		v.Add(field, "金额不能为零")
	case m.IsNegative() && !allowNegative:
		v.Add(field, "金额不能为负数（更正错账请使用红字冲销）")
	case m.Fen() > maxLineFen || m.Fen() < -maxLineFen:
		v.Add(field, "金额过大")
	}
}

// check adds a problem to v for every line whose account, household or party
// is not in the book, or whose auxiliary dimension does not fit its account.
func (refs lineRefs) check(lines []Line, v *validation) {
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		acc, ok := refs.accounts[l.Account]
		if !ok {
			v.Add(field+".account", "科目不存在：%s", truncate(l.Account, 16))
			continue
		}
		checkLineAux(acc, l, field, v)
		if l.Household != "" && !refs.households[l.Household] {
			v.Add(field+".household", "本账套没有此农户：%s", l.Household)
		}
		if l.Party != "" && !refs.parties[l.Party] {
			v.Add(field+".party", "本账套没有此单位：%s", l.Party)
		}
	}
}

func checkLineAux(acc Account, l Line, field string, v *validation) {
	if !acc.Leaf {
		v.Add(field+".account", "科目 %s %s 有明细科目，请使用末级科目", acc.Code, acc.Name)
		return
	}
	switch {
	case acc.Aux == AuxHousehold && l.Household == "":
		v.Add(field+".household", "科目 %s %s 须指定农户（辅助核算）", acc.Code, acc.Name)
	case acc.Aux == AuxParty && l.Party == "":
		v.Add(field+".party", "科目 %s %s 须指定往来单位（辅助核算）", acc.Code, acc.Name)
	case acc.Aux != AuxHousehold && l.Household != "":
		v.Add(field+".household", "科目 %s %s 不按农户核算，不能指定农户", acc.Code, acc.Name)
	case acc.Aux != AuxParty && l.Party != "":
		v.Add(field+".party", "科目 %s %s 不按单位核算，不能指定单位", acc.Code, acc.Name)
	}
}

// VoucherStatus is draft or posted; posted vouchers never change.
type VoucherStatus string

const (
	StatusDraft  VoucherStatus = "draft"
	StatusPosted VoucherStatus = "posted"
)

// Limits on one voucher.
const (
	minLines       = 2
	maxLines       = 500
	maxAttachments = 9999
	maxSummary     = 200 // runes
)

// Voucher is a 记账凭证.
type Voucher struct {
	ID          int64         `json:"id"`
	Book        string        `json:"book"`
	Status      VoucherStatus `json:"status"`
	Date        string        `json:"date"`
	Period      string        `json:"period"`
	Number      string        `json:"number,omitempty"` // "记-0007", assigned at posting
	Summary     string        `json:"summary"`
	Attachments int           `json:"attachments"`
	PreparerID  int64         `json:"preparer_id"`
	ReviewerID  int64         `json:"reviewer_id,omitempty"`
	PostedAt    string        `json:"posted_at,omitempty"`
	ReversesID  int64         `json:"reverses_id,omitempty"`
	ReversedBy  int64         `json:"reversed_by_id,omitempty"`
	Imported    bool          `json:"imported,omitempty"`
	PostedVia   string        `json:"posted_via,omitempty"`           // the path that posted it: review, batch_import, workbook_import, …
	OrigPrepBy  string        `json:"original_prepared_by,omitempty"` // an imported voucher's preparer in the old books, text only
	OrigRevBy   string        `json:"original_reviewed_by,omitempty"` // its reviewer there, text only: never a coopledger user
	ChainSeq    int64         `json:"chain_seq,omitempty"`
	PrevHash    string        `json:"prev_hash,omitempty"`
	Hash        string        `json:"hash,omitempty"`
	// ChainVersion is the chain encoding the voucher was (or will be)
	// hashed under; DocumentHashes the SHA-256 of the documents attached
	// before posting, which version 2 hashes (addenda are not among them).
	ChainVersion   int      `json:"chain_version,omitempty"`
	DocumentHashes []string `json:"document_hashes,omitempty"`
	Total          Money    `json:"total"`
	Lines          []Line   `json:"lines"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
	number         int
}

// Line is one line of a voucher: one account, one side.
type Line struct {
	LineNo      int    `json:"line_no"`
	Account     string `json:"account"`
	AccountName string `json:"account_name,omitempty"`
	Household   string `json:"household,omitempty"`
	Party       string `json:"party,omitempty"`
	Debit       Money  `json:"debit,omitzero"`
	Credit      Money  `json:"credit,omitzero"`
	Summary     string `json:"summary,omitempty"`
	Trade       bool   `json:"trade,omitempty"` // a cooperative's trade with the member on 114 (交易量（额）)
}

// VoucherInput is what a preparer submits.
type VoucherInput struct {
	Date        string      `json:"date"`
	Summary     string      `json:"summary"`
	Attachments int         `json:"attachments"`
	Lines       []LineInput `json:"lines"`
}

// LineInput is one submitted line; exactly one of Debit and Credit is set.
type LineInput struct {
	Account   string `json:"account"`
	Household string `json:"household,omitempty"`
	Party     string `json:"party,omitempty"`
	Debit     *Money `json:"debit,omitempty"`
	Credit    *Money `json:"credit,omitempty"`
	Summary   string `json:"summary,omitempty"`
	Trade     bool   `json:"trade,omitempty"`
}

// FormatNumber renders a voucher number the way accountants write it.
func FormatNumber(n int) string { return fmt.Sprintf("记-%04d", n) }

// lineRefs are the accounts, households and parties a voucher's lines name
// that exist in the book.
type lineRefs struct {
	accounts   map[string]Account
	households map[string]bool
	parties    map[string]bool
}
