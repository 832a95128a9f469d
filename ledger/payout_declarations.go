package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Declaration is an amount declared for a quarter: a dividend pool or a
// cooperative's distributable surplus.
type Declaration struct {
	Agreement string `json:"agreement"`
	Quarter   string `json:"quarter"`
	Amount    Money  `json:"amount"`
	CreatedAt string `json:"created_at"`
}

// DeclarationInput declares an amount for a quarter.
type DeclarationInput struct {
	Quarter string `json:"quarter"`
	Amount  Money  `json:"amount"`
}

// Declare records a pool for a quarter. A quarter that is approved for the
// agreement, or whose last month is closed, takes no declaration.
func (s *Store) Declare(ctx context.Context, a Actor, bookCode, code string, in DeclarationInput) (Declaration, error) {
	q, err := ParseQuarter(in.Quarter)
	if err != nil {
		return Declaration{}, FieldError("quarter", "%s", err.Error())
	}
	if !in.Amount.IsPositive() {
		return Declaration{}, FieldError("amount", "申报金额必须大于零")
	}
	if in.Amount.Fen() > maxLineFen {
		return Declaration{}, FieldError("amount", "申报金额 %s 元超过单笔分录上限 %s 元", in.Amount, Fen(maxLineFen))
	}
	var out Declaration
	err = s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		ag, err := agreementByCode(ctx, tx, b.ID, code)
		if err != nil {
			return err
		}
		if err := s.checkDeclarable(ctx, tx, b, ag, q); err != nil {
			return err
		}
		if err := checkSurplusDeclaration(ctx, tx, b, ag, q, in.Amount); err != nil {
			return err
		}
		out = Declaration{Agreement: code, Quarter: q.String(), Amount: in.Amount, CreatedAt: s.timestamp()}
		_, err = tx.NewRaw(`INSERT INTO declarations (book_id, agreement_code, quarter, amount_fen, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?)`, b.ID, code, out.Quarter, in.Amount.Fen(), out.CreatedAt, a.UserID).Exec(ctx)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "declare", "agreement", code, "", nil, out)
	})
	return out, err
}

func (s *Store) checkDeclarable(ctx context.Context, tx bun.IDB, b Book, ag Agreement, q Quarter) error {
	pooled := ag.Kind == CoopSurplus
	for _, v := range ag.Versions {
		pooled = pooled || (ag.Kind == ShareDividend && v.Terms.Basis == "pool")
	}
	if !pooled {
		return FieldError("quarter", "协议 %s 不按申报金额分配，无需申报", ag.Code)
	}
	if err := s.checkPeriodOpen(ctx, tx, b, q.Periods()[2]); err != nil {
		return &Error{Code: ECodePeriodClosed, Message: fmt.Sprintf("%s 季度已结账，不能再申报", q), Details: []Detail{{Field: "quarter", Message: "季度已结账"}}}
	}
	if approved, err := tx.NewSelect().Table("payout_approvals").Where("book_id = ? AND quarter = ? AND agreement_code = ?",
		b.ID, q.String(), ag.Code).Exists(ctx); err != nil {
		return err
	} else if approved {
		return &Error{Code: ECodePeriodClosed, Message: fmt.Sprintf("协议 %s 的 %s 季度分配已审批，不能再申报", ag.Code, q),
			Details: []Detail{{Field: "quarter", Message: "已审批"}}}
	}
	if exists, err := tx.NewSelect().Table("declarations").Where("book_id = ? AND agreement_code = ? AND quarter = ?",
		b.ID, ag.Code, q.String()).Exists(ctx); err != nil {
		return err
	} else if exists {
		return &Error{Code: ECodeConflict, Message: fmt.Sprintf("协议 %s 的 %s 季度已申报", ag.Code, q), Details: []Detail{{Field: "quarter", Message: "已申报"}}}
	}
	return nil
}

// Declarations lists an agreement's declarations by quarter.
func (s *Store) Declarations(ctx context.Context, a Actor, bookCode, code string) ([]Declaration, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	return declarations(ctx, s.db, b.ID, code, "")
}

