package main

import (
	"context"
	"fmt"

	"coopledger/ledger"
)

// cmdMigrate applies pending migrations and prints their names.
func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("migrate", "migrate [--db DSN]")
	db := e.dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := ledger.Connect(ctx, *db)
	if err != nil {
		return fmt.Errorf("migrate: %s: %w", redactDSN(*db), err)
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "%s is up to date: no migrations to apply\n", redactDSN(*db))
		return nil
	}
	for _, name := range applied {
		fmt.Fprintf(e.stdout, "applied %s\n", name)
	}
	fmt.Fprintf(e.stdout, "%d migration(s) applied to %s\n", len(applied), redactDSN(*db))
	return nil
}
