package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/ajudae/ajudae"
)

// This file is the store's side of the job queue (River, on the same
// database) and of the e-mail outbox.
//
// Why an outbox rather than enqueuing inside the business transaction:
// River's InsertTx costs one INSERT plus, now and then, a NOTIFY statement
// for its fetchers, and creating a ticket or posting a reply may spend at
// most one more statement (issue 7's round-trip budget). A trigger on
// ticket_events instead queues the event id in event_outbox inside the
// statement that writes the event (zero extra round trips), and
// DrainOutbox turns committed outbox rows into River jobs later.

// riverMigrationLock serialises River's migrations between replicas that
// start together (goose has its own lock).
const riverMigrationLock = 0x616A7564

// JobDriver returns the River driver on this database: riversqlite on the
// one SQLite writer connection (River wants exactly one; SQLite deployments
// are single-replica), riverdatabasesql on the PostgreSQL pool.
func (db *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	if db.d == postgres {
		return riverdatabasesql.New(db.write)
	}
	return riversqlite.New(db.write)
}

// migrateJobs applies River's own migrations, after goose's.
func (db *DB) migrateJobs(ctx context.Context) error {
	m, err := rivermigrate.New(db.JobDriver(), &rivermigrate.Config{Logger: db.log})
	if err != nil {
		return err
	}
	if db.d == postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return formatError(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, riverMigrationLock); err != nil {
			return formatError(err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, riverMigrationLock)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river: %w", formatError(err))
	}
	for _, v := range res.Versions {
		db.log.InfoContext(ctx, "migration applied", "source", "river", "version", v.Version)
	}
	return nil
}

// OutboxPending reports whether events wait in the outbox (a cheap read,
// so that idle polling takes no write lock).
func (db *DB) OutboxPending(ctx context.Context) (bool, error) {
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM event_outbox LIMIT 1`).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, formatError(err)
	}
	return true, nil
}

// DiscardOutbox drops every event waiting in the outbox, so that no e-mail
// is sent about them, and returns how many it dropped. It is for bulk
// loads (the benchmark's dataset, an import): the history they write is
// not news to anyone.
func (db *DB) DiscardOutbox(ctx context.Context) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM event_outbox`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("discard outbox: %w", err)
	}
	return n, nil
}

// DrainOutbox takes up to limit events from the outbox, works out who is
// to be told of each, hands the notices to enqueue within the same
// transaction (which inserts the jobs), and deletes the events from the
// outbox: a notice is queued exactly once, or not at all when enqueue
// fails. On PostgreSQL the rows are locked with SKIP LOCKED, so any
// number of replicas may drain at once. It returns how many events it took.
//
// Who is told: on created and redirected, the members of the ticket's team
// (after the change); on a public message_added by someone other than the
// requester (that is, staff), the requester; on status_changed and
// reopened, the requester. Never the actor, never a removed user.
func (db *DB) DrainOutbox(ctx context.Context, limit int, enqueue func(context.Context, *sql.Tx, []ajudae.Notice) error) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		lock := ""
		if db.d == postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.query(ctx, `SELECT event_id FROM event_outbox ORDER BY event_id LIMIT ?`+lock, limit)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil || len(ids) == 0 {
			return err
		}
		n = len(ids)
		notices, err := tx.notices(ctx, ids)
		if err != nil {
			return err
		}
		if len(notices) > 0 {
			if err := enqueue(ctx, tx.tx, notices); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
		}
		_, err = tx.exec(ctx, `DELETE FROM event_outbox WHERE event_id IN (`+placeholders(len(ids))+`)`, int64sToAny(ids)...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("drain outbox: %w", err)
	}
	return n, nil
}

