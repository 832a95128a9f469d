package demo

import (
	"fmt"
	"math/rand/v2"

	"coopledger/ledger"
)

// Each village's agreements and its three quarterly payout runs of 2026: the
// accountant records the agreements in the first week of January, declares
// pools and enters work records as the year goes, computes the run in the
// last week of each quarter; the township officer approves it the next day
// (the accrual vouchers are dated that day, inside the still open quarter);
// the company transfers what it owes; the bank's 一卡通 batch pays the
// households. The first and second quarters are paid (a card or two fails and
// is paid later, in cash or by a second batch); the third quarter's batch has
// just gone out at the end of September and some households are still owed.
//
// The random stream here is separate from the one that drew the roster and
// the vouchers, so adding an agreement does not change the rest of a book.

const qzSolar = "GW01" // the grid company buying the solar station's power

// qzPayouts: land rent for the park, the company's 包干 and the solar dividend.
func (p *plan) qzPayouts(r *rand.Rand, renters []*household, area map[*household]int64, poor []*household) {
	p.parties = append(p.parties, ledger.Party{Code: qzSolar, Name: "国网江西省电力有限公司宁都县供电分公司", USCC: newPeople(r).uscc("91")})

	// Rent: the paddy fields surveyed to 1/10000 亩 (土地确权), and for three
	// households in ten a piece of bamboo hillside at a lower rate.
	rent := make([]ledger.Participant, 0, len(renters))
	for _, h := range renters {
		parcels := []ledger.Parcel{{Name: "水田", AreaMu: *dec(area[h]+int64(r.IntN(50)), -4), Rate: *dec(qzRentFenPerMuYear, -2)}}
		if r.IntN(100) < 30 {
			parcels = append(parcels, ledger.Parcel{Name: "竹林山地", AreaMu: *dec(2000+int64(r.IntN(30000)), -4), Rate: *dec(18000, -2)})
		}
		rent = append(rent, ledger.Participant{Household: h.Code, Parcels: parcels})
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "QZ-TD-2026", Title: "蛙竹农业园土地经营权流转合同（2026—2035年）",
		Kind: ledger.LandRent, Party: qzCompany, Start: "2026-01-01", End: "2035-12-31",
		Terms: ledger.Terms{Schedule: "quarterly", ServiceFeeRate: dec(3, -2), Participants: rent}})

	// The park company's 包干 under the four-party agreement: 36,000.00 a
	// year for the 脱贫户 and 监测户, by head count, paid quarterly.
	byHead := make([]ledger.Participant, len(poor))
	for i, h := range poor {
		byHead[i] = ledger.Participant{Household: h.Code}
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "QZ-BG-2026", Title: "蛙竹农业园产业帮扶包干（四方协议）",
		Kind: ledger.FixedSum, Party: qzCompany, Start: "2026-01-01", End: "2026-12-31",
		Terms: ledger.Terms{Schedule: "quarterly", YearlyAmount: ptr(ledger.Fen(3600000)), SplitBy: "members", Participants: byHead}})

	// The solar station's dividend: one share per 脱贫户, half a share per
	// 监测户; each quarter 60 % of the electricity fees received is declared.
	solar := make([]ledger.Participant, len(poor))
	for i, h := range poor {
		shares := dec(1, 0)
		if h.Status == ledger.StatusMonitored {
			shares = dec(5, -1)
		}
		solar[i] = ledger.Participant{Household: h.Code, Shares: shares}
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "QZ-GF-2026", Title: "村级光伏电站收益分红（脱贫户、监测户）",
		Kind: ledger.ShareDividend, Party: qzSolar, Start: "2026-01-01",
		Terms: ledger.Terms{Basis: "pool", Participants: solar}})
	for q := 1; q <= 3; q++ {
		var fees int64
		for m := 3*q - 2; m <= 3*q; m++ {
			fees += roundDiv(qzMonthlyKWh[m-1]*qzFeedInE2FenPerKWh, 100)
		}
		p.declare(date(3*q, 22), "QZ-GF-2026", fmt.Sprintf("2026Q%d", q), roundDiv(fees*60, 100))
	}

	company := func(day string, run *runRef, q string) {
		p.partyPays(day, run, qzCompany, fmt.Sprintf("收到蛙竹公司2026年%s土地流转费及产业帮扶包干款", q), "QZ-TD-2026", "QZ-BG-2026")
	}
	// A card closed and a head working away: paid in cash when they come.
	q1 := p.payoutRun("2026Q1", date(3, 24), date(3, 25), nil)
	company(date(3, 27), q1, "一季度")
	failed := []string{renters[3].Code, poor[1].Code}
	p.payBank(date(4, 2), q1, except(failed...))
	p.payCash(date(4, 16), q1, only(failed...))

	// One card rejected by the bank, paid by a second batch.
	q2 := p.payoutRun("2026Q2", date(6, 23), date(6, 24), nil)
	company(date(6, 26), q2, "二季度")
	p.payBank(date(7, 2), q2, except(renters[10].Code))
	p.payBank(date(7, 20), q2, only(renters[10].Code))

	q3 := p.payoutRun("2026Q3", date(9, 23), date(9, 24), nil)
	company(date(9, 25), q3, "三季度")
	p.payBank(date(9, 28), q3, func(h string) bool { return hashPct(h, "QINGZHU 2026Q3") >= 15 })
}

