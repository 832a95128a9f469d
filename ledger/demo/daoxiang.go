package demo

import (
	"fmt"
	"math/rand/v2"

	"coopledger/ledger"
)

// 稻香稻米酿造专业合作社: a farmer cooperative (chart 财会〔2021〕37号) that
// brews Hakka rice wine and buys its members' rice. In March the members'
// meeting approves the 2025 surplus: 70 % returned by each member's 2025
// rice sales (221 应付盈余返还—[成员], the law asks for at least 60 %), 30 % by
// capital (222 应付剩余盈余—[成员]), through the first quarter's payout run
// and paid in April; the same runs pay rent and field wages of the glutinous
// rice base the cooperative farms for its brewery (see dxPayouts). Members get seed
// and fertilizer on credit in spring (114 成员往来—[成员]) and sell their early
// rice to the cooperative in July and August, which settles the difference by
// bank. Members also work in the brewery for wages (401 / 213—[成员]), and a
// provincial award for model cooperatives buys a bottling line (235 → 311).

const (
	dxShop   = "KH01" // a supermarket buying on credit
	dxOnline = "DS01" // an online shop settling monthly
	dxSeeds  = "NZ01" // the seed and fertilizer supplier

	dxSurplusFen       = 13580000 // 2025 distributable surplus
	dxByVolumePct      = 70
	dxShareFen         = 100000 // one share: 1,000.00
	dxInputCostFenE1Mu = 1500   // seed and fertilizer: 150.00 元/亩 cost, per tenth of a 亩
	dxInputSaleFenE1Mu = 1580   // sold to members at 158.00 元/亩
	dxRiceFenPerKg     = 264    // early rice bought at 2.64 元/公斤
	dxWageFenPerDay    = 13000
	dxDepreciationFen  = 766667 // brewery 920,000.00 ÷ 10 years ÷ 12
	dxLineDepFen       = 82167  // bottling line 98,600.00 ÷ 10 years ÷ 12, from July
	dxLoanFen          = 30000000
	dxCostOfSalesPct   = 58
)

// dxCashSalesFen is a typical month's takings at the shop and online (the
// Spring Festival and the Mid-Autumn festival sell the most wine).
var dxCashSalesFen = []int64{8600000, 7200000, 3800000, 3500000, 3600000, 3400000, 3200000, 4000000, 5200000}

// member is what the cooperative knows of a member beyond the roster.
type member struct {
	h        *household
	shares   int64 // of 1,000.00
	kg2025   int64 // rice sold to the cooperative in 2025
	areaE1   int64 // 亩 of early rice in 2026, in tenths
	yieldKg  int64 // per 亩
	supplied int64 // fen of seed and fertilizer taken on credit
	bought   int64 // fen of rice sold to the cooperative
}

