package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"coopledger/ledger"
)

// The people of the demo township are invented, but shaped like a village
// roster in southern Jiangxi (赣南): a few clan surnames dominate each village,
// heads of household were born 1946–1993, most are men, and ID numbers carry
// the area codes of 宁都县 and its neighbours.

// surnames common in 赣南, most frequent first.
var surnames = []string{"刘", "陈", "黄", "曾", "钟", "李", "谢", "赖", "廖", "温",
	"邱", "罗", "杨", "张", "王", "肖", "彭", "宋", "古", "朱", "胡", "吴", "邓", "林"}

// Given names of the heads' generation, whole (not composed from characters),
// so every name is one a real villager bears.
var maleNames = []string{"建国", "建华", "德明", "德胜", "春生", "水生", "福生", "冬生", "志强", "志明",
	"国华", "国平", "金发", "金生", "桂林", "永红", "小平", "文斌", "家富", "光明", "海波", "振华",
	"卫东", "东平", "长根", "有根", "新民", "远华", "明辉", "石生", "根发", "茂林", "伟", "军", "勇",
	"强", "斌", "林", "华", "平", "刚", "峰"}

var femaleNames = []string{"秀英", "桂兰", "玉兰", "春梅", "秀珍", "凤英", "冬梅", "金凤", "小红", "丽华",
	"美华", "翠英", "淑芬", "爱华", "桂英", "菊花", "满妹", "招娣", "霞", "燕", "红", "芳", "萍", "娟"}

// Area codes (GB/T 2260) of 宁都县 and neighbouring counties of 赣州市: most
// heads were registered at birth in the home county.
const homeArea = "360730" // 宁都县

var otherAreas = []string{"360731", "360732", "360735", "360781", "360733"} // 于都 兴国 石城 瑞金 会昌

var chineseDigits = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"}

// groupName is the n-th (1-based) 村民小组.
func groupName(n int) string { return "第" + chineseDigits[n-1] + "村民小组" }

// memberWeights is the distribution of household sizes 1..7 (percent).
var memberWeights = []int{8, 15, 20, 25, 17, 10, 5}

// bankBINs are card prefixes of banks that issue the 一卡通 cards subsidies
// are paid to, with the card length; the last digit is a Luhn check digit.
var bankBINs = []struct {
	prefix string
	length int
}{
	{"622848", 19}, {"621799", 19}, {"621700", 19}, {"622202", 19},
	{"623058", 19}, {"622588", 16}, {"621483", 16}, {"622609", 18},
}

// person draws a head of household's name and a valid, unused ID number.
type people struct {
	r    *rand.Rand
	used map[string]bool // ID numbers already issued in this book
}

func newPeople(r *rand.Rand) *people { return &people{r: r, used: map[string]bool{}} }

// weighted returns an index drawn by integer weights.
func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// name draws a head's name: clans hold 60 % of a village.
func (p *people) name(clans []string, female bool) string {
	var surname string
	if p.r.IntN(100) < 60 {
		surname = clans[p.r.IntN(len(clans))]
	} else {
		surname = surnames[p.r.IntN(len(surnames))]
	}
	if female {
		return surname + femaleNames[p.r.IntN(len(femaleNames))]
	}
	return surname + maleNames[p.r.IntN(len(maleNames))]
}

// maxIDAttempts bounds the search for an unused ID number.
const maxIDAttempts = 50

// idNumber draws a valid 18-character ID number: area, birth date, a
// sequence whose last digit is odd for men and even for women, check char.
func (p *people) idNumber(female bool) (string, error) {
	for range maxIDAttempts {
		area := homeArea
		if p.r.IntN(100) < 12 {
			area = otherAreas[p.r.IntN(len(otherAreas))]
		}
		year := 1946 + p.r.IntN(48)
		month := 1 + p.r.IntN(12)
		day := 1 + p.r.IntN(daysIn(year, month))
		seq := p.r.IntN(500) * 2
		if !female {
			seq++
		}
		first := fmt.Sprintf("%s%04d%02d%02d%03d", area, year, month, day, seq)
		id := first + string(ledger.IDNumberCheckChar(first))
		if !p.used[id] {
			p.used[id] = true
			return id, nil
		}
	}
	return "", fmt.Errorf("demo: no unused ID number after %d attempts", maxIDAttempts)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// bankCard draws a card number with a valid Luhn check digit.
func (p *people) bankCard() string {
	bin := bankBINs[p.r.IntN(len(bankBINs))]
	var b strings.Builder
	b.WriteString(bin.prefix)
	for b.Len() < bin.length-1 {
		b.WriteByte(byte('0' + p.r.IntN(10)))
	}
	body := b.String()
	return body + string(luhnDigit(body))
}

// luhnDigit is the check digit that makes body+digit pass the Luhn test.
func luhnDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 { // doubled: the rightmost body digit and every second one left of it
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// rosterSpec shapes one book's roster.
type rosterSpec struct {
	count      int      // households
	clans      []string // the village's dominant surnames
	groups     []string // 村民小组 names
	poorPct    int      // 脱贫户, percent
	watchedPct int      // 监测户, percent
}

// household is a roster entry with what the book's agreements need to know.
type household struct {
	ledger.Household
	female bool
}

// roster draws the households of a book, coded H001, H002, ….
func (p *people) roster(spec rosterSpec) ([]*household, error) {
	out := make([]*household, 0, spec.count)
	for i := 1; i <= spec.count; i++ {
		female := p.r.IntN(100) < 15 // widows and women whose husbands work away
		id, err := p.idNumber(female)
		if err != nil {
			return nil, err
		}
		status := ledger.StatusOrdinary
		switch n := p.r.IntN(100); {
		case n < spec.poorPct:
			status = ledger.StatusFormerlyPoor
		case n < spec.poorPct+spec.watchedPct:
			status = ledger.StatusMonitored
		}
		out = append(out, &household{female: female, Household: ledger.Household{
			Code:        fmt.Sprintf("H%03d", i),
			HeadName:    p.name(spec.clans, female),
			IDNumber:    id,
			BankAccount: p.bankCard(),
			Members:     1 + weighted(p.r, memberWeights),
			Group:       spec.groups[p.r.IntN(len(spec.groups))],
			Status:      status,
		}})
	}
	return out, nil
}

// poor reports whether the household is 脱贫户 or 监测户: the households the
// poverty-alleviation shares and the solar station were set up for.
func (h *household) poor() bool {
	return h.Status == ledger.StatusFormerlyPoor || h.Status == ledger.StatusMonitored
}

// orgCodeChars is the alphabet of the 9-character organization code (GB 11714)
// kept to the characters GB 32100 allows, so the USCC built from it is valid.
const orgCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// orgCheckChar is the GB 11714 check character of an 8-character organization code.
func orgCheckChar(code8 string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		c := code8[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// uscc draws a unified social credit code: registration authority and kind
// ("91" company, "93" farmer cooperative), area, organization code, check.
func (p *people) uscc(kind string) string {
	code8 := "MA3"
	for len(code8) < 8 {
		code8 += string(orgCodeChars[p.r.IntN(len(orgCodeChars))])
	}
	first := kind + homeArea + code8 + string(orgCheckChar(code8))
	return first + string(ledger.USCCCheckChar(first))
}
