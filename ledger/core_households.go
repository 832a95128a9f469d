package ledger

import (
	"context"
	"regexp"
	"strings"

	"github.com/uptrace/bun"

	"coopledger/ledger/rules"
)

// Household is a farm household (农户) on a book's roster.
type Household struct {
	bun.BaseModel `json:"-" bun:"table:households,alias:h"`
	BookID        int64           `json:"-" bun:"book_id,pk"`
	Code          string          `json:"code" bun:"code,pk"`
	HeadName      string          `json:"head_name" bun:"head_name"`
	IDNumber      string          `json:"id_number" bun:"id_number"`
	BankAccount   string          `json:"bank_account" bun:"bank_account"`
	Members       int             `json:"members" bun:"members"`
	Group         string          `json:"group" bun:"village_group"`
	GroupKey      string          `json:"-" bun:"group_key"` // GroupSortKey(Group), kept with it
	Status        HouseholdStatus `json:"status" bun:"status"`
	CreatedAt     string          `json:"created_at" bun:"created_at"`
	UpdatedAt     string          `json:"updated_at" bun:"updated_at"`
}

// HouseholdPatch changes some fields of a household; nil fields stay.
type HouseholdPatch struct {
	HeadName    *string          `json:"head_name"`
	IDNumber    *string          `json:"id_number"`
	BankAccount *string          `json:"bank_account"`
	Members     *int             `json:"members"`
	Group       *string          `json:"group"`
	Status      *HouseholdStatus `json:"status"`
}

var bankAccountPattern = regexp.MustCompile(`^[0-9]{6,32}$`)

// maxMembers bounds a household's head count.
const maxMembers = 50

// cleanNumbers drops spaces and full-width digits from the ID and card
// numbers before they are checked, compared and stored.
func (h *Household) cleanNumbers() {
	h.IDNumber, h.BankAccount = rules.CleanNumber(h.IDNumber), rules.CleanNumber(h.BankAccount)
}

func validateHousehold(h Household) error {
	var v validation
	if !validCode(h.Code) {
		v.Add("code", "户编号只能由字母、数字、- 和 _ 组成，不超过 32 个字符")
	}
	if !v.text("head_name", h.HeadName) && !validName(h.HeadName, 32) {
		v.Add("head_name", "户主姓名不能为空且不超过 32 个字")
	}
	if err := ValidIDNumber(h.IDNumber); err != nil {
		v.Add("id_number", "%s", err.Error())
	}
	if h.BankAccount != "" && !bankAccountPattern.MatchString(h.BankAccount) {
		v.Add("bank_account", "银行账号应为 6 到 32 位数字")
	}
	if h.Members < 1 || h.Members > maxMembers {
		v.Add("members", "家庭人口应为 1 到 %d 之间的整数", maxMembers)
	}
	if !v.text("group", h.Group) && len([]rune(h.Group)) > 32 {
		v.Add("group", "村民小组不超过 32 个字")
	}
	if !h.Status.Valid() {
		v.Add("status", "户类型应为 脱贫户、监测户 或 一般户")
	}
	return v.Err()
}

func (p HouseholdPatch) apply(h Household) Household {
	if p.HeadName != nil {
		h.HeadName = strings.TrimSpace(*p.HeadName)
	}
	if p.IDNumber != nil {
		h.IDNumber = *p.IDNumber
	}
	if p.BankAccount != nil {
		h.BankAccount = *p.BankAccount
	}
	if p.Members != nil {
		h.Members = *p.Members
	}
	if p.Group != nil {
		h.Group = strings.TrimSpace(*p.Group)
		h.GroupKey = GroupSortKey(h.Group)
	}
	if p.Status != nil {
		h.Status = *p.Status
	}
	return h
}