func daoxiang(r *rand.Rand) (*plan, error) {
	p := &plan{
		book: ledger.NewBook{Code: "DAOXIANG", Name: "红溪镇稻香稻米酿造专业合作社", Kind: ledger.KindCooperative,
			Township: Township, StartPeriod: "2026-01"},
		mustDebit:  []string{"101", "102", "113", "121"},
		mustCredit: []string{"201", "211", "213", "221", "222", "235", "301"},
	}
	pp := newPeople(r)
	var groups []string
	for i := 1; i <= 6; i++ {
		groups = append(groups, "稻香村"+groupName(i), "稻香村"+groupName(i))
	}
	groups = append(groups, "青竹村"+groupName(2), "红芽村"+groupName(5), "红芽村"+groupName(7))
	var err error
	p.households, err = pp.roster(rosterSpec{count: 110 + r.IntN(41), clans: []string{"曾", "赖", "邱"},
		groups: groups, poorPct: 15, watchedPct: 3})
	if err != nil {
		return nil, err
	}
	p.parties = []ledger.Party{
		{Code: dxShop, Name: "宁都县客家福超市有限公司", USCC: pp.uscc("91")},
		{Code: dxOnline, Name: "赣州稻香电子商务有限公司", USCC: pp.uscc("91")},
		{Code: dxSeeds, Name: "宁都县丰收农资有限公司", USCC: pp.uscc("91")},
	}
	members := make([]*member, len(p.households))
	var planters, workers []*member
	for i, h := range p.households {
		m := &member{h: h, shares: 1 + int64(r.IntN(10))}
		if r.IntN(100) < 85 {
			m.kg2025 = 600 + int64(r.IntN(5401))
		}
		if r.IntN(100) < 85 {
			m.areaE1, m.yieldKg = 10+int64(r.IntN(61)), 380+int64(r.IntN(81))
			planters = append(planters, m)
		}
		if h.Members >= 2 && len(workers) < 8 && r.IntN(100) < 30 {
			workers = append(workers, m)
		}
		members[i] = m
		p.members = append(p.members, ledger.Member{Code: h.Code, Kind: ledger.MemberFarmer, JoinedOn: "2025-01-01",
			PovertyCapital: dxPovertyCapital(h)})
	}

	p.dxOpening(members)
	var owed []share
	shopOwes, onlineOwes := int64(2365000), int64(0)
	for m := 1; m <= 9; m++ {
		if len(owed) > 0 {
			p.paid(date(m, 10), 1, fmt.Sprintf("支付%d月酿造车间成员务工工资（一卡通）", m-1), "213", owed)
		}
		p.add(date(m, 10), 1, "收回客家福超市上月货款", dr("102", shopOwes), cr("113", shopOwes).with(dxShop))
		if onlineOwes > 0 {
			p.add(date(m, 15), 1, "收到稻香电商平台上月结算货款", dr("102", onlineOwes), cr("113", onlineOwes).with(dxOnline))
		}
		cash := dxCashSalesFen[m-1]*int64(950+r.IntN(101))/1000 + int64(r.IntN(100))
		shopOwes = 1800000 + int64(r.IntN(800000))
		onlineOwes = 800000 + int64(r.IntN(700000))
		p.add(date(m, 25), 3, fmt.Sprintf("汇总%d月门市销售客家米酒、大米收入", m), dr("102", cash), cr("501", cash))
		p.add(date(m, 26), 2, fmt.Sprintf("%d月向客家福超市赊销米酒", m), dr("113", shopOwes).with(dxShop), cr("501", shopOwes))
		p.add(date(m, 27), 2, fmt.Sprintf("%d月稻香电商平台销售米酒", m), dr("113", onlineOwes).with(dxOnline), cr("501", onlineOwes))
		sales := cash + shopOwes + onlineOwes
		cost := roundDiv(sales*dxCostOfSalesPct, 100)
		p.add(monthEnd(m), 1, fmt.Sprintf("结转%d月产品销售成本", m), dr("521", cost), cr("121", cost))

		owed = make([]share, 0, len(workers))
		for _, w := range workers {
			days := int64(18 + r.IntN(8))
			owed = append(owed, share{h: w.h, fen: days * dxWageFenPerDay, note: fmt.Sprintf("%d日×130.00元", days)})
		}
		p.accrued(date(m, 28), 1, fmt.Sprintf("计提%d月酿造车间成员务工工资", m), "401", "213", owed)
		pack := 300000 + int64(r.IntN(300000))
		p.add(date(m, 15), 2, "购买酒瓶、酒坛及包装箱", dr("401", pack), cr("102", pack))
		dep := int64(dxDepreciationFen)
		if m >= 7 {
			dep += dxLineDepFen
		}
		p.add(monthEnd(m), 1, fmt.Sprintf("计提%d月酿造设备折旧", m), dr("401", dep), cr("152", dep))
		made := total(owed) + pack + dep
		p.add(monthEnd(m), 1, fmt.Sprintf("结转%d月米酒生产成本（完工入库）", m), dr("121", made), cr("401", made))

		switch m {
		case 3:
			p.dxSpring(planters)
		case 5:
			p.add(date(5, 12), 2, "收到县农业农村局省级农民合作社示范社奖补资金", dr("102", 10000000), cr("235", 10000000))
		case 6:
			p.add(date(6, 18), 3, "购置全自动米酒灌装生产线", dr("151", 9860000), cr("102", 9860000))
			p.add(date(6, 18), 1, "奖补资金形成固定资产，转入专项基金", dr("235", 9860000), cr("311", 9860000))
		case 7:
			p.add(date(7, 25), 2, "取得宁都农商银行粮食收购短期借款（年利率3.45%）", dr("102", dxLoanFen), cr("201", dxLoanFen))
			p.dxRice(date(7, 30), planters[:len(planters)/2])
		case 8:
			p.dxRice(date(8, 5), planters[len(planters)/2:])
			p.dxSettle(planters)
		case 9:
			interest := roundDiv(dxLoanFen*345*57, 10000*360) // 3.45 % for 57 days, 7-25 … 9-20
			p.add(date(9, 20), 1, "支付短期借款利息（7月25日至9月20日，57天）", dr("524", interest), cr("102", interest))
		}
	}
	p.dxPayouts(rand.New(rand.NewPCG(Seed, 103)), members)
	p.bankFees("524")
	return p, nil
}

