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
