package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// maxHouseholdImport bounds one import: a county's largest village is far below.
const maxHouseholdImport = 200_000

// ImportHouseholds adds many households at once, all or none: every row is
// validated first and every problem reported with its row index.
func (s *Store) ImportHouseholds(ctx context.Context, a Actor, bookCode string, hs []Household) (int, error) {
	if len(hs) == 0 || len(hs) > maxHouseholdImport {
		return 0, FieldError("households", "每次导入应有 1 到 %d 户", maxHouseholdImport)
	}
	invalid := validateHouseholdBatch(hs)
	err := s.write(ctx, a.Write, func(tx bun.Tx) error {
		b, err := s.authorizeLocked(ctx, tx, a, bookCode, permWrite)
		if err != nil {
			return err
		}
		// The roster is checked even when rows are invalid, so one upload
		// lists every problem instead of one kind a round.
		if err := mergeRowErrors(maxBatchProblems, invalid, checkBatchAgainstRoster(ctx, tx, b.ID, hs)); err != nil {
			return err
		}
		if err := s.insertHouseholds(ctx, tx, b.ID, hs); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, b.ID, "import", "household", fmt.Sprintf("%d", len(hs)), "", nil,
			map[string]any{"households": len(hs), "first": hs[0].Code, "last": hs[len(hs)-1].Code})
	})
	return len(hs), err
}

// maxBatchProblems bounds the row problems reported for one batch.
const maxBatchProblems = 200

// mergeRowErrors joins the row problems of several checks into one error,
// at most limit of them; the first error's code wins. An error that is not
// a list of row problems is returned as it is.
func mergeRowErrors(limit int, errs ...error) error {
	var out *Error
	for _, err := range errs {
		if err == nil {
			continue
		}
		e, ok := AsError(err)
		if !ok || len(e.Details) == 0 {
			return err
		}
		if out == nil {
			out = &Error{Code: e.Code, Message: e.Message}
		}
		for _, d := range e.Details {
			if len(out.Details) < limit {
				out.Details = append(out.Details, d)
			}
		}
	}
	if out == nil {
		return nil
	}
	if n := len(out.Details); n > 1 {
		out.Message = out.Details[0].Field + "：" + out.Details[0].Message + fmt.Sprintf("（另有 %d 处错误）", n-1)
	}
	return out
}

func validateHouseholdBatch(hs []Household) error {
	var v validation
	codes, ids := map[string]bool{}, map[string]bool{}
	for i := range hs {
		h := &hs[i]
		h.HeadName, h.Group = strings.TrimSpace(h.HeadName), strings.TrimSpace(h.Group)
		h.GroupKey = GroupSortKey(h.Group)
		h.cleanNumbers()
		f := fmt.Sprintf("households[%d]", i)
		if e, ok := AsError(validateHousehold(*h)); ok {
			for _, d := range e.Details {
				v.Add(f+"."+d.Field, "%s", d.Message)
			}
		}
		if codes[h.Code] {
			v.Add(f+".code", "户编号 %s 在本批中重复", h.Code)
		}
		if ids[h.IDNumber] && h.IDNumber != "" {
			v.Add(f+".id_number", "身份证号在本批中重复")
		}
		codes[h.Code], ids[h.IDNumber] = true, true
		if len(v.details) >= maxBatchProblems {
			break
		}
	}
	return v.Err()
}

func checkBatchAgainstRoster(ctx context.Context, tx bun.IDB, bookID int64, hs []Household) error {
	existing := map[string]bool{}
	codes := make([]string, len(hs))
	for i, h := range hs {
		codes[i] = h.Code
	}
	if err := existingCodes(ctx, tx, "households", bookID, codes, existing); err != nil {
		return err
	}
	var ids []string
	if err := tx.NewRaw("SELECT id_number FROM households WHERE book_id = ?", bookID).Scan(ctx, &ids); err != nil && !isNoRows(err) {
		return err
	}
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	var v validation
	for i, h := range hs {
		f := fmt.Sprintf("households[%d]", i)
		if existing[h.Code] {
			v.Add(f+".code", "户编号已存在：%s", h.Code)
		}
		if known[h.IDNumber] {
			v.Add(f+".id_number", "身份证号已登记在本账套的其他户名下")
		}
	}
	if e, ok := AsError(v.Err()); ok {
		e.Code = ECodeConflict
		return e
	}
	return nil
}

func (s *Store) insertHouseholds(ctx context.Context, tx bun.Tx, bookID int64, hs []Household) error {
	const rowsPerInsert = 500
	now := s.timestamp()
	for start := 0; start < len(hs); start += rowsPerInsert {
		chunk := hs[start:min(start+rowsPerInsert, len(hs))]
		for i := range chunk {
			chunk[i].BookID, chunk[i].CreatedAt, chunk[i].UpdatedAt = bookID, now, now
		}
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
