package ledger

import "context"

// UserNames maps the id of every user who appears in a book's audit log to
// the user's name, so a report can say who did what.
func (s *Store) UserNames(ctx context.Context, a Actor, bookCode string) (map[int64]string, error) {
	b, err := s.authorize(ctx, s.db, a, bookCode, permRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.name FROM users u
		WHERE u.id IN (SELECT DISTINCT user_id FROM audit_log WHERE book_id = ?)`, b.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{System.UserID: "系统"}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