func declarations(ctx context.Context, db bun.IDB, bookID int64, code, quarter string) ([]Declaration, error) {
	q := "SELECT agreement_code, quarter, amount_fen, created_at FROM declarations WHERE book_id = ? AND agreement_code = ?"
	args := []any{bookID, code}
	if quarter != "" {
		q, args = q+" AND quarter = ?", append(args, quarter)
	}
	rows, err := db.QueryContext(ctx, q+" ORDER BY quarter", args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, d *Declaration) error {
		var fen int64
		err := rows.Scan(&d.Agreement, &d.Quarter, &fen, &d.CreatedAt)
		d.Amount = Fen(fen)
		return err
	})
}

// WorkRecord is work done by a household member under a wage agreement.
type WorkRecord struct {
	ID        int64           `json:"id"`
	Household string          `json:"household"`
	Date      string          `json:"date"`
	Quantity  decimal.Decimal `json:"quantity"`  // days or pieces, up to 4 decimals
	Unit      string          `json:"unit"`      // 天, 件, 斤 …
	UnitRate  decimal.Decimal `json:"unit_rate"` // 元 per unit, up to 4 decimals
	Note      string          `json:"note,omitempty"`
}

// maxWorkRecords bounds one batch of work records.
const maxWorkRecords = 5000

// AddWorkRecords records a batch of work records, all or none.
func (s *Store) AddWorkRecords(ctx context.Context, a Actor, bookCode, code string, records []WorkRecord) ([]WorkRecord, error) {
	if len(records) == 0 || len(records) > maxWorkRecords {
		return nil, FieldError("records", "每批应有 1 到 %d 条务工记录", maxWorkRecords)
	}
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		ag, err := agreementByCode(ctx, tx, b.ID, code)
		if err != nil {
			return err
		}
		if err := checkWorkRecords(ctx, tx, b, ag, records); err != nil {
			return err
		}
		return s.insertWorkRecords(ctx, tx, a, b, code, records)
	})
	return records, err
}

