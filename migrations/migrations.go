package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Apply runs every migration not yet applied. dialect is "sqlite" or "postgres".
func Apply(ctx context.Context, db *bun.DB, dialect string) (applied []string, err error) {
	return ApplyThrough(ctx, db, dialect, "")
}

// ApplyThrough runs the migrations not yet applied whose names are not
// after last ("" for all): tests use it to make a database as an older
// release left it, put rows in it, and then migrate the rest.
func ApplyThrough(ctx context.Context, db *bun.DB, dialect, last string) (applied []string, err error) {
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations for %q: %w", dialect, err)
	}
	all := migrate.NewMigrations()
	if err := all.Discover(sub); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	set := migrate.NewMigrations()
	for _, mig := range all.Sorted() {
		if last == "" || mig.Name <= last {
			set.Add(mig)
		}
	}
	m := migrate.NewMigrator(db, set, migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTableName("schema_migrations"), migrate.WithLocksTableName("schema_migration_locks"))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck // unlocking is best effort; the lock row is ours
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, mig := range group.Migrations {
		applied = append(applied, mig.Name+"_"+mig.Comment)
	}
	return applied, nil
}
