package ledger

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// RoundingRule is stored with every payout run and printed on rosters.
const RoundingRule = "按费率计算的金额（租金、保底收益、薪金）先精确计算，最后一次四舍五入到分；" +
	"按池分配的金额（申报分红、包干、盈余返还）用最大余额法：每户先取舍去到分的金额，" +
	"剩余的分按余数从大到小每户一分，余数相同按户编号升序；各户合计恰好等于池金额。"

// Entitlement is what one household is owed under one agreement for a quarter.
type Entitlement struct {
	Agreement     string `json:"agreement"`
	Household     string `json:"household"`
	Kind          string `json:"kind"` // 租金 / 股金 / 薪金 / 包干 / 盈余返还
	CreditAccount string `json:"credit_account"`
	Amount        Money  `json:"amount"` // owed to the household
	Fee           Money  `json:"fee"`    // village service fee withheld (land rent)
	Basis         string `json:"basis"`
}

// computeInputs are the facts a computation needs besides the agreement.
type computeInputs struct {
	members     map[string]int // household → members, for fixed sums split by head count
	declaration *Money         // the quarter's declared pool, if any
	work        []WorkRecord   // the quarter's work records
}

// versionSpan is the part of a window in which one version of terms applies.
type versionSpan struct {
	terms Terms
	span  dateRange
}

// versionSpans cuts window into the pieces governed by each version of the
// agreement, within the agreement's own start and end.
func versionSpans(ag Agreement, window dateRange) []versionSpan {
	start, _ := ParseDate(ag.Start)
	end, _ := parseOptionalDate(ag.End)
	life, ok := window.intersect(dateRange{From: start, To: end})
	if !ok {
		return nil
	}
	var out []versionSpan
	for i, v := range ag.Versions {
		from, _ := ParseDate(v.EffectiveFrom)
		r := dateRange{From: from}
		if i+1 < len(ag.Versions) {
			next, _ := ParseDate(ag.Versions[i+1].EffectiveFrom)
			r.To = next.AddDate(0, 0, -1)
		}
		if span, ok := life.intersect(r); ok {
			out = append(out, versionSpan{terms: v.Terms, span: span})
		}
	}
	return out
}

// participantDays is how many days of span the participant takes part.
func participantDays(p Participant, span dateRange) (int, dateRange) {
	from, _ := parseOptionalDate(p.Start)
	to, _ := parseOptionalDate(p.End)
	r, ok := span.intersect(dateRange{From: from, To: to})
	if !ok {
		return 0, r
	}
	return r.days(), r
}

// scheduleWindow returns the window a quarter's payment covers and the
// number of payments per year, or ok=false when nothing is due this quarter.
func scheduleWindow(t Terms, q Quarter) (window dateRange, perYear int64, ok bool) {
	if t.Schedule == "yearly" {
		if t.PayQuarter != q.Q {
			return dateRange{}, 0, false
		}
		first := time.Date(q.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		return dateRange{From: first, To: first.AddDate(1, 0, -1)}, 1, true
	}
	return dateRange{From: q.First(), To: q.Last()}, 4, true
}

// computeEntitlements computes every household's entitlement under ag for q.
// Terms are bounded when entered; an agreement stored before those bounds
// whose quarter would still exceed a voucher line's limit gets an error that
// names it, never a panic.
func computeEntitlements(ag Agreement, q Quarter, in computeInputs) ([]Entitlement, error) {
	if len(ag.Versions) == 0 {
		return nil, nil
	}
	var out []Entitlement
	var err error
	switch ag.Kind {
	case LandRent:
		out, err = rateBased(ag, q, landRentAnnual)
	case ShareDividend:
		if ag.Versions[len(ag.Versions)-1].Terms.Basis == "pool" {
			out = sharePool(ag, q, in)
		} else {
			out, err = rateBased(ag, q, fixedReturnAnnual)
		}
	case Wage:
		out, err = wages(ag, in.work)
	case FixedSum:
		out = fixedSum(ag, q, in)
	case CoopSurplus:
		out, err = coopSurplus(ag, in)
	}
	if err == nil {
		err = checkQuarterTotal(ag, q, out)
	}
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Household < out[j].Household })
	return out, nil
}