func ptr[T any](v T) *T { return &v }

// hyPayouts: the taro base's land rent (quarterly, a second plot yearly, a
// household joining in May), the poverty-alleviation shares' guaranteed
// return and the wages of the demonstration plot.
func (p *plan) hyPayouts(r *rand.Rand, renters []*household, area map[*household]int64, poor []*household,
	weights []int64, work [][]ledger.WorkRecord, wages map[string]int64) {
	rate := *dec(hyRentFenPerMuYear, -2)
	rent := make([]ledger.Participant, 0, len(renters))
	for _, h := range renters {
		a := area[h] + int64(r.IntN(100))
		parcels := []ledger.Parcel{{Name: "红芽芋基地水田", AreaMu: *dec(a, -4), Rate: rate}}
		if r.IntN(100) < 20 { // two fields: the surveyed area split
			b := 1000 + int64(r.IntN(int(a-2000)))
			parcels = []ledger.Parcel{{Name: "红芽芋基地水田（上丘）", AreaMu: *dec(b, -4), Rate: rate},
				{Name: "红芽芋基地水田（下丘）", AreaMu: *dec(a-b, -4), Rate: rate}}
		}
		rent = append(rent, ledger.Participant{Household: h.Code, Parcels: parcels})
	}
	rented := map[*household]bool{}
	for _, h := range renters {
		rented[h] = true
	}
	var others []*household
	for _, h := range p.households {
		if !rented[h] {
			others = append(others, h)
		}
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "HY-TD-2026", Title: "红芽芋基地土地经营权流转合同（按季支付）",
		Kind: ledger.LandRent, Party: hyCompany, Start: "2026-01-01", End: "2030-12-31",
		Terms: ledger.Terms{Schedule: "quarterly", Participants: rent}})
	// Two households transfer their fields from 16 May: a supplementary
	// agreement, a new version of the terms from the second quarter on, their
	// first quarter's rent prorated by days.
	joined := append([]ledger.Participant(nil), rent...)
	for _, h := range others[:2] {
		joined = append(joined, ledger.Participant{Household: h.Code, Start: "2026-05-16",
			Parcels: []ledger.Parcel{{Name: "红芽芋基地水田（扩种）", AreaMu: *dec(8000+int64(r.IntN(20000)), -4), Rate: rate}}})
	}
	p.version(date(5, 18), "HY-TD-2026", ledger.VersionInput{EffectiveFrom: "2026-04-01", Terms: ledger.Terms{Schedule: "quarterly", Participants: joined}})

	// Dry hillside land for seed taro, rented for the whole year and paid
	// once, in the third quarter, after the harvest.
	var dry []ledger.Participant
	for _, h := range others[2:14] {
		dry = append(dry, ledger.Participant{Household: h.Code,
			Parcels: []ledger.Parcel{{Name: "旱地", AreaMu: *dec(3000+int64(r.IntN(17000)), -4), Rate: *dec(56000, -2)}}})
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "HY-TDN-2026", Title: "红芽芋种芋基地旱地流转合同（按年支付，三季度付）",
		Kind: ledger.LandRent, Party: hyCompany, Start: "2026-01-01", End: "2028-12-31",
		Terms: ledger.Terms{Schedule: "yearly", PayQuarter: 3, Participants: dry}})

	// The 600,000.00 invested in the cooperative: 70 % (420,000.00) is
	// quantified to the 脱贫户 and 监测户 at 1,000.00 a share, weighted 5
	// a household and 1 a member, for a guaranteed 8 % a year.
	var sum int64
	for _, w := range weights {
		sum += w
	}
	holders := make([]ledger.Participant, len(poor))
	for i, h := range poor {
		holders[i] = ledger.Participant{Household: h.Code, Shares: dec(roundDiv(hyCapitalFen/100*hySharePct/100/1000*10000*weights[i], sum), -4)}
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "HY-GF-2026", Title: "扶贫资金入股红芽芋合作社保底分红（量化到户）",
		Kind: ledger.ShareDividend, Party: hyCoop, Start: "2026-01-01", End: "2028-12-31",
		Terms: ledger.Terms{Basis: "fixed_rate", ShareValue: dec(100000, -2), Rate: dec(8, -2), Participants: holders}})

	// Wages of the village's demonstration plot, a cost of the plot (401).
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "HY-GZ-2026", Title: "红芽芋示范基地务工协议",
		Kind: ledger.Wage, Party: hyCoop, Start: "2026-01-01", End: "2026-12-31",
		Accounts: &ledger.AgreementAccounts{Debit: "401", Credit: "213"}, Terms: ledger.Terms{Participants: []ledger.Participant{}}})
	for m, records := range work {
		p.work(date(m+1, 21), "HY-GZ-2026", records)
	}
	checkWages := func(q string) func(ledger.PayoutRun) error {
		return func(run ledger.PayoutRun) error {
			for _, t := range run.ByAgreement {
				if t.Key == "HY-GZ-2026" && t.Amount.Fen() != wages[q] {
					return fmt.Errorf("%s wages %s, the plan expects %s", q, t.Amount, yuan(wages[q]))
				}
			}
			return nil
		}
	}

	q1 := p.payoutRun("2026Q1", date(3, 24), date(3, 25), checkWages("2026Q1"))
	p.partyPays(date(3, 27), q1, hyCompany, "收到红芽芋公司2026年一季度土地流转费", "HY-TD-2026")
	away := renters[5].Code // the head works in Dongguan; paid in cash at the Qingming visit
	p.payBank(date(4, 3), q1, except(away))
	p.payCash(date(4, 4), q1, only(away))

	q2 := p.payoutRun("2026Q2", date(6, 23), date(6, 24), checkWages("2026Q2"))
	p.partyPays(date(6, 26), q2, hyCompany, "收到红芽芋公司2026年二季度土地流转费", "HY-TD-2026")
	p.payBank(date(7, 3), q2, all)

	q3 := p.payoutRun("2026Q3", date(9, 23), date(9, 24), checkWages("2026Q3"))
	p.partyPays(date(9, 26), q3, hyCompany, "收到红芽芋公司2026年三季度土地流转费及旱地全年流转费", "HY-TD-2026", "HY-TDN-2026")
	p.payBank(date(9, 29), q3, func(h string) bool { return hashPct(h, "HONGYA 2026Q3") >= 15 })
}

