package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) { return migrationProvider(db.d, db.write) }

// migrationProvider returns goose's provider of the migrations of d, on
// pool.
func migrationProvider(d dialect, pool *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations/"+d.name)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if d == postgres {
		// Replicas starting together take turns: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(goose.Dialect(d.goose), pool, fsys, opts...)
}

func (db *DB) migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	db.migrations = p
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", formatError(err))
	}
	for _, r := range res {
		db.log.InfoContext(ctx, "migration applied", "source", r.Source.Path, "duration", r.Duration)
	}
	return db.migrateJobs(ctx)
}

// SchemaCurrent reports whether every migration this binary knows is
// applied: false while another replica is still migrating, or when the
// database was rolled back under a newer binary.
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	current, target, err := db.migrations.GetVersions(ctx)
	if err != nil {
		return false, formatError(err)
	}
	return current >= target, nil
}
