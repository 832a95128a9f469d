package ledger

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"
)

// Members (成员) of a farmer cooperative. A member is a household of the
// book's roster: the lines on 114 成员往来, 301 股金, 221 and 222 already
// carry it as their household. What the roster does not hold is kept here:
// whether it is a 农民成员 or a 单位成员 (a unit, named with its unified
// social credit code, the household row holding its representative), when it
// joined and left, and the part of its 出资额 that came from 到户类扶贫项目资产
// (the total 出资额 is its 301 balance in the books).

// MemberKind is 农民成员 (farmer) or 单位成员 (unit).
type MemberKind string

const (
	MemberFarmer MemberKind = "farmer"
	MemberUnit   MemberKind = "unit"
)

// Member is one member of a cooperative book.
type Member struct {
	Code           string     `json:"code"`
	Name           string     `json:"name"`
	Kind           MemberKind `json:"kind"`
	USCC           string     `json:"uscc,omitempty"`
	JoinedOn       string     `json:"joined_on"`
	LeftOn         string     `json:"left_on,omitempty"`
	PovertyCapital Money      `json:"poverty_capital"` // 出资额 from 到户类扶贫项目资产
	CreatedAt      string     `json:"created_at"`
	UpdatedAt      string     `json:"updated_at"`
}

// MemberPatch changes some fields of a member; nil fields stay.
type MemberPatch struct {
	Name           *string     `json:"name"`
	Kind           *MemberKind `json:"kind"`
	USCC           *string     `json:"uscc"`
	JoinedOn       *string     `json:"joined_on"`
	LeftOn         *string     `json:"left_on"`
	PovertyCapital *Money      `json:"poverty_capital"`
}

func (m Member) validate() error {
	var v validation
	if !validCode(m.Code) {
		v.Add("code", "成员编号只能由字母、数字、- 和 _ 组成，不超过 32 个字符")
	}
	if !v.text("name", m.Name) && m.Name != "" && !validName(m.Name, 64) {
		v.Add("name", "成员姓名（名称）不超过 64 个字")
	}
	switch m.Kind {
	case MemberFarmer:
		if m.USCC != "" {
			v.Add("uscc", "农民成员不填统一社会信用代码")
		}
	case MemberUnit:
		if m.Name == "" {
			v.Add("name", "单位成员须填写单位名称")
		}
		if err := ValidUSCC(m.USCC); err != nil {
			v.Add("uscc", "单位成员的统一社会信用代码不正确：%s", err.Error())
		}
	default:
		v.Add("kind", "成员类型应为 farmer（农民成员）或 unit（单位成员）")
	}
	if _, err := ParseDate(m.JoinedOn); err != nil {
		v.Add("joined_on", "入社日期不正确：%s", err.Error())
	}
	if m.LeftOn != "" {
		if _, err := ParseDate(m.LeftOn); err != nil {
			v.Add("left_on", "退社日期不正确：%s", err.Error())
		} else if m.LeftOn < m.JoinedOn {
			v.Add("left_on", "退社日期 %s 早于入社日期 %s", m.LeftOn, m.JoinedOn)
		}
	}
	if m.PovertyCapital.IsNegative() || m.PovertyCapital.Fen() > maxLineFen {
		v.Add("poverty_capital", "到户类扶贫项目资产出资额应为 0 到 %s 元", Fen(maxLineFen))
	}
	return v.Err()
}

// memberAt tells whether the member belonged to the cooperative on day.
func (m Member) memberAt(day string) bool {
	return m.JoinedOn <= day && (m.LeftOn == "" || m.LeftOn >= day)
}

const memberColumns = `code, name, kind, uscc, joined_on, left_on, poverty_capital_fen, created_at, updated_at`

func scanMember(rows *sql.Rows, m *Member) error {
	var fen int64
	err := rows.Scan(&m.Code, &m.Name, &m.Kind, &m.USCC, &m.JoinedOn, &m.LeftOn, &fen, &m.CreatedAt, &m.UpdatedAt)
	m.PovertyCapital = Fen(fen)
	return err
}

// membersOf lists a book's members in code order, those after code after.
func (s *Store) membersOf(ctx context.Context, db bun.IDB, bookID int64, after string, limit int) ([]Member, error) {
	rows, err := s.querySQL(ctx, db, `SELECT `+memberColumns+` FROM members WHERE book_id = ? AND code > ? ORDER BY code LIMIT ?`,
		bookID, after, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanMember)
}

// allMembers is every member of a book (a cooperative has hundreds at most).
func (s *Store) allMembers(ctx context.Context, db bun.IDB, bookID int64) ([]Member, error) {
	return s.membersOf(ctx, db, bookID, "", maxMembersPerBook)
}