const dxSelf = "DX00" // the cooperative itself, counterparty of its own agreements

// dxBaseWork is the field work on the glutinous rice base, by month: what,
// the unit and its rate in fen, and the day the month's records are entered.
var dxBaseWork = []struct {
	month, day int
	work, unit string
	fen        int64
}{
	{3, 16, "整地、育秧", "天", 12000},
	{5, 20, "机插补苗（按亩计件）", "亩", 16000},
	{6, 18, "田间管理、施肥", "天", 12000},
	{8, 18, "田间管理、防治病虫", "天", 12000},
	{9, 18, "晒田、田间管理", "天", 12000},
}

// dxPayouts: the 2025 surplus (declared for the first quarter of 2026), the
// rent of the glutinous rice base and its field wages.
func (p *plan) dxPayouts(r *rand.Rand, members []*member) {
	p.parties = append(p.parties, ledger.Party{Code: dxSelf, Name: "红溪镇稻香稻米酿造专业合作社（本社）", USCC: newPeople(r).uscc("93")})

	// The members' meeting of 18 March approves the 2025 plan: 70 % of
	// 135,800.00 by 2025 rice sales (at 2.58 元/公斤), 30 % by shares.
	surplus := make([]ledger.Participant, len(members))
	deceased := ""
	for i, m := range members {
		surplus[i] = ledger.Participant{Household: m.h.Code, Shares: dec(m.shares, 0)}
		if m.kg2025 > 0 {
			surplus[i].Volume = ptr(ledger.Fen(m.kg2025 * 258))
			if deceased == "" {
				deceased = m.h.Code // paid once the heirs are settled, after September
			}
		}
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "DX-YY-2025", Title: "2025年度可分配盈余分配方案（成员大会通过）",
		Kind: ledger.CoopSurplus, Party: dxSelf, Start: "2026-01-01", End: "2026-12-31",
		Terms: ledger.Terms{VolumeShare: dec(dxByVolumePct, -2), Participants: surplus}})
	p.declare(date(3, 18), "DX-YY-2025", "2026Q1", dxSurplusFen)

	// The glutinous rice base: members' paddy fields rented at 520.00
	// 元/亩/年, a cost of the rice (401), owed on the member account (114).
	var rent []ledger.Participant
	var workers []*member
	for _, i := range r.Perm(len(members)) {
		m := members[i]
		if len(rent) < 22 {
			rent = append(rent, ledger.Participant{Household: m.h.Code,
				Parcels: []ledger.Parcel{{Name: "糯稻基地水田", AreaMu: *dec(6000+int64(r.IntN(28000)), -4), Rate: *dec(52000, -2)}}})
		}
		if m.h.Members >= 2 && len(workers) < 12 && r.IntN(100) < 40 {
			workers = append(workers, m)
		}
	}
	p.agreement(date(1, 6), ledger.AgreementInput{Code: "DX-TD-2026", Title: "糯稻基地土地经营权流转合同",
		Kind: ledger.LandRent, Party: dxSelf, Start: "2026-01-01", End: "2028-12-31",
		Accounts: &ledger.AgreementAccounts{Debit: "401", Credit: "114"},
		Terms:    ledger.Terms{Schedule: "quarterly", Participants: rent}})

	p.agreement(date(1, 6), ledger.AgreementInput{Code: "DX-GZ-2026", Title: "糯稻基地田间务工协议",
		Kind: ledger.Wage, Party: dxSelf, Start: "2026-01-01", End: "2026-12-31", Terms: ledger.Terms{Participants: []ledger.Participant{}}})
	for _, w := range dxBaseWork {
		var records []ledger.WorkRecord
		for _, i := range r.Perm(len(workers))[:6+r.IntN(len(workers)-5)] {
			qty := dec(int64(2+r.IntN(7)), 0)
			if w.unit == "亩" {
				qty = dec(int64(80+r.IntN(300)), -2) // 0.80–3.79 亩
			}
			records = append(records, ledger.WorkRecord{Household: workers[i].h.Code, Date: date(w.month, w.day-1),
				Quantity: *qty, Unit: w.unit, UnitRate: *dec(w.fen, -2), Note: w.work})
		}
		p.work(date(w.month, w.day), "DX-GZ-2026", records)
	}

	q1 := p.payoutRun("2026Q1", date(3, 25), date(3, 26), nil)
	p.payBank(date(4, 15), q1, except(deceased))

	q2 := p.payoutRun("2026Q2", date(6, 24), date(6, 25), nil)
	cash := rent[2].Household // no card yet: paid in cash at the office
	p.payBank(date(7, 6), q2, except(cash))
	p.payCash(date(7, 10), q2, only(cash))

	q3 := p.payoutRun("2026Q3", date(9, 23), date(9, 24), nil)
	p.payBank(date(9, 28), q3, func(h string) bool { return hashPct(h, "DAOXIANG 2026Q3") >= 15 && h != deceased })
}