// notices reads the events ids and their audiences.
func (tx *Tx) notices(ctx context.Context, ids []int64) ([]ajudae.Notice, error) {
	rows, err := tx.query(ctx, `SELECT e.id, e.ticket_id, e.type, e.actor_id, au.name, e.data, e.internal, e.created_at,
		e.team_id, t.created_by, t.title, tm.name, cu.name, cu.email
		FROM ticket_events e
		JOIN tickets t ON t.id = e.ticket_id
		JOIN teams tm ON tm.id = e.team_id
		JOIN users cu ON cu.id = t.created_by
		LEFT JOIN users au ON au.id = e.actor_id
		WHERE e.id IN (`+placeholders(len(ids))+`) ORDER BY e.id`, int64sToAny(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		out      []ajudae.Notice
		teams    = map[int64]bool{}
		messages = map[int64]bool{}
	)
	for rows.Next() {
		var (
			nt                   ajudae.Notice
			actorID              sql.NullInt64
			actorName, rName, rE sql.NullString
			data                 string
		)
		c := &nt.Change
		if err := rows.Scan(&c.ID, &c.TicketID, &c.Type, &actorID, &actorName, &data, &c.Internal, &c.CreatedAt,
			&c.TeamID, &c.CreatedBy, &nt.Title, &nt.Team, &rName, &rE); err != nil {
			return nil, formatError(err)
		}
		if actorID.Valid {
			c.Actor = &ajudae.Ref{ID: actorID.Int64, Name: nameOr(actorName)}
		}
		c.Data = json.RawMessage(data)
		requester := []ajudae.Recipient{{ID: c.CreatedBy, Name: rName.String, Email: rE.String}}
		switch c.Type {
		case ajudae.EventCreated, ajudae.EventRedirected:
			teams[c.TeamID] = true
		case ajudae.EventMessageAdded:
			if c.Internal || (c.Actor != nil && c.Actor.ID == c.CreatedBy) {
				continue
			}
			var md ajudae.MessageData
			json.Unmarshal(c.Data, &md)
			messages[md.MessageID] = true
			nt.To = requester
		case ajudae.EventStatusChanged, ajudae.EventReopened:
			nt.To = requester
		default:
			continue
		}
		out = append(out, nt)
	}
	if err := rows.Err(); err != nil {
		return nil, formatError(err)
	}
	rows.Close()
	members, err := tx.teamRecipients(ctx, teams)
	if err != nil {
		return nil, err
	}
	bodies, err := tx.messageBodies(ctx, messages)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, nt := range out {
		c := nt.Change
		switch c.Type {
		case ajudae.EventCreated, ajudae.EventRedirected:
			nt.To = members[c.TeamID]
		case ajudae.EventMessageAdded:
			var md ajudae.MessageData
			json.Unmarshal(c.Data, &md)
			nt.Message = bodies[md.MessageID]
		}
		to := nt.To[:0:0]
		for _, r := range nt.To {
			if r.Email != "" && (c.Actor == nil || r.ID != c.Actor.ID) {
				to = append(to, r)
			}
		}
		if nt.To = to; len(to) > 0 {
			kept = append(kept, nt)
		}
	}
	return kept, nil
}

func (tx *Tx) teamRecipients(ctx context.Context, teams map[int64]bool) (map[int64][]ajudae.Recipient, error) {
	out := map[int64][]ajudae.Recipient{}
	if len(teams) == 0 {
		return out, nil
	}
	var ids []any
	for id := range teams {
		ids = append(ids, id)
	}
	rows, err := tx.query(ctx, `SELECT m.team_id, u.id, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.team_id IN (`+placeholders(len(ids))+`) AND u.deleted_at IS NULL ORDER BY u.id`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			team        int64
			r           ajudae.Recipient
			name, email sql.NullString
		)
		if err := rows.Scan(&team, &r.ID, &name, &email); err != nil {
			return nil, formatError(err)
		}
		r.Name, r.Email = name.String, email.String
		out[team] = append(out[team], r)
	}
	return out, formatError(rows.Err())
}

func (tx *Tx) messageBodies(ctx context.Context, ids map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	for id := range ids {
		args = append(args, id)
	}
	rows, err := tx.query(ctx, `SELECT id, body FROM messages WHERE id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			body string
		)
		if err := rows.Scan(&id, &body); err != nil {
			return nil, formatError(err)
		}
		out[id] = body
	}
	return out, formatError(rows.Err())
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, formatError(err)
		}
		ids = append(ids, id)
	}
	return ids, formatError(rows.Err())
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
