package ledger

import "context"

// 成员权益变动表 (会农社03表) of a cooperative. 财会〔2021〕37号 fills it "from
// the activity of 股金, 专项基金, 资本公积, 盈余公积 and 盈余分配": the first four
// columns read their account — 年初 the balance before the year, 本年增加 the
// credits and 本年减少 the debits of the year — and 未分配盈余 reads the two
// other statements, so the three always agree: 年初 and 年末 are 01表 row 40,
// 本年增加 is 本年盈余 (02表 row 12, a loss negative) plus 其他转入 (row 14), and
// 本年减少 is what was distributed (rows 15, 17, 18 and 19).

// EquityChangesTitle is the statement's title.
const EquityChangesTitle = "成员权益变动表"

// EquityColumns are the statement's columns, in the order of each line's Values.
var EquityColumns = []string{"股金", "专项基金", "资本公积", "盈余公积", "未分配盈余", "合计"}

// equityAccounts are the accounts of the first four columns.
var equityAccounts = []string{"301", "311", "321", "322"}

// Rows of 会农社01表 and 02表 the 未分配盈余 column reads.
const (
	bsUndistributedRow = 40
	isNetIncomeRow     = 12
	isTransferInRow    = 14
)

var isDistributedRows = []int{15, 17, 18, 19}

// EquityChangeLine is one row of the 成员权益变动表: Values in the order of
// Columns, the last being 合计.
type EquityChangeLine struct {
	Row    int     `json:"row"`
	Name   string  `json:"name"`
	Values []Money `json:"values"`
}

// EquityChanges is the 成员权益变动表 of a cooperative for January to Month.
type EquityChanges struct {
	Book       string             `json:"book"`
	BookName   string             `json:"book_name"`
	Kind       BookKind           `json:"kind"`
	Title      string             `json:"title"`
	Month      string             `json:"month"`
	YearStart  string             `json:"year_start"`
	Columns    []string           `json:"columns"`
	Lines      []EquityChangeLine `json:"lines"`
	YearClosed bool               `json:"year_closed"`
}

// EquityChanges returns the 成员权益变动表 of a cooperative for the year to the
// end of month.
func (s *Store) EquityChanges(ctx context.Context, a Actor, bookCode, month string) (EquityChanges, error) {
	p, err := ParsePeriod(month)
	if err != nil {
		return EquityChanges{}, FieldError("month", "%s", err.Error())
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return EquityChanges{}, err
	}
	if b.Kind != KindCooperative {
		return EquityChanges{}, FieldError("book", "成员权益变动表只适用于农民专业合作社，账套 %s 是村集体经济组织", b.Code)
	}
	return equityChanges(ctx, s, b, p)
}

func equityChanges(ctx context.Context, s *Store, b Book, p Period) (EquityChanges, error) {
	ys := yearStart(p)
	bs, err := balanceSheet(ctx, s.db, b, p)
	if err != nil {
		return EquityChanges{}, err
	}
	is, err := incomeStatement(ctx, s.db, b, PeriodRange{From: ys, To: p})
	if err != nil {
		return EquityChanges{}, err
	}
	open, err := sumBalances(ctx, s.db, b.ID, beforeAll, ys.Prev(), "")
	if err != nil {
		return EquityChanges{}, err
	}
	act, err := activityExcludingClosing(ctx, s.db, b.ID, ys, p)
	if err != nil {
		return EquityChanges{}, err
	}
	var rows [4][]int64 // 年初, 增加, 减少, 年末 per column
	for _, code := range equityAccounts {
		o, y := rollUp(open, code), rollUp(act, code)
		rows[0] = append(rows[0], o[1]-o[0])
		rows[1] = append(rows[1], y[1])
		rows[2] = append(rows[2], y[0])
		rows[3] = append(rows[3], o[1]-o[0]+y[1]-y[0])
	}
	claims := rowValues(bs.Claims)
	income := rowValues(is.Lines) // First: 本年金额, the year to p
	var distributed int64
	for _, r := range isDistributedRows {
		distributed += income[r][0]
	}
	und := [4]int64{claims[bsUndistributedRow][0], income[isNetIncomeRow][0] + income[isTransferInRow][0], distributed, claims[bsUndistributedRow][1]}
	names := []string{"一、年初余额", "二、本年增加数", "三、本年减少数", "四、年末余额"}
	out := EquityChanges{Book: b.Code, BookName: b.Name, Kind: b.Kind, Title: EquityChangesTitle, Month: string(p), YearStart: string(ys),
		Columns: EquityColumns, YearClosed: bs.YearClosed}
	for i, name := range names {
		vals := append(rows[i], und[i])
		var total int64
		line := EquityChangeLine{Row: i + 1, Name: name}
		for _, v := range vals {
			total += v
			line.Values = append(line.Values, Fen(v))
		}
		line.Values = append(line.Values, Fen(total))
		out.Lines = append(out.Lines, line)
	}
	return out, nil
}

// rowValues maps a statement's row numbers to its two columns in fen; for an
// income statement the first is 本年金额 (the year to date).
func rowValues(lines []StatementLine) map[int][2]int64 {
	out := map[int][2]int64{}
	for _, l := range lines {
		if !l.Heading {
			out[l.Row] = [2]int64{l.First.Fen(), l.Second.Fen()}
		}
	}
	return out
}
