package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ajudae/ajudae"
)

// CreateMessage posts a reply, or an internal note (the ticket's staff
// only, EFORBIDDEN otherwise), to a ticket the caller sees. Its timeline
// entry is written by the same INSERT (a trigger). A requester's public
// reply to a closed ticket reopens it.
func (db *DB) CreateMessage(ctx context.Context, a *ajudae.Actor, ticketID int64, nm ajudae.NewMessage) (*ajudae.Message, error) {
	if err := nm.Validate(); err != nil {
		return nil, err
	}
	var m *ajudae.Message
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		m, err = tx.createMessage(ctx, a, ticketID, nm)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("post to ticket %d: %w", ticketID, err)
	}
	return m, nil
}

// createMessage is CreateMessage inside tx, for a validated nm.
func (tx *Tx) createMessage(ctx context.Context, a *ajudae.Actor, ticketID int64, nm ajudae.NewMessage) (*ajudae.Message, error) {
	m := &ajudae.Message{TicketID: ticketID, Author: ajudae.Ref{ID: a.UserID, Name: a.Name}, Message: nm.Message, IsInternal: nm.IsInternal}
	var t ajudae.Ticket
	err := tx.queryRow(ctx, `SELECT t.id, t.team_id, t.created_by, t.status, t.version FROM tickets t WHERE t.id = ?`+tx.db.d.forUpdate,
		ticketID).Scan(&t.ID, &t.Team.ID, &t.CreatedBy.ID, &t.Status, &t.Version)
	if err != nil {
		return nil, noRows(err, "Ticket")
	}
	if !ajudae.CanSeeTicket(a, &t) {
		return nil, notFound("Ticket")
	}
	if err := ajudae.CanPostMessage(a, &t, nm.IsInternal); err != nil {
		return nil, err
	}
	m.CreatedAt = tx.now
	if err := tx.queryRow(ctx, `INSERT INTO messages (ticket_id, author_id, body, is_internal, created_at) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, ticketID, a.UserID, nm.Message, nm.IsInternal, tx.now).Scan(&m.ID); err != nil {
		return nil, formatError(err)
	}
	tx.wroteEvents = true // by the messages_event trigger
	if !ajudae.ReplyReopens(a, &t, nm.IsInternal) {
		return m, nil
	}
	if _, err := tx.exec(ctx, `UPDATE tickets SET status = 'Aberto', closed_at = NULL, updated_at = ?, version = version + 1
		WHERE id = ?`, tx.now, ticketID); err != nil {
		return nil, err
	}
	return m, tx.addEvents(ctx, a, &t, event{typ: ajudae.EventReopened})
}

// FindMessages lists a visible ticket's conversation, oldest first;
// internal notes only for the ticket's staff.
func (db *DB) FindMessages(ctx context.Context, a *ajudae.Actor, ticketID int64, page ajudae.Page) (*ajudae.List[ajudae.Message], error) {
	after, err := idCursor(&page, "messages")
	if err != nil {
		return nil, err
	}
	t, err := db.FindTicket(ctx, a, ticketID)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT m.id, m.ticket_id, m.author_id, u.name, m.body, m.is_internal, m.created_at
		FROM messages m JOIN users u ON u.id = m.author_id
		WHERE m.ticket_id = ? AND m.id > ? AND (? OR NOT m.is_internal) ORDER BY m.id LIMIT ?`,
		ticketID, after, ajudae.IsTicketStaff(a, t), page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find messages: %w", err)
	}
	return collect(rows, page, "messages", func(m *ajudae.Message) int64 { return m.ID }, func(r scanner, m *ajudae.Message) error {
		var name sql.NullString
		err := r.Scan(&m.ID, &m.TicketID, &m.Author.ID, &name, &m.Message, &m.IsInternal, &m.CreatedAt)
		m.Author.Name = nameOr(name)
		return err
	})
}

// FindEvents lists a visible ticket's timeline, oldest first; events about
// internal notes only for the ticket's staff.
func (db *DB) FindEvents(ctx context.Context, a *ajudae.Actor, ticketID int64, page ajudae.Page) (*ajudae.List[ajudae.Event], error) {
	after, err := idCursor(&page, "events")
	if err != nil {
		return nil, err
	}
	t, err := db.FindTicket(ctx, a, ticketID)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT e.id, e.ticket_id, e.type, e.actor_id, u.name, e.data, e.internal, e.created_at
		FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.ticket_id = ? AND e.id > ? AND (? OR NOT e.internal) ORDER BY e.id LIMIT ?`,
		ticketID, after, ajudae.IsTicketStaff(a, t), page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	return collect(rows, page, "events", func(e *ajudae.Event) int64 { return e.ID }, scanEvent)
}

func scanEvent(r scanner, e *ajudae.Event) error {
	var (
		actorID   sql.NullInt64
		actorName sql.NullString
		data      string
	)
	if err := r.Scan(&e.ID, &e.TicketID, &e.Type, &actorID, &actorName, &data, &e.Internal, &e.CreatedAt); err != nil {
		return err
	}
	if actorID.Valid {
		e.Actor = &ajudae.Ref{ID: actorID.Int64, Name: nameOr(actorName)}
	}
	e.Data = json.RawMessage(data)
	return nil
}
