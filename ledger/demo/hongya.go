package demo

import (
	"fmt"
	"math/rand/v2"

	"coopledger/ledger"
)

// 红芽村: a red-bud taro (红芽芋) base run as "company + cooperative +
// household". The company leases households' land through the village; the
// village invested 600,000 of poverty-alleviation funds in the taro
// cooperative, whose guaranteed 8 % a year is accrued (112 / 502); the
// village also farms a 40-亩 demonstration plot, selling the harvest to the
// company, and rents the company its cold store. What households earn goes
// through quarterly payout runs (see hyPayouts): rent quarterly and, for a
// dry plot, yearly (112 / 21101—[户]); 70 % of the invested funds quantified
// to 脱贫户 and 监测户 as shares with a guaranteed return (3220102 /
// 21102—[户]); and wages for the plot's field work from work records (401 /
// 213—[户]).

const (
	hyCompany = "HY01" // the taro company
	hyCoop    = "HC01" // the taro cooperative

	hyRentFenPerMuYear = 80000    // 800.00 元/亩/年, paid quarterly
	hyCapitalFen       = 60000000 // poverty-alleviation funds in the cooperative
	hyReturnPermille   = 80
	hySharePct         = 70 // of the return, shared out to households
	hyColdStoreRentFen = 900000
	hyDepreciationFen  = 160417 // cold store 385,000.00 ÷ 20 years ÷ 12
)

// hyWorkMonths are the months of field work on the plot, with the day rate.
var hyWorkMonths = map[int]struct {
	work       string
	fenPerDay  int64
	rateString string
}{
	2: {"整地起垄", 11000, "110.00"},
	3: {"种芋下种", 11000, "110.00"},
	5: {"中耕除草", 11000, "110.00"},
	6: {"追肥培土", 11000, "110.00"},
	8: {"红芽芋采收", 13000, "130.00"},
	9: {"红芽芋采收分拣", 13000, "130.00"},
}

// hyUpkeep are the village's public works paid in April and August.
var hyUpkeep = []string{"维修村组道路及排水沟", "维修村文化活动广场健身器材"}

