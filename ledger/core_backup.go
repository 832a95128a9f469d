package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BackupTo writes a consistent copy of a SQLite database to path while the
// database stays online: VACUUM INTO reads one snapshot (a WAL read
// transaction, so writers are not blocked) and writes a compact, complete
// database file. PostgreSQL is backed up with pg_dump instead.
func (s *Store) BackupTo(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("backup: PostgreSQL databases are backed up with pg_dump (see docs/operations.md, Backups and restore)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: VACUUM INTO %s: %w", path, err)
	}
	return nil
}
