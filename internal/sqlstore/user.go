package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ajudae/ajudae"
)

const userColumns = `u.id, u.name, u.email, u.role, u.created_at, u.updated_at, u.last_login`

func scanUser(r scanner, u *ajudae.User) error {
	var name, email sql.NullString
	if err := r.Scan(&u.ID, &name, &email, &u.Role, &u.CreatedAt, &u.UpdatedAt, &u.LastLogin); err != nil {
		return err
	}
	u.Name, u.Email = name.String, email.String
	u.Teams = []ajudae.UserTeam{}
	return nil
}

// CreateUser registers an account (role USER unless nu.Role says otherwise).
// A taken e-mail, in any case, is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, nu ajudae.NewUser) (*ajudae.User, error) {
	if nu.Role == "" {
		nu.Role = ajudae.RoleUser
	}
	if err := nu.Validate(); err != nil {
		return nil, err
	}
	hash, err := db.opts.Hasher.Hash(ctx, nu.Password)
	if err != nil {
		return nil, formatError(err)
	}
	var u *ajudae.User
	err = db.inTx(ctx, func(tx *Tx) error {
		u, err = tx.insertUser(ctx, nu, hash)
		return err
	})
	return u, err
}

func (tx *Tx) insertUser(ctx context.Context, nu ajudae.NewUser, hash string) (*ajudae.User, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO users (name, email, password_hash, role, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, nu.Name, nu.Email, hash, nu.Role, tx.now, tx.now).Scan(&id)
	if isConflict(formatError(err), "email") {
		return nil, ajudae.Errorf(ajudae.ECONFLICT, "The e-mail %s is already in use.", nu.Email)
	}
	if err != nil {
		return nil, fmt.Errorf("insert user: %w", formatError(err))
	}
	return tx.findUser(ctx, id)
}

// FindUser returns a user the caller may see: itself, or anyone for ADMIN
// and ATTENDANTs (EFORBIDDEN otherwise). A deleted user is ENOTFOUND.
func (db *DB) FindUser(ctx context.Context, a *ajudae.Actor, id int64) (*ajudae.User, error) {
	if err := ajudae.CanSeeUser(a, id); err != nil {
		return nil, err
	}
	return findUser(ctx, db.read, db.d, id)
}

