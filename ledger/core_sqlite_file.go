package ledger

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// createPrivate creates a new SQLite database file readable by its owner
// only (0600): it holds every household's ID number and bank account, and
// SQLite would create it 0644 under the usual umask. SQLite gives the -wal
// and -shm files the permissions of the database file, so they follow. An
// existing file is left as it is; a path with URI parameters or ":memory:"
// is not a plain file.
func createPrivate(path string) error {
	if strings.ContainsAny(path, "?") || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
