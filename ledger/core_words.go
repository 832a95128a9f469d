package ledger

import (
	"strings"

	"coopledger/ledger/rules"
)

// Words: what rosters, notices, slips and pages call things, per kind of
// book. A village speaks of households (户主, 村民小组, 家庭人口) and its
// service fee; a cooperative of its members (成员), their 出资额 and
// 交易量（额）. Callers print these instead of writing either set inline.

// Words are the printed names of one kind of book.
type Words struct {
	Unit     string // 户 / 成员: "合计（12 户）"
	Person   string // 农户 / 成员
	Code     string // 户编号 / 成员编号
	HeadName string // 户主姓名 / 成员姓名
	Head     string // 户主 / 成员
	Group    string // 村民小组 / 所在分组
	// CountsPeople: column F of a roster is the household's head count
	// (家庭人口); a cooperative prints the member's code (成员编号) there.
	CountsPeople bool
	Members      string // 家庭人口 / 成员编号
	People       string // 家庭人口 / 人数: the head count on forms
	// Columns are the roster's four money columns. A cooperative's second
	// is the 剩余盈余 by capital and its fourth the 盈余返还 by 交易量（额）.
	Columns   [4]string
	Fee       string // 村留服务费 / 合作社留存
	Objection string // who hears objections to a notice
	Signers   string // who signs a notice
	Leader    string // 村（社）负责人 / 合作社理事长
	Oversight string // 村务监督委员会 / 监事会: signs a notice
}

var wordsByKind = map[BookKind]Words{
	KindVillage: {Unit: "户", Person: "农户", Code: "户编号", HeadName: "户主姓名", Head: "户主", Group: "村民小组",
		CountsPeople: true, Members: "家庭人口", People: "家庭人口", Columns: [4]string{"土地租金", "股金分红", "务工薪金", "包干/其他"}, Fee: "村留服务费", Objection: "村民主理财小组或村务监督委员会", Signers: "民主理财小组成员",
		Leader: "村（社）负责人", Oversight: "村务监督委员会"},
	KindCooperative: {Unit: "名", Person: "成员", Code: "成员编号", HeadName: "成员姓名", Head: "成员", Group: "所在分组",
		Members: "成员编号", People: "人数", Columns: [4]string{"土地租金/包干", "剩余盈余分配（按出资额）", "务工薪金", "盈余返还（按交易量（额））"}, Fee: "合作社留存", Objection: "合作社理事会或监事会", Signers: "成员（代表）大会推选的成员代表",
		Leader: "合作社理事长", Oversight: "监事会"},
}

// Column is the roster column (0–3 of Columns) a line kind is printed in.
func (w Words) Column(kind string) int {
	switch kind {
	case LandRent.Label():
		return 0
	case ShareDividend.Label(), KindLabelResidual:
		return 1
	case Wage.Label():
		return 2
	case FixedSum.Label():
		if !w.CountsPeople {
			return 0 // a cooperative's 包干 beside its rents, apart from the 盈余返还
		}
	}
	return 3
}

// WordsFor returns the words of a kind of book (a village's when unknown).
func WordsFor(kind BookKind) Words {
	if w, ok := wordsByKind[kind]; ok {
		return w
	}
	return wordsByKind[KindVillage]
}

// Payout line kinds as runs record them (AgreementKind.Label and the two
// that are not an agreement's kind).
const (
	KindLabelResidual   = "剩余盈余分配" // a cooperative's surplus split by capital (credited to 222)
	KindLabelAdjustment = "调整"
)

// kindTitles name each kind of payout on a roster's title.
var kindTitles = map[string]string{
	LandRent.Label(): "土地租金", ShareDividend.Label(): "股金分红", Wage.Label(): "薪金", FixedSum.Label(): "包干款",
	CoopSurplus.Label(): "盈余返还", KindLabelResidual: "剩余盈余分配",
}

// PayoutTitle names what a run pays, from its line kinds, for the title of
// its roster and notice: 土地租金, 股金分红, 土地租金、包干款. Adjustments
// take the name of what they adjust; a run of nothing else is 调整款项.
func PayoutTitle(kinds []string) string {
	var names []string
	seen := map[string]bool{}
	for _, k := range kinds {
		name, ok := kindTitles[k]
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	switch {
	case len(names) == 0:
		return "调整款项"
	case len(names) > 4:
		return strings.Join(names[:4], "、") + "等款项"
	}
	return strings.Join(names, "、")
}

// LineKind is the kind a payout line is printed under: lines a cooperative's
// surplus agreement credits to 222 (应付剩余盈余) are the 剩余盈余分配, not
// 盈余返还, whatever an older release recorded.
func LineKind(kind, creditAccount string) string {
	if kind == CoopSurplus.Label() && creditAccount == defaultAccounts[KindCooperative][CoopSurplus].Extra {
		return KindLabelResidual
	}
	return kind
}

// QuarterName prints a quarter: 2026Q3 → 2026年第三季度.
func QuarterName(q string) string { return rules.QuarterName(q) }
