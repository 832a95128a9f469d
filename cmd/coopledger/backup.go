package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
)

// cmdBackup copies a running SQLite database to FILE and verifies the copy:
// every book's chain, numbering and balances, as `coopledger verify` would.
func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("backup", "backup [--db sqlite:PATH] FILE")
	db := e.dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return fmt.Errorf("backup: %w", err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("backup: expected exactly one FILE")
	}
	file := fs.Arg(0)
	s, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.BackupTo(ctx, file); err != nil {
		return err
	}
	if err := os.Chmod(file, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backup written to %s; verifying the copy\n", file)
	return verifyCopy(ctx, e, "sqlite:"+file)
}

// verifyCopy runs verify on the backup and fails if any book is off.
func verifyCopy(ctx context.Context, e *env, dsn string) error {
	if err := cmdVerify(ctx, e, []string{"--db", dsn}); err != nil {
		return fmt.Errorf("backup: the copy does not verify: %w", err)
	}
	return nil
}
