package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// 盈余分配方案: a cooperative's year-end distribution plan. It is drafted
// from the books — 本年盈余, 年初未分配盈余 and 其他转入 as 会农社02表 rows
// 12–14 show them, less what the year already distributed (rows 15, 17–19
// posted so far) and the 提取盈余公积 at the charter's rate — giving the
// 可分配盈余 the law's tests are made against (农民专业合作社法 第44条):
// the return by 交易量（额） is at least 60 % of it, and everything
// distributed together never exceeds it. The return is split by each
// member's volume, the 剩余盈余分配 and any 转为成员出资 by each member's
// 出资额 + 公积金份额 + quantified 财政补助 and 捐赠 shares, all by largest
// remainder. coop_plan_post.go approves and posts it.

// minReturnPct is the law's floor of the return by 交易量（额）.
const minReturnPct = 60

// PlanInput drafts a plan: the amounts to return by volume, to distribute by
// capital and shares (剩余盈余分配) and to turn into members' capital.
type PlanInput struct {
	Year      int   `json:"year"`
	Return    Money `json:"return"`
	Residual  Money `json:"residual"`
	ToCapital Money `json:"to_capital"`
}

// Meeting is the 成员（代表）大会 that approved the plan.
type Meeting struct {
	Date       string `json:"date"`
	Attended   int    `json:"attended"`   // members (or representatives) present
	Total      int    `json:"total"`      // members (or representatives) entitled to attend
	Resolution string `json:"resolution"` // reference of the scanned resolution (决议扫描件)
}

// SurplusPlan is a drafted or approved plan.
type SurplusPlan struct {
	ID            int64        `json:"id"`
	Book          string       `json:"book"`
	Year          int          `json:"year"`
	Status        string       `json:"status"`      // draft, approved (and posted)
	NetSurplus    Money        `json:"net_surplus"` // 本年盈余
	Opening       Money        `json:"opening_undistributed"`
	OtherIn       Money        `json:"other_in"`
	Distributed   Money        `json:"distributed_before"` // already distributed this year
	ReserveRate   string       `json:"reserve_rate"`
	Reserve       Money        `json:"reserve"` // 提取盈余公积
	Distributable Money        `json:"distributable"`
	Return        Money        `json:"return"`
	Residual      Money        `json:"residual"`
	ToCapital     Money        `json:"to_capital"`
	Meeting       *Meeting     `json:"meeting,omitempty"`
	PreparerID    int64        `json:"preparer_id"`
	ApproverID    int64        `json:"approver_id,omitempty"`
	ApprovedAt    string       `json:"approved_at,omitempty"`
	VoucherIDs    []int64      `json:"voucher_ids,omitempty"`
	Members       []PlanMember `json:"members"`
}

// PlanMember is one member's part of a plan.
type PlanMember struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Volume    Money  `json:"volume"` // 交易量（额）
	Basis     Money  `json:"basis"`  // 出资额 + 公积金份额 + 补助、捐赠份额
	Return    Money  `json:"return"`
	Residual  Money  `json:"residual"`
	ToCapital Money  `json:"to_capital"`
	voucherID int64
}

// Plan statuses.
const (
	PlanDraft    = "draft"
	PlanApproved = "approved"
)

