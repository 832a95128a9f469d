package reports

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"coopledger/ledger"
)

// The reconciliation workbook (对账报告) lets an auditor take a quarter's
// reconciliation away: the verdict, every household × agreement with its
// entitled, accrued, paid and outstanding amounts, the control accounts
// against their sub-ledgers, what is wrong and what needs review, and the
// quarter's audit log.

// maxAuditRows bounds the audit-log sheet; a quarter of a village is far below.
const maxAuditRows = 200_000

// ReconciliationData is what the workbook shows.
type ReconciliationData struct {
	Book      BookInfo
	R         ledger.Reconciliation
	Audit     []ledger.AuditEntry
	UserNames map[int64]string
	AuditCut  bool // the audit log was longer than the sheet holds
}

// LoadReconciliation reconciles a book's quarter and gathers its audit log.
func LoadReconciliation(ctx context.Context, s *ledger.Store, a ledger.Actor, book, quarter string) (ReconciliationData, error) {
	r, err := s.Reconcile(ctx, a, book, quarter)
	if err != nil {
		return ReconciliationData{}, err
	}
	b, err := s.Book(ctx, a, book)
	if err != nil {
		return ReconciliationData{}, err
	}
	q, err := ledger.ParseQuarter(quarter)
	if err != nil {
		return ReconciliationData{}, ledger.FieldError("quarter", "%s", err.Error())
	}
	d := ReconciliationData{Book: BookInfoOf(b), R: r}
	// Approvals and payments of a quarter happen after it ends, so the log runs
	// from the quarter's first day to the time of export.
	f := ledger.AuditFilter{From: q.First().Format("2006-01-02"), Limit: 1000}
	for len(d.Audit) < maxAuditRows {
		page, err := s.AuditLog(ctx, a, book, f)
		if err != nil {
			return ReconciliationData{}, err
		}
		d.Audit = append(d.Audit, page...)
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	d.AuditCut = len(d.Audit) >= maxAuditRows
	if d.UserNames, err = s.UserNames(ctx, a, book); err != nil {
		return ReconciliationData{}, err
	}
	return d, nil
}

// Sheet names of the reconciliation workbook.
const (
	SheetVerdict  = "对账结论"
	SheetRows     = "分户核对"
	SheetControls = "控制科目核对"
	SheetFindings = "问题与复核"
	SheetAudit    = "审计日志"
)

// ReconciliationRowColumns are the columns of the household sheet, A to J.
var ReconciliationRowColumns = []string{"序号", "户编号", "协议", "类别", "按条款应享", "已计提", "已发", "未发", "核对", "凭证"}

// WriteReconciliation writes the reconciliation workbook.
func WriteReconciliation(w io.Writer, d ReconciliationData, opts Options) error {
	wb, err := newWorkbook(opts)
	if err != nil {
		return err
	}
	defer wb.close()
	for _, sheet := range []func(ReconciliationData) error{wb.verdictSheet, wb.reconRowsSheet, wb.controlsSheet, wb.findingsSheet, wb.auditSheet} {
		if err := sheet(d); err != nil {
			return err
		}
	}
	title := fmt.Sprintf("%s%s收益分配对账报告", d.Book.Name, quarterLabel(d.R.Quarter))
	if err := wb.docProps(title, "对账报告", "对账,"+d.Book.Code+","+d.R.Quarter, d.R.Verdict+"；链头哈希 "+d.Book.ChainHead); err != nil {
		return err
	}
	return wb.write(w)
}

func (wb *workbook) reconSubtitle(d ReconciliationData) string {
	return fmt.Sprintf("单位：%s（账套 %s，%s）　季度：%s（%s）　金额单位：元", d.Book.Name, d.Book.Code, d.Book.TownshipName,
		quarterLabel(d.R.Quarter), quarterSpan(d.R.Quarter))
}

func (wb *workbook) verdictSheet(d ReconciliationData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetVerdict, footer: wb.footer(d.Book), cols: []float64{26, 18, 18, 18, 40}})
	if err != nil {
		return err
	}
	st, r, c := wb.st, &rowWriter{sw: sw}, d.R.Counts
	wb.titleRows(r, 5, d.Book.Name+quarterLabel(d.R.Quarter)+"收益分配对账报告", wb.reconSubtitle(d))
	n := r.add([]any{cell("结论："+d.R.Verdict, st.totalText)}, excelize.RowOpts{Height: 36})
	r.merge("A", "E", n)
	for _, kv := range [][2]any{
		{"农户数", c.Households}, {"核对行（户 × 协议）", c.Rows}, {"收益分配批次", c.Runs}, {"分配明细行", c.RunLines},
		{"付款笔数", c.Payments}, {"控制科目核对（科目 × 月）", c.ControlChecks}, {"问题", c.Findings}, {"待复核事项", c.Reviews},
	} {
		r.add([]any{cell(kv[0], st.text), cell(kv[1], st.count)})
	}
	for _, kv := range []struct {
		label string
		m     ledger.Money
	}{{"按条款应享合计", c.Entitled}, {"已计提合计", c.Accrued}, {"已发合计", c.Paid}, {"未发合计", c.Outstanding}} {
		r.add([]any{cell(kv.label, st.text), moneyCell{kv.m, st.money}})
	}
	head := d.R.ChainHead
	r.add([]any{cell("链头（最后一张记账凭证）", st.text), cell(fmt.Sprintf("%s，第 %d 张，哈希 %s", head.Label, head.Seq, head.Hash), st.textWrap)})
	r.skip(1)
	r.add([]any{cell("批次", st.header), cell("状态", st.header), cell("应发", st.header), cell("已发", st.header), cell("计提与付款凭证", st.header)})
	for _, run := range d.R.Runs {
		label := fmt.Sprintf("第 %d 号", run.ID)
		if run.Adjustment {
			label += "（调整）"
		}
		r.add([]any{cell(label, st.text), cell(runStatusLabel(run.Status), st.textCenter), moneyCell{run.Total, st.money},
			moneyCell{run.Paid, st.money}, cell(strings.Join(run.Vouchers, "、"), st.textWrap)})
	}
	return r.flush()
}

