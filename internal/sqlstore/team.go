package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ajudae/ajudae"
)

const teamSelect = `SELECT t.id, t.name, t.description, t.created_at, t.updated_at, a.id, a.name,
	(SELECT count(*) FROM memberships m WHERE m.team_id = t.id),
	(SELECT count(*) FROM tickets k WHERE k.team_id = t.id AND k.status IN ('Aberto', 'Em_andamento'))
	FROM teams t
	LEFT JOIN memberships am ON am.team_id = t.id AND am.is_admin
	LEFT JOIN users a ON a.id = am.user_id`

func scanTeam(r scanner, t *ajudae.Team) error {
	var adminID sql.NullInt64
	var adminName sql.NullString
	if err := r.Scan(&t.ID, &t.Name, &t.Description, &t.CreatedAt, &t.UpdatedAt, &adminID, &adminName,
		&t.MemberCount, &t.OpenTicketCount); err != nil {
		return err
	}
	if adminID.Valid {
		t.Admin = &ajudae.Ref{ID: adminID.Int64, Name: nameOr(adminName)}
	}
	return nil
}

// FindTeams lists every team, by id. Anyone authenticated may: a requester
// picks one when opening a ticket.
func (db *DB) FindTeams(ctx context.Context, page ajudae.Page) (*ajudae.List[ajudae.Team], error) {
	after, err := idCursor(&page, "teams")
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, teamSelect+` WHERE t.deleted_at IS NULL AND t.id > ? ORDER BY t.id LIMIT ?`, after, page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find teams: %w", err)
	}
	return collect(rows, page, "teams", func(t *ajudae.Team) int64 { return t.ID }, scanTeam)
}

// FindTeam returns one team; a deleted or unknown one is ENOTFOUND.
func (db *DB) FindTeam(ctx context.Context, id int64) (*ajudae.Team, error) {
	var t ajudae.Team
	err := scanTeam(db.queryRow(ctx, teamSelect+` WHERE t.id = ? AND t.deleted_at IS NULL`, id), &t)
	if err != nil {
		return nil, fmt.Errorf("find team %d: %w", id, noRows(err, "Team"))
	}
	return &t, nil
}

func (tx *Tx) findTeam(ctx context.Context, id int64) (*ajudae.Team, error) {
	var t ajudae.Team
	err := scanTeam(tx.queryRow(ctx, teamSelect+` WHERE t.id = ? AND t.deleted_at IS NULL`, id), &t)
	if err != nil {
		return nil, fmt.Errorf("find team %d: %w", id, noRows(err, "Team"))
	}
	return &t, nil
}

// CreateTeam creates a team (ADMIN only). A name in use, in any case, is ECONFLICT.
func (db *DB) CreateTeam(ctx context.Context, a *ajudae.Actor, in ajudae.TeamInput) (*ajudae.Team, error) {
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	if err := ajudae.CanManageTeams(a); err != nil {
		return nil, err
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	var t *ajudae.Team
	err := db.inTx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO teams (name, description, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
			*in.Name, desc, tx.now, tx.now).Scan(&id)
		if err != nil {
			return teamConflict(err, *in.Name)
		}
		if err := tx.audit(ctx, a, ajudae.AuditTeamCreated, "team", id, map[string]string{"name": *in.Name}); err != nil {
			return err
		}
		t, err = tx.findTeam(ctx, id)
		return err
	})
	return t, err
}

func teamConflict(err error, name string) error {
	err = formatError(err)
	if isConflict(err, "name") {
		return ajudae.Errorf(ajudae.ECONFLICT, "A team named %s already exists.", name)
	}
	return err
}

