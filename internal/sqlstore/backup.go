package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the SQLite database to file while the
// server keeps running (VACUUM INTO reads one snapshot). The file must not
// exist. On PostgreSQL use pg_dump or the server's own backups instead.
func (db *DB) Backup(ctx context.Context, file string) error {
	if db.d != sqliteDialect {
		return errors.New("backup: the database is PostgreSQL; use pg_dump (see the README)")
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s already exists", file)
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, file); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	return nil
}
