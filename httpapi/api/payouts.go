package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"coopledger/httpapi/internal/httpx"
	"coopledger/ledger"
)

// Quarterly payout runs: compute, recompute, approve (posting the accrual
// vouchers) and pay.

// payoutRunSummary is a run in a listing: its totals without the lines.
type payoutRunSummary struct {
	ID           int64                `json:"id"`
	Book         string               `json:"book"`
	Quarter      string               `json:"quarter"`
	Status       ledger.RunStatus     `json:"status"`
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

func (a *Handlers) ListPayoutRuns(c echo.Context) error {
	q := httpx.ParseQuery(c, "quarter")
	quarter := q.Quarter("quarter")
	if err := q.Err(); err != nil {
		return err
	}
	runs, err := a.Store.PayoutRuns(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), quarter)
	if err != nil {
		return err
	}
	out := make([]payoutRunSummary, len(runs))
	for i, r := range runs {
		out[i] = summarize(r)
	}
	return c.JSON(http.StatusOK, httpx.List[payoutRunSummary]{Items: out})
}

func (a *Handlers) CreatePayoutRun(c echo.Context) error {
	var in ledger.RunInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	run, err := a.Store.CreatePayoutRun(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, run)
}

func (a *Handlers) GetPayoutRun(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	run, err := a.Store.PayoutRun(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

func (a *Handlers) RecomputePayoutRun(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	if err := httpx.DecodeEmpty(c); err != nil {
		return err
	}
	run, err := a.Store.RecomputePayoutRun(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// ApprovePayoutRun takes an optional body {"date": …} dating the accrual
// vouchers; without it they are dated the quarter's last day.
func (a *Handlers) ApprovePayoutRun(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	body, err := httpx.RequestBody(c)
	if err != nil {
		return err
	}
	var in ledger.ApproveInput
	if len(bytes.TrimSpace(body)) > 0 {
		if err := httpx.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	run, err := a.Store.ApprovePayoutRun(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// paymentsRequest is one batch of payments against a run, all or none.
type paymentsRequest struct {
	Payments []ledger.PaymentInput `json:"payments"`
}

func (a *Handlers) RecordPayments(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	var in paymentsRequest
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ps, err := a.Store.RecordPayments(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id, in.Payments)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, httpx.List[ledger.Payment]{Items: ps})
}

func (a *Handlers) ListPayments(c echo.Context) error {
	id, err := httpx.RunID(c)
	if err != nil {
		return err
	}
	if err := httpx.ParseQuery(c).Err(); err != nil {
		return err
	}
	ps, err := a.Store.Payments(httpx.Ctx(c), httpx.Actor(c), c.Param("book"), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, httpx.List[ledger.Payment]{Items: ps})
}
