package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// Label is the kind's Chinese name on rosters.
func (k AgreementKind) Label() string {
	switch k {
	case LandRent:
		return "租金"
	case ShareDividend:
		return "股金"
	case Wage:
		return "薪金"
	case FixedSum:
		return "包干"
	case CoopSurplus:
		return "盈余返还"
	}
	return string(k)
}

func (k AgreementKind) valid() bool {
	switch k {
	case LandRent, ShareDividend, Wage, FixedSum, CoopSurplus:
		return true
	}
	return false
}

// AgreementAccounts are the accounts an agreement's accrual books to: Debit
// the counterpart, Credit each household's sub-ledger, Extra the village's
// service fee (land rent) or the capital share of a surplus (222).
type AgreementAccounts struct {
	Debit  string `json:"debit"`
	Credit string `json:"credit"`
	Extra  string `json:"extra,omitempty"`
}

// AccountRole names an account the code books to by what it is for, not by
// its number in a chart.
type AccountRole int

// Account roles.
const (
	AccountRoleCash AccountRole = iota // 库存现金: payouts in cash
	AccountRoleBank                    // 银行存款: payouts through the bank
)

// roleAccounts gives each role its account in the chart of each book kind.
var roleAccounts = map[BookKind]map[AccountRole]string{
	KindVillage:     {AccountRoleCash: "101", AccountRoleBank: "102"},
	KindCooperative: {AccountRoleCash: "101", AccountRoleBank: "102"},
}

// AccountFor returns the code of the account that plays role in a book of kind.
func AccountFor(kind BookKind, role AccountRole) string { return roleAccounts[kind][role] }

// defaultAccounts follows domain.md's booking table per chart and kind.
var defaultAccounts = map[BookKind]map[AgreementKind]AgreementAccounts{
	KindVillage: {
		LandRent:      {Debit: "112", Credit: "21101", Extra: "504"},
		ShareDividend: {Debit: "3220102", Credit: "21102"},
		Wage:          {Debit: "511", Credit: "213"},
		FixedSum:      {Debit: "112", Credit: "21103"},
	},
	KindCooperative: {
		LandRent:      {Debit: "521", Credit: "114", Extra: "502"},
		ShareDividend: {Debit: "33201", Credit: "222"},
		Wage:          {Debit: "401", Credit: "213"},
		FixedSum:      {Debit: "113", Credit: "114"},
		CoopSurplus:   {Debit: "33201", Credit: "221", Extra: "222"},
	},
}

// Agreement is a "company + cooperative + household" agreement with its
// versions of terms; versions take effect from a date and never change.
type Agreement struct {
	Code      string             `json:"code"`
	Title     string             `json:"title"`
	Kind      AgreementKind      `json:"kind"`
	Party     string             `json:"party"`
	Start     string             `json:"start"`
	End       string             `json:"end,omitempty"`
	Accounts  AgreementAccounts  `json:"accounts"`
	Versions  []AgreementVersion `json:"versions"`
	CreatedAt string             `json:"created_at"`
}

// AgreementVersion is the terms in force from EffectiveFrom on.
type AgreementVersion struct {
	Version       int    `json:"version"`
	EffectiveFrom string `json:"effective_from"`
	Terms         Terms  `json:"terms"`
	CreatedAt     string `json:"created_at"`
}

// AgreementInput creates an agreement; Accounts default per kind and chart.
type AgreementInput struct {
	Code     string             `json:"code"`
	Title    string             `json:"title"`
	Kind     AgreementKind      `json:"kind"`
	Party    string             `json:"party"`
	Start    string             `json:"start"`
	End      string             `json:"end,omitempty"`
	Accounts *AgreementAccounts `json:"accounts,omitempty"`
	Terms    Terms              `json:"terms"`
}

// VersionInput adds new terms effective from a date.
type VersionInput struct {
	EffectiveFrom string `json:"effective_from"`
	Terms         Terms  `json:"terms"`
}

