package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ajudae/ajudae"
)

// newToken returns a random 256-bit token and the SHA-256 that is stored.
func newToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Authenticate returns the caller that owns access token, with its teams,
// in one query. An unknown, expired or revoked token, or one of a deleted
// user, is EUNAUTHORIZED. On SQLite the answer may come from memory
// (actors.go), which a change to what the query reads invalidates before
// the change's write returns.
func (db *DB) Authenticate(ctx context.Context, token string) (*ajudae.Actor, error) {
	now := db.now()
	key := sha256.Sum256([]byte(token))
	if a, ok := db.actors.lookup(key, now); ok {
		return a, nil
	}
	gen, remember := db.actors.generation()
	rows, err := db.query(ctx, `
		SELECT s.id, s.last_used_at, s.access_expires_at, u.id, u.name, u.email, u.role, m.team_id, m.is_admin
		FROM sessions s
		JOIN users u ON u.id = s.user_id
		LEFT JOIN memberships m ON m.user_id = u.id
		WHERE s.access_hash = ? AND s.revoked_at IS NULL AND s.access_expires_at > ? AND u.deleted_at IS NULL`,
		key[:], now)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	defer rows.Close()
	var (
		a                 *ajudae.Actor
		lastUsed, expires time.Time
	)
	for rows.Next() {
		var (
			act     ajudae.Actor
			teamID  sql.NullInt64
			isAdmin sql.NullBool
		)
		if err := rows.Scan(&act.SessionID, &lastUsed, &expires, &act.UserID, &act.Name, &act.Email, &act.Role, &teamID, &isAdmin); err != nil {
			return nil, fmt.Errorf("authenticate: %w", formatError(err))
		}
		if a == nil {
			act.Teams = map[int64]bool{}
			a = &act
		}
		if teamID.Valid {
			a.Teams[teamID.Int64] = isAdmin.Bool
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("authenticate: %w", formatError(err))
	}
	if a == nil {
		return nil, ajudae.Errorf(ajudae.EUNAUTHORIZED, "The access token is missing, expired or revoked.")
	}
	if now.Sub(lastUsed) > touchEvery {
		// Best effort and at most once a minute, so reads stay reads. The
		// touch changes the session row, so nothing is remembered this time.
		if err := db.touchSession(ctx, a.SessionID, now); err != nil {
			db.log.WarnContext(ctx, "touch session", "err", err)
		}
		return a, nil
	}
	if remember {
		until := lastUsed.Add(touchEvery)
		if expires.Before(until) {
			until = expires
		}
		db.actors.remember(key, a, gen, until)
	}
	return a, nil
}

// touchEvery is how often a session in use records that it was used.
const touchEvery = time.Minute

// touchSession records that a session was used at now. It goes through
// the writer on SQLite, like every change to the tables the token query
// reads (actors.go).
func (db *DB) touchSession(ctx context.Context, id int64, now time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET last_used_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// Login checks credentials and opens a session. Unknown e-mail and wrong
// password are the same EUNAUTHORIZED; too many recent failures for the
// account or the address are ETHROTTLED, even with the right password.
// A web session (the UI's cookie) has no refresh token and lives as long
// as a refresh token would.
func (db *DB) Login(ctx context.Context, c ajudae.Credentials, client ajudae.Client, web bool) (*ajudae.Tokens, error) {
	email := strings.ToLower(c.Email)
	if err := db.checkThrottle(ctx, email, client.IPAddress); err != nil {
		return nil, err
	}
	var (
		userID int64
		hash   sql.NullString
	)
	err := db.queryRow(ctx, `SELECT id, password_hash FROM users WHERE lower(email) = lower(?) AND deleted_at IS NULL`,
		c.Email).Scan(&userID, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("login: %w", formatError(err))
	}
	ok, rehash, err := db.opts.Hasher.Verify(ctx, c.Password, hash.String)
	if err != nil {
		return nil, fmt.Errorf("login: %w", formatError(err))
	}
	if !ok {
		if _, err := db.write.ExecContext(ctx, db.d.rebind(`INSERT INTO login_failures (email, ip_address, created_at) VALUES (?, ?, ?)`),
			email, client.IPAddress, db.now()); err != nil {
			return nil, fmt.Errorf("record login failure: %w", formatError(err))
		}
		return nil, ajudae.Errorf(ajudae.EUNAUTHORIZED, "Wrong e-mail or password.")
	}
	newHash := ""
	if rehash {
		if newHash, err = db.opts.Hasher.Hash(ctx, c.Password); err != nil {
			return nil, formatError(err)
		}
	}
	var tokens *ajudae.Tokens
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE users SET last_login = ?, password_hash = COALESCE(NULLIF(?, ''), password_hash) WHERE id = ?`,
			tx.now, newHash, userID); err != nil {
			return err
		}
		if tokens, err = tx.createSession(ctx, userID, client, web); err != nil {
			return err
		}
		tokens.User, err = tx.findUser(ctx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	return tokens, nil
}

// checkThrottle returns ETHROTTLED, with the time until the oldest counted
// failure leaves the window, when the account or the address has too many
// recent failures.
func (db *DB) checkThrottle(ctx context.Context, email, ip string) error {
	t := db.opts.Throttle
	now := db.now()
	since := now.Add(-t.Window)
	var until time.Time
	for _, q := range []struct {
		column string
		value  string
		limit  int
	}{{"email", email, t.PerAccount}, {"ip_address", ip, t.PerAddress}} {
		// The limit-th most recent failure in the window: while it is there,
		// the caller waits until it leaves the window.
		var at time.Time
		err := db.queryRow(ctx, `SELECT created_at FROM login_failures WHERE `+q.column+` = ? AND created_at > ?
			ORDER BY created_at DESC LIMIT 1 OFFSET ?`, q.value, since, q.limit-1).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check login throttle: %w", formatError(err))
		}
		if end := at.Add(t.Window); end.After(until) {
			until = end
		}
	}
	if until.IsZero() {
		return nil
	}
	wait := until.Sub(now).Round(time.Second)
	return &ajudae.Error{Code: ajudae.ETHROTTLED, Message: "Too many failed logins; try again later.", RetryAfter: max(wait, time.Second)}
}

func (tx *Tx) createSession(ctx context.Context, userID int64, c ajudae.Client, web bool) (*ajudae.Tokens, error) {
	o := tx.db.opts
	access, accessHash := newToken()
	t := &ajudae.Tokens{AccessToken: access, ExpiresIn: o.AccessTTL}
	var refreshHash []byte
	accessExpires := tx.now.Add(o.AccessTTL)
	if web {
		accessExpires = tx.now.Add(o.RefreshTTL)
		t.ExpiresIn = o.RefreshTTL
	} else {
		t.RefreshToken, refreshHash = newToken()
	}
	_, err := tx.exec(ctx, `INSERT INTO sessions (user_id, access_hash, refresh_hash, access_expires_at, refresh_expires_at,
		created_at, last_used_at, ip_address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		userID, accessHash, refreshHash, accessExpires, tx.now.Add(o.RefreshTTL), tx.now, tx.now,
		truncate(c.IPAddress, 100), truncate(c.UserAgent, 500))
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return t, nil
}

// Refresh exchanges a refresh token for a new pair. The old refresh token
// stops working; presenting it again revokes the whole session (a thief and
// the owner cannot both keep it). Every failure is EUNAUTHORIZED.
func (db *DB) Refresh(ctx context.Context, refreshToken string, c ajudae.Client) (*ajudae.Tokens, error) {
	old := hashToken(refreshToken)
	var tokens *ajudae.Tokens
	reused := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var sessionID, userID int64
		err := tx.queryRow(ctx, `SELECT s.id, s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.refresh_hash = ? AND s.revoked_at IS NULL AND s.refresh_expires_at > ? AND u.deleted_at IS NULL`,
			old, tx.now).Scan(&sessionID, &userID)
		if errors.Is(err, sql.ErrNoRows) {
			reused, err = tx.revokeRotated(ctx, old)
			return err
		}
		if err != nil {
			return formatError(err)
		}
		access, accessHash := newToken()
		refresh, refreshHash := newToken()
		o := db.opts
		res, err := tx.exec(ctx, `UPDATE sessions SET access_hash = ?, refresh_hash = ?, access_expires_at = ?,
			last_used_at = ?, ip_address = ?, user_agent = ? WHERE id = ? AND refresh_hash = ?`,
			accessHash, refreshHash, tx.now.Add(o.AccessTTL), tx.now, truncate(c.IPAddress, 100), truncate(c.UserAgent, 500), sessionID, old)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Another refresh with the same token won the race: this is
			// the token presented twice.
			reused, err = tx.revokeRotated(ctx, old)
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO rotated_refresh_tokens (hash, session_id, rotated_at) VALUES (?, ?, ?)`,
			old, sessionID, tx.now); err != nil {
			return err
		}
		tokens = &ajudae.Tokens{AccessToken: access, RefreshToken: refresh, ExpiresIn: o.AccessTTL}
		tokens.User, err = tx.findUser(ctx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	if reused {
		db.log.WarnContext(ctx, "refresh token reused; session revoked", "ip", c.IPAddress)
	}
	if tokens == nil {
		return nil, ajudae.Errorf(ajudae.EUNAUTHORIZED, "The refresh token is invalid, expired or revoked.")
	}
	return tokens, nil
}

// revokeRotated revokes the session of an already exchanged refresh token
// and reports whether there was one.
func (tx *Tx) revokeRotated(ctx context.Context, hash []byte) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND id IN
		(SELECT session_id FROM rotated_refresh_tokens WHERE hash = ?)`, tx.now, hash)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		// A concurrent refresh may have rotated it without a row yet in
		// rotated_refresh_tokens visible to us: revoke by the new state.
		var exists bool
		err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rotated_refresh_tokens WHERE hash = ?)`, hash).Scan(&exists)
		return exists, formatError(err)
	}
	return true, nil
}

// Logout revokes the caller's current session.
func (db *DB) Logout(ctx context.Context, a *ajudae.Actor) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, tx.now, a.SessionID)
		return err
	})
}

// LogoutAll revokes every session of the caller.
func (db *DB) LogoutAll(ctx context.Context, a *ajudae.Actor) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.revokeSessions(ctx, a.UserID, 0)
	})
}

// revokeSessions revokes every session of user but keep (0 keeps none).
func (tx *Tx) revokeSessions(ctx context.Context, user, keep int64) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL`,
		tx.now, user, keep)
	return err
}

