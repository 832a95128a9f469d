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
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations for %q: %w", dialect, err)
	}
	set := migrate.NewMigrations()
	if err := set.Discover(sub); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
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