// maxMembersPerBook bounds a cooperative's roll of members.
const maxMembersPerBook = 100000

func (s *Store) memberByCode(ctx context.Context, db bun.IDB, bookID int64, code string) (Member, error) {
	rows, err := s.querySQL(ctx, db, `SELECT `+memberColumns+` FROM members WHERE book_id = ? AND code = ?`, bookID, code)
	if err != nil {
		return Member{}, err
	}
	ms, err := scanAll(rows, scanMember)
	if err != nil {
		return Member{}, err
	}
	if len(ms) == 0 {
		return Member{}, notFound("成员", code)
	}
	return ms[0], nil
}

// cooperativeBook refuses a village book for what only cooperatives have.
func cooperativeBook(b Book) error {
	if b.Kind != KindCooperative {
		return FieldError("book", "成员、成员账户和盈余分配方案只适用于农民专业合作社，账套 %s 是村集体经济组织", b.Code)
	}
	return nil
}

// Members lists a cooperative book's members in code order.
func (s *Store) Members(ctx context.Context, a Actor, bookCode, after string, limit int) ([]Member, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	if err := cooperativeBook(b); err != nil {
		return nil, err
	}
	return s.membersOf(ctx, s.db, b.ID, after, clampLimit(limit))
}

// Member returns one member.
func (s *Store) Member(ctx context.Context, a Actor, bookCode, code string) (Member, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Member{}, err
	}
	if err := cooperativeBook(b); err != nil {
		return Member{}, err
	}
	return s.memberByCode(ctx, s.db, b.ID, code)
}

// CreateMember admits a household of the roster as a member. A farmer
// member's name defaults to the household head's.
func (s *Store) CreateMember(ctx context.Context, a Actor, bookCode string, m Member) (Member, error) {
	m.Name, m.USCC = strings.TrimSpace(m.Name), strings.TrimSpace(m.USCC)
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := cooperativeBook(b); err != nil {
			return err
		}
		h, err := householdByCode(ctx, tx, b.ID, m.Code)
		if err != nil {
			return FieldError("code", "成员编号须是本账套花名册上的户编号，没有：%s", truncate(m.Code, 32))
		}
		if m.Name == "" && m.Kind == MemberFarmer {
			m.Name = h.HeadName
		}
		if err := m.validate(); err != nil {
			return err
		}
		if _, err := s.memberByCode(ctx, tx, b.ID, m.Code); err == nil {
			return &Error{Code: ECodeConflict, Message: "成员已存在：" + m.Code, Details: []Detail{{Field: "code", Message: "已存在"}}}
		}
		m.CreatedAt, m.UpdatedAt = s.timestamp(), s.timestamp()
		if _, err := s.execSQL(ctx, tx, `INSERT INTO members (book_id, `+memberColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, m.Code, m.Name, m.Kind, m.USCC, m.JoinedOn, m.LeftOn, m.PovertyCapital.Fen(), m.CreatedAt, m.UpdatedAt); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "create", "member", m.Code, "", nil, m)
	})
	return m, err
}

// UpdateMember applies a patch to a member.
func (s *Store) UpdateMember(ctx context.Context, a Actor, bookCode, code string, p MemberPatch) (Member, error) {
	var out Member
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := cooperativeBook(b); err != nil {
			return err
		}
		before, err := s.memberByCode(ctx, tx, b.ID, code)
		if err != nil {
			return err
		}
		out = p.apply(before)
		if err := out.validate(); err != nil {
			return err
		}
		out.UpdatedAt = s.timestamp()
		if _, err := s.execSQL(ctx, tx, `UPDATE members SET name = ?, kind = ?, uscc = ?, joined_on = ?, left_on = ?,
			poverty_capital_fen = ?, updated_at = ? WHERE book_id = ? AND code = ?`, out.Name, out.Kind, out.USCC, out.JoinedOn,
			out.LeftOn, out.PovertyCapital.Fen(), out.UpdatedAt, b.ID, code); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "update", "member", code, "", before, out)
	})
	return out, err
}

func (p MemberPatch) apply(m Member) Member {
	if p.Name != nil {
		m.Name = strings.TrimSpace(*p.Name)
	}
	if p.Kind != nil {
		m.Kind = *p.Kind
	}
	if p.USCC != nil {
		m.USCC = strings.TrimSpace(*p.USCC)
	}
	if p.JoinedOn != nil {
		m.JoinedOn = *p.JoinedOn
	}
	if p.LeftOn != nil {
		m.LeftOn = *p.LeftOn
	}
	if p.PovertyCapital != nil {
		m.PovertyCapital = *p.PovertyCapital
	}
	return m
}
