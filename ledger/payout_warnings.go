package ledger

import (
	"context"
	"fmt"
)

// Why an agreement produced no line for a quarter, so the payout wizard can
// say so before anyone approves a run without it.
const (
	NoLineOutsideDates  = "outside_dates"  // the quarter lies outside the agreement's start and end
	NoLineNotDue        = "not_due"        // paid yearly, in another quarter
	NoLineNoDeclaration = "no_declaration" // a pooled agreement whose quarter was not declared
	NoLineNoWork        = "no_work"        // wages without work records in the quarter
	NoLineNoParticipant = "no_participants"
	NoLineZero          = "zero" // everything in place, but every amount is zero
)

// AgreementWarning is an agreement not yet approved for the quarter that
// produced no line, and why.
type AgreementWarning struct {
	Agreement string `json:"agreement"`
	Title     string `json:"title"`
	Kind      string `json:"kind"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
}

// PayoutWarnings lists every agreement of the book, not yet approved for the
// quarter, whose computation gives no line, with the reason.
func (s *Store) PayoutWarnings(ctx context.Context, a Actor, bookCode, quarter string) ([]AgreementWarning, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return nil, FieldError("quarter", "%s", err.Error())
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	approved, err := approvedAgreements(ctx, s.db, b.ID, q)
	if err != nil {
		return nil, err
	}
	job, err := loadQuarterJob(ctx, s.db, b, q, func(code string) bool { return !approved[code] })
	if err != nil {
		return nil, err
	}
	out := []AgreementWarning{}
	for i, ag := range job.agreements {
		if ag.Versions, err = job.raw[i].decode(); err != nil {
			return nil, err
		}
		lines, err := computeEntitlements(ag, q, job.inputs[i])
		if err != nil || len(lines) > 0 {
			continue // an agreement that cannot be computed is refused when the run is made
		}
		reason, msg := noLineReason(ag, q, job.inputs[i])
		out = append(out, AgreementWarning{Agreement: ag.Code, Title: ag.Title, Kind: string(ag.Kind), Reason: reason, Message: msg})
	}
	return out, nil
}

// noLineReason explains an empty computation, checking in the order a person
// would: the dates, the schedule, the participants, then the quarter's inputs.
func noLineReason(ag Agreement, q Quarter, in computeInputs) (string, string) {
	if len(ag.Versions) == 0 {
		return NoLineNoParticipant, "协议没有条款"
	}
	last := ag.Versions[len(ag.Versions)-1].Terms
	window, _, due := scheduleWindow(last, q)
	if ag.Kind != LandRent && ag.Kind != FixedSum {
		window, due = dateRange{From: q.First(), To: q.Last()}, true
	}
	if !due {
		return NoLineNotDue, fmt.Sprintf("按年支付，支付季度为第 %d 季度", last.PayQuarter)
	}
	spans := versionSpans(ag, window)
	if len(spans) == 0 {
		end := ag.End
		if end == "" {
			end = "长期"
		}
		return NoLineOutsideDates, fmt.Sprintf("%s 不在协议期限（%s 至 %s）内", q, ag.Start, end)
	}
	if ag.Kind == Wage { // wages follow the work records, not a participant list
		if len(in.work) == 0 {
			return NoLineNoWork, fmt.Sprintf("%s 没有用工记录", q)
		}
		return NoLineZero, "计算金额为零"
	}
	if !hasParticipantIn(spans) {
		return NoLineNoParticipant, "本季度没有参与农户"
	}
	pooled := ag.Kind == CoopSurplus || ag.Kind == ShareDividend && last.Basis == "pool"
	if pooled && in.declaration == nil {
		return NoLineNoDeclaration, fmt.Sprintf("%s 尚未申报分配总额", q)
	}
	return NoLineZero, "计算金额为零"
}

func hasParticipantIn(spans []versionSpan) bool {
	for _, vs := range spans {
		for _, p := range vs.terms.Participants {
			if days, _ := participantDays(p, vs.span); days > 0 {
				return true
			}
		}
	}
	return false
}

// DefaultAccrualDate is the date an approval today would give the run's
// accrual vouchers when no date is asked for.
func (s *Store) DefaultAccrualDate(quarter string) (string, error) {
	q, err := ParseQuarter(quarter)
	if err != nil {
		return "", FieldError("quarter", "%s", err.Error())
	}
	return s.accrualDate(q, "")
}
