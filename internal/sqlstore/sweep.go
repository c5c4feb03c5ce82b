package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// IdempotencyWindow is how long an Idempotency-Key replays its ticket.
const IdempotencyWindow = 24 * time.Hour

// Sweep deletes what has outlived its use: login failures older than the
// throttling window, rotated refresh tokens and sessions past their
// refresh expiry (kept a week for the user's sessions page and reuse
// detection), and idempotency keys older than IdempotencyWindow. It is
// safe to run on every replica at once.
func (db *DB) Sweep(ctx context.Context) error {
	now := db.now()
	// SQLite: index anything left queued for search (see indexSearch).
	db.searchPending.Store(true)
	return db.inTx(ctx, func(tx *Tx) error {
		for _, q := range []struct {
			sql string
			arg time.Time
		}{
			{`DELETE FROM login_failures WHERE created_at < ?`, now.Add(-db.opts.Throttle.Window)},
			{`DELETE FROM rotated_refresh_tokens WHERE session_id IN
				(SELECT id FROM sessions WHERE refresh_expires_at < ?)`, now.Add(-7 * 24 * time.Hour)},
			{`UPDATE tickets SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND created_at < ?`, now.Add(-IdempotencyWindow)},
		} {
			if _, err := tx.exec(ctx, q.sql, q.arg); err != nil {
				return fmt.Errorf("sweep: %w", err)
			}
		}
		return nil
	})
}

// RunSweeper calls Sweep every interval until ctx ends, logging failures.
func (db *DB) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := db.Sweep(ctx); err != nil && ctx.Err() == nil {
			db.log.WarnContext(ctx, "sweep failed", "err", err)
		}
		// Up to 200 steps of ~100 ms: a bulk load of a million tickets
		// needed 42 to merge its index; a step stops the others' writes
		// only while it runs, and there is nothing to do most of the time.
		if err := db.MergeSearchIndex(ctx, 200); err != nil && ctx.Err() == nil {
			db.log.WarnContext(ctx, "merge search index failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// MergeSearchIndex merges the segments of SQLite's full-text indexes a
// little at a time (FTS5's incremental 'merge', about 500 pages a step, at
// most steps steps per index, each its own short write transaction; a
// negative page count merges segments of any level, as optimize would), so a
// search keeps reading few segments as tickets pile up: at a million
// tickets an unmerged index made a search twice as slow. PostgreSQL's GIN
// indexes need nothing of the kind.
func (db *DB) MergeSearchIndex(ctx context.Context, steps int) error {
	if db.d != sqliteDialect {
		return nil
	}
	for _, index := range []string{"tickets_fts", "messages_fts"} {
		for range steps {
			var before, after int64
			err := db.inTx(ctx, func(tx *Tx) error {
				if err := tx.queryRow(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
					return formatError(err)
				}
				if _, err := tx.exec(ctx, `INSERT INTO `+index+` (`+index+`, rank) VALUES ('merge', -500)`); err != nil {
					return err
				}
				return formatError(tx.queryRow(ctx, `SELECT total_changes()`).Scan(&after))
			})
			if err != nil {
				return fmt.Errorf("merge %s: %w", index, err)
			}
			if after-before < 2 { // SQLite's sign that there was nothing to merge
				break
			}
		}
	}
	return nil
}
