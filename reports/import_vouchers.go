package reports

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"coopledger/ledger"
)

// The voucher template of historical books: one row per voucher line, as an
// earlier system's voucher list prints them. Rows with the same date and
// original number are one voucher; its summary is its first row's, and the
// voucher's attachments, preparer and reviewer may stand on its first row
// alone. The vouchers are imported posted, flagged imported, keeping their
// numbers and dates (ledger.ImportFileVouchers).

// MaxUploadVoucherLines bounds the voucher lines of one upload over HTTP,
// written in one request's transaction: a year of a large village's books.
// The command line takes a file up to the reader's limit.
const MaxUploadVoucherLines = 20_000

// voucherColumns are the voucher template's columns, in template order.
var voucherColumns = []importColumn{
	{"日期", cellDate, true, 12, "凭证日期，如 2024-03-15；同一张凭证的各行相同"},
	{"原凭证号", cellText, true, 10, "原账中该月的凭证号，如 7 或 记-0007；同一张凭证的各行相同，导入后保留原号"},
	{"摘要", cellText, false, 28, "每张凭证第一行必填，作为凭证摘要；其余行可填本行摘要，空白则沿用"},
	{"科目编码", cellText, true, 12, "末级科目编码，如 102、21101（文本格式）"},
	{"户编号", cellText, false, 10, "农户明细科目必填，须已在农户花名册中"},
	{"往来单位编号", cellText, false, 12, "往来单位明细科目必填，须已登记"},
	{"借方金额", cellMoney, false, 14, "借方、贷方只填其一；最多 2 位小数；红字冲销填负数"},
	{"贷方金额", cellMoney, false, 14, "同上"},
	{"附件张数", cellInteger, false, 8, "填在凭证第一行即可；空白为 0"},
	{"原制单人", cellText, false, 10, "原账中的制单人，可空"},
	{"原审核人", cellText, false, 10, "每张凭证必填（填在第一行即可）：只导入已审核的凭证"},
}

// The template's column indices, for reading a row.
const (
	vcDate = iota
	vcNumber
	vcSummary
	vcAccount
	vcHousehold
	vcParty
	vcDebit
	vcCredit
	vcAttachments
	vcPreparedBy
	vcReviewedBy
)

// kindHelp adds lines to a kind's help sheet.
var kindHelp = map[ledger.ImportKind][]string{
	ledger.ImportVoucherSheet: {
		"每行一条分录。日期和原凭证号都相同的各行是同一张凭证，每张凭证至少两行，借方合计应等于贷方合计。",
		"凭证按原号导入并直接记账（标记为导入）：每个月的凭证号须从该月已有的最后一号接续、不重不漏；只能导入已审核的凭证，且日期不得早于账套启用期间、所在期间未结账。",
		"账套启用前的余额请作为期初余额录入，不要放在本表中。网页上传每个文件最多 20000 行分录；更大的文件请按年度拆分，或用命令行 coopledger import vouchers 导入。",
	},
}

// voucherRow is one row of the voucher sheet as read.
type voucherRow struct {
	row                           int
	ok                            bool // the row has no problem
	date                          string
	number                        int
	summary, account, household   string
	party, preparedBy, reviewedBy string
	debit, credit                 *ledger.Money
	attachments                   int
	hasAttachments                bool
}

// voucherNumber reads an original voucher number: 7, 0007, 记-0007, 记7.
var voucherNumber = regexp.MustCompile(`^(?:记\s*[-－—]?\s*)?0*([0-9]{1,5})$`)

// voucherRow reads one row of the voucher sheet.
func (rd *sheetReader) voucherRow(p *ParsedImport, n int, at func(int) importCell) {
	before := len(rd.problems)
	c := make([]importCell, len(voucherColumns))
	for i := range c {
		c[i] = at(i)
	}
	r := voucherRow{row: n, date: c[vcDate].date(), summary: c[vcSummary].text(200), account: c[vcAccount].text(32),
		household: c[vcHousehold].text(32), party: c[vcParty].text(32), preparedBy: c[vcPreparedBy].text(32), reviewedBy: c[vcReviewedBy].text(32)}
	if num := &c[vcNumber]; num.present {
		if m := voucherNumber.FindStringSubmatch(num.raw); m != nil && m[1] != "" {
			r.number, _ = strconv.Atoi(m[1])
		}
		if r.number < 1 {
			num.fail("凭证号应为原账中该月的编号，如 7 或 记-0007（%s）", clip(num.raw))
		}
	}
	for _, side := range []struct {
		col int
		to  **ledger.Money
	}{{vcDebit, &r.debit}, {vcCredit, &r.credit}} {
		if m := c[side.col].money(); c[side.col].present {
			*side.to = &m
		}
	}
	if att := &c[vcAttachments]; att.present {
		r.attachments = att.integer(9999)
		r.hasAttachments = att.present
	}
	r.ok = len(rd.problems) == before
	p.voucherRows.add(r)
}

