package ledger

import (
	"context"
	"sort"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// QuantifyBasis is how the charter quantifies 公积金 and the property formed
// from 财政补助 and 捐赠 to members: by 出资额, by 交易量（额）, or equally.
type QuantifyBasis string

const (
	BasisCapital QuantifyBasis = "capital"
	BasisVolume  QuantifyBasis = "volume"
	BasisEqual   QuantifyBasis = "equal"
)

func (q QuantifyBasis) valid() bool { return q == BasisCapital || q == BasisVolume || q == BasisEqual }

// Charter is what the cooperative's charter (章程) sets for its year end.
type Charter struct {
	ReserveRate   string        `json:"reserve_rate"` // percent of 本年盈余 drawn as 盈余公积, two decimals
	QuantifyBasis QuantifyBasis `json:"quantify_basis"`
	UpdatedAt     string        `json:"updated_at,omitempty"`
}

// parseRate turns a percent ("10", "12.5") into basis points.
func parseRate(field, s string) (int64, error) {
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100)) || d.Exponent() < -2 {
		return 0, FieldError(field, "比例应为 0 到 100 之间、最多两位小数的百分数，如 10 或 12.5，收到 %q", truncate(s, 16))
	}
	return d.Shift(2).IntPart(), nil
}

func rateText(bp int64) string { return decimal.New(bp, -2).StringFixed(2) }

func (s *Store) charterOf(ctx context.Context, db bun.IDB, bookID int64) (Charter, int64, error) {
	var c Charter
	var bp int64
	err := db.QueryRowContext(ctx, `SELECT reserve_rate_bp, quantify_basis, updated_at FROM coop_charters WHERE book_id = ?`, bookID).
		Scan(&bp, &c.QuantifyBasis, &c.UpdatedAt)
	if isNoRows(err) {
		return Charter{}, 0, &Error{Code: ECodeConflict, Message: "本社章程的盈余公积提取比例和量化方式尚未录入，请先设置章程（charter）"}
	}
	c.ReserveRate = rateText(bp)
	return c, bp, err
}

// Charter returns a cooperative book's charter rules.
func (s *Store) Charter(ctx context.Context, a Actor, bookCode string) (Charter, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return Charter{}, err
	}
	if err := cooperativeBook(b); err != nil {
		return Charter{}, err
	}
	c, _, err := s.charterOf(ctx, s.db, b.ID)
	return c, err
}

