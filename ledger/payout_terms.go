package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// minVolumeShare is the least share of a cooperative's distributable surplus
// returned by transaction volume (农民专业合作社法 第44条).
var minVolumeShare = decimal.RequireFromString("0.6")

// checkTerms validates one version of terms for the kind.
func (s *Store) checkTerms(ctx context.Context, tx bun.IDB, b Book, kind AgreementKind, start, end string, t Terms, field string) error {
	var v validation
	switch kind {
	case LandRent:
		checkSchedule(&v, field, t)
		checkDecimal(&v, field+".service_fee_rate", t.ServiceFeeRate, false, decimal.NewFromInt(1))
	case ShareDividend:
		switch t.Basis {
		case "fixed_rate":
			checkDecimal(&v, field+".share_value", t.ShareValue, true, decimal.Decimal{})
			checkDecimal(&v, field+".rate", t.Rate, true, decimal.NewFromInt(1))
		case "pool":
		default:
			v.Add(field+".basis", "分红方式应为 fixed_rate（保底收益）或 pool（按股分配申报金额）")
		}
	case FixedSum:
		checkSchedule(&v, field, t)
		if t.YearlyAmount == nil || !t.YearlyAmount.IsPositive() {
			v.Add(field+".yearly_amount", "包干年金额必须大于零")
		}
		if t.SplitBy != "equal" && t.SplitBy != "shares" && t.SplitBy != "members" {
			v.Add(field+".split_by", "分配方式应为 equal（平均）、shares（按股）或 members（按人口）")
		}
	case CoopSurplus:
		checkDecimal(&v, field+".volume_share", t.VolumeShare, true, decimal.NewFromInt(1))
		if t.VolumeShare != nil && t.VolumeShare.LessThan(minVolumeShare) {
			v.Add(field+".volume_share", "按交易量返还的比例不得低于 60%%（农民专业合作社法第四十四条），收到 %s", t.VolumeShare.String())
		}
	}
	if len(t.Participants) == 0 && kind != Wage {
		v.Add(field+".participants", "至少需要一户参与")
	}
	if len(t.Participants) > maxParticipants {
		v.Add(field+".participants", "参与户数不能超过 %d", maxParticipants)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.checkParticipants(ctx, tx, b, kind, start, end, t, field); err != nil {
		return err
	}
	return checkAmountBounds(field, kind, t)
}

// lineLimitYuan is maxLineFen in yuan, for comparing computed amounts.
var lineLimitYuan = decimal.New(maxLineFen, -2)

// checkAmountBounds holds what the terms can produce to what one voucher line
// may carry, so a quarter can always be computed and approved: each
// participant's yearly amount and the agreement's yearly total (a quarter
// never pays more than a year, whatever the schedule or the versions, and an
// accrual credits an agreement's quarter in one line). Pools are bounded when
// declared.
func checkAmountBounds(field string, kind AgreementKind, t Terms) error {
	var v validation
	var annual annualFunc
	switch {
	case kind == LandRent:
		annual = landRentAnnual
	case kind == ShareDividend && t.Basis == "fixed_rate":
		annual = fixedReturnAnnual
	case kind == FixedSum:
		if t.YearlyAmount != nil && t.YearlyAmount.Fen() > maxLineFen {
			v.Add(field+".yearly_amount", "包干年金额 %s 元超过单笔分录上限 %s 元", t.YearlyAmount, Fen(maxLineFen))
		}
		return v.Err()
	default:
		return nil
	}
	total := decimal.Zero
	for i, p := range t.Participants {
		yearly, _ := annual(t, p)
		if yearly.GreaterThan(lineLimitYuan) {
			v.Add(fmt.Sprintf("%s.participants[%d]", field, i), "农户 %s 每年应付 %s 元，超过单笔分录上限 %s 元",
				p.Household, yearly.Round(2).StringFixed(2), Fen(maxLineFen))
		}
		total = total.Add(yearly)
	}
	if len(v.details) == 0 && total.GreaterThan(lineLimitYuan) {
		v.Add(field+".participants", "全部参与户每年应付合计 %s 元，超过单笔分录上限 %s 元（一个季度的计提记在一行分录中）",
			total.Round(2).StringFixed(2), Fen(maxLineFen))
	}
	return v.Err()
}

func checkSchedule(v *validation, field string, t Terms) {
	switch t.Schedule {
	case "quarterly":
	case "yearly":
		if t.PayQuarter < 1 || t.PayQuarter > 4 {
			v.Add(field+".pay_quarter", "按年支付时须指定支付季度 1–4")
		}
	default:
		v.Add(field+".schedule", "支付方式应为 quarterly（按季）或 yearly（按年）")
	}
}

// checkDecimal checks an optional non-negative decimal with at most four
// decimals, below limit when limit is not zero.
func checkDecimal(v *validation, field string, d *decimal.Decimal, required bool, limit decimal.Decimal) {
	if d == nil {
		if required {
			v.Add(field, "不能为空")
		}
		return
	}
	checkDecimalValue(v, field, *d, limit)
}

func checkDecimalValue(v *validation, field string, d decimal.Decimal, limit decimal.Decimal) {
	switch {
	case d.IsNegative():
		v.Add(field, "不能为负数，收到 %s", d.String())
	case !d.Equal(d.Round(maxDecimals)):
		v.Add(field, "最多 %d 位小数，收到 %s", maxDecimals, d.String())
	case !limit.IsZero() && d.GreaterThan(limit):
		v.Add(field, "不能大于 %s，收到 %s", limit.String(), d.String())
	case d.GreaterThan(decimal.New(1, 12)):
		v.Add(field, "数值过大：%s", d.String())
	}
}

func (s *Store) checkParticipants(ctx context.Context, tx bun.IDB, b Book, kind AgreementKind, start, end string, t Terms, field string) error {
	var v validation
	seen := map[string]bool{}
	known, err := householdCodes(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	for i, p := range t.Participants {
		f := fmt.Sprintf("%s.participants[%d]", field, i)
		switch {
		case !known[p.Household]:
			v.Add(f+".household", "本账套没有此农户：%s", truncate(p.Household, 32))
		case seen[p.Household]:
			v.Add(f+".household", "农户 %s 重复出现", p.Household)
		}
		seen[p.Household] = true
		checkParticipantDates(&v, f, p, start, end)
		checkParticipantTerms(&v, f, kind, t, p)
		if len(v.details) > 50 {
			break
		}
	}
	return v.Err()
}

func householdCodes(ctx context.Context, db bun.IDB, bookID int64) (map[string]bool, error) {
	var codes []string
	if err := db.NewRaw("SELECT code FROM households WHERE book_id = ?", bookID).Scan(ctx, &codes); err != nil && !isNoRows(err) {
		return nil, err
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

func checkParticipantDates(v *validation, f string, p Participant, start, end string) {
	ps, err1 := parseOptionalDate(p.Start)
	pe, err2 := parseOptionalDate(p.End)
	switch {
	case err1 != nil:
		v.Add(f+".start", "%s", err1.Error())
	case err2 != nil:
		v.Add(f+".end", "%s", err2.Error())
	case !ps.IsZero() && !pe.IsZero() && pe.Before(ps):
		v.Add(f+".end", "退出日期 %s 早于加入日期 %s", p.End, p.Start)
	case p.Start != "" && p.Start < start:
		v.Add(f+".start", "加入日期早于协议开始日期 %s", start)
	case p.End != "" && end != "" && p.End > end:
		v.Add(f+".end", "退出日期晚于协议终止日期 %s", end)
	}
}

func checkParticipantTerms(v *validation, f string, kind AgreementKind, t Terms, p Participant) {
	switch {
	case kind == LandRent:
		if len(p.Parcels) == 0 || len(p.Parcels) > maxParcels {
			v.Add(f+".parcels", "每户应有 1 到 %d 块地", maxParcels)
		}
		for j, pc := range p.Parcels {
			pf := fmt.Sprintf("%s.parcels[%d]", f, j)
			v.text(pf+".name", pc.Name)
			checkDecimalValue(v, pf+".area_mu", pc.AreaMu, decimal.Decimal{})
			checkDecimalValue(v, pf+".rate", pc.Rate, decimal.Decimal{})
			if pc.AreaMu.IsZero() {
				v.Add(pf+".area_mu", "面积必须大于零")
			}
		}
	case kind == ShareDividend || (kind == FixedSum && t.SplitBy == "shares"):
		checkDecimal(v, f+".shares", p.Shares, true, decimal.Decimal{})
		if p.Shares != nil && p.Shares.IsZero() {
			v.Add(f+".shares", "股数必须大于零")
		}
	case kind == CoopSurplus:
		checkDecimal(v, f+".shares", p.Shares, false, decimal.Decimal{})
		if p.Volume != nil && p.Volume.IsNegative() {
			v.Add(f+".volume", "交易量不能为负数")
		}
	}
}

// AgreementKind is one of the "three golds" and their relatives.
type AgreementKind string

const (
	LandRent      AgreementKind = "land_rent"      // 租金
	ShareDividend AgreementKind = "share_dividend" // 股金
	Wage          AgreementKind = "wage"           // 薪金
	FixedSum      AgreementKind = "fixed_sum"      // 包干
	CoopSurplus   AgreementKind = "coop_surplus"   // 盈余返还
)

// Terms are an agreement's terms in one version. Which fields matter depends
// on the kind; decimals travel as strings and are stored exactly.
type Terms struct {
	Schedule       string           `json:"schedule,omitempty"`         // quarterly | yearly (land_rent, fixed_sum)
	PayQuarter     int              `json:"pay_quarter,omitempty"`      // 1..4 when yearly
	ServiceFeeRate *decimal.Decimal `json:"service_fee_rate,omitempty"` // land_rent: share kept by the village
	Basis          string           `json:"basis,omitempty"`            // share_dividend: fixed_rate | pool
	ShareValue     *decimal.Decimal `json:"share_value,omitempty"`      // fixed_rate: 元 per share
	Rate           *decimal.Decimal `json:"rate,omitempty"`             // fixed_rate: yearly rate, e.g. 0.08
	YearlyAmount   *Money           `json:"yearly_amount,omitempty"`    // fixed_sum
	SplitBy        string           `json:"split_by,omitempty"`         // fixed_sum: equal | shares | members
	VolumeShare    *decimal.Decimal `json:"volume_share,omitempty"`     // coop_surplus: ≥ 0.6
	Participants   []Participant    `json:"participants"`
}

// Participant is one household's part in an agreement.
type Participant struct {
	Household string           `json:"household"`
	Start     string           `json:"start,omitempty"` // optional, inside the agreement
	End       string           `json:"end,omitempty"`
	Parcels   []Parcel         `json:"parcels,omitempty"` // land_rent
	Shares    *decimal.Decimal `json:"shares,omitempty"`  // share_dividend, fixed_sum by shares, coop_surplus capital
	Volume    *Money           `json:"volume,omitempty"`  // coop_surplus: member transaction volume
}

// Limits on agreements.
const (
	maxParticipants = 200_000
	maxParcels      = 50
	maxDecimals     = 4
)

// Parcel is a piece of transferred land.
type Parcel struct {
	Name   string          `json:"name,omitempty"`
	AreaMu decimal.Decimal `json:"area_mu"` // 亩, up to 4 decimals
	Rate   decimal.Decimal `json:"rate"`    // 元/亩/年, up to 4 decimals
}

// annualFunc gives a participant's yearly amount under some terms, with its
// basis in words, e.g. "3.5000 亩 × 800.00 元/亩/年".
type annualFunc func(t Terms, p Participant) (decimal.Decimal, string)

func landRentAnnual(_ Terms, p Participant) (decimal.Decimal, string) {
	total := decimal.Zero
	parts := make([]string, 0, len(p.Parcels))
	for _, pc := range p.Parcels {
		total = total.Add(pc.AreaMu.Mul(pc.Rate))
		parts = append(parts, fmt.Sprintf("%s 亩 × %s 元/亩/年", pc.AreaMu.StringFixed(4), fixed2(pc.Rate)))
	}
	return total, strings.Join(parts, " + ")
}

func fixedReturnAnnual(t Terms, p Participant) (decimal.Decimal, string) {
	shares := deref0(p.Shares)
	annual := shares.Mul(deref0(t.ShareValue)).Mul(deref0(t.Rate))
	return annual, fmt.Sprintf("%s 股 × %s 元/股 × 年收益率 %s", shares.StringFixed(4), fixed2(deref0(t.ShareValue)), deref0(t.Rate).String())
}

// fixed2 prints at least two decimals, more when the value has them.
func fixed2(d decimal.Decimal) string {
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

func deref0(d *decimal.Decimal) decimal.Decimal {
	if d == nil {
		return decimal.Zero
	}
	return *d
}