// CreateAgreement records an agreement and its first version of terms.
func (s *Store) CreateAgreement(ctx context.Context, a Actor, bookCode string, in AgreementInput) (Agreement, error) {
	var out Agreement
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		accounts, err := s.checkAgreement(ctx, tx, b, &in)
		if err != nil {
			return err
		}
		if out, err = s.insertAgreement(ctx, tx, a, b, in, accounts); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "create", "agreement", in.Code, "", nil, out)
	})
	return out, err
}

func (s *Store) checkAgreement(ctx context.Context, tx bun.IDB, b Book, in *AgreementInput) (AgreementAccounts, error) {
	var v validation
	in.Title = strings.TrimSpace(in.Title)
	if !validCode(in.Code) {
		v.Add("code", "协议编号只能由字母、数字、- 和 _ 组成，不超过 32 个字符")
	}
	if !v.text("title", in.Title) && !validName(in.Title, 100) {
		v.Add("title", "协议名称不能为空且不超过 100 个字")
	}
	if !in.Kind.valid() {
		v.Add("kind", "协议类型应为 land_rent、share_dividend、wage、fixed_sum 或 coop_surplus")
	} else if in.Kind == CoopSurplus && b.Kind != KindCooperative {
		v.Add("kind", "盈余返还（coop_surplus）只适用于合作社账套")
	}
	start, err := ParseDate(in.Start)
	if err != nil {
		v.Add("start", "%s", err.Error())
	}
	if end, err := parseOptionalDate(in.End); err != nil {
		v.Add("end", "%s", err.Error())
	} else if !end.IsZero() && end.Before(start) {
		v.Add("end", "协议终止日期 %s 早于开始日期 %s", in.End, in.Start)
	}
	if err := v.Err(); err != nil {
		return AgreementAccounts{}, err
	}
	if exists, err := tx.NewSelect().Table("agreements").Where("book_id = ? AND code = ?", b.ID, in.Code).Exists(ctx); err != nil {
		return AgreementAccounts{}, err
	} else if exists {
		return AgreementAccounts{}, &Error{Code: ECodeConflict, Message: "协议编号已存在：" + in.Code, Details: []Detail{{Field: "code", Message: "已存在"}}}
	}
	if _, err := partyByCode(ctx, tx, b.ID, in.Party); err != nil {
		return AgreementAccounts{}, FieldError("party", "本账套没有此单位：%s", truncate(in.Party, 32))
	}
	accounts, err := s.checkAgreementAccounts(ctx, tx, b, in.Kind, in.Accounts)
	if err != nil {
		return AgreementAccounts{}, err
	}
	return accounts, s.checkTerms(ctx, tx, b, in.Kind, in.Start, in.End, in.Terms, "terms")
}

func (s *Store) checkAgreementAccounts(ctx context.Context, tx bun.IDB, b Book, kind AgreementKind, given *AgreementAccounts) (AgreementAccounts, error) {
	acc := defaultAccounts[b.Kind][kind]
	if given != nil {
		acc = *given
		if acc.Extra == "" {
			acc.Extra = defaultAccounts[b.Kind][kind].Extra
		}
	}
	var v validation
	check := func(field, code string, wantAux ...Aux) {
		a, err := accountByCode(ctx, tx, b.ID, code)
		switch {
		case err != nil:
			v.Add(field, "科目不存在：%s", truncate(code, 16))
		case !a.Leaf:
			v.Add(field, "科目 %s %s 不是末级科目", a.Code, a.Name)
		case !containsAux(wantAux, a.Aux):
			v.Add(field, "科目 %s %s 的辅助核算（%s）不适用于此处", a.Code, a.Name, a.Aux)
		}
	}
	check("accounts.debit", acc.Debit, AuxNone, AuxParty)
	check("accounts.credit", acc.Credit, AuxHousehold)
	if kind == CoopSurplus {
		check("accounts.extra", acc.Extra, AuxHousehold)
	} else if kind == LandRent && acc.Extra != "" {
		check("accounts.extra", acc.Extra, AuxNone)
	}
	return acc, v.Err()
}