// checkQuarterTotal refuses a quarter whose total under one agreement would
// not fit one voucher line (the accrual credits the agreement in one line).
func checkQuarterTotal(ag Agreement, q Quarter, out []Entitlement) error {
	var total int64
	for _, e := range out {
		total += e.Amount.Fen() + e.Fee.Fen()
		if total > maxLineFen {
			return Errorf(ECodeInvalid, "协议 %s 的 %s 季度应付合计超过单笔分录上限 %s 元，请先修改协议条款", ag.Code, q, Fen(maxLineFen))
		}
	}
	return nil
}

// rateBased computes amounts from yearly rates: exact sums over version
// spans and participation days, rounded half-up to the fen once at the end.
func rateBased(ag Agreement, q Quarter, annual annualFunc) ([]Entitlement, error) {
	last := ag.Versions[len(ag.Versions)-1].Terms
	window, perYear, ok := scheduleWindow(last, q)
	if !ok {
		return nil, nil
	}
	windowDays := int64(window.days())
	type acc struct {
		num, feeNum decimal.Decimal // Σ annual × days, Σ annual × days × fee rate
		feeRates    []string
		basis       []string
	}
	byHousehold := map[string]*acc{}
	var order []string
	for _, vs := range versionSpans(ag, window) {
		feeRate := deref0(vs.terms.ServiceFeeRate)
		for _, p := range vs.terms.Participants {
			days, r := participantDays(p, vs.span)
			if days == 0 {
				continue
			}
			yearly, words := annual(vs.terms, p)
			a := byHousehold[p.Household]
			if a == nil {
				a = &acc{num: decimal.Zero, feeNum: decimal.Zero}
				byHousehold[p.Household] = a
				order = append(order, p.Household)
			}
			part := yearly.Mul(decimal.NewFromInt(int64(days)))
			a.num = a.num.Add(part)
			if !feeRate.IsZero() {
				a.feeNum = a.feeNum.Add(part.Mul(feeRate))
				a.feeRates = append(a.feeRates, feeRate.Shift(2).String()+"%")
			}
			a.basis = append(a.basis, rateBasis(words, perYear, int64(days), windowDays, r))
		}
	}
	den := decimal.NewFromInt(perYear * windowDays)
	out := make([]Entitlement, 0, len(order))
	for _, h := range order {
		a := byHousehold[h]
		gross := a.num.DivRound(den, 2)
		fee := a.feeNum.DivRound(den, 2)
		net, err := entitledMoney(ag, h, gross.Sub(fee))
		if err != nil {
			return nil, err
		}
		feeMoney, err := entitledMoney(ag, h, fee)
		if err != nil {
			return nil, err
		}
		e := Entitlement{Agreement: ag.Code, Household: h, Kind: ag.Kind.Label(), CreditAccount: ag.Accounts.Credit,
			Amount: net, Fee: feeMoney}
		e.Basis = strings.Join(a.basis, " + ") + " = " + gross.StringFixed(2)
		if !fee.IsZero() {
			e.Basis += fmt.Sprintf("；扣村服务费 %s（%s），实发 %s", strings.Join(a.feeRates, "/"), fee.StringFixed(2), e.Amount)
		}
		if !gross.IsZero() {
			out = append(out, e)
		}
	}
	return out, nil
}

func rateBasis(words string, perYear, days, windowDays int64, r dateRange) string {
	b := "(" + words + ")"
	if perYear > 1 {
		b += fmt.Sprintf(" ÷ %d", perYear)
	}
	if days != windowDays {
		b += fmt.Sprintf(" × %d/%d 天（%s 至 %s）", days, windowDays, r.From.Format("2006-01-02"), r.To.Format("2006-01-02"))
	}
	return b
}

// weight is one household's claim on a pool, with its basis in words.
type weight struct {
	household string
	w         decimal.Decimal
	basis     string
}

// splitLargestRemainder splits poolFen by weights: everyone gets the rounded-
// down share, the leftover fen go one each to the largest remainders, ties
// broken by household code ascending. The parts add up to the pool exactly.
func splitLargestRemainder(poolFen int64, ws []weight) []int64 {
	total := decimal.Zero
	for _, w := range ws {
		total = total.Add(w.w)
	}
	out := make([]int64, len(ws))
	if total.IsZero() || poolFen <= 0 {
		return out
	}
	rems := make([]decimal.Decimal, len(ws))
	left := poolFen
	pool := decimal.NewFromInt(poolFen)
	for i, w := range ws {
		q, r := pool.Mul(w.w).QuoRem(total, 0)
		out[i], rems[i] = q.IntPart(), r
		left -= out[i]
	}
	idx := make([]int, len(ws))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if c := rems[idx[a]].Cmp(rems[idx[b]]); c != 0 {
			return c > 0
		}
		return ws[idx[a]].household < ws[idx[b]].household
	})
	for k := 0; k < int(left); k++ {
		out[idx[k]]++
	}
	return out
}

