package demo

import (
	"fmt"
	"math/rand/v2"

	"coopledger/ledger"
)

// 青竹村: the village leased land to a frog-and-bamboo agricultural park (蛙竹
// 农业园) run by a company, invested its poverty-alleviation funds in that
// company for a guaranteed 8 % a year, and owns a 300 kW solar station built
// for its formerly poor households. The accountant books the guaranteed return
// as investment income (112 / 502), the solar station's electricity fees as
// operating income, and pays households who keep the station clean (511 /
// 213). What households earn under agreements goes through quarterly payout
// runs (see qzPayouts): the park's land rent, quarterly with a 3 % village
// service fee (112 / 21101—[户] + 504); the company's 包干 for 脱贫户 and 监测户
// by head count (112 / 21103—[户]); and 60 % of the station's quarterly
// electricity income declared as a dividend pool by shares (3220102 /
// 21102—[户]).

const (
	qzCompany = "WZ01" // the frog-and-bamboo park's company
	qzUpkeep  = "YW01" // the solar station's maintenance contractor

	qzRentFenPerMuYear  = 65000  // 650.00 元/亩/年, paid half-yearly
	qzReturnPermille    = 80     // guaranteed return, ‰ a year
	qzLabourFenPerDay   = 12000  // 120.00 元/日
	qzFeedInE2FenPerKWh = 4143   // 0.4143 元/千瓦时 = 41.43 fen, in hundredths of a fen
	qzDepreciationFen   = 479167 // 1,150,000.00 ÷ 20 years ÷ 12
	qzUpkeepFen         = 360000
)

// qzMonthlyKWh is the station's output per month (December 2025 …
// August 2026), paid by the grid the month after.
var qzMonthlyKWh = []int64{16200, 15100, 16900, 21300, 24600, 28700, 27400, 36100, 34800}

