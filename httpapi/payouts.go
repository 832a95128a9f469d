package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"coopledger/ledger"
)

// Quarterly payout runs: compute, recompute, approve (posting the accrual
// vouchers) and pay.

// runID parses the {id} path parameter of a payout run.
func runID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "收益分配 ID 应为正整数")
	}
	return id, nil
}

// payoutRunSummary is a run in a listing: its totals without the lines.
type payoutRunSummary struct {
	ID           int64                `json:"id"`
	Book         string               `json:"book"`
	Quarter      string               `json:"quarter"`
	Status       string               `json:"status"`
	Adjustment   bool                 `json:"adjustment"`
	RoundingRule string               `json:"rounding_rule"`
	PreparerID   int64                `json:"preparer_id"`
	ApproverID   int64                `json:"approver_id,omitempty"`
	ComputedAt   string               `json:"computed_at"`
	ApprovedAt   string               `json:"approved_at,omitempty"`
	CreatedAt    string               `json:"created_at"`
	Total        ledger.Money         `json:"total"`
	Paid         ledger.Money         `json:"paid"`
	Outstanding  ledger.Money         `json:"outstanding"`
	Households   int                  `json:"households"`
	ByAgreement  []ledger.PayoutTotal `json:"by_agreement"`
	ByKind       []ledger.PayoutTotal `json:"by_kind"`
}

func summarize(r ledger.PayoutRun) payoutRunSummary {
	return payoutRunSummary{ID: r.ID, Book: r.Book, Quarter: r.Quarter, Status: r.Status, Adjustment: r.Adjustment,
		RoundingRule: r.RoundingRule, PreparerID: r.PreparerID, ApproverID: r.ApproverID, ComputedAt: r.ComputedAt,
		ApprovedAt: r.ApprovedAt, CreatedAt: r.CreatedAt, Total: r.Total, Paid: r.Paid, Outstanding: r.Outstanding,
		Households: len(r.Households), ByAgreement: r.ByAgreement, ByKind: r.ByKind}
}

func (a *api) listPayoutRuns(c echo.Context) error {
	q := parseQuery(c, "quarter")
	quarter := q.quarter("quarter")
	if err := q.err(); err != nil {
		return err
	}
	runs, err := a.store.PayoutRuns(ctx(c), actor(c), c.Param("book"), quarter)
	if err != nil {
		return err
	}
	out := make([]payoutRunSummary, len(runs))
	for i, r := range runs {
		out[i] = summarize(r)
	}
	return c.JSON(http.StatusOK, list[payoutRunSummary]{Items: out})
}

func (a *api) createPayoutRun(c echo.Context) error {
	var in ledger.RunInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	run, err := a.store.CreatePayoutRun(ctx(c), actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, run)
}

func (a *api) getPayoutRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	run, err := a.store.PayoutRun(ctx(c), actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

func (a *api) recomputePayoutRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	if err := decodeEmpty(c); err != nil {
		return err
	}
	run, err := a.store.RecomputePayoutRun(ctx(c), actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// approvePayoutRun takes an optional body {"date": …} dating the accrual
// vouchers; without it they are dated the quarter's last day.
func (a *api) approvePayoutRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	body, err := requestBody(c)
	if err != nil {
		return err
	}
	var in ledger.ApproveInput
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	run, err := a.store.ApprovePayoutRun(ctx(c), actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// paymentsRequest is one batch of payments against a run, all or none.
type paymentsRequest struct {
	Payments []ledger.PaymentInput `json:"payments"`
}

func (a *api) recordPayments(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	var in paymentsRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ps, err := a.store.RecordPayments(ctx(c), actor(c), c.Param("book"), id, in.Payments)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, list[ledger.Payment]{Items: ps})
}

func (a *api) listPayments(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	if err := parseQuery(c).err(); err != nil {
		return err
	}
	ps, err := a.store.Payments(ctx(c), actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[ledger.Payment]{Items: ps})
}
