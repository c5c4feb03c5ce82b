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
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