func checkWorkRecords(ctx context.Context, tx bun.IDB, b Book, ag Agreement, records []WorkRecord) error {
	if ag.Kind != Wage {
		return FieldError("agreement", "协议 %s 不是务工协议", ag.Code)
	}
	known, err := householdCodes(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	var v validation
	for i := range records {
		r := &records[i]
		f := fmt.Sprintf("records[%d]", i)
		r.Unit, r.Note = strings.TrimSpace(r.Unit), strings.TrimSpace(r.Note)
		if !known[r.Household] {
			v.Add(f+".household", "本账套没有此农户：%s", truncate(r.Household, 32))
		}
		if _, err := ParseDate(r.Date); err != nil {
			v.Add(f+".date", "%s", err.Error())
		} else if r.Date < ag.Start || (ag.End != "" && r.Date > ag.End) {
			v.Add(f+".date", "日期不在协议期限内（%s 至 %s）", ag.Start, ag.End)
		}
		checkDecimalValue(&v, f+".quantity", r.Quantity, decimal.NewFromInt(100000))
		checkDecimalValue(&v, f+".unit_rate", r.UnitRate, decimal.NewFromInt(1000000))
		if r.Quantity.IsZero() {
			v.Add(f+".quantity", "数量必须大于零")
		}
		if !v.text(f+".unit", r.Unit) && !validName(r.Unit, 8) {
			v.Add(f+".unit", "单位不能为空且不超过 8 个字，如 天、件")
		}
		if !v.text(f+".note", r.Note) && len([]rune(r.Note)) > 200 {
			v.Add(f+".note", "备注不超过 200 字")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return checkWorkTotals(ctx, tx, b, ag, records)
}

// checkWorkTotals holds each quarter's wages under the agreement, the records
// already entered and these together, to what one voucher line may carry.
func checkWorkTotals(ctx context.Context, tx bun.IDB, b Book, ag Agreement, records []WorkRecord) error {
	added := map[Quarter]decimal.Decimal{}
	for _, r := range records {
		d, _ := ParseDate(r.Date)
		q := QuarterOf(d)
		added[q] = added[q].Add(r.Quantity.Mul(r.UnitRate))
	}
	for q, sum := range added {
		existing, err := workRecords(ctx, tx, b.ID, ag.Code, &q)
		if err != nil {
			return err
		}
		for _, r := range existing {
			sum = sum.Add(r.Quantity.Mul(r.UnitRate))
		}
		if sum.GreaterThan(lineLimitYuan) {
			return FieldError("records", "协议 %s 的 %s 季度工资合计 %s 元，超过单笔分录上限 %s 元", ag.Code, q, sum.Round(2).StringFixed(2), Fen(maxLineFen))
		}
	}
	return nil
}

func (s *Store) insertWorkRecords(ctx context.Context, tx bun.Tx, a Actor, b Book, code string, records []WorkRecord) error {
	now := s.timestamp()
	for i := range records {
		id, err := nextID(ctx, tx, b.ID, "work_record")
		if err != nil {
			return err
		}
		records[i].ID = id
		r := records[i]
		_, err = tx.NewRaw(`INSERT INTO work_records (book_id, agreement_code, id, household_code, date, quantity, unit, unit_rate, note, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, code, id, r.Household, r.Date, r.Quantity.String(), r.Unit, r.UnitRate.String(), r.Note, now, a.UserID).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return s.audit(ctx, tx, a, b.ID, "work_records", "agreement", code, "", nil, map[string]int{"records": len(records)})
}

// WorkRecords lists an agreement's work records, optionally for one quarter.
func (s *Store) WorkRecords(ctx context.Context, a Actor, bookCode, code, quarter string) ([]WorkRecord, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	var q *Quarter
	if quarter != "" {
		qq, err := ParseQuarter(quarter)
		if err != nil {
			return nil, FieldError("quarter", "%s", err.Error())
		}
		q = &qq
	}
	return workRecords(ctx, s.db, b.ID, code, q)
}

func workRecords(ctx context.Context, db bun.IDB, bookID int64, code string, q *Quarter) ([]WorkRecord, error) {
	query := "SELECT id, household_code, date, quantity, unit, unit_rate, note FROM work_records WHERE book_id = ? AND agreement_code = ?"
	args := []any{bookID, code}
	if q != nil {
		query, args = query+" AND date >= ? AND date <= ?", append(args, q.First().Format("2006-01-02"), q.Last().Format("2006-01-02"))
	}
	rows, err := db.QueryContext(ctx, query+" ORDER BY household_code, date, id", args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(rows *sql.Rows, r *WorkRecord) error {
		var qty, rate string
		if err := rows.Scan(&r.ID, &r.Household, &r.Date, &qty, &r.Unit, &rate, &r.Note); err != nil {
			return err
		}
		r.Quantity, r.UnitRate = decimal.RequireFromString(qty), decimal.RequireFromString(rate)
		return nil
	})
}

// checkSurplusDeclaration refuses a cooperative's surplus declaration larger
// than what is undistributed at the end of its quarter (会农社01表 row 40:
// 331, 332 and the 损益 accounts not yet closed), naming both figures: a
// distribution can never exceed the 可分配盈余 (农民专业合作社法 第44条).
func checkSurplusDeclaration(ctx context.Context, tx bun.IDB, b Book, ag Agreement, q Quarter, amount Money) error {
	if ag.Kind != CoopSurplus || b.Kind != KindCooperative {
		return nil
	}
	var debitLessCredit int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(l.debit_fen - l.credit_fen), 0)
		FROM voucher_lines l JOIN vouchers v ON v.book_id = l.book_id AND v.id = l.voucher_id
		WHERE l.book_id = ? AND v.status = 'posted' AND v.period <= ?
		AND (l.account_code LIKE '331%' OR l.account_code LIKE '332%' OR l.account_code LIKE '5%')`,
		b.ID, string(q.Periods()[2])).Scan(&debitLessCredit)
	if err != nil {
		return err
	}
	if available := -debitLessCredit; amount.Fen() > available {
		return FieldError("amount", "申报分配 %s 元超过 %s 季度末的可分配盈余（未分配盈余）%s 元，不能分配", amount, q, Fen(available))
	}
	return nil
}
