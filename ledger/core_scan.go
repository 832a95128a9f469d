package ledger

import "database/sql"

// scanAll reads every row into a T with scan, closes rows and returns the
// rows in order: an empty, non-nil slice when there are none (JSON "[]").
func scanAll[T any](rows *sql.Rows, scan func(*sql.Rows, *T) error) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var x T
		if err := scan(rows, &x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