func containsAux(list []Aux, a Aux) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func (s *Store) insertAgreement(ctx context.Context, tx bun.Tx, a Actor, b Book, in AgreementInput, acc AgreementAccounts) (Agreement, error) {
	now := s.timestamp()
	_, err := tx.NewRaw(`INSERT INTO agreements (book_id, code, title, kind, party_code, start_date, end_date,
		debit_account, credit_account, extra_account, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, in.Code, in.Title, in.Kind, in.Party, in.Start, in.End, acc.Debit, acc.Credit, acc.Extra, now, a.UserID).Exec(ctx)
	if err != nil {
		return Agreement{}, err
	}
	if err := s.insertVersion(ctx, tx, a, b.ID, in.Code, 1, in.Start, in.Terms); err != nil {
		return Agreement{}, err
	}
	return agreementByCode(ctx, tx, b.ID, in.Code)
}

func (s *Store) insertVersion(ctx context.Context, tx bun.Tx, a Actor, bookID int64, code string, version int, from string, t Terms) error {
	terms, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = tx.NewRaw(`INSERT INTO agreement_versions (book_id, agreement_code, version, effective_from, terms, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, bookID, code, version, from, string(terms), s.timestamp(), a.UserID).Exec(ctx)
	return err
}

// AddAgreementVersion records new terms in force from a date after the
// latest version's; earlier terms stay as they were.
func (s *Store) AddAgreementVersion(ctx context.Context, a Actor, bookCode, code string, in VersionInput) (Agreement, error) {
	var out Agreement
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		ag, err := agreementByCode(ctx, tx, b.ID, code)
		if err != nil {
			return err
		}
		last := ag.Versions[len(ag.Versions)-1]
		if _, err := ParseDate(in.EffectiveFrom); err != nil {
			return FieldError("effective_from", "%s", err.Error())
		}
		if in.EffectiveFrom <= last.EffectiveFrom {
			return FieldError("effective_from", "新版本的生效日期应晚于上一版本的 %s", last.EffectiveFrom)
		}
		if ag.End != "" && in.EffectiveFrom > ag.End {
			return FieldError("effective_from", "生效日期晚于协议终止日期 %s", ag.End)
		}
		if err := s.checkTerms(ctx, tx, b, ag.Kind, ag.Start, ag.End, in.Terms, "terms"); err != nil {
			return err
		}
		if err := s.insertVersion(ctx, tx, a, b.ID, code, last.Version+1, in.EffectiveFrom, in.Terms); err != nil {
			return err
		}
		if out, err = agreementByCode(ctx, tx, b.ID, code); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "version", "agreement", code, "", last, out.Versions[len(out.Versions)-1])
	})
	return out, err
}

func agreementByCode(ctx context.Context, db bun.IDB, bookID int64, code string) (Agreement, error) {
	ag, err := agreementHeader(ctx, db, bookID, code)
	if err != nil {
		return ag, err
	}
	ag.Versions, err = agreementVersions(ctx, db, bookID, code)
	return ag, err
}

// agreementHeader reads an agreement without its versions (whose terms list
// every participant: decoding them for 100,000 households takes a second).
func agreementHeader(ctx context.Context, db bun.IDB, bookID int64, code string) (Agreement, error) {
	var ag Agreement
	err := db.QueryRowContext(ctx, `SELECT code, title, kind, party_code, start_date, end_date, debit_account, credit_account,
		extra_account, created_at FROM agreements WHERE book_id = ? AND code = ?`, bookID, code).Scan(&ag.Code, &ag.Title, &ag.Kind,
		&ag.Party, &ag.Start, &ag.End, &ag.Accounts.Debit, &ag.Accounts.Credit, &ag.Accounts.Extra, &ag.CreatedAt)
	if isNoRows(err) {
		return ag, notFound("协议", truncate(code, 32))
	}
	return ag, err
}