// planFigures reads the year's figures from the books into p.
func (s *Store) planFigures(ctx context.Context, tx bun.IDB, b Book, p *SurplusPlan) error {
	if p.Year < startYear(b) {
		return FieldError("year", "%d 年早于账套启用年度 %d", p.Year, startYear(b))
	}
	st, err := incomeStatement(ctx, tx, b, PeriodRange{From: Period(fmt.Sprintf("%04d-01", p.Year)), To: Period(fmt.Sprintf("%04d-12", p.Year))})
	if err != nil {
		return err
	}
	rows := map[int]int64{}
	for _, l := range st.Lines {
		rows[l.Row] = l.First.Fen()
	}
	_, bp, err := s.charterOf(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	p.NetSurplus, p.Opening, p.OtherIn = Fen(rows[12]), Fen(rows[13]), Fen(rows[14])
	p.Distributed = Fen(rows[15] + rows[17] + rows[18] + rows[19])
	p.ReserveRate = rateText(bp)
	if rows[12] > 0 {
		p.Reserve = Fen(decimal.NewFromInt(rows[12]*bp).DivRound(decimal.NewFromInt(10000), 0).IntPart())
	}
	p.Distributable = Fen(rows[12] + rows[13] + rows[14] - p.Distributed.Fen() - p.Reserve.Fen())
	return nil
}

// checkPlanLaw refuses a plan larger than 可分配盈余 or returning less than
// 60 % of it by volume, naming both figures.
func checkPlanLaw(p SurplusPlan) error {
	var v validation
	for _, f := range []struct {
		field string
		m     Money
	}{{"return", p.Return}, {"residual", p.Residual}, {"to_capital", p.ToCapital}} {
		if f.m.IsNegative() || f.m.Fen() > maxLineFen {
			v.Add(f.field, "金额应为 0 到 %s 元", Fen(maxLineFen))
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	total := p.Return.Fen() + p.Residual.Fen() + p.ToCapital.Fen()
	if total == 0 {
		return FieldError("return", "分配方案的盈余返还、剩余盈余分配和转为成员出资不能都为零")
	}
	if total > p.Distributable.Fen() {
		return FieldError("return", "分配合计 %s 元超过 %d 年可分配盈余 %s 元（本年盈余 %s + 年初未分配 %s + 其他转入 %s − 本年已分配 %s − 提取盈余公积 %s），不能分配",
			Fen(total), p.Year, p.Distributable, p.NetSurplus, p.Opening, p.OtherIn, p.Distributed, p.Reserve)
	}
	if p.Return.Fen()*100 < int64(minReturnPct)*p.Distributable.Fen() {
		floor := (int64(minReturnPct)*p.Distributable.Fen() + 99) / 100
		return FieldError("return", "按交易量（额）返还 %s 元低于可分配盈余 %s 元的 %d%%（至少 %s 元）：农民专业合作社法第四十四条规定，可分配盈余按成员与本社的交易量（额）比例返还的总额不得低于可分配盈余的百分之六十",
			p.Return, p.Distributable, minReturnPct, Fen(floor))
	}
	return nil
}

// splitPlan splits the plan's amounts among the members of 31 December.
func (s *Store) splitPlan(ctx context.Context, tx bun.IDB, b Book, p *SurplusPlan) error {
	members, err := s.allMembers(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	volume, err := memberVolume(ctx, tx, b.ID, p.Year)
	if err != nil {
		return err
	}
	st, err := yearStakes(ctx, tx, b.ID, p.Year)
	if err != nil {
		return err
	}
	var vol, basis []weight
	var volTotal, basisTotal int64
	p.Members = []PlanMember{}
	for _, m := range members {
		if !m.memberAt(yearEndDate(p.Year)) {
			continue
		}
		pm := PlanMember{Code: m.Code, Name: m.Name, Volume: Fen(max(volume[m.Code], 0)), Basis: Fen(max(st.of(m.Code), 0))}
		p.Members = append(p.Members, pm)
		vol = append(vol, weight{household: m.Code, w: decimal.NewFromInt(pm.Volume.Fen())})
		basis = append(basis, weight{household: m.Code, w: decimal.NewFromInt(pm.Basis.Fen())})
		volTotal, basisTotal = volTotal+pm.Volume.Fen(), basisTotal+pm.Basis.Fen()
	}
	if p.Return.IsPositive() && volTotal == 0 {
		return FieldError("return", "%d 年没有记为成员交易的分录，交易量（额）合计为零，无法按交易量（额）返还", p.Year)
	}
	if (p.Residual.IsPositive() || p.ToCapital.IsPositive()) && basisTotal == 0 {
		return FieldError("residual", "%d 年末成员的出资额与量化份额合计为零，无法分配剩余盈余", p.Year)
	}
	ret := splitLargestRemainder(p.Return.Fen(), vol)
	res := splitLargestRemainder(p.Residual.Fen(), basis)
	capi := splitLargestRemainder(p.ToCapital.Fen(), basis)
	for i := range p.Members {
		p.Members[i].Return, p.Members[i].Residual, p.Members[i].ToCapital = Fen(ret[i]), Fen(res[i]), Fen(capi[i])
	}
	return nil
}

// DraftSurplusPlan drafts (or redrafts) the plan of a year from the books.
// It is refused, changing nothing, when it breaks the law's rules.
func (s *Store) DraftSurplusPlan(ctx context.Context, a Actor, bookCode string, in PlanInput) (SurplusPlan, error) {
	if err := checkYear(in.Year); err != nil {
		return SurplusPlan{}, err
	}
	var out SurplusPlan
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorize(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		if err := cooperativeBook(b); err != nil {
			return err
		}
		old, err := s.planByYear(ctx, tx, b, in.Year)
		if err != nil && ErrorCode(err) != ECodeNotFound {
			return err
		}
		if err == nil && old.Status != PlanDraft {
			return &Error{Code: ECodeConflict, Message: fmt.Sprintf("%d 年的盈余分配方案已审批入账，不能重新编制", in.Year)}
		}
		out = SurplusPlan{Book: b.Code, Year: in.Year, Status: PlanDraft, Return: in.Return, Residual: in.Residual,
			ToCapital: in.ToCapital, PreparerID: a.UserID, Meeting: old.Meeting}
		if err := s.planFigures(ctx, tx, b, &out); err != nil {
			return err
		}
		if err := checkPlanLaw(out); err != nil {
			return err
		}
		if err := s.splitPlan(ctx, tx, b, &out); err != nil {
			return err
		}
		if out.ID, err = s.storePlan(ctx, tx, b, old.ID, out); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "draft", "surplus_plan", fmt.Sprint(out.ID), "", nil, out)
	})
	return out, err
}

func (s *Store) storePlan(ctx context.Context, tx bun.Tx, b Book, oldID int64, p SurplusPlan) (int64, error) {
	if oldID != 0 {
		for _, q := range []string{`DELETE FROM surplus_plan_members WHERE book_id = ? AND plan_id = ?`,
			`DELETE FROM surplus_plans WHERE book_id = ? AND id = ?`} {
			if _, err := tx.ExecContext(ctx, q, b.ID, oldID); err != nil {
				return 0, err
			}
		}
	}
	id, err := s.nextID(ctx, tx, b.ID, "surplus_plan")
	if err != nil {
		return 0, err
	}
	m := p.Meeting
	if m == nil {
		m = &Meeting{}
	}
	now := s.timestamp()
	if _, err := tx.ExecContext(ctx, `INSERT INTO surplus_plans (book_id, id, year, status, net_surplus_fen, opening_fen, other_in_fen,
		distributed_fen, reserve_rate_bp, reserve_fen, distributable_fen, return_fen, residual_fen, to_capital_fen, meeting_date,
		meeting_attended, meeting_total, resolution_ref, preparer_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, id, p.Year, PlanDraft, p.NetSurplus.Fen(), p.Opening.Fen(), p.OtherIn.Fen(), p.Distributed.Fen(), mustRate(p.ReserveRate),
		p.Reserve.Fen(), p.Distributable.Fen(), p.Return.Fen(), p.Residual.Fen(), p.ToCapital.Fen(), m.Date, m.Attended, m.Total,
		m.Resolution, p.PreparerID, now, now); err != nil {
		return 0, err
	}
	rows := make([][]any, 0, len(p.Members))
	for _, pm := range p.Members {
		rows = append(rows, []any{b.ID, id, pm.Code, pm.Volume.Fen(), pm.Basis.Fen(), pm.Return.Fen(), pm.Residual.Fen(), pm.ToCapital.Fen()})
	}
	if len(rows) == 0 {
		return id, nil
	}
	return id, multiInsert{head: `INSERT INTO surplus_plan_members (book_id, plan_id, member_code, volume_fen, basis_fen, return_fen,
		residual_fen, to_capital_fen) VALUES `, cols: 8}.exec(ctx, s, tx, rows)
}

func mustRate(s string) int64 {
	bp, _ := parseRate("reserve_rate", s)
	return bp
}

const planColumns = `id, year, status, net_surplus_fen, opening_fen, other_in_fen, distributed_fen, reserve_rate_bp, reserve_fen,
	distributable_fen, return_fen, residual_fen, to_capital_fen, meeting_date, meeting_attended, meeting_total, resolution_ref,
	preparer_id, COALESCE(approver_id, 0), COALESCE(approved_at, '')`

func (s *Store) planByYear(ctx context.Context, db bun.IDB, b Book, year int) (SurplusPlan, error) {
	return s.loadPlan(ctx, db, b, "year = ?", year)
}

func (s *Store) planByID(ctx context.Context, db bun.IDB, b Book, id int64) (SurplusPlan, error) {
	return s.loadPlan(ctx, db, b, "id = ?", id)
}

func (s *Store) loadPlan(ctx context.Context, db bun.IDB, b Book, where string, key any) (SurplusPlan, error) {
	p := SurplusPlan{Book: b.Code}
	var f [10]int64
	var bp int64
	m := Meeting{}
	err := db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM surplus_plans WHERE book_id = ? AND `+where, b.ID, key).Scan(
		&p.ID, &p.Year, &p.Status, &f[0], &f[1], &f[2], &f[3], &bp, &f[4], &f[5], &f[6], &f[7], &f[8],
		&m.Date, &m.Attended, &m.Total, &m.Resolution, &p.PreparerID, &p.ApproverID, &p.ApprovedAt)
	if isNoRows(err) {
		return SurplusPlan{}, notFound("盈余分配方案", key)
	}
	if err != nil {
		return SurplusPlan{}, err
	}
	p.NetSurplus, p.Opening, p.OtherIn, p.Distributed = Fen(f[0]), Fen(f[1]), Fen(f[2]), Fen(f[3])
	p.ReserveRate, p.Reserve, p.Distributable = rateText(bp), Fen(f[4]), Fen(f[5])
	p.Return, p.Residual, p.ToCapital = Fen(f[6]), Fen(f[7]), Fen(f[8])
	if m.Date != "" {
		p.Meeting = &m
	}
	p.Members, err = s.planMembers(ctx, db, b.ID, p.ID)
	if err != nil {
		return SurplusPlan{}, err
	}
	for _, pm := range p.Members {
		if pm.voucherID != 0 && (len(p.VoucherIDs) == 0 || p.VoucherIDs[len(p.VoucherIDs)-1] != pm.voucherID) {
			p.VoucherIDs = append(p.VoucherIDs, pm.voucherID)
		}
	}
	sort.Slice(p.VoucherIDs, func(i, j int) bool { return p.VoucherIDs[i] < p.VoucherIDs[j] })
	return p, nil
}

func (s *Store) planMembers(ctx context.Context, db bun.IDB, bookID, planID int64) ([]PlanMember, error) {
	rows, err := rawQuery(ctx, db, `SELECT p.member_code, m.name, p.volume_fen, p.basis_fen, p.return_fen, p.residual_fen,
		p.to_capital_fen, COALESCE(p.voucher_id, 0) FROM surplus_plan_members p
		JOIN members m ON m.book_id = p.book_id AND m.code = p.member_code
		WHERE p.book_id = ? AND p.plan_id = ? ORDER BY p.member_code`, bookID, planID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, pm *PlanMember) error {
		var f [5]int64
		err := rows.Scan(&pm.Code, &pm.Name, &f[0], &f[1], &f[2], &f[3], &f[4], &pm.voucherID)
		pm.Volume, pm.Basis, pm.Return, pm.Residual, pm.ToCapital = Fen(f[0]), Fen(f[1]), Fen(f[2]), Fen(f[3]), Fen(f[4])
		return err
	})
}

// SurplusPlanOf returns a book's plan by id.
func (s *Store) SurplusPlanOf(ctx context.Context, a Actor, bookCode string, id int64) (SurplusPlan, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return SurplusPlan{}, err
	}
	if err := cooperativeBook(b); err != nil {
		return SurplusPlan{}, err
	}
	return s.planByID(ctx, s.db, b, id)
}