// SetCharter records the charter's rate of 提取盈余公积 and quantification basis.
func (s *Store) SetCharter(ctx context.Context, a Actor, bookCode string, c Charter) (Charter, error) {
	bp, err := parseRate("reserve_rate", c.ReserveRate)
	if err != nil {
		return Charter{}, err
	}
	if !c.QuantifyBasis.valid() {
		return Charter{}, FieldError("quantify_basis", "量化方式应为 capital（按出资额）、volume（按交易量（额））或 equal（平均）")
	}
	c.ReserveRate = rateText(bp)
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permSegment)
		if err != nil {
			return err
		}
		if err := cooperativeBook(b); err != nil {
			return err
		}
		before, _, err := s.charterOf(ctx, tx, b.ID)
		if err != nil && ErrorCode(err) != ECodeConflict {
			return err
		}
		c.UpdatedAt = s.timestamp()
		if _, err := tx.ExecContext(ctx, `INSERT INTO coop_charters (book_id, reserve_rate_bp, quantify_basis, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (book_id) DO UPDATE SET reserve_rate_bp = excluded.reserve_rate_bp,
			quantify_basis = excluded.quantify_basis, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			b.ID, bp, c.QuantifyBasis, c.UpdatedAt, a.UserID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "update", "charter", b.Code, "", before, c)
	})
	return c, err
}

// QuantifyInput is a year-end quantification request: how much of the 专项基金
// (311) balance came from 财政补助; the rest came from 捐赠.
type QuantifyInput struct {
	Subsidy Money `json:"subsidy"`
}

// Quantification is the year-end quantification of a year to members.
type Quantification struct {
	Year     int                `json:"year"`
	Basis    QuantifyBasis      `json:"basis"`
	Reserve  Money              `json:"reserve"`  // 322 盈余公积 at year end
	Subsidy  Money              `json:"subsidy"`  // 311 from 财政补助
	Donation Money              `json:"donation"` // 311 from 捐赠
	Members  []QuantifiedMember `json:"members"`
}

// QuantifiedMember is one member's quantified shares.
type QuantifiedMember struct {
	Code     string `json:"code"`
	Weight   string `json:"weight"`
	Reserve  Money  `json:"reserve"`
	Subsidy  Money  `json:"subsidy"`
	Donation Money  `json:"donation"`
}

// QuantifyMembers quantifies to the year's members (those who belonged on
// 31 December) the 盈余公积 and 专项基金 balances at the end of year, by the
// charter's basis, each part split by largest remainder so the parts add up
// to the balances exactly. Quantifying a year again replaces its shares.
func (s *Store) QuantifyMembers(ctx context.Context, a Actor, bookCode string, year int, in QuantifyInput) (Quantification, error) {
	if err := checkYear(year); err != nil {
		return Quantification{}, err
	}
	var out Quantification
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := cooperativeBook(b); err != nil {
			return err
		}
		out, err = s.quantify(ctx, tx, b, year, in)
		if err != nil {
			return err
		}
		if err := s.storeQuantification(ctx, tx, a, b, out); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "quantify", "members", strconv.Itoa(year), "", nil, out)
	})
	return out, err
}

// quantify computes a quantification without storing it.
func (s *Store) quantify(ctx context.Context, tx bun.IDB, b Book, year int, in QuantifyInput) (Quantification, error) {
	c, _, err := s.charterOf(ctx, tx, b.ID)
	if err != nil {
		return Quantification{}, err
	}
	day := yearEndDate(year)
	reserve, err := accountBalance(ctx, tx, b.ID, "322", day, true)
	if err != nil {
		return Quantification{}, err
	}
	fund, err := accountBalance(ctx, tx, b.ID, "311", day, true)
	if err != nil {
		return Quantification{}, err
	}
	if in.Subsidy.IsNegative() || in.Subsidy.Fen() > fund {
		return Quantification{}, FieldError("subsidy", "财政补助形成的财产 %s 元应在 0 与 %d 年末专项基金余额 %s 元之间", in.Subsidy, year, Fen(fund))
	}
	ws, err := s.quantifyWeights(ctx, tx, b, year, c.QuantifyBasis)
	if err != nil {
		return Quantification{}, err
	}
	q := Quantification{Year: year, Basis: c.QuantifyBasis, Reserve: Fen(reserve), Subsidy: in.Subsidy, Donation: Fen(fund - in.Subsidy.Fen())}
	rs := splitLargestRemainder(reserve, ws)
	ss := splitLargestRemainder(in.Subsidy.Fen(), ws)
	ds := splitLargestRemainder(q.Donation.Fen(), ws)
	for i, w := range ws {
		q.Members = append(q.Members, QuantifiedMember{Code: w.household, Weight: w.basis, Reserve: Fen(rs[i]), Subsidy: Fen(ss[i]), Donation: Fen(ds[i])})
	}
	return q, nil
}

// quantifyWeights weighs the members who belonged on 31 December of year.
func (s *Store) quantifyWeights(ctx context.Context, tx bun.IDB, b Book, year int, basis QuantifyBasis) ([]weight, error) {
	members, err := s.allMembers(ctx, tx, b.ID)
	if err != nil {
		return nil, err
	}
	var by map[string]int64
	switch basis {
	case BasisCapital:
		by, err = memberCapital(ctx, tx, b.ID, yearEndDate(year))
	case BasisVolume:
		by, err = memberVolume(ctx, tx, b.ID, year)
	}
	if err != nil {
		return nil, err
	}
	ws := []weight{}
	total := int64(0)
	for _, m := range members {
		if !m.memberAt(yearEndDate(year)) {
			continue
		}
		w := int64(1)
		if by != nil {
			w = max(by[m.Code], 0)
		}
		total += w
		ws = append(ws, weight{household: m.Code, w: decimal.NewFromInt(w), basis: weightText(basis, w)})
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].household < ws[j].household })
	if total == 0 {
		return nil, &Error{Code: ECodeConflict, Message: "年末没有可量化的成员（按章程的量化方式，成员的出资额或交易量（额）合计为零）"}
	}
	return ws, nil
}

func weightText(basis QuantifyBasis, w int64) string {
	if basis == BasisEqual {
		return "1"
	}
	return Fen(w).String()
}

func (s *Store) storeQuantification(ctx context.Context, tx bun.Tx, a Actor, b Book, q Quantification) error {
	for _, del := range []string{`DELETE FROM member_quantified_shares WHERE book_id = ? AND year = ?`,
		`DELETE FROM member_quantifications WHERE book_id = ? AND year = ?`} {
		if _, err := tx.ExecContext(ctx, del, b.ID, q.Year); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO member_quantifications (book_id, year, basis, reserve_fen, subsidy_fen, donation_fen,
		created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, q.Year, q.Basis, q.Reserve.Fen(), q.Subsidy.Fen(),
		q.Donation.Fen(), s.timestamp(), a.UserID); err != nil {
		return err
	}
	rows := make([][]any, 0, len(q.Members))
	for _, m := range q.Members {
		rows = append(rows, []any{b.ID, q.Year, m.Code, m.Reserve.Fen(), m.Subsidy.Fen(), m.Donation.Fen()})
	}
	if len(rows) == 0 {
		return nil
	}
	return multiInsert{head: `INSERT INTO member_quantified_shares (book_id, year, member_code, reserve_fen, subsidy_fen, donation_fen) VALUES `,
		cols: 6}.exec(ctx, s, tx, rows)
}
