package sqlstore

import (
	"context"
	"database/sql"
)

// MigrateRawTo applies the migrations of the engine of o, up to version,
// to raw: the database of o opened outside any store (dbtest.OpenRaw).
func MigrateRawTo(ctx context.Context, o Options, raw *sql.DB, version int64) error {
	d := sqliteDialect
	if o.URL != "" {
		d = postgres
	}
	p, err := migrationProvider(d, raw)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// WriteTx runs fn in a write transaction of the store (inTx), giving it a
// way to run statements: tests of the writer use it.
func (db *DB) WriteTx(ctx context.Context, fn func(exec func(query string, args ...any) error) error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return fn(func(query string, args ...any) error {
			_, err := tx.exec(ctx, query, args...)
			return err
		})
	})
}

// Count returns the result of a one-number query on the read pool.
func (db *DB) Count(ctx context.Context, query string, args ...any) (n int64, err error) {
	err = db.queryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// Setting returns the value of a PostgreSQL setting in the store's
// sessions.
func (db *DB) Setting(ctx context.Context, name string) (v string, err error) {
	err = db.read.QueryRowContext(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}

// ExecOutsideWriter runs a statement on the write pool without the writer
// goroutine, as River or the migrations do.
func (db *DB) ExecOutsideWriter(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.d.rebind(query), args...)
	return err
}
