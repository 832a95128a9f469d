package ledger

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// The first-level codes exactly as listed in docs/domain.md ("Charts of accounts").
var wantFirstLevel = map[BookKind]string{
	KindVillage: "101 102 111 112 113 121 131 132 133 134 141 151 152 153 154 161 162 171 181 " +
		"201 211 212 213 214 221 231 241 301 311 321 322 401 501 502 503 504 511 512 513 514 515 521",
	// 财会〔2021〕37号's appendix: 48 accounts, plus the optional 109 and 122.
	KindCooperative: "101 102 109 113 114 121 122 124 125 127 128 131 141 142 143 144 151 152 153 154 161 162 171 181 " +
		"201 211 212 213 214 215 221 222 231 235 301 311 321 322 331 332 401 501 502 511 521 522 523 524 529 531",
}

func mustChart(t *testing.T, kind BookKind) map[string]ChartAccount {
	t.Helper()
	accts, err := ChartTemplate(kind)
	if err != nil {
		t.Fatalf("ChartTemplate(%s): %v", kind, err)
	}
	m := make(map[string]ChartAccount, len(accts))
	for _, a := range accts {
		m[a.Code] = a
	}
	return m
}

func TestChartTemplateFirstLevel(t *testing.T) {
	tests := []struct {
		kind BookKind
		n    int
	}{
		{KindVillage, 42},
		// the appendix's 48 plus the optional 109 其他货币资金 and 122 包装物.
		{KindCooperative, 50},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			accts, err := ChartTemplate(tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range accts {
				if a.Parent == "" {
					got = append(got, a.Code)
				}
			}
			if len(got) != tt.n {
				t.Errorf("%d first-level accounts, want %d", len(got), tt.n)
			}
			if g := strings.Join(got, " "); g != wantFirstLevel[tt.kind] {
				t.Errorf("first-level codes\n got %s\nwant %s", g, wantFirstLevel[tt.kind])
			}
		})
	}
}

