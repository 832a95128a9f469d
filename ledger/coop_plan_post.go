package ledger

import (
	"context"
	"fmt"
	"reflect"

	"github.com/uptrace/bun"
)

// ViaSurplusPlan marks the vouchers an approved 盈余分配方案 posted.
const ViaSurplusPlan = "surplus_plan"

// planMembersPerVoucher keeps a plan voucher (three lines a member) within
// the ledger's 500 lines.
const planMembersPerVoucher = 150

// RecordPlanMeeting records the 成员（代表）大会 that approved a draft plan.
func (s *Store) RecordPlanMeeting(ctx context.Context, a Actor, bookCode string, id int64, m Meeting) (SurplusPlan, error) {
	var v validation
	if _, err := ParseDate(m.Date); err != nil {
		v.Add("date", "大会日期不正确：%s", err.Error())
	}
	if m.Total < 1 || m.Total > maxMembersPerBook {
		v.Add("total", "应到人数应为 1 到 %d", maxMembersPerBook)
	}
	if m.Attended < 0 || m.Attended > m.Total {
		v.Add("attended", "实到人数 %d 应在 0 与应到人数 %d 之间", m.Attended, m.Total)
	} else if m.Attended*3 < m.Total*2 {
		v.Add("attended", "实到 %d 人不足应到 %d 人的三分之二，大会决议无效（农民专业合作社法第三十条）", m.Attended, m.Total)
	}
	if !v.text("resolution", m.Resolution) && (m.Resolution == "" || len([]rune(m.Resolution)) > 200) {
		v.Add("resolution", "须填写大会决议扫描件的编号或存放位置，不超过 200 个字")
	}
	if err := v.Err(); err != nil {
		return SurplusPlan{}, err
	}
	var out SurplusPlan
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, p, err := s.draftPlan(ctx, tx, a, bookCode, id, permWrite)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE surplus_plans SET meeting_date = ?, meeting_attended = ?, meeting_total = ?,
			resolution_ref = ?, updated_at = ? WHERE book_id = ? AND id = ?`, m.Date, m.Attended, m.Total, m.Resolution,
			s.timestamp(), b.ID, id); err != nil {
			return err
		}
		before := p.Meeting
		p.Meeting = &m
		out = p
		return s.audit(ctx, tx, a, b.ID, "meeting", "surplus_plan", fmt.Sprint(id), "", before, m)
	})
	return out, err
}

func (s *Store) draftPlan(ctx context.Context, tx bun.Tx, a Actor, bookCode string, id int64, perm permission) (Book, SurplusPlan, error) {
	b, err := s.authorize(ctx, tx, a, bookCode, perm)
	if err != nil {
		return b, SurplusPlan{}, err
	}
	if err := cooperativeBook(b); err != nil {
		return b, SurplusPlan{}, err
	}
	p, err := s.planByID(ctx, tx, b, id)
	if err != nil {
		return b, p, err
	}
	if p.Status != PlanDraft {
		return b, p, &Error{Code: ECodeConflict, Message: fmt.Sprintf("%d 年的盈余分配方案已审批入账", p.Year)}
	}
	return b, p, nil
}

// ApproveSurplusPlan approves a draft plan whose meeting is recorded, as
// someone other than its preparer, and posts it dated 31 December: Dr 33203
// 提取盈余公积 / Cr 322; Dr 33204, 33205, 33206 / Cr 221, 222, 301 per member.
// The figures are read from the books again: a plan the books no longer
// support is refused, changing nothing.
func (s *Store) ApproveSurplusPlan(ctx context.Context, a Actor, bookCode string, id int64) (SurplusPlan, error) {
	var out SurplusPlan
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, p, err := s.draftPlan(ctx, tx, a, bookCode, id, permPost)
		if err != nil {
			return err
		}
		if p.Meeting == nil {
			return &Error{Code: ECodeConflict, Message: "须先录入成员（代表）大会审议通过本方案的日期、到会人数和决议扫描件，才能审批"}
		}
		if p.PreparerID == a.UserID {
			return Errorf(ECodeSegregation, "盈余分配方案的审批人不能是编制人本人（不相容职务分离）")
		}
		now := SurplusPlan{Year: p.Year, Return: p.Return, Residual: p.Residual, ToCapital: p.ToCapital}
		if err := s.planFigures(ctx, tx, b, &now); err != nil {
			return err
		}
		if err := checkPlanLaw(now); err != nil {
			return err
		}
		if err := s.splitPlan(ctx, tx, b, &now); err != nil {
			return err
		}
		if now.Distributable != p.Distributable || !samePlanSplit(now.Members, p.Members) {
			return &Error{Code: ECodeConflict, Message: fmt.Sprintf("方案编制后账簿已变化（可分配盈余现为 %s 元，方案编制时为 %s 元，或成员交易量、出资额有变），请重新编制",
				now.Distributable, p.Distributable)}
		}
		if err := s.postPlan(ctx, tx, a, b, &p); err != nil {
			return err
		}
		p.Status, p.ApproverID, p.ApprovedAt = PlanApproved, a.UserID, s.timestamp()
		res, err := tx.ExecContext(ctx, `UPDATE surplus_plans SET status = ?, approver_id = ?, approved_at = ?, voucher_id = ?,
			updated_at = ? WHERE book_id = ? AND id = ? AND status = ?`, PlanApproved, a.UserID, p.ApprovedAt, p.VoucherIDs[0],
			p.ApprovedAt, b.ID, id, PlanDraft)
		if err := exactlyOneRow(res, err, "盈余分配方案已被他人审批"); err != nil {
			return err
		}
		out = p
		return s.audit(ctx, tx, a, b.ID, "approve", "surplus_plan", fmt.Sprint(id), "", nil, p)
	})
	return out, err
}

func samePlanSplit(a, b []PlanMember) bool {
	strip := func(ms []PlanMember) []PlanMember {
		out := make([]PlanMember, len(ms))
		for i, m := range ms {
			m.Name, m.voucherID = "", 0
			out[i] = m
		}
		return out
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

// postPlan posts the plan's vouchers, a chunk of members each.
func (s *Store) postPlan(ctx context.Context, tx bun.Tx, a Actor, b Book, p *SurplusPlan) error {
	date := yearEndDate(p.Year)
	for start := 0; start == 0 || start < len(p.Members); start += planMembersPerVoucher {
		chunk := p.Members[start:min(start+planMembersPerVoucher, len(p.Members))]
		in := VoucherInput{Date: date, Summary: fmt.Sprintf("按%d年盈余分配方案分配盈余（%s成员大会决议 %s）", p.Year, p.Meeting.Date, p.Meeting.Resolution)}
		in.Summary = truncate(in.Summary, maxSummary-1)
		if start == 0 && p.Reserve.IsPositive() {
			in.Lines = append(in.Lines, sidedLine("33203", "", "", p.Reserve.Fen(), "提取盈余公积"), sidedLine("322", "", "", -p.Reserve.Fen(), "提取盈余公积"))
		}
		var ret, res, capi int64
		for _, m := range chunk {
			in.Lines = append(in.Lines, sidedLine("221", m.Code, "", -m.Return.Fen(), "按交易量（额）返还"),
				sidedLine("222", m.Code, "", -m.Residual.Fen(), "剩余盈余分配"), sidedLine("301", m.Code, "", -m.ToCapital.Fen(), "转为成员出资"))
			ret, res, capi = ret+m.Return.Fen(), res+m.Residual.Fen(), capi+m.ToCapital.Fen()
		}
		in.Lines = append(in.Lines, sidedLine("33204", "", "", ret, "盈余返还"), sidedLine("33205", "", "", res, "剩余盈余分配"),
			sidedLine("33206", "", "", capi, "转为成员出资"))
		v, err := s.postGenerated(ctx, tx, b, p.PreparerID, a.UserID, ViaSurplusPlan, in)
		if err != nil {
			return err
		}
		p.VoucherIDs = append(p.VoucherIDs, v.ID)
		for i := range chunk {
			chunk[i].voucherID = v.ID
			if _, err := tx.ExecContext(ctx, `UPDATE surplus_plan_members SET voucher_id = ? WHERE book_id = ? AND plan_id = ? AND member_code = ?`,
				v.ID, b.ID, p.ID, chunk[i].Code); err != nil {
				return err
			}
		}
	}
	return nil
}