// CreateHousehold adds a household to a book's roster.
func (s *Store) CreateHousehold(ctx context.Context, a Actor, bookCode string, h Household) (Household, error) {
	h.HeadName, h.Group = strings.TrimSpace(h.HeadName), strings.TrimSpace(h.Group)
	h.GroupKey = GroupSortKey(h.Group)
	h.cleanNumbers()
	if err := validateHousehold(h); err != nil {
		return Household{}, err
	}
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := checkHouseholdUnique(ctx, tx, b.ID, h, true); err != nil {
			return err
		}
		h.BookID = b.ID
		h.CreatedAt, h.UpdatedAt = s.timestamp(), s.timestamp()
		_, err = tx.NewInsert().Model(&h).Exec(ctx)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "create", "household", h.Code, "", nil, h)
	})
	return h, err
}

func checkHouseholdUnique(ctx context.Context, tx bun.IDB, bookID int64, h Household, isNew bool) error {
	if isNew {
		exists, err := tx.NewSelect().Table("households").Where("book_id = ? AND code = ?", bookID, h.Code).Exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			return &Error{Code: ECodeConflict, Message: "户编号已存在：" + h.Code, Details: []Detail{{Field: "code", Message: "已存在"}}}
		}
	}
	var other string
	err := tx.NewRaw("SELECT code FROM households WHERE book_id = ? AND id_number = ? AND code <> ?", bookID, h.IDNumber, h.Code).Scan(ctx, &other)
	if err == nil {
		return &Error{Code: ECodeConflict, Message: "身份证号已登记在户 " + other + " 名下", Details: []Detail{{Field: "id_number", Message: "重复"}}}
	}
	if !isNoRows(err) {
		return err
	}
	return nil
}

// UpdateHousehold applies a patch; the audit log keeps before and after.
func (s *Store) UpdateHousehold(ctx context.Context, a Actor, bookCode, code string, p HouseholdPatch) (Household, error) {
	return updateByCode(ctx, s, a, householdRegister, bookCode, code, func(tx bun.Tx, bookID int64, before Household) (Household, error) {
		after := p.apply(before)
		after.cleanNumbers()
		if err := validateHousehold(after); err != nil {
			return after, err
		}
		if err := checkHouseholdUnique(ctx, tx, bookID, after, false); err != nil {
			return after, err
		}
		after.UpdatedAt = s.timestamp()
		return after, nil
	})
}

func householdByCode(ctx context.Context, db bun.IDB, bookID int64, code string) (Household, error) {
	return byCode[Household](ctx, db, householdRegister, bookID, code)
}

// Household returns one household of a book.
func (s *Store) Household(ctx context.Context, a Actor, bookCode, code string) (Household, error) {
	return getByCode[Household](ctx, s, a, householdRegister, bookCode, code)
}

// HouseholdFilter narrows a roster listing.
type HouseholdFilter struct {
	Query string // matches code, head name or group; 一组 also finds 第一村民小组
	After string // cursor: codes greater than this (ByGroup: a GroupCursor)
	Limit int
	// ByGroup lists in village-group order (GroupSortKey, then code) instead
	// of code order, as every page and roster does.
	ByGroup bool
}

// GroupCursor is the After of a ByGroup listing that continues after h.
func GroupCursor(h Household) string { return h.GroupKey + "|" + h.Code }