// rowBlocks holds the rows read in blocks of a fixed size: 200,000 rows
// appended to one slice would hold it twice over each time it grows.
type rowBlocks struct{ blocks [][]voucherRow }

const rowBlock = 4096

func (b *rowBlocks) add(r voucherRow) {
	if n := len(b.blocks); n == 0 || len(b.blocks[n-1]) == rowBlock {
		b.blocks = append(b.blocks, make([]voucherRow, 0, rowBlock))
	}
	last := &b.blocks[len(b.blocks)-1]
	*last = append(*last, r)
}

func (b *rowBlocks) at(k int) *voucherRow { return &b.blocks[k/rowBlock][k%rowBlock] }

// groupVouchers makes vouchers of the rows read: rows with the same date and
// number form one, in the order of their first row; vouchers are then sorted
// by month and number. A voucher with a bad row is left out (its month is
// noted, see voucherProblems). Groups hold the rows' places, not copies.
func (p *ParsedImport) groupVouchers(rd *sheetReader) {
	p.dropped = map[string]bool{}
	type group struct {
		rows []int32
		bad  bool
	}
	index := map[string]int{}
	var groups []group
	for bi, blk := range p.voucherRows.blocks {
		for j := range blk {
			r := &blk[j]
			if r.date == "" || r.number == 0 { // which voucher the row belongs to is unknown
				p.dropped[""] = true
				continue
			}
			key := r.date + "|" + strconv.Itoa(r.number)
			i, ok := index[key]
			if !ok {
				i = len(groups)
				index[key] = i
				groups = append(groups, group{})
			}
			groups[i].rows = append(groups[i].rows, int32(bi*rowBlock+j))
			groups[i].bad = groups[i].bad || !r.ok
		}
	}
	index = nil
	type built struct {
		v    ledger.ImportVoucher
		rows []int
	}
	all := make([]built, 0, len(groups))
	var rows []voucherRow
	for _, g := range groups {
		rows = rows[:0]
		for _, k := range g.rows {
			rows = append(rows, *p.voucherRows.at(int(k)))
		}
		v, lines, ok := p.voucherOf(rd, rows)
		if g.bad || !ok {
			p.dropped[rows[0].date[:7]] = true
			continue
		}
		all = append(all, built{v, lines})
	}
	groups, p.voucherRows = nil, rowBlocks{}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i].v, all[j].v
		if a.Date[:7] != b.Date[:7] {
			return a.Date[:7] < b.Date[:7]
		}
		return a.Number < b.Number
	})
	p.Vouchers, p.rows, p.lineRows = make([]ledger.ImportVoucher, len(all)), make([]int, len(all)), make([][]int, len(all))
	for i, b := range all {
		p.Vouchers[i], p.rows[i], p.lineRows[i] = b.v, b.rows[0], b.rows
	}
	sort.SliceStable(rd.problems, func(i, j int) bool { return rd.problems[i].Row < rd.problems[j].Row })
}

// voucherOf builds one voucher of its rows; a voucher-level cell that
// differs from the one given earlier in the voucher is a problem.
func (p *ParsedImport) voucherOf(rd *sheetReader, rows []voucherRow) (ledger.ImportVoucher, []int, bool) {
	first := rows[0]
	v := ledger.ImportVoucher{Number: first.number, Date: first.date, Summary: first.summary}
	lines := make([]int, len(rows))
	v.Lines = make([]ledger.LineInput, 0, len(rows))
	ok := true
	same := func(r voucherRow, col int, have *string, got string) {
		switch {
		case got == "":
		case *have == "":
			*have = got
		case *have != got:
			ok = false
			h := voucherColumns[col].header
			rd.problems = append(rd.problems, RowError{Row: r.row, Column: h, Cell: p.cellOf(h, r.row),
				Message: fmt.Sprintf("同一张凭证（%s %s）的「%s」应相同：本行 %s，前面的行 %s", first.date, ledger.FormatNumber(first.number), h, clip(got), clip(*have))})
		}
	}
	attachments := ""
	for i, r := range rows {
		lines[i] = r.row
		same(r, vcReviewedBy, &v.ReviewedBy, r.reviewedBy)
		same(r, vcPreparedBy, &v.PreparedBy, r.preparedBy)
		if r.hasAttachments {
			same(r, vcAttachments, &attachments, strconv.Itoa(r.attachments))
		}
		l := ledger.LineInput{Account: r.account, Household: r.household, Party: r.party, Debit: r.debit, Credit: r.credit}
		if r.summary != v.Summary {
			l.Summary = r.summary
		}
		v.Lines = append(v.Lines, l)
	}
	v.Attachments, _ = strconv.Atoi(attachments)
	return v, lines, ok
}