// FindSessions lists the caller's active sessions, newest first.
func (db *DB) FindSessions(ctx context.Context, a *ajudae.Actor, page ajudae.Page) (*ajudae.List[ajudae.Session], error) {
	after, err := idCursor(&page, "sessions")
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, created_at, last_used_at, ip_address, user_agent FROM sessions
		WHERE user_id = ? AND revoked_at IS NULL AND refresh_expires_at > ? AND (? = 0 OR id < ?)
		ORDER BY id DESC LIMIT ?`, a.UserID, db.now(), after, after, page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find sessions: %w", err)
	}
	return collect(rows, page, "sessions", func(s *ajudae.Session) int64 { return s.ID }, func(r scanner, s *ajudae.Session) error {
		err := r.Scan(&s.ID, &s.CreatedAt, &s.LastUsedAt, &s.IPAddress, &s.UserAgent)
		s.Current = s.ID == a.SessionID
		return err
	})
}

// RevokeSession revokes one of the caller's own sessions; another user's
// session, or an unknown one, is ENOTFOUND.
func (db *DB) RevokeSession(ctx context.Context, a *ajudae.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return tx.execOne(ctx, "Session", `UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`,
			tx.now, id, a.UserID)
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8ValidTail(s) {
		s = s[:len(s)-1]
	}
	return s
}
