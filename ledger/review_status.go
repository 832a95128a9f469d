package ledger

import "context"

// VillageStatus is one book's row on the township page: where its month end
// stands, what waits for review, the quarter's reconciliation and what is
// still unpaid.
type VillageStatus struct {
	Book          string `json:"book"`
	BookName      string `json:"book_name"`
	CurrentPeriod string `json:"current_period"` // the first month not closed; "" when all are
	ClosedMonths  int    `json:"closed_months"`
	DraftsWaiting int    `json:"drafts_waiting"` // drafts in the review queue
	Returned      int    `json:"returned"`       // drafts returned to their preparer
	Quarter       string `json:"quarter"`
	Reconciled    bool   `json:"reconciled"` // the quarter's reconciliation found no difference
	Findings      int    `json:"findings"`
	Reviews       int    `json:"reviews"`
	HasRun        bool   `json:"has_run"`      // an approved payout run exists; without one Unpaid means nothing
	Unpaid        Money  `json:"unpaid"`       // outstanding on all approved runs
	RunsWaiting   int    `json:"runs_waiting"` // payout runs awaiting approval
}

// TownshipStatus is the status row of every book of the township the reader
// may see, with the reconciliation of quarter.
func (s *Store) TownshipStatus(ctx context.Context, a Actor, township, quarter string) ([]VillageStatus, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return nil, FieldError("quarter", "%s", err.Error())
	}
	books, err := s.townshipBooks(ctx, a, township)
	if err != nil {
		return nil, err
	}
	out := make([]VillageStatus, 0, len(books))
	for _, b := range books {
		st, err := s.villageStatus(ctx, a, b, q)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Store) villageStatus(ctx context.Context, a Actor, b Book, q Quarter) (VillageStatus, error) {
	st := VillageStatus{Book: b.Code, BookName: b.Name, Quarter: q.String()}
	periods, err := s.Periods(ctx, a, b.Code)
	if err != nil {
		return st, err
	}
	for _, p := range periods {
		if p.Closed {
			st.ClosedMonths++
		} else if st.CurrentPeriod == "" {
			st.CurrentPeriod = p.Period
		}
	}
	drafts, err := s.draftItems(ctx, b)
	if err != nil {
		return st, err
	}
	st.DraftsWaiting = len(drafts)
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM draft_returns r JOIN vouchers v
		ON v.book_id = r.book_id AND v.id = r.voucher_id AND v.status = 'draft' WHERE r.book_id = ?`, b.ID).Scan(&st.Returned); err != nil {
		return st, err
	}
	r, err := s.reconcileBook(ctx, b, q)
	if err != nil {
		return st, err
	}
	st.Reconciled, st.Findings, st.Reviews = r.OK, r.Counts.Findings, r.Counts.Reviews
	runs, err := s.PayoutRuns(ctx, a, b.Code, "")
	if err != nil {
		return st, err
	}
	for _, run := range runs {
		if run.Status == RunDraft {
			st.RunsWaiting++
			continue
		}
		st.HasRun, st.Unpaid = true, st.Unpaid.Add(run.Outstanding)
	}
	return st, nil
}