// pooled turns a split pool into entitlements with their bases.
// scale divides the weights for display only (weights weighed by days).
func pooled(ag Agreement, kind, account string, poolFen int64, ws []weight, scale int64, what string) []Entitlement {
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].household < ws[j].household })
	parts := splitLargestRemainder(poolFen, ws)
	total := decimal.Zero
	for _, w := range ws {
		total = total.Add(w.w)
	}
	total = total.DivRound(decimal.NewFromInt(scale), 4)
	out := make([]Entitlement, 0, len(ws))
	for i, w := range ws {
		if parts[i] == 0 {
			continue
		}
		basis := fmt.Sprintf("%s %s 元 × %s ÷ 合计 %s（最大余额法）= %s", what, Fen(poolFen), w.basis, total.String(), Fen(parts[i]))
		out = append(out, Entitlement{Agreement: ag.Code, Household: w.household, Kind: kind, CreditAccount: account,
			Amount: Fen(parts[i]), Basis: basis})
	}
	return out
}

// spanWeights weighs each participant by unit(p) × days taken part in window.
func spanWeights(ag Agreement, window dateRange, unit func(Terms, Participant) (decimal.Decimal, string)) ([]weight, int64) {
	windowDays := window.days()
	byHousehold := map[string]*weight{}
	var order []string
	for _, vs := range versionSpans(ag, window) {
		for _, p := range vs.terms.Participants {
			days, _ := participantDays(p, vs.span)
			if days == 0 {
				continue
			}
			u, words := unit(vs.terms, p)
			if days != windowDays {
				words += fmt.Sprintf(" × %d/%d 天", days, windowDays)
			}
			w := byHousehold[p.Household]
			if w == nil {
				w = &weight{household: p.Household, w: decimal.Zero}
				byHousehold[p.Household] = w
				order = append(order, p.Household)
			}
			// Weights are unit × days: every household shares the window's
			// length as denominator, so it is left out and nothing is rounded.
			w.w = w.w.Add(u.Mul(decimal.NewFromInt(int64(days))))
			w.basis = joinBasis(w.basis, words)
		}
	}
	out := make([]weight, 0, len(order))
	for _, h := range order {
		out = append(out, *byHousehold[h])
	}
	return out, int64(windowDays)
}

func joinBasis(a, b string) string {
	if a == "" {
		return b
	}
	return a + " + " + b
}

func sharePool(ag Agreement, q Quarter, in computeInputs) []Entitlement {
	if in.declaration == nil {
		return nil
	}
	ws, scale := spanWeights(ag, dateRange{From: q.First(), To: q.Last()}, func(_ Terms, p Participant) (decimal.Decimal, string) {
		return deref0(p.Shares), deref0(p.Shares).StringFixed(4) + " 股"
	})
	return pooled(ag, ag.Kind.Label(), ag.Accounts.Credit, in.declaration.Fen(), ws, scale, "申报分红")
}

// quarterPool is a yearly sum's share for quarter n, by cumulative rounding so
// the four quarters add up to the yearly sum exactly.
func quarterPool(yearlyFen int64, n int) int64 {
	cum := func(k int) int64 {
		return decimal.NewFromInt(yearlyFen*int64(k)).DivRound(decimal.NewFromInt(4), 0).IntPart()
	}
	return cum(n) - cum(n-1)
}

func fixedSum(ag Agreement, q Quarter, in computeInputs) []Entitlement {
	last := ag.Versions[len(ag.Versions)-1].Terms
	window, perYear, ok := scheduleWindow(last, q)
	if !ok || last.YearlyAmount == nil {
		return nil
	}
	pool := last.YearlyAmount.Fen()
	if perYear == 4 {
		pool = quarterPool(pool, q.Q)
	}
	ws, scale := spanWeights(ag, window, func(t Terms, p Participant) (decimal.Decimal, string) {
		switch t.SplitBy {
		case "shares":
			return deref0(p.Shares), deref0(p.Shares).StringFixed(4) + " 股"
		case "members":
			n := in.members[p.Household]
			return decimal.NewFromInt(int64(n)), fmt.Sprintf("%d 人", n)
		}
		return decimal.NewFromInt(1), "1 户"
	})
	return pooled(ag, ag.Kind.Label(), ag.Accounts.Credit, pool, ws, scale, "包干款")
}