func TestChartTemplateAccounts(t *testing.T) {
	tests := []struct {
		kind   BookKind
		code   string
		name   string
		side   Side
		aux    Aux
		parent string
		leaf   bool
	}{
		{KindVillage, "112", "应收款", Debit, AuxParty, "", true},
		{KindVillage, "113", "内部往来", Debit, AuxHousehold, "", true},
		{KindVillage, "133", "生产性生物资产累计折旧", Credit, AuxNone, "", true},
		{KindVillage, "141", "长期投资", Debit, AuxNone, "", false},
		{KindVillage, "14101", "扶贫资金入股", Debit, AuxNone, "141", true},
		{KindVillage, "14102", "其他长期投资", Debit, AuxNone, "141", true},
		{KindVillage, "152", "累计折旧", Credit, AuxNone, "", true},
		{KindVillage, "162", "累计摊销", Credit, AuxNone, "", true},
		{KindVillage, "181", "待处理财产损溢", Debit, AuxNone, "", true},
		{KindVillage, "211", "应付款", Credit, AuxNone, "", false},
		{KindVillage, "21101", "代收土地流转费", Credit, AuxHousehold, "211", true},
		{KindVillage, "21102", "应付农户收益", Credit, AuxHousehold, "211", true},
		{KindVillage, "21103", "代收包干款", Credit, AuxHousehold, "211", true},
		{KindVillage, "21199", "其他应付款", Credit, AuxParty, "211", true},
		{KindVillage, "212", "应付工资", Credit, AuxHousehold, "", true},
		{KindVillage, "213", "应付劳务费", Credit, AuxHousehold, "", true},
		{KindVillage, "241", "专项应付款", Credit, AuxNone, "", true},
		{KindVillage, "321", "本年收益", Credit, AuxNone, "", true},
		{KindVillage, "322", "收益分配", Credit, AuxNone, "", false},
		{KindVillage, "32201", "各项分配", Debit, AuxNone, "322", false},
		{KindVillage, "3220101", "提取公积公益金", Debit, AuxNone, "32201", true},
		{KindVillage, "3220102", "向农户分配", Debit, AuxNone, "32201", true},
		{KindVillage, "32202", "未分配收益", Credit, AuxNone, "322", true},
		{KindVillage, "401", "生产(劳务)成本", Debit, AuxNone, "", true},
		{KindVillage, "502", "投资收益", Credit, AuxNone, "", true},
		{KindVillage, "514", "公益支出", Debit, AuxNone, "", true},
		{KindCooperative, "113", "应收款", Debit, AuxParty, "", true},
		{KindCooperative, "114", "成员往来", Debit, AuxHousehold, "", true},
		{KindCooperative, "152", "累计折旧", Credit, AuxNone, "", true},
		{KindCooperative, "211", "应付款", Credit, AuxParty, "", true},
		{KindCooperative, "212", "应付工资", Credit, AuxHousehold, "", true},
		{KindCooperative, "213", "应付劳务费", Credit, AuxHousehold, "", true},
		{KindCooperative, "221", "应付盈余返还", Credit, AuxHousehold, "", true},
		{KindCooperative, "222", "应付剩余盈余", Credit, AuxHousehold, "", true},
		{KindCooperative, "301", "股金", Credit, AuxHousehold, "", true},
		{KindCooperative, "331", "本年盈余", Credit, AuxNone, "", true},
		{KindCooperative, "332", "盈余分配", Credit, AuxNone, "", false},
		{KindCooperative, "33201", "各项分配", Debit, AuxNone, "332", true},
		{KindCooperative, "33202", "未分配盈余", Credit, AuxNone, "332", true},
		{KindCooperative, "33203", "提取盈余公积", Debit, AuxNone, "332", true},
		{KindCooperative, "33204", "盈余返还", Debit, AuxNone, "332", true},
		{KindCooperative, "33205", "剩余盈余分配", Debit, AuxNone, "332", true},
		{KindCooperative, "33206", "转为成员出资", Debit, AuxNone, "332", true},
		{KindCooperative, "143", "生产性生物资产累计折旧", Credit, AuxNone, "", true},
		{KindCooperative, "162", "累计摊销", Credit, AuxNone, "", true},
		{KindCooperative, "215", "应付利息", Credit, AuxNone, "", true},
		{KindCooperative, "524", "财务费用", Debit, AuxNone, "", true},
		{KindCooperative, "511", "投资收益", Credit, AuxNone, "", true},
		{KindCooperative, "529", "其他支出", Debit, AuxNone, "", true},
	}
	charts := map[BookKind]map[string]ChartAccount{
		KindVillage:     mustChart(t, KindVillage),
		KindCooperative: mustChart(t, KindCooperative),
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.code, func(t *testing.T) {
			a, ok := charts[tt.kind][tt.code]
			if !ok {
				t.Fatalf("account %s missing", tt.code)
			}
			want := ChartAccount{Code: tt.code, Name: tt.name, Category: a.Category, NormalSide: tt.side, Aux: tt.aux, Parent: tt.parent, Leaf: tt.leaf}
			if a != want {
				t.Errorf("got %+v\nwant %+v", a, want)
			}
		})
	}
}

// Only the ★ accounts carry an auxiliary dimension; a stray aux would force users to name a
// household on lines where none exists.
func TestChartTemplateAuxOnlyOnControlAccounts(t *testing.T) {
	tests := []struct {
		kind  BookKind
		codes string
	}{
		{KindVillage, "112 113 21101 21102 21103 21199 212 213"},
		{KindCooperative, "113 114 211 212 213 221 222 301"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			var got []string
			accts, _ := ChartTemplate(tt.kind)
			for _, a := range accts {
				if a.Aux != AuxNone {
					got = append(got, a.Code)
				}
			}
			want := strings.Fields(tt.codes)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("aux accounts %v, want %v", got, want)
			}
		})
	}
}

