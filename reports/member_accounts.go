package reports

import (
	"fmt"
	"io"

	"coopledger/ledger"
)

// SheetMemberAccounts is the sheet of a cooperative's 成员账户 (第57条).
const SheetMemberAccounts = "成员账户"

// MemberAccountColumns are the sheet's columns, A to N.
var MemberAccountColumns = []string{"成员编号", "成员姓名（名称）", "年初", "出资额", "其中：到户类扶贫项目资产", "公积金份额",
	"财政补助形成财产量化份额", "捐赠形成财产量化份额", "交易量（额）", "盈余返还", "剩余盈余分配", "年末"}

// WriteMemberAccounts writes every member's 成员账户 of a year on one A4
// landscape sheet, a totals row of SUM formulas at the foot.
func WriteMemberAccounts(w io.Writer, book BookInfo, ma ledger.MemberAccounts, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	sw, err := wb.sheet(sheetSetup{name: SheetMemberAccounts, landscape: true, headerRow: headerRow, footer: wb.footer(book),
		cols: []float64{10, 20, 13, 13, 13, 13, 13, 13, 14, 13, 13, 13}})
	if err != nil {
		return err
	}
	st := wb.st
	rw := &rowWriter{sw: sw}
	wb.titleRows(rw, len(MemberAccountColumns), fmt.Sprintf("成员账户（%d年度）", ma.Year),
		fmt.Sprintf("编制单位：%s（账套 %s，%s）　金额单位：元", book.Name, book.Code, book.TownshipName))
	wb.headerRow(rw, MemberAccountColumns)
	for _, a := range ma.Accounts {
		cells := []any{cell(a.Code, st.text), cell(a.Name, st.text)}
		for _, m := range []ledger.Money{a.Opening, a.Capital, a.PovertyCapital, a.Reserve, a.Subsidy, a.Donation, a.Volume, a.Returned, a.Residual, a.Closing} {
			cells = append(cells, moneyCell{m, st.money})
		}
		rw.add(cells)
	}
	last := firstDataRow + len(ma.Accounts) - 1
	total := []any{cell("合计", st.totalText), cell("", st.totalLabel)}
	for i := 3; i <= len(MemberAccountColumns); i++ {
		total = append(total, formula(sumRange(col(i), firstDataRow, last), st.totalMoney))
	}
	rw.add(total)
	wb.noteRow(rw, len(MemberAccountColumns), "说明：出资额为成员股金（301）年末余额；公积金份额、财政补助和捐赠形成财产的量化份额为年末量化到成员的份额；"+
		"交易量（额）为本年记为成员交易的成员往来分录金额（成员向本社出售和从本社购买），不含借款、预付、工资和分配；"+
		"盈余返还、剩余盈余分配为本年盈余分配记入应付盈余返还、应付剩余盈余的金额；年末 = 出资额 + 公积金份额 + 补助份额 + 捐赠份额，年初为上年年末。", 60)
	if err := rw.flush(); err != nil {
		return err
	}
	if err := wb.docProps(fmt.Sprintf("%s成员账户（%d年度）", book.Name, ma.Year), "成员账户", "成员账户,"+book.Code,
		"链头哈希 "+book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}