func agreementVersions(ctx context.Context, db bun.IDB, bookID int64, code string) ([]AgreementVersion, error) {
	raw, err := rawAgreementVersions(ctx, db, bookID, code)
	if err != nil {
		return nil, err
	}
	return raw.decode()
}

// rawVersions are an agreement's versions with their terms still as stored:
// decoding a county's terms (100,000 participants) is most of reading them,
// so callers with several agreements decode them in parallel.
type rawVersions struct {
	code     string
	versions []AgreementVersion
	terms    []string
}

func rawAgreementVersions(ctx context.Context, db bun.IDB, bookID int64, code string) (rawVersions, error) {
	out := rawVersions{code: code}
	rows, err := db.QueryContext(ctx, `SELECT version, effective_from, terms, created_at FROM agreement_versions
		WHERE book_id = ? AND agreement_code = ? ORDER BY version`, bookID, code)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var v AgreementVersion
		var terms string
		if err := rows.Scan(&v.Version, &v.EffectiveFrom, &terms, &v.CreatedAt); err != nil {
			return out, err
		}
		out.versions, out.terms = append(out.versions, v), append(out.terms, terms)
	}
	return out, rows.Err()
}

func (r rawVersions) decode() ([]AgreementVersion, error) {
	for i := range r.versions {
		if err := json.Unmarshal([]byte(r.terms[i]), &r.versions[i].Terms); err != nil {
			return nil, fmt.Errorf("agreement %s version %d: %w", r.code, r.versions[i].Version, err)
		}
	}
	return r.versions, nil
}

// Agreement returns one agreement with all its versions.
func (s *Store) Agreement(ctx context.Context, a Actor, bookCode, code string) (Agreement, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Agreement{}, err
	}
	return agreementByCode(ctx, s.db, b.ID, code)
}

// Agreements lists a book's agreements in code order.
func (s *Store) Agreements(ctx context.Context, a Actor, bookCode string) ([]Agreement, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	return bookAgreements(ctx, s.db, b.ID)
}

// AgreementHeaders lists a book's agreements in code order without their
// versions, for callers that need only codes and titles: a county
// agreement's terms name 100,000 participants.
func (s *Store) AgreementHeaders(ctx context.Context, a Actor, bookCode string) ([]Agreement, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	var codes []string
	if err := s.db.NewRaw("SELECT code FROM agreements WHERE book_id = ? ORDER BY code", b.ID).Scan(ctx, &codes); err != nil && !isNoRows(err) {
		return nil, err
	}
	out := make([]Agreement, 0, len(codes))
	for _, c := range codes {
		ag, err := agreementHeader(ctx, s.db, b.ID, c)
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	return out, nil
}

func bookAgreements(ctx context.Context, db bun.IDB, bookID int64) ([]Agreement, error) {
	out, raw, err := bookAgreementsRaw(ctx, db, bookID)
	if err != nil {
		return nil, err
	}
	err = parallel("compute", len(out), func(i int) (err error) {
		out[i].Versions, err = raw[i].decode()
		return err
	})
	return out, err
}

// bookAgreementsRaw reads a book's agreements in code order, their versions'
// terms not yet decoded.
func bookAgreementsRaw(ctx context.Context, db bun.IDB, bookID int64) ([]Agreement, []rawVersions, error) {
	var codes []string
	if err := db.NewRaw("SELECT code FROM agreements WHERE book_id = ? ORDER BY code", bookID).Scan(ctx, &codes); err != nil && !isNoRows(err) {
		return nil, nil, err
	}
	out, raw := make([]Agreement, 0, len(codes)), make([]rawVersions, 0, len(codes))
	for _, c := range codes {
		ag, err := agreementHeader(ctx, db, bookID, c)
		if err != nil {
			return nil, nil, err
		}
		r, err := rawAgreementVersions(ctx, db, bookID, c)
		if err != nil {
			return nil, nil, err
		}
		out, raw = append(out, ag), append(raw, r)
	}
	return out, raw, nil
}
