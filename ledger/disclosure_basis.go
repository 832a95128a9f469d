package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// PublicBasis is one approved payout line behind a household's amount: how
// the entitlement computation arrived at it (the basis it stored with the
// line, e.g. "12.5 亩 × 800.00 元/亩/年 ÷ 4 = 2500.00；扣村服务费 3%（75.00），
// 实发 2425.00"), and the fee the village kept.
type PublicBasis struct {
	Run        int64  `json:"run"`
	Adjustment bool   `json:"adjustment"`
	Amount     Money  `json:"amount"` // owed to the household (net of the fee)
	Fee        Money  `json:"fee"`    // kept by the village as its service fee
	Gross      Money  `json:"gross"`  // Amount + Fee
	Basis      string `json:"basis"`
}

// PublicPayment is one payment to the household under an agreement: its
// date, the part of it for that agreement, and how it was paid.
type PublicPayment struct {
	Date     string `json:"date"`
	Amount   Money  `json:"amount"`
	Method   string `json:"method"` // 银行卡 / 现金
	Reversed bool   `json:"reversed"`
}

// paymentMethodNames are the payment methods as a villager reads them.
var paymentMethodNames = map[string]string{MethodBank: "银行卡", MethodCash: "现金"}

// addBasisAndPayments fills each quarter's payouts of v with the approved
// lines behind them and the payments made, oldest first.
func addBasisAndPayments(ctx context.Context, db bun.IDB, bookID int64, v *HouseholdView) error {
	for qi := range v.Quarters {
		q := &v.Quarters[qi]
		byAgreement := map[string]*PublicPayout{}
		for pi := range q.Payouts {
			p := &q.Payouts[pi]
			p.Basis, p.Payments = []PublicBasis{}, []PublicPayment{}
			byAgreement[p.Agreement] = p
		}
		if err := addBasis(ctx, db, bookID, v.Household, q.Quarter, byAgreement); err != nil {
			return err
		}
		if err := addPayments(ctx, db, bookID, v.Household, q.Quarter, byAgreement); err != nil {
			return err
		}
	}
	return nil
}

func addBasis(ctx context.Context, db bun.IDB, bookID int64, household, quarter string, by map[string]*PublicPayout) error {
	rows, err := db.QueryContext(ctx, `SELECT l.agreement_code, r.id, r.adjustment, l.amount_fen, l.fee_fen, l.basis
		FROM payout_lines l JOIN payout_runs r ON r.book_id = l.book_id AND r.id = l.run_id
		WHERE l.book_id = ? AND l.household_code = ? AND r.quarter = ? AND r.status = ? ORDER BY r.id, l.line_no`,
		bookID, household, quarter, RunApproved)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var agreement string
		var b PublicBasis
		var amount, fee int64
		if err := rows.Scan(&agreement, &b.Run, &b.Adjustment, &amount, &fee, &b.Basis); err != nil {
			return err
		}
		b.Amount, b.Fee, b.Gross = Fen(amount), Fen(fee), Fen(amount+fee)
		if p := by[agreement]; p != nil {
			p.Basis = append(p.Basis, b)
		}
	}
	return rows.Err()
}

func addPayments(ctx context.Context, db bun.IDB, bookID int64, household, quarter string, by map[string]*PublicPayout) error {
	rows, err := db.QueryContext(ctx, `SELECT l.agreement_code, p.date, p.method, p.reversal_voucher_id IS NOT NULL, SUM(pa.amount_fen)
		FROM payments p
		JOIN payment_allocations pa ON pa.book_id = p.book_id AND pa.payment_id = p.id
		JOIN payout_lines l ON l.book_id = pa.book_id AND l.run_id = pa.run_id AND l.line_no = pa.line_no
		JOIN payout_runs r ON r.book_id = p.book_id AND r.id = p.run_id
		WHERE p.book_id = ? AND p.household_code = ? AND r.quarter = ?
		GROUP BY l.agreement_code, p.id, p.date, p.method, p.reversal_voucher_id ORDER BY p.date, p.id`, bookID, household, quarter)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var agreement, method string
		var pay PublicPayment
		var amount int64
		if err := rows.Scan(&agreement, &pay.Date, &method, &pay.Reversed, &amount); err != nil {
			return err
		}
		pay.Amount, pay.Method = Fen(amount), paymentMethodNames[method]
		if pay.Method == "" {
			pay.Method = method
		}
		if p := by[agreement]; p != nil {
			p.Payments = append(p.Payments, pay)
		}
	}
	return rows.Err()
}