func qingzhu(r *rand.Rand) (*plan, error) {
	p := &plan{
		book: ledger.NewBook{Code: "QINGZHU", Name: "青竹村股份经济合作社", Kind: ledger.KindVillage,
			Township: Township, StartPeriod: "2026-01"},
		mustDebit:  []string{"101", "102", "112"},
		mustCredit: []string{"21101", "21102", "21199", "213", "241"},
	}
	pp := newPeople(r)
	groups := make([]string, 7)
	for i := range groups {
		groups[i] = groupName(i + 1)
	}
	var err error
	p.households, err = pp.roster(rosterSpec{count: 140 + r.IntN(36), clans: []string{"刘", "钟", "温"},
		groups: groups, poorPct: 20, watchedPct: 4})
	if err != nil {
		return nil, err
	}
	p.parties = []ledger.Party{
		{Code: qzCompany, Name: "江西青竹蛙竹生态农业有限公司", USCC: pp.uscc("91")},
		{Code: qzUpkeep, Name: "宁都县阳光新能源运维服务有限公司", USCC: pp.uscc("91")},
	}

	// Land transferred to the park: 58 % of households, 0.3–3.8 亩 each.
	var renters []*household
	area := map[*household]int64{}
	for _, h := range p.households {
		if r.IntN(100) < 58 {
			renters = append(renters, h)
			area[h] = 3000 + int64(r.IntN(701))*50
		}
	}
	var poor, cleaners []*household
	for _, h := range p.households {
		if h.poor() {
			poor = append(poor, h)
			if h.Members >= 2 && len(cleaners) < 6 {
				cleaners = append(cleaners, h)
			}
		}
	}

	// The 2025 closing trial balance, as the book's opening balances.
	p.opening(
		dr("101", 126540), dr("102", 41263827), dr("14101", 50000000).noted("蛙竹农业园扶贫资金入股"),
		dr("151", 128640000).noted("300千瓦村级光伏电站、村部用房"),
		cr("152", 34500000), cr("301", 162600000), cr("311", 18652035), cr("32202", 4278332))
	p.add(date(1, 5), 1, "提取备用金", dr("101", 200000), cr("102", 200000))

	var owed []share // the cleaners' wages of the previous month
	for m := 1; m <= 9; m++ {
		if len(owed) > 0 {
			p.paid(date(m, 5), 1, fmt.Sprintf("支付%d月光伏电站除草保洁劳务费", m-1), "213", owed)
		}
		kwh := qzMonthlyKWh[m-1]
		prev := "2025年12月"
		if m > 1 {
			prev = fmt.Sprintf("%d月", m-1)
		}
		fee := roundDiv(kwh*qzFeedInE2FenPerKWh, 100)
		p.add(date(m, 20), 2, fmt.Sprintf("收到国网宁都县供电公司%s光伏发电上网电费（%d千瓦时×0.4143元）", prev, kwh),
			dr("102", fee), cr("501", fee))

		owed = make([]share, 0, len(cleaners))
		for _, h := range cleaners {
			days := int64(4 + r.IntN(7))
			owed = append(owed, share{h: h, fen: days * qzLabourFenPerDay, note: fmt.Sprintf("%d日×120.00元", days)})
		}
		p.accrued(date(m, 28), 1, fmt.Sprintf("计提%d月光伏电站除草保洁劳务费", m), "511", "213", owed)

		dep := p.add(monthEnd(m), 1, fmt.Sprintf("计提%d月光伏电站折旧", m), dr("511", qzDepreciationFen), cr("152", qzDepreciationFen))
		if m == 9 {
			p.entries[dep-1].draft = true // awaiting the township's review
		}
		office := int64(8000 + r.IntN(30000))
		p.add(date(m, 12+r.IntN(10)), 1, officeSummary[m%len(officeSummary)], dr("513", office), cr("101", office))

		switch m {
		case 2:
			// A bill posted to the wrong account, reversed and posted again.
			wrong := p.add(date(2, 12), 1, "支付村务公开栏制作费", dr("511", 86000), cr("102", 86000))
			p.reverse(date(2, 14), wrong, "冲销%s凭证（村务公开栏制作费误记经营支出）")
			p.add(date(2, 14), 1, "支付村务公开栏制作费（更正科目）", dr("513", 86000), cr("102", 86000))
		case 3:
			p.add(date(3, 18), 2, "收到县财政局拨付2026年衔接推进乡村振兴补助资金（蛙竹农业园扩建）",
				dr("102", 20000000), cr("241", 20000000))
		case 4:
			p.add(date(4, 8), 3, "衔接资金入股蛙竹农业园扩建项目", dr("14101", 20000000), cr("102", 20000000))
			p.add(date(4, 8), 1, "衔接资金项目形成经营性资产，转增资本", dr("241", 20000000), cr("301", 20000000))
		case 5:
			p.add(date(5, 16), 2, "维修村道太阳能路灯", dr("514", 235000), cr("102", 235000))
		case 6:
			p.add(date(6, 3), 1, "提取备用金", dr("101", 200000), cr("102", 200000))
		case 8:
			p.add(date(8, 22), 1, "支付光伏电站组件清洗费", dr("511", 180000), cr("102", 180000))
		}
		if m%3 == 0 {
			p.qzQuarterEnd(m)
		}
		if m == 4 || m == 7 {
			p.qzReturn(m)
		}
	}
	p.qzPayouts(rand.New(rand.NewPCG(Seed, 101)), renters, area, poor)
	p.bankFees("513")
	return p, nil
}

var officeSummary = []string{"购买办公用品", "支付村务资料打印复印费", "购买会计凭证、账簿", "支付村部饮用水费", "购买打印机墨盒"}

// qzQuarterEnd accrues the guaranteed return and the station's upkeep.
func (p *plan) qzQuarterEnd(m int) {
	capital := int64(50000000) // fen invested in the park
	if m > 6 {
		capital += 20000000 // the April investment earns from the third quarter
	}
	ret := capital * qzReturnPermille / 1000 / 4
	p.add(monthEnd(m), 2, fmt.Sprintf("计提%s蛙竹农业园扶贫资金入股保底收益（%s×8%%÷4）", quarterName(m), yuan(capital)),
		dr("112", ret).with(qzCompany), cr("502", ret))
	p.add(monthEnd(m), 1, fmt.Sprintf("计提%s光伏电站运维费", quarterName(m)),
		dr("511", qzUpkeepFen), cr("21199", qzUpkeepFen).with(qzUpkeep))
}

// qzReturn receives last quarter's guaranteed return and pays the station's upkeep.
func (p *plan) qzReturn(m int) {
	q := quarterName(m - 3)
	ret := int64(50000000) * qzReturnPermille / 1000 / 4
	p.add(date(m, 10), 1, fmt.Sprintf("收到蛙竹公司%s扶贫资金入股保底收益", q), dr("102", ret), cr("112", ret).with(qzCompany))
	p.add(date(m, 15), 1, fmt.Sprintf("支付%s光伏电站运维费", q), dr("21199", qzUpkeepFen).with(qzUpkeep), cr("102", qzUpkeepFen))
}