// Households lists a book's roster in code order (or group order), a page at a time.
func (s *Store) Households(ctx context.Context, a Actor, bookCode string, f HouseholdFilter) ([]Household, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	out := []Household{}
	q := s.db.NewSelect().Model(&out).Where("book_id = ?", b.ID).Limit(int64(clampLimit(f.Limit)))
	if f.ByGroup {
		q = q.OrderExpr("group_key, code")
		if i := strings.LastIndexByte(f.After, '|'); i >= 0 {
			key, code := f.After[:i], f.After[i+1:]
			q = q.Where("(group_key > ? OR (group_key = ? AND code > ?))", key, key, code)
		}
	} else {
		q = q.Where("code > ?", f.After).OrderExpr("code")
	}
	if f.Query != "" {
		like := "%" + escapeLike(f.Query) + "%"
		if key := rules.GroupQueryKey(f.Query); key != "" {
			// a group by number: 一组 finds 第一村民小组 and 1组, not 十一组
			q = q.Where("(h.code LIKE ? ESCAPE '\\' OR h.head_name LIKE ? ESCAPE '\\' OR h.group_key = ? OR h.group_key LIKE ?)",
				like, like, key, "~%|"+key) // 1组 and 稻香村第一村民小组
		} else {
			q = q.Where("(h.code LIKE ? ESCAPE '\\' OR h.head_name LIKE ? ESCAPE '\\' OR h.village_group LIKE ? ESCAPE '\\')", like, like, like)
		}
	}
	err = q.Scan(ctx)
	return out, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Party is a company or other unit the book deals with.
type Party struct {
	bun.BaseModel `json:"-" bun:"table:parties,alias:p"`
	BookID        int64  `json:"-" bun:"book_id,pk"`
	Code          string `json:"code" bun:"code,pk"`
	Name          string `json:"name" bun:"name"`
	USCC          string `json:"uscc" bun:"uscc"`
	CreatedAt     string `json:"created_at" bun:"created_at"`
	UpdatedAt     string `json:"updated_at" bun:"updated_at"`
}

// PartyPatch changes some fields of a party.
type PartyPatch struct {
	Name *string `json:"name"`
	USCC *string `json:"uscc"`
}

func validateParty(p Party) error {
	var v validation
	if !validCode(p.Code) {
		v.Add("code", "单位编号只能由字母、数字、- 和 _ 组成，不超过 32 个字符")
	}
	if !v.text("name", p.Name) && !validName(p.Name, 64) {
		v.Add("name", "单位名称不能为空且不超过 64 个字")
	}
	if p.USCC != "" {
		if err := ValidUSCC(p.USCC); err != nil {
			v.Add("uscc", "%s", err.Error())
		}
	}
	return v.Err()
}

// CreateParty adds a company or other unit to a book.
func (s *Store) CreateParty(ctx context.Context, a Actor, bookCode string, p Party) (Party, error) {
	p.Name = strings.TrimSpace(p.Name)
	if err := validateParty(p); err != nil {
		return Party{}, err
	}
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if _, err := partyByCode(ctx, tx, b.ID, p.Code); err == nil {
			return &Error{Code: ECodeConflict, Message: "单位编号已存在：" + p.Code, Details: []Detail{{Field: "code", Message: "已存在"}}}
		}
		p.BookID = b.ID
		p.CreatedAt, p.UpdatedAt = s.timestamp(), s.timestamp()
		if _, err := tx.NewInsert().Model(&p).Exec(ctx); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "create", "party", p.Code, "", nil, p)
	})
	return p, err
}

// UpdateParty applies a patch to a party.
func (s *Store) UpdateParty(ctx context.Context, a Actor, bookCode, code string, patch PartyPatch) (Party, error) {
	return updateByCode(ctx, s, a, partyRegister, bookCode, code, func(_ bun.Tx, _ int64, after Party) (Party, error) {
		if patch.Name != nil {
			after.Name = strings.TrimSpace(*patch.Name)
		}
		if patch.USCC != nil {
			after.USCC = *patch.USCC
		}
		if err := validateParty(after); err != nil {
			return after, err
		}
		after.UpdatedAt = s.timestamp()
		return after, nil
	})
}

func partyByCode(ctx context.Context, db bun.IDB, bookID int64, code string) (Party, error) {
	return byCode[Party](ctx, db, partyRegister, bookID, code)
}

// Party returns one party of a book.
func (s *Store) Party(ctx context.Context, a Actor, bookCode, code string) (Party, error) {
	return getByCode[Party](ctx, s, a, partyRegister, bookCode, code)
}

// Parties lists a book's parties in code order.
func (s *Store) Parties(ctx context.Context, a Actor, bookCode string, after string, limit int) ([]Party, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	out := []Party{}
	err = s.db.NewSelect().Model(&out).Where("book_id = ? AND code > ?", b.ID, after).
		OrderExpr("code").Limit(int64(clampLimit(limit))).Scan(ctx)
	return out, err
}