func hongya(r *rand.Rand) (*plan, error) {
	p := &plan{
		book: ledger.NewBook{Code: "HONGYA", Name: "红芽村股份经济合作社", Kind: ledger.KindVillage,
			Township: Township, StartPeriod: "2026-01"},
		mustDebit:  []string{"101", "102", "112", "401"},
		mustCredit: []string{"21101", "21102", "213"},
	}
	pp := newPeople(r)
	groups := make([]string, 9)
	for i := range groups {
		groups[i] = groupName(i + 1)
	}
	var err error
	p.households, err = pp.roster(rosterSpec{count: 150 + r.IntN(41), clans: []string{"黄", "曾", "谢"},
		groups: groups, poorPct: 16, watchedPct: 5})
	if err != nil {
		return nil, err
	}
	p.parties = []ledger.Party{
		{Code: hyCompany, Name: "宁都县红芽芋农业开发有限公司", USCC: pp.uscc("91")},
		{Code: hyCoop, Name: "宁都县红溪镇红芽芋种植专业合作社", USCC: pp.uscc("93")},
	}

	var renters, poor, workers []*household
	area := map[*household]int64{}
	for _, h := range p.households {
		if r.IntN(100) < 68 {
			renters = append(renters, h)
			area[h] = 5000 + int64(r.IntN(371))*100 // 0.5–4.2 亩
		}
		if h.poor() {
			poor = append(poor, h)
		}
		if (h.poor() || r.IntN(100) < 8) && h.Members >= 2 && len(workers) < 24 {
			workers = append(workers, h)
		}
	}
	shares := make([]int64, len(poor)) // 股: 5 per household and 1 per member
	for i, h := range poor {
		shares[i] = 5 + int64(h.Members)
	}
	quarterReturn := int64(hyCapitalFen) * hyReturnPermille / 1000 / 4

	// The 2025 closing trial balance, as the book's opening balances.
	p.opening(
		dr("101", 86000), dr("102", 26841562), dr("112", quarterReturn).with(hyCoop).noted("应收2025年四季度保底收益"),
		dr("14101", hyCapitalFen).noted("红芽芋合作社扶贫资金入股"), dr("151", 38500000).noted("红芽芋冷库"),
		cr("152", 7600000), cr("301", 112500000), cr("311", 5387562), cr("32202", 1140000))

	var plotCost int64             // 401 debits, carried to 511 when the harvest is sold
	wages := map[string]int64{}    // quarter → wages the payout run must accrue
	var work [][]ledger.WorkRecord // per month
	for m := 1; m <= 9; m++ {
		work = append(work, nil)
		if m%3 == 1 { // start of a quarter: last quarter's return, cold-store rent
			q := quarterName(m)
			p.hyReturn(m, quarterReturn)
			p.add(date(m, 16), 1, fmt.Sprintf("收到红芽芋公司2026年%s冷库租金", q), dr("102", hyColdStoreRentFen), cr("501", hyColdStoreRentFen))
		}
		if w, ok := hyWorkMonths[m]; ok {
			n := 10 + r.IntN(9)
			var owed []share
			for _, i := range r.Perm(len(workers))[:n] {
				days := int64(3 + r.IntN(10))
				owed = append(owed, share{h: workers[i], fen: days * w.fenPerDay, note: fmt.Sprintf("%d日×%s元", days, w.rateString)})
			}
			sortShares(owed)
			for _, o := range owed {
				days := o.fen / w.fenPerDay
				work[m-1] = append(work[m-1], ledger.WorkRecord{Household: o.h.Code, Date: date(m, 20), Quantity: *dec(days, 0),
					Unit: "天", UnitRate: *dec(w.fenPerDay, -2), Note: fmt.Sprintf("%d月%s", m, w.work)})
			}
			p.external(date(m, 21), fmt.Sprintf("%d月红芽芋示范基地%s用工工资（由季度收益分配计提）", m, w.work),
				append([]line{dr("401", total(owed))}, credits("213", owed)...)...)
			plotCost += total(owed)
			wages[quarterOf(m)] += total(owed)
		}
		switch m {
		case 2:
			p.add(date(2, 26), 2, "购买红芽芋种芋4000公斤（5.60元/公斤）", dr("401", 2240000), cr("102", 2240000))
			plotCost += 2240000
		case 3:
			p.add(date(3, 12), 2, "购买有机肥、复合肥", dr("401", 986000), cr("102", 986000))
			plotCost += 986000
		case 5:
			p.add(date(5, 9), 1, "购买生物农药", dr("401", 326000), cr("102", 326000))
			plotCost += 326000
		case 9:
			p.add(date(9, 25), 2, "销售示范基地红芽芋鲜芋48000公斤给红芽芋公司（3.20元/公斤）",
				dr("112", 15360000).with(hyCompany), cr("501", 15360000))
			p.add(date(9, 25), 1, "结转示范基地红芽芋生产成本", dr("511", plotCost), cr("401", plotCost))
		}
		if m%3 == 0 {
			p.add(monthEnd(m), 2, fmt.Sprintf("计提%s红芽芋合作社扶贫资金入股保底收益（600000.00×8%%÷4）", quarterName(m)),
				dr("112", quarterReturn).with(hyCoop), cr("502", quarterReturn))
		}
		p.add(monthEnd(m), 1, fmt.Sprintf("计提%d月冷库折旧", m), dr("511", hyDepreciationFen), cr("152", hyDepreciationFen))
		if m == 1 || m == 6 {
			p.add(date(m, 4), 1, "提取备用金", dr("101", 150000), cr("102", 150000))
		}
		office := int64(6000 + r.IntN(25000))
		p.add(date(m, 11+r.IntN(12)), 1, officeSummary[(m+2)%len(officeSummary)], dr("513", office), cr("101", office))
		if m == 4 || m == 8 {
			fix := 168000 + int64(r.IntN(90000))
			p.add(date(m, 19), 2, hyUpkeep[m/8], dr("514", fix), cr("102", fix))
		}
	}
	p.hyPayouts(rand.New(rand.NewPCG(Seed, 102)), renters, area, poor, shares, work, wages)
	p.bankFees("513")
	return p, nil
}

// hyReturn receives the cooperative's guaranteed return for the last quarter.
func (p *plan) hyReturn(m int, ret int64) {
	q := "2025年四季度"
	if m > 1 {
		q = "2026年" + quarterName(m-3)
	}
	p.add(date(m, 8), 1, fmt.Sprintf("收到红芽芋合作社%s扶贫资金入股保底收益", q), dr("102", ret), cr("112", ret).with(hyCoop))
}
