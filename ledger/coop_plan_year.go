package ledger

import "context"

// SurplusPlanOfYear returns a book's plan of a year, for the pages that
// show the year's plan before its id is known.
func (s *Store) SurplusPlanOfYear(ctx context.Context, a Actor, bookCode string, year int) (SurplusPlan, error) {
	if err := checkYear(year); err != nil {
		return SurplusPlan{}, err
	}
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return SurplusPlan{}, err
	}
	if err := cooperativeBook(b); err != nil {
		return SurplusPlan{}, err
	}
	return s.planByYear(ctx, s.db, b, year)
}