// FindUserByEmail returns the user with this e-mail, in any case, for
// those who may see any user: ADMIN and ATTENDANTs (a USER gets
// EFORBIDDEN before anything is looked up). An unknown or deleted user is
// ENOTFOUND. The UI's team pages add members by e-mail with it.
func (db *DB) FindUserByEmail(ctx context.Context, a *ajudae.Actor, email string) (*ajudae.User, error) {
	if err := ajudae.CanSeeUser(a, 0); err != nil {
		return nil, err
	}
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower(?) AND deleted_at IS NULL`, email).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("find user by e-mail: %w", noRows(err, "User"))
	}
	return db.FindUser(ctx, a, id)
}

func (tx *Tx) findUser(ctx context.Context, id int64) (*ajudae.User, error) {
	return findUser(ctx, tx.tx, tx.db.d, id)
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func findUser(ctx context.Context, q querier, d dialect, id int64) (*ajudae.User, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+userColumns+`, t.id, t.name, m.is_admin
		FROM users u
		LEFT JOIN memberships m ON m.user_id = u.id
		LEFT JOIN teams t ON t.id = m.team_id
		WHERE u.id = ? AND u.deleted_at IS NULL ORDER BY t.name`), id)
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, formatError(err))
	}
	defer rows.Close()
	var u *ajudae.User
	for rows.Next() {
		var (
			v        ajudae.User
			name     sql.NullString
			email    sql.NullString
			teamID   sql.NullInt64
			teamName sql.NullString
			isAdmin  sql.NullBool
		)
		if err := rows.Scan(&v.ID, &name, &email, &v.Role, &v.CreatedAt, &v.UpdatedAt, &v.LastLogin, &teamID, &teamName, &isAdmin); err != nil {
			return nil, fmt.Errorf("find user %d: %w", id, formatError(err))
		}
		if u == nil {
			v.Name, v.Email, v.Teams = name.String, email.String, []ajudae.UserTeam{}
			u = &v
		}
		if teamID.Valid {
			u.Teams = append(u.Teams, ajudae.UserTeam{ID: teamID.Int64, Name: teamName.String, IsAdmin: isAdmin.Bool})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, formatError(err))
	}
	if u == nil {
		return nil, notFound("User")
	}
	return u, nil
}

// FindUsers lists users for ADMIN (EFORBIDDEN for others), by id.
func (db *DB) FindUsers(ctx context.Context, a *ajudae.Actor, f ajudae.UserFilter) (*ajudae.List[ajudae.User], error) {
	if err := ajudae.CanListUsers(a); err != nil {
		return nil, err
	}
	after, err := idCursor(&f.Page, "users")
	if err != nil {
		return nil, err
	}
	where, args := []string{"u.deleted_at IS NULL", "u.id > ?"}, []any{after}
	if f.Q != "" {
		where = append(where, `(lower(u.name) LIKE ? ESCAPE '\' OR lower(u.email) LIKE ? ESCAPE '\')`)
		pattern := "%" + likeEscape(strings.ToLower(f.Q)) + "%"
		args = append(args, pattern, pattern)
	}
	if f.Role != nil {
		where = append(where, "u.role = ?")
		args = append(args, *f.Role)
	}
	if f.TeamID != nil {
		where = append(where, "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.team_id = ?)")
		args = append(args, *f.TeamID)
	}
	rows, err := db.query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+strings.Join(where, " AND ")+
		` ORDER BY u.id LIMIT ?`, append(args, f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	l, err := collect(rows, f.Page, "users", func(u *ajudae.User) int64 { return u.ID }, scanUser)
	if err != nil {
		return nil, err
	}
	return l, db.fillTeams(ctx, l.Items)
}

// fillTeams loads the memberships of a page of users in one query.
func (db *DB) fillTeams(ctx context.Context, users []ajudae.User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]any, len(users))
	index := make(map[int64]int, len(users))
	for i, u := range users {
		ids[i], index[u.ID] = u.ID, i
	}
	rows, err := db.query(ctx, `SELECT m.user_id, t.id, t.name, m.is_admin FROM memberships m JOIN teams t ON t.id = m.team_id
		WHERE m.user_id IN (`+placeholders(len(ids))+`) ORDER BY t.name`, ids...)
	if err != nil {
		return fmt.Errorf("find memberships: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var t ajudae.UserTeam
		if err := rows.Scan(&uid, &t.ID, &t.Name, &t.IsAdmin); err != nil {
			return fmt.Errorf("find memberships: %w", formatError(err))
		}
		users[index[uid]].Teams = append(users[index[uid]].Teams, t)
	}
	return formatError(rows.Err())
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateUser applies PUT /user/{id}. A user changes its own name, e-mail
// and password (the last two need its current password: missing is
// EINVALID, wrong EFORBIDDEN); ADMIN also sets roles and passwords of
// others. A password change revokes the user's other sessions; a demotion
// to USER removes the user from its teams.
func (db *DB) UpdateUser(ctx context.Context, a *ajudae.Actor, id int64, u ajudae.UserUpdate) (*ajudae.User, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := ajudae.CheckUserUpdate(a, id, &u); err != nil {
		return nil, err
	}
	var current sql.NullString
	err := db.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ? AND deleted_at IS NULL`, id).Scan(&current)
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, noRows(err, "User"))
	}
	if u.CurrentPassword != nil && a.UserID == id {
		ok, _, err := db.opts.Hasher.Verify(ctx, *u.CurrentPassword, current.String)
		if err != nil {
			return nil, formatError(err)
		}
		if !ok {
			return nil, ajudae.Errorf(ajudae.EFORBIDDEN, "The current password is wrong.")
		}
	}
	var newHash *string
	if u.Password != nil {
		h, err := db.opts.Hasher.Hash(ctx, *u.Password)
		if err != nil {
			return nil, formatError(err)
		}
		newHash = &h
	}
	var out *ajudae.User
	err = db.inTx(ctx, func(tx *Tx) error {
		before, err := tx.findUser(ctx, id)
		if err != nil {
			return err
		}
		// The hash checked above must still be the one stored.
		res, err := tx.exec(ctx, `UPDATE users SET name = COALESCE(?, name), email = COALESCE(?, email),
			password_hash = COALESCE(?, password_hash), role = COALESCE(?, role), updated_at = ?
			WHERE id = ? AND deleted_at IS NULL AND password_hash IS NOT DISTINCT FROM ?`,
			u.Name, u.Email, newHash, u.Role, tx.now, id, current)
		if isConflict(err, "email") {
			return ajudae.Errorf(ajudae.ECONFLICT, "The e-mail %s is already in use.", *u.Email)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ajudae.Errorf(ajudae.ECONFLICT, "The account changed meanwhile; try again.")
		}
		if newHash != nil {
			keep := int64(0)
			if a.UserID == id {
				keep = a.SessionID
			}
			if err := tx.revokeSessions(ctx, id, keep); err != nil {
				return err
			}
		}
		if u.Role != nil && *u.Role != before.Role {
			if *u.Role == ajudae.RoleUser {
				if _, err := tx.exec(ctx, `DELETE FROM memberships WHERE user_id = ?`, id); err != nil {
					return err
				}
			}
			if err := tx.audit(ctx, a, ajudae.AuditRoleChanged, "user", id,
				map[string]any{"from": before.Role, "to": *u.Role}); err != nil {
				return err
			}
		}
		out, err = tx.findUser(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	return out, nil
}

// DeleteUser erases a user's name, e-mail and password and revokes its
// sessions; its tickets and messages stay, shown as from a removed user.
// ADMIN only; the general administrator itself cannot be deleted (ECONFLICT).
func (db *DB) DeleteUser(ctx context.Context, a *ajudae.Actor, id int64) error {
	if err := ajudae.CanDeleteUser(a); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		u, err := tx.findUser(ctx, id)
		if err != nil {
			return err
		}
		if u.Role == ajudae.RoleAdmin {
			return ajudae.Errorf(ajudae.ECONFLICT, "The general administrator cannot be deleted; transfer the role first.")
		}
		if _, err := tx.exec(ctx, `UPDATE users SET name = NULL, email = NULL, password_hash = NULL, deleted_at = ?, updated_at = ?
			WHERE id = ?`, tx.now, tx.now, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM memberships WHERE user_id = ?`, id); err != nil {
			return err
		}
		if err := tx.revokeSessions(ctx, id, 0); err != nil {
			return err
		}
		return tx.audit(ctx, a, ajudae.AuditUserDeleted, "user", id, map[string]any{"role": u.Role})
	})
}