// dxPovertyCapital is the part of a 脱贫户's share capital that came from
// 到户类扶贫项目资产: the county's one share (1,000.00) per household.
func dxPovertyCapital(h *household) ledger.Money {
	if h.Status == ledger.StatusFormerlyPoor {
		return ledger.Fen(dxShareFen)
	}
	return ledger.Fen(0)
}

// dxOpening books the 2025 closing balances, share capital member by member.
func (p *plan) dxOpening(members []*member) {
	lines := []line{dr("101", 153000), dr("102", 35628045), dr("121", 18640000).noted("库存稻谷、米酒"),
		dr("151", 92000000).noted("酿造车间、酿造设备"), dr("113", 2365000).with(dxShop)}
	capital := int64(0)
	for _, m := range members {
		lines = append(lines, cr("301", m.shares*dxShareFen).of(m.h, fmt.Sprintf("%d股", m.shares)))
		capital += m.shares * dxShareFen
	}
	debit := int64(153000 + 35628045 + 18640000 + 92000000 + 2365000)
	fund := debit - 18400000 - capital - 4860000 - dxSurplusFen // 专项基金 from earlier awards
	if fund <= 0 {
		p.fail("opening: share capital %s leaves no 专项基金", yuan(capital))
	}
	lines = append(lines, cr("152", 18400000), cr("322", 4860000), cr("33202", dxSurplusFen).noted("2025年可分配盈余"), cr("311", fund))
	p.add(date(1, 1), 2, "期初建账：结转2025年12月31日各科目余额", lines...)
}

// dxSpring buys seed and fertilizer and hands it to planting members on credit.
func (p *plan) dxSpring(planters []*member) {
	var cost, sale int64
	supply := make([]line, 0, len(planters)+1)
	for _, m := range planters {
		m.supplied = m.areaE1 * dxInputSaleFenE1Mu
		cost, sale = cost+m.areaE1*dxInputCostFenE1Mu, sale+m.supplied
		supply = append(supply, dr("114", m.supplied).of(m.h, fmt.Sprintf("%d.%d亩×158.00元", m.areaE1/10, m.areaE1%10)).traded())
	}
	p.add(date(3, 10), 2, "从丰收农资公司购进早稻种子、复合肥", dr("121", cost), cr("211", cost).with(dxSeeds))
	p.add(date(3, 16), 3, "向成员统一供应早稻种子、复合肥（赊销，收购稻谷时抵扣）", append(supply, cr("501", sale))...)
	p.add(date(3, 16), 1, "结转供应成员农资成本", dr("521", cost), cr("121", cost))
	p.add(date(3, 28), 1, "支付丰收农资公司货款", dr("211", cost).with(dxSeeds), cr("102", cost))
}

// dxRice buys early rice from planting members, owed on their member account.
func (p *plan) dxRice(day string, planters []*member) {
	lines := make([]line, 0, len(planters)+1)
	var sum int64
	for _, m := range planters {
		kg := roundDiv(m.areaE1*m.yieldKg, 10)
		m.bought = kg * dxRiceFenPerKg
		sum += m.bought
		lines = append(lines, cr("114", m.bought).of(m.h, fmt.Sprintf("%d公斤×2.64元", kg)).traded())
	}
	p.add(day, 2, "收购成员早稻", append([]line{dr("121", sum)}, lines...)...)
}

// dxSettle pays members for their rice less what they took on credit.
func (p *plan) dxSettle(planters []*member) {
	pay := make([]share, 0, len(planters))
	for _, m := range planters {
		if net := m.bought - m.supplied; net > 0 {
			pay = append(pay, share{h: m.h, fen: net, note: fmt.Sprintf("稻谷款%s－农资款%s", yuan(m.bought), yuan(m.supplied))})
		}
	}
	p.paid(date(8, 12), 2, "结算成员早稻收购款（扣除春耕赊销农资款，一卡通）", "114", pay)
}