// voucherLineLimit is the most voucher lines req may import.
func voucherLineLimit(req ImportRequest) int {
	if req.MaxVoucherLines <= 0 {
		return MaxUploadVoucherLines
	}
	return req.MaxVoucherLines
}

// applyVouchers submits the file's vouchers as one pending import, which a
// township officer other than the uploader approves before anything is posted.
func applyVouchers(ctx context.Context, s *ledger.Store, a ledger.Actor, req ImportRequest, file ledger.FileImport, p ParsedImport) (int, *ledger.PendingImport, error) {
	limit := voucherLineLimit(req)
	lines := 0
	for _, rows := range p.lineRows {
		lines += len(rows)
	}
	if lines > limit {
		return 0, nil, fileProblemError(fmt.Sprintf("文件有 %d 行分录，一次最多导入 %d 行：请按年度拆分为几个文件，或用命令行 coopledger import vouchers 导入", lines, limit))
	}
	pi, err := s.ImportFileVouchers(ctx, a, file, p.Vouchers)
	if err != nil {
		return 0, nil, err
	}
	return pi.Vouchers, &pi, nil
}

// voucherIndexed matches the ledger's field paths for a voucher of the file:
// vouchers[3].date, vouchers[3].lines, vouchers[3].lines[1].debit.
var voucherIndexed = regexp.MustCompile(`^vouchers\[(\d+)\](?:\.lines\[(\d+)\])?(?:\.([a-z_]+))?$`)

// voucherFieldColumns names the template column of each ledger field.
var voucherFieldColumns = map[string]int{
	"date": vcDate, "number": vcNumber, "summary": vcSummary, "attachments": vcAttachments,
	"prepared_by": vcPreparedBy, "reviewed_by": vcReviewedBy,
	"account": vcAccount, "household": vcHousehold, "party": vcParty, "debit": vcDebit, "credit": vcCredit,
}

// otherVoucher is how the ledger names another voucher of the batch.
var otherVoucher = regexp.MustCompile(`本批第 \d+ 张凭证（vouchers\[(\d+)\]）`)

// voucherProblems renames the ledger's voucher fields to the file's rows
// and columns, or returns nil when a problem names no voucher of the file.
// A voucher's own problem (it does not balance, too few lines) names all its
// rows. Numbering problems in a month where a voucher was left out for its
// format problems are dropped: the gap is that voucher's.
func (p ParsedImport) voucherProblems(e *ledger.Error) []RowError {
	var out []RowError
	for _, d := range e.Details {
		m := voucherIndexed.FindStringSubmatch(d.Field)
		if m == nil {
			return nil
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(p.lineRows) {
			return nil
		}
		rows := p.lineRows[i]
		msg := otherVoucher.ReplaceAllStringFunc(d.Message, func(s string) string {
			k, _ := strconv.Atoi(otherVoucher.FindStringSubmatch(s)[1])
			if k < len(p.rows) {
				return fmt.Sprintf("第 %d 行的凭证", p.rows[k])
			}
			return s
		})
		pr := RowError{Row: rows[0], Message: msg}
		field := m[3]
		switch {
		case m[2] != "":
			j, _ := strconv.Atoi(m[2])
			if j >= len(rows) {
				return nil
			}
			pr.Row = rows[j]
		case field == "lines":
			pr.Message += "（本凭证在" + rowList(rows) + "）"
		case field == "number" && (p.dropped[""] || p.dropped[p.Vouchers[i].Date[:7]]):
			continue
		}
		if col, ok := voucherFieldColumns[field]; ok {
			pr.Column = voucherColumns[col].header
			pr.Cell = p.cellOf(pr.Column, pr.Row)
		}
		out = append(out, pr)
	}
	return out
}

// rowList names sheet rows: "第 12–15 行" when they follow each other, else
// "第 12、14、20 行".
func rowList(rows []int) string {
	if rows[len(rows)-1]-rows[0] == len(rows)-1 && len(rows) > 1 {
		return fmt.Sprintf("第 %d–%d 行", rows[0], rows[len(rows)-1])
	}
	names := make([]string, 0, len(rows))
	for k, r := range rows {
		if k == 10 {
			names = append(names, fmt.Sprintf("等 %d 行", len(rows)))
			break
		}
		names = append(names, strconv.Itoa(r))
	}
	return "第 " + strings.Join(names, "、") + " 行"
}