// TransferAdmin makes user the general administrator and the caller an
// ATTENDANT. ADMIN only; an unknown user is ENOTFOUND, the caller itself ECONFLICT.
func (db *DB) TransferAdmin(ctx context.Context, a *ajudae.Actor, id int64) error {
	if err := ajudae.CanTransferAdmin(a); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.findUser(ctx, id); err != nil {
			return err
		}
		if id == a.UserID {
			return ajudae.Errorf(ajudae.ECONFLICT, "You are already the general administrator.")
		}
		// Demote first: the database holds at most one ADMIN at any instant.
		if err := tx.execOne(ctx, "User", `UPDATE users SET role = 'ATTENDANT', updated_at = ? WHERE id = ? AND role = 'ADMIN'`,
			tx.now, a.UserID); err != nil {
			return ajudae.Errorf(ajudae.ECONFLICT, "You are no longer the general administrator.")
		}
		if _, err := tx.exec(ctx, `UPDATE users SET role = 'ADMIN', updated_at = ? WHERE id = ?`, tx.now, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, ajudae.AuditAdminTransferred, "user", id, map[string]any{"from": a.UserID, "to": id})
	})
}

// audit records an administrative action in the same transaction.
func (tx *Tx) audit(ctx context.Context, a *ajudae.Actor, action, targetType string, targetID int64, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (actor_id, action, target_type, target_id, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.UserID, action, targetType, targetID, string(b), tx.now)
	return err
}

// FindAudit lists administrative actions, newest first. ADMIN only.
func (db *DB) FindAudit(ctx context.Context, a *ajudae.Actor, page ajudae.Page) (*ajudae.List[ajudae.AuditEntry], error) {
	if err := ajudae.CanReadAudit(a); err != nil {
		return nil, err
	}
	after, err := idCursor(&page, "audit")
	if err != nil {
		return nil, err
	}
	cond := ""
	args := []any{}
	if after > 0 {
		cond, args = "WHERE l.id < ?", append(args, after)
	}
	rows, err := db.query(ctx, `SELECT l.id, l.actor_id, u.name, l.action, l.target_type, l.target_id, l.data, l.created_at
		FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id `+cond+` ORDER BY l.id DESC LIMIT ?`, append(args, page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	return collect(rows, page, "audit", func(e *ajudae.AuditEntry) int64 { return e.ID }, func(r scanner, e *ajudae.AuditEntry) error {
		var actorID sql.NullInt64
		var actorName sql.NullString
		var data string
		if err := r.Scan(&e.ID, &actorID, &actorName, &e.Action, &e.Target.Type, &e.Target.ID, &data, &e.CreatedAt); err != nil {
			return err
		}
		if actorID.Valid {
			e.Actor = &ajudae.Ref{ID: actorID.Int64, Name: nameOr(actorName)}
		}
		e.Data = json.RawMessage(data)
		return nil
	})
}