func runStatusLabel(s ledger.RunStatus) string {
	switch s {
	case ledger.RunApproved:
		return "已审批"
	case ledger.RunDraft:
		return "草稿"
	}
	return string(s)
}

func (wb *workbook) reconRowsSheet(d ReconciliationData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetRows, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{6, 10, 14, 9, 14, 14, 14, 14, 8, 40}})
	if err != nil {
		return err
	}
	st, r := wb.st, &rowWriter{sw: sw}
	wb.titleRows(r, len(ReconciliationRowColumns), "分户核对：按条款应享 = 已计提 ≥ 已发，未发 = 已计提 − 已发", wb.reconSubtitle(d))
	wb.headerRow(r, ReconciliationRowColumns)
	for i, row := range d.R.Rows {
		ok := "相符"
		if !row.OK {
			ok = "不符"
		}
		r.add([]any{cell(i+1, st.count), cell(row.Household, st.textCenter), cell(row.Agreement, st.text), cell(row.Kind, st.textCenter),
			moneyCell{row.Entitled, st.money}, moneyCell{row.Accrued, st.money}, moneyCell{row.Paid, st.money},
			moneyCell{row.Outstanding, st.money}, cell(ok, st.textCenter), cell(strings.Join(row.Vouchers, "、"), st.textWrap)})
	}
	last := firstDataRow + len(d.R.Rows) - 1
	t := r.add([]any{cell("合计", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel), cell("", st.totalLabel),
		formula(sumRange("E", firstDataRow, last), st.totalMoney), formula(sumRange("F", firstDataRow, last), st.totalMoney),
		formula(sumRange("G", firstDataRow, last), st.totalMoney), formula(sumRange("H", firstDataRow, last), st.totalMoney),
		cell("", st.totalLabel), cell("", st.totalLabel)})
	r.merge("A", "D", t)
	return r.flush()
}

// ControlColumns are the columns of the control-account sheet, A to G.
var ControlColumns = []string{"科目", "科目名称", "月份", "总账余额", "明细账合计", "差额", "核对"}