// UpdateTeam renames a team or changes its description (ADMIN only).
func (db *DB) UpdateTeam(ctx context.Context, a *ajudae.Actor, id int64, in ajudae.TeamInput) (*ajudae.Team, error) {
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	if err := ajudae.CanManageTeams(a); err != nil {
		return nil, err
	}
	var t *ajudae.Team
	err := db.inTx(ctx, func(tx *Tx) error {
		before, err := tx.findTeam(ctx, id)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE teams SET name = COALESCE(?, name), description = COALESCE(?, description), updated_at = ?
			WHERE id = ?`, in.Name, in.Description, tx.now, id)
		if err != nil {
			return teamConflict(err, *in.Name)
		}
		data := map[string]any{}
		if in.Name != nil && *in.Name != before.Name {
			data["name"] = map[string]string{"from": before.Name, "to": *in.Name}
		}
		if in.Description != nil && *in.Description != before.Description {
			data["description"] = map[string]string{"from": before.Description, "to": *in.Description}
		}
		if err := tx.audit(ctx, a, ajudae.AuditTeamUpdated, "team", id, data); err != nil {
			return err
		}
		t, err = tx.findTeam(ctx, id)
		return err
	})
	return t, err
}

// DeleteTeam deletes a team (ADMIN only). While it holds tickets that are
// not Fechado it is ECONFLICT: redirect them first. Closed tickets keep the
// team's last name.
func (db *DB) DeleteTeam(ctx context.Context, a *ajudae.Actor, id int64) error {
	if err := ajudae.CanManageTeams(a); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		t, err := tx.findTeam(ctx, id)
		if err != nil {
			return err
		}
		if t.OpenTicketCount > 0 {
			return ajudae.Errorf(ajudae.ECONFLICT, "The team %s still holds %d tickets that are not Fechado; redirect or close them first.",
				t.Name, t.OpenTicketCount)
		}
		if _, err := tx.exec(ctx, `UPDATE teams SET deleted_at = ?, updated_at = ? WHERE id = ?`, tx.now, tx.now, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM memberships WHERE team_id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, ajudae.AuditTeamDeleted, "team", id, map[string]string{"name": t.Name})
	})
}

// FindMembers lists a team's members by user id (ADMIN and members only).
func (db *DB) FindMembers(ctx context.Context, a *ajudae.Actor, teamID int64, page ajudae.Page) (*ajudae.List[ajudae.Member], error) {
	after, err := idCursor(&page, "members")
	if err != nil {
		return nil, err
	}
	if _, err := db.FindTeam(ctx, teamID); err != nil {
		return nil, err
	}
	if err := ajudae.CanSeeMembers(a, teamID); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT u.id, u.name, u.email, m.is_admin, m.created_at FROM memberships m
		JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?`,
		teamID, after, page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find members: %w", err)
	}
	return collect(rows, page, "members", func(m *ajudae.Member) int64 { return m.User.ID }, scanMember)
}

func scanMember(r scanner, m *ajudae.Member) error {
	return r.Scan(&m.User.ID, &m.User.Name, &m.User.Email, &m.IsAdmin, &m.Since)
}

// SetMember adds user to a team or updates its membership, and reports
// whether it was added. ADMIN may do anything; the team's admin only with
// isAdmin false. A USER added becomes ATTENDANT. isAdmin defaults to false
// on add and is unchanged when nil on update; making a member admin takes
// the flag from the previous admin. An unknown user is ENOTFOUND.
func (db *DB) SetMember(ctx context.Context, a *ajudae.Actor, teamID, userID int64, isAdmin *bool) (*ajudae.Member, bool, error) {
	var (
		m     ajudae.Member
		added bool
	)
	err := db.inTx(ctx, func(tx *Tx) error {
		// Taking the team's row first serialises concurrent changes of
		// its members, so two promotions leave exactly one admin.
		if err := tx.execOne(ctx, "Team", `UPDATE teams SET updated_at = updated_at WHERE id = ? AND deleted_at IS NULL`, teamID); err != nil {
			return err
		}
		if err := ajudae.CanSetMember(a, teamID, isAdmin); err != nil {
			return err
		}
		u, err := tx.findUser(ctx, userID)
		if err != nil {
			return err
		}
		var was sql.NullBool
		err = tx.queryRow(ctx, `SELECT is_admin FROM memberships WHERE team_id = ? AND user_id = ?`, teamID, userID).Scan(&was)
		if err != nil && err != sql.ErrNoRows {
			return formatError(err)
		}
		added = !was.Valid
		admin := was.Bool
		if isAdmin != nil {
			admin = *isAdmin
		}
		if admin {
			if _, err := tx.exec(ctx, `UPDATE memberships SET is_admin = FALSE WHERE team_id = ? AND is_admin AND user_id <> ?`,
				teamID, userID); err != nil {
				return err
			}
		}
		if added {
			_, err = tx.exec(ctx, `INSERT INTO memberships (team_id, user_id, is_admin, created_at) VALUES (?, ?, ?, ?)`,
				teamID, userID, admin, tx.now)
		} else {
			_, err = tx.exec(ctx, `UPDATE memberships SET is_admin = ? WHERE team_id = ? AND user_id = ?`, admin, teamID, userID)
		}
		if err != nil {
			return err
		}
		if u.Role == ajudae.RoleUser {
			if _, err := tx.exec(ctx, `UPDATE users SET role = 'ATTENDANT', updated_at = ? WHERE id = ?`, tx.now, userID); err != nil {
				return err
			}
		}
		action := ajudae.AuditMemberUpdated
		if added {
			action = ajudae.AuditMemberAdded
		}
		if err := tx.audit(ctx, a, action, "team", teamID, map[string]any{"userId": userID, "isAdmin": admin}); err != nil {
			return err
		}
		return scanMember(tx.queryRow(ctx, `SELECT u.id, u.name, u.email, m.is_admin, m.created_at FROM memberships m
			JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.user_id = ?`, teamID, userID), &m)
	})
	if err != nil {
		return nil, false, fmt.Errorf("set member %d of team %d: %w", userID, teamID, err)
	}
	return &m, added, nil
}

// RemoveMember removes user from a team: ADMIN, or the team's admin for
// another member. A user who is not a member is ENOTFOUND.
func (db *DB) RemoveMember(ctx context.Context, a *ajudae.Actor, teamID, userID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.execOne(ctx, "Team", `UPDATE teams SET updated_at = updated_at WHERE id = ? AND deleted_at IS NULL`, teamID); err != nil {
			return err
		}
		if err := ajudae.CanRemoveMember(a, teamID, userID); err != nil {
			return err
		}
		if err := tx.execOne(ctx, "Member", `DELETE FROM memberships WHERE team_id = ? AND user_id = ?`, teamID, userID); err != nil {
			return err
		}
		return tx.audit(ctx, a, ajudae.AuditMemberRemoved, "team", teamID, map[string]any{"userId": userID})
	})
}