func coopSurplus(ag Agreement, in computeInputs) ([]Entitlement, error) {
	if in.declaration == nil {
		return nil, nil
	}
	t := ag.Versions[len(ag.Versions)-1].Terms
	surplus := in.declaration.Decimal()
	volumePool := surplus.Mul(deref0(t.VolumeShare)).Round(2)
	capitalPool := surplus.Sub(volumePool)
	var byVolume, byCapital []weight
	for _, p := range t.Participants {
		if p.Volume != nil && p.Volume.IsPositive() {
			byVolume = append(byVolume, weight{household: p.Household, w: p.Volume.Decimal(), basis: "交易量（额） " + p.Volume.String()})
		}
		if p.Shares != nil && p.Shares.IsPositive() {
			byCapital = append(byCapital, weight{household: p.Household, w: *p.Shares, basis: p.Shares.StringFixed(4) + " 股"})
		}
	}
	what := fmt.Sprintf("可分配盈余 %s × 按交易量返还 %s%% =", surplus.StringFixed(2), deref0(t.VolumeShare).Shift(2).String())
	// The declaration is a Money, so both pools are whole fen and in range.
	volumeFen, capitalFen := volumePool.Shift(2).IntPart(), capitalPool.Shift(2).IntPart()
	out := pooled(ag, "盈余返还", ag.Accounts.Credit, volumeFen, byVolume, 1, what)
	// The rest is the 剩余盈余分配 by capital (222), never counted as 盈余返还.
	return append(out, pooled(ag, KindLabelResidual, ag.Accounts.Extra, capitalFen, byCapital, 1, "剩余盈余按出资额（股）")...), nil
}

func wages(ag Agreement, records []WorkRecord) ([]Entitlement, error) {
	type acc struct {
		total decimal.Decimal
		parts map[string]decimal.Decimal // "unit|rate" → quantity
		keys  []string
	}
	byHousehold := map[string]*acc{}
	var order []string
	for _, r := range records {
		a := byHousehold[r.Household]
		if a == nil {
			a = &acc{total: decimal.Zero, parts: map[string]decimal.Decimal{}}
			byHousehold[r.Household] = a
			order = append(order, r.Household)
		}
		a.total = a.total.Add(r.Quantity.Mul(r.UnitRate))
		k := r.Unit + "|" + r.UnitRate.String()
		if _, seen := a.parts[k]; !seen {
			a.keys = append(a.keys, k)
		}
		a.parts[k] = a.parts[k].Add(r.Quantity)
	}
	out := make([]Entitlement, 0, len(order))
	for _, h := range order {
		a := byHousehold[h]
		words := make([]string, 0, len(a.keys))
		for _, k := range a.keys {
			unit, rate, _ := strings.Cut(k, "|")
			words = append(words, fmt.Sprintf("%s %s × %s 元/%s", a.parts[k].String(), unit, fixed2(decimal.RequireFromString(rate)), unit))
		}
		amount := a.total.Round(2)
		m, err := entitledMoney(ag, h, amount)
		if err != nil {
			return nil, err
		}
		out = append(out, Entitlement{Agreement: ag.Code, Household: h, Kind: ag.Kind.Label(), CreditAccount: ag.Accounts.Credit,
			Amount: m, Basis: strings.Join(words, " + ") + " = " + amount.StringFixed(2)})
	}
	return out, nil
}

// entitledMoney converts one household's amount, already rounded to the fen,
// refusing one larger than a voucher line may carry.
func entitledMoney(ag Agreement, household string, d decimal.Decimal) (Money, error) {
	m, err := MoneyFromDecimal(d)
	if err != nil || m.Fen() > maxLineFen || m.Fen() < -maxLineFen {
		return Money{}, Errorf(ECodeInvalid, "协议 %s 农户 %s 的应付金额 %s 元超过单笔分录上限 %s 元，请先修改协议条款",
			ag.Code, household, d.StringFixed(2), Fen(maxLineFen))
	}
	return m, nil
}