func TestChartTemplateStructure(t *testing.T) {
	for _, kind := range []BookKind{KindVillage, KindCooperative} {
		t.Run(string(kind), func(t *testing.T) {
			accts, err := ChartTemplate(kind)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]ChartAccount{}
			hasChild := map[string]bool{}
			for _, a := range accts {
				hasChild[a.Parent] = true
			}
			for _, a := range accts {
				wantLen := 3
				if a.Parent != "" {
					p, ok := seen[a.Parent]
					if !ok {
						t.Errorf("%s: parent %s missing or listed after the child", a.Code, a.Parent)
					}
					wantLen = len(p.Code) + 2
				}
				if len(a.Code) != wantLen || (len(a.Code) != 3 && len(a.Code) != 5 && len(a.Code) != 7) {
					t.Errorf("%s: code length %d, want %d (3/5/7)", a.Code, len(a.Code), wantLen)
				}
				if a.Leaf == hasChild[a.Code] {
					t.Errorf("%s: Leaf=%v but has children=%v", a.Code, a.Leaf, hasChild[a.Code])
				}
				seen[a.Code] = a
			}
		})
	}
}

func TestChartTemplateUnknownKind(t *testing.T) {
	if _, err := ChartTemplate("company"); err == nil {
		t.Fatal("want error for unknown book kind")
	}
}

func TestParseChartErrors(t *testing.T) {
	const ok = "101\t库存现金\t资产\tdebit\tnone\t\n"
	tests := []struct {
		name, data, want string
	}{
		{"columns", "# header\n101\t库存现金\t资产\tdebit\tnone\n", "t.tsv:2: want 6"},
		{"category", "101\t库存现金\t资产类\tdebit\tnone\t\n", "t.tsv:1: account 101: unknown category"},
		{"side", "101\t库存现金\t资产\t借\tnone\t\n", "unknown normal side"},
		{"aux", "101\t库存现金\t资产\tdebit\tperson\t\n", "unknown aux"},
		{"code", "1O1\t库存现金\t资产\tdebit\tnone\t\n", "not all digits"},
		{"name", "101\t\t资产\tdebit\tnone\t\n", "no name"},
		{"duplicate", ok + "\n" + ok, "t.tsv:3: duplicate code 101 (first on line 1)"},
		{"missing parent", ok + "10201\t活期\t资产\tdebit\tnone\t102\n", "t.tsv:2: account 10201: parent 102 does not exist"},
		{"not prefix", ok + "10201\t活期\t资产\tdebit\tnone\t101\n", "parent code 101 plus 2 digits"},
		{"too long", ok + "101001\t活期\t资产\tdebit\tnone\t101\n", "parent code 101 plus 2 digits"},
		{"first level", "1001\t库存现金\t资产\tdebit\tnone\t\n", "must have 3 digits"},
		{"category differs", ok + "10101\t零钱\t负债\tcredit\tnone\t101\n", "differs from parent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseChart("t.tsv", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestParseChartOrderAndLeaf(t *testing.T) {
	// Children listed before their parent, and CRLF line ends, still parse into code order.
	data := "10101\t零钱\t资产\tdebit\tnone\t101\r\n101\t库存现金\t资产\tdebit\tnone\t\r\n102\t银行存款\t资产\tdebit\tnone\t\r\n"
	got, err := parseChart("t.tsv", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		code string
		leaf bool
	}{{"101", false}, {"10101", true}, {"102", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d accounts, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Code != w.code || got[i].Leaf != w.leaf {
			t.Errorf("[%d] = %s leaf=%v, want %s leaf=%v", i, got[i].Code, got[i].Leaf, w.code, w.leaf)
		}
	}
}

// Each account role names the account of that purpose in every chart.
func TestAccountRoles(t *testing.T) {
	want := map[AccountRole]string{AccountRoleCash: "库存现金", AccountRoleBank: "银行存款"}
	for _, kind := range []BookKind{KindVillage, KindCooperative} {
		chart, err := ChartTemplate(kind)
		if err != nil {
			t.Fatal(err)
		}
		for role, name := range want {
			code := AccountFor(kind, role)
			i := slices.IndexFunc(chart, func(a ChartAccount) bool { return a.Code == code })
			if code == "" || i < 0 || chart[i].Name != name {
				t.Errorf("%s: role %d is account %q, want %s", kind, role, code, name)
			}
		}
	}
}