func (wb *workbook) controlsSheet(d ReconciliationData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetControls, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{10, 22, 10, 16, 16, 14, 8}})
	if err != nil {
		return err
	}
	st, r := wb.st, &rowWriter{sw: sw}
	wb.titleRows(r, len(ControlColumns), "控制科目与明细账核对（余额为借方净额，负数为贷方）", wb.reconSubtitle(d))
	wb.headerRow(r, ControlColumns)
	for _, c := range d.R.Controls {
		ok := "相符"
		if !c.OK {
			ok = "不符"
		}
		n := r.row + 1
		r.add([]any{cell(c.Account, st.textCenter), cell(c.Name, st.text), cell(c.Period, st.textCenter), moneyCell{c.Control, st.money},
			moneyCell{c.SubLedgers, st.money}, formula(fmt.Sprintf("D%d-E%d", n, n), st.money), cell(ok, st.textCenter)})
	}
	return r.flush()
}

// FindingColumns are the columns of the findings sheet, A to H.
var FindingColumns = []string{"类别", "检查项", "说明", "户", "协议", "期间", "理由", "涉及凭证"}

func (wb *workbook) findingsSheet(d ReconciliationData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetFindings, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{8, 16, 50, 8, 12, 9, 24, 36}})
	if err != nil {
		return err
	}
	st, r := wb.st, &rowWriter{sw: sw}
	wb.titleRows(r, len(FindingColumns), "问题（对账不符）与待复核事项", wb.reconSubtitle(d))
	wb.headerRow(r, FindingColumns)
	add := func(kind string, fs []ledger.Finding) {
		for _, f := range fs {
			r.add([]any{cell(kind, st.textCenter), cell(ledger.CheckLabel(f.Check), st.text), cell(f.Message, st.textWrap), cell(f.Household, st.textCenter),
				cell(f.Agreement, st.text), cell(f.Period, st.textCenter), cell(f.Reason, st.textWrap), cell(strings.Join(f.Vouchers, "、"), st.textWrap)})
		}
	}
	add("问题", d.R.Findings)
	add("复核", d.R.Reviews)
	if len(d.R.Findings)+len(d.R.Reviews) == 0 {
		wb.noteRow(r, len(FindingColumns), "无问题，无待复核事项。", 20)
	}
	if d.R.Truncated {
		wb.noteRow(r, len(FindingColumns), fmt.Sprintf("只列出前若干项；问题共 %d 项，待复核共 %d 项。", d.R.Counts.Findings, d.R.Counts.Reviews), 20)
	}
	return r.flush()
}

// AuditColumns are the columns of the audit-log sheet, A to G.
var AuditColumns = []string{"序号", "时间", "用户", "操作", "对象", "对象编号", "理由"}

func (wb *workbook) auditSheet(d ReconciliationData) error {
	sw, err := wb.sheet(sheetSetup{name: SheetAudit, landscape: true, headerRow: headerRow, footer: wb.footer(d.Book),
		cols: []float64{8, 22, 22, 10, 14, 16, 40}})
	if err != nil {
		return err
	}
	st, r := wb.st, &rowWriter{sw: sw}
	wb.titleRows(r, len(AuditColumns), "审计日志：本季度初至导出时的每一次新增、修改、过账、冲销、结账、审批、付款", wb.reconSubtitle(d))
	wb.headerRow(r, AuditColumns)
	for _, e := range d.Audit {
		user := d.UserNames[e.UserID]
		if user == "" {
			user = "用户 " + strconv.FormatInt(e.UserID, 10)
		}
		r.add([]any{cell(e.ID, st.count), cell(wb.localTime(e.At), st.text), cell(user, st.text), cell(e.Action, st.textCenter),
			cell(e.Entity, st.text), cell(e.EntityKey, st.text), cell(e.Reason, st.textWrap)})
	}
	if d.AuditCut {
		wb.noteRow(r, len(AuditColumns), fmt.Sprintf("审计日志超过 %d 条，只列出前 %d 条；完整日志请通过接口分页读取。", maxAuditRows, maxAuditRows), 20)
	}
	return r.flush()
}

// localTime prints a stored RFC 3339 time in the export's time zone.
func (wb *workbook) localTime(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return t.In(wb.at.Location()).Format("2006-01-02 15:04:05")
}
