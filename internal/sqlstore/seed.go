package sqlstore

import (
	"context"
	"fmt"

	"github.com/ajudae/ajudae"
)

// Seed prepares an empty database: it creates the general administrator
// from admin and the default teams, and reports whether it did. On a
// database that already has users it does nothing. Replicas starting
// together are safe: the one-ADMIN index lets one seed win.
func (db *DB) Seed(ctx context.Context, admin ajudae.NewUser) (bool, error) {
	var exists bool
	if err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&exists); err != nil {
		return false, fmt.Errorf("seed: %w", formatError(err))
	}
	if exists {
		return false, nil
	}
	admin.Role = ajudae.RoleAdmin
	if err := admin.Validate(); err != nil {
		return false, fmt.Errorf("seed: the general administrator: %w", err)
	}
	hash, err := db.opts.Hasher.Hash(ctx, admin.Password)
	if err != nil {
		return false, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&exists); err != nil || exists {
			return formatError(err)
		}
		if _, err := tx.insertUser(ctx, admin, hash); err != nil {
			return err
		}
		for _, name := range ajudae.DefaultTeams() {
			if _, err := tx.exec(ctx, `INSERT INTO teams (name, description, created_at, updated_at) VALUES (?, '', ?, ?)`,
				name, tx.now, tx.now); err != nil {
				return err
			}
		}
		return nil
	})
	if isConflict(err) {
		return false, nil // another replica seeded first
	}
	if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	return !exists, nil
}
