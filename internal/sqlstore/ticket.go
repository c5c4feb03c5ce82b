package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ajudae/ajudae"
)

// ticketColumnsOf returns the columns scanTicket reads, the times as
// text when timeText (SQLite), the names of the team, creator and assignee
// from ticketJoins when named (without, an empty team name and NULL user
// names stand in, for nameTickets to fill).
func ticketColumnsOf(timeText, named bool) string {
	ts := func(col string) string {
		if timeText {
			return "CAST(" + col + " AS TEXT)"
		}
		return col
	}
	team, creator, assignee := "tm.name", "cu.name", "au.name"
	if !named {
		team, creator, assignee = "''", "NULL", "NULL"
	}
	return `SELECT t.id, t.title, t.description, t.status, t.priority, t.team_id, ` + team + `,
	t.created_by, ` + creator + `, t.assigned_to, ` + assignee + `, ` + ts("t.created_at") + `, ` + ts("t.updated_at") + `, ` +
		ts("t.closed_at") + `, t.version`
}

const ticketJoins = `
	JOIN teams tm ON tm.id = t.team_id
	JOIN users cu ON cu.id = t.created_by
	LEFT JOIN users au ON au.id = t.assigned_to`

func scanTicket(r scanner, t *ajudae.Ticket) error { return newTicketRow().scan(r, t) }

// ticketRow holds the scan destinations of ticketColumns. One serves every
// row of a list, so that a row costs its strings and nothing else (the
// destinations of a row of their own were a fifth of a page's allocations).
type ticketRow struct {
	t            ajudae.Ticket
	priority     int
	creator      sql.NullString
	assigneeID   sql.NullInt64
	assigneeName sql.NullString
	// PostgreSQL's bare columns end with the names' generation (names.go).
	namesGen    int64
	hasNamesGen bool
	dest        []any
}

func newTicketRow() *ticketRow {
	r := &ticketRow{}
	r.dest = make([]any, 0, 16)
	r.dest = append(r.dest, intDest[int64]{&r.t.ID}, &r.t.Title, &r.t.Description, textDest[ajudae.Status]{&r.t.Status},
		intDest[int]{&r.priority}, intDest[int64]{&r.t.Team.ID}, &r.t.Team.Name, intDest[int64]{&r.t.CreatedBy.ID}, &r.creator,
		nullIntDest{&r.assigneeID}, &r.assigneeName, timeDest{&r.t.CreatedAt}, timeDest{&r.t.UpdatedAt},
		nullTimeDest{&r.t.ClosedAt}, intDest[int]{&r.t.Version})
	return r
}

// newRow returns the row of d's ticket columns, or of its bare columns
// (no names).
func newRow(d dialect, bare bool) *ticketRow {
	r := newTicketRow()
	if bare && d.namesGen {
		r.dest, r.hasNamesGen = append(r.dest, &r.namesGen), true
	}
	return r
}

// generation returns the generation under which the names of the tickets
// r read may be remembered: the one read with them on PostgreSQL, gen
// (from bareQuery) on SQLite.
func (r *ticketRow) generation(gen uint64) uint64 {
	if r.hasNamesGen {
		return uint64(r.namesGen)
	}
	return gen
}

// scan reads the current row of s into t.
func (r *ticketRow) scan(s scanner, t *ajudae.Ticket) error {
	if err := s.Scan(r.dest...); err != nil {
		return err
	}
	*t = r.t
	t.Priority = ajudae.PriorityOfRank(r.priority)
	t.CreatedBy.Name = nameOr(r.creator)
	if r.assigneeID.Valid {
		t.AssignedTo = &ajudae.Ref{ID: r.assigneeID.Int64, Name: nameOr(r.assigneeName)}
	}
	return nil
}

// FindTicket returns a ticket the caller can see; any other is ENOTFOUND.
func (db *DB) FindTicket(ctx context.Context, a *ajudae.Actor, id int64) (*ajudae.Ticket, error) {
	gen, bare := db.bareQuery()
	q, r := db.d.ticketByID, newRow(db.d, bare)
	if bare {
		q = db.d.bareByID
	}
	ts := make([]ajudae.Ticket, 1)
	t := &ts[0]
	if err := r.scan(db.queryRow(ctx, q, id), t); err != nil {
		return nil, fmt.Errorf("find ticket %d: %w", id, noRows(err, "Ticket"))
	}
	if !ajudae.CanSeeTicket(a, t) {
		return nil, notFound("Ticket")
	}
	if bare {
		if err := db.nameTickets(ctx, r.generation(gen), ts); err != nil {
			return nil, fmt.Errorf("find ticket %d: %w", id, err)
		}
	}
	return t, nil
}

// lockTicket reads a ticket for change inside tx, holding its row, and
// checks that the caller can see it (ENOTFOUND otherwise).
func (tx *Tx) lockTicket(ctx context.Context, a *ajudae.Actor, id int64) (*ajudae.Ticket, error) {
	var t ajudae.Ticket
	if err := scanTicket(tx.queryRow(ctx, tx.db.d.lockTicketByID, id), &t); err != nil {
		return nil, fmt.Errorf("find ticket %d: %w", id, noRows(err, "Ticket"))
	}
	if !ajudae.CanSeeTicket(a, &t) {
		return nil, notFound("Ticket")
	}
	return &t, nil
}

// CreateTicket opens a ticket for a team. An unknown team is EINVALID.
// With an idempotency key, a retry by the same user returns the ticket
// the first call created and reports created false.
func (db *DB) CreateTicket(ctx context.Context, a *ajudae.Actor, nt ajudae.NewTicket) (t *ajudae.Ticket, created bool, err error) {
	if err := nt.Validate(); err != nil {
		return nil, false, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		t, created, err = tx.createTicket(ctx, a, nt)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("create ticket: %w", err)
	}
	return t, created, nil
}

// createTicket is CreateTicket inside tx, for a validated nt.
func (tx *Tx) createTicket(ctx context.Context, a *ajudae.Actor, nt ajudae.NewTicket) (t *ajudae.Ticket, created bool, err error) {
	var key *string
	if nt.IdempotencyKey != "" {
		key = &nt.IdempotencyKey
	}
	t = &ajudae.Ticket{Title: nt.Title, Description: nt.Description, Status: ajudae.StatusOpen, Priority: nt.Priority,
		Team: ajudae.Ref{ID: nt.TeamID}, CreatedBy: ajudae.Ref{ID: a.UserID, Name: a.Name},
		CreatedAt: tx.now, UpdatedAt: tx.now, Version: 1}
	// One statement checks the team, inserts, and names the team.
	err = tx.queryRow(ctx, `INSERT INTO tickets (title, description, status, priority, team_id, created_by,
		created_at, updated_at, version, idempotency_key)
		SELECT ?, ?, 'Aberto', ?, id, ?, ?, ?, 1, ? FROM teams WHERE id = ? AND deleted_at IS NULL
		ON CONFLICT (created_by, idempotency_key) DO NOTHING
		RETURNING id, (SELECT name FROM teams WHERE teams.id = tickets.team_id)`,
		nt.Title, nt.Description, nt.Priority.Rank(), a.UserID, tx.now, tx.now, key, nt.TeamID).Scan(&t.ID, &t.Team.Name)
	if errors.Is(err, sql.ErrNoRows) {
		if key != nil {
			var id int64
			var at time.Time
			err := tx.queryRow(ctx, `SELECT id, created_at FROM tickets WHERE created_by = ? AND idempotency_key = ?`,
				a.UserID, *key).Scan(&id, &at)
			switch {
			case err == nil && tx.now.Sub(at) <= IdempotencyWindow:
				t, err = tx.lockTicket(ctx, a, id)
				return t, false, err
			case err == nil:
				// The key outlived its window (the sweeper had not cleared
				// it yet): it opens a new ticket.
				if _, err := tx.exec(ctx, `UPDATE tickets SET idempotency_key = NULL WHERE id = ?`, id); err != nil {
					return nil, false, err
				}
				return tx.createTicket(ctx, a, nt)
			case !errors.Is(err, sql.ErrNoRows):
				return nil, false, formatError(err)
			}
		}
		var p ajudae.Problems
		p.Add("teamId", "is not a team", nt.TeamID)
		return nil, false, p.Err()
	}
	if err != nil {
		return nil, false, formatError(err)
	}
	return t, true, tx.addEvents(ctx, a, t, event{typ: ajudae.EventCreated})
}

// event is a timeline entry about to be written.
type event struct {
	typ      ajudae.EventType
	data     any
	internal bool
}

// addEvents writes events about t, as it is after the change, in one statement.
func (tx *Tx) addEvents(ctx context.Context, a *ajudae.Actor, t *ajudae.Ticket, events ...event) error {
	if len(events) == 0 {
		return nil
	}
	var (
		sb   strings.Builder
		args []any
	)
	sb.WriteString(`INSERT INTO ticket_events (ticket_id, type, actor_id, data, internal, team_id, created_at) VALUES `)
	for i, e := range events {
		data := []byte("{}")
		if e.data != nil {
			var err error
			if data, err = json.Marshal(e.data); err != nil {
				return err
			}
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, t.ID, e.typ, a.UserID, string(data), e.internal, t.Team.ID, tx.now)
	}
	if _, err := tx.exec(ctx, sb.String(), args...); err != nil {
		return err
	}
	tx.wroteEvents = true
	return nil
}

// UpdateTicket applies PATCH /ticket/{id} as ajudae.CheckTicketUpdate
// allows, writing an event per change and bumping the version, all in one
// transaction. A stale IfMatch is ESTALE; an assignee who is not a member
// of the ticket's team is EINVALID.
func (db *DB) UpdateTicket(ctx context.Context, a *ajudae.Actor, id int64, upd ajudae.TicketUpdate) (*ajudae.Ticket, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var t *ajudae.Ticket
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		t, err = tx.updateTicket(ctx, a, id, upd)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update ticket %d: %w", id, err)
	}
	return t, nil
}

// updateTicket is UpdateTicket inside tx, for a validated upd.
func (tx *Tx) updateTicket(ctx context.Context, a *ajudae.Actor, id int64, upd ajudae.TicketUpdate) (*ajudae.Ticket, error) {
	t, err := tx.lockTicket(ctx, a, id)
	if err != nil {
		return nil, err
	}
	u := upd.Effective(t)
	if err := ajudae.CheckTicketUpdate(a, t, &u); err != nil {
		return nil, err
	}
	if upd.IfMatch != nil && *upd.IfMatch != t.Version {
		return nil, ajudae.Errorf(ajudae.ESTALE, "The ticket changed since version %d; it is at version %d.", *upd.IfMatch, t.Version)
	}
	if u.Empty() {
		return t, nil
	}
	events, err := tx.applyUpdate(ctx, t, u)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE tickets SET title = ?, description = ?, status = ?, priority = ?, assigned_to = ?,
		closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
		t.Title, t.Description, t.Status, t.Priority.Rank(), refID(t.AssignedTo), t.ClosedAt, tx.now, t.ID); err != nil {
		return nil, err
	}
	t.UpdatedAt = tx.now
	t.Version++
	return t, tx.addEvents(ctx, a, t, events...)
}

// applyUpdate changes t in memory as u says and returns the events that
// tell it. A new assignee is checked against the ticket's team.
func (tx *Tx) applyUpdate(ctx context.Context, t *ajudae.Ticket, u ajudae.TicketUpdate) ([]event, error) {
	var events []event
	var edited []string
	if u.Title != nil {
		t.Title, edited = *u.Title, append(edited, "title")
	}
	if u.Description != nil {
		t.Description, edited = *u.Description, append(edited, "description")
	}
	if len(edited) > 0 {
		events = append(events, event{typ: ajudae.EventEdited, data: ajudae.EditData{Fields: edited}})
	}
	if u.Status != nil {
		events = append(events, statusEvent(t, *u.Status, tx.now))
	}
	if u.Priority != nil {
		events = append(events, event{typ: ajudae.EventPriorityChanged, data: ajudae.Change[ajudae.Priority]{From: t.Priority, To: *u.Priority}})
		t.Priority = *u.Priority
	}
	if u.AssignedTo {
		var to *ajudae.Ref
		if u.AssignedToID != nil {
			var name sql.NullString
			err := tx.queryRow(ctx, `SELECT u.name FROM memberships m JOIN users u ON u.id = m.user_id
				WHERE m.team_id = ? AND m.user_id = ?`, t.Team.ID, *u.AssignedToID).Scan(&name)
			if errors.Is(err, sql.ErrNoRows) {
				var p ajudae.Problems
				p.Add("assignedToId", "must be a member of the ticket's team, or null", *u.AssignedToID)
				return nil, p.Err()
			}
			if err != nil {
				return nil, formatError(err)
			}
			to = &ajudae.Ref{ID: *u.AssignedToID, Name: nameOr(name)}
		}
		events = append(events, event{typ: ajudae.EventAssigned, data: ajudae.Change[*ajudae.Ref]{From: t.AssignedTo, To: to}})
		t.AssignedTo = to
	}
	return events, nil
}

// statusEvent moves t to status s and returns its event: leaving Fechado
// for Aberto is a reopening; Fechado sets closedAt and leaving it clears it.
func statusEvent(t *ajudae.Ticket, s ajudae.Status, now time.Time) event {
	e := event{typ: ajudae.EventStatusChanged, data: ajudae.Change[ajudae.Status]{From: t.Status, To: s}}
	if t.Status == ajudae.StatusClosed && s == ajudae.StatusOpen {
		e = event{typ: ajudae.EventReopened}
	}
	t.Status = s
	t.ClosedAt = nil
	if s == ajudae.StatusClosed {
		t.ClosedAt = &now
	}
	return e
}

func refID(r *ajudae.Ref) *int64 {
	if r == nil {
		return nil
	}
	return &r.ID
}

// RedirectTicket moves a ticket to another team and clears its assignee:
// the admin of its current team and ADMIN only. The same team is
// ECONFLICT; an unknown team EINVALID. The old team loses sight of it.
func (db *DB) RedirectTicket(ctx context.Context, a *ajudae.Actor, id int64, r ajudae.Redirect) (*ajudae.Ticket, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var t *ajudae.Ticket
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if t, err = tx.lockTicket(ctx, a, id); err != nil {
			return err
		}
		if err := ajudae.CanRedirectTicket(a, t); err != nil {
			return err
		}
		if r.TeamID == t.Team.ID {
			return ajudae.Errorf(ajudae.ECONFLICT, "The ticket is already in team %s.", t.Team.Name)
		}
		to := ajudae.Ref{ID: r.TeamID}
		err = tx.queryRow(ctx, `SELECT name FROM teams WHERE id = ? AND deleted_at IS NULL`, r.TeamID).Scan(&to.Name)
		if errors.Is(err, sql.ErrNoRows) {
			var p ajudae.Problems
			p.Add("teamId", "is not a team", r.TeamID)
			return p.Err()
		}
		if err != nil {
			return formatError(err)
		}
		from := t.Team
		var events []event
		if t.AssignedTo != nil {
			events = append(events, event{typ: ajudae.EventAssigned, data: ajudae.Change[*ajudae.Ref]{From: t.AssignedTo}})
		}
		events = append(events, event{typ: ajudae.EventRedirected, data: ajudae.RedirectData{FromTeam: from, ToTeam: to, Reason: r.Reason}})
		if _, err := tx.exec(ctx, `UPDATE tickets SET team_id = ?, assigned_to = NULL, updated_at = ?, version = version + 1 WHERE id = ?`,
			to.ID, tx.now, t.ID); err != nil {
			return err
		}
		t.Team, t.AssignedTo, t.UpdatedAt = to, nil, tx.now
		t.Version++
		if err := tx.addEvents(ctx, a, t, events...); err != nil {
			return err
		}
		return tx.audit(ctx, a, ajudae.AuditTicketRedirected, "ticket", t.ID,
			map[string]any{"fromTeam": from, "toTeam": to, "reason": r.Reason})
	})
	if err != nil {
		return nil, fmt.Errorf("redirect ticket %d: %w", id, err)
	}
	return t, nil
}

// ticketSorts maps a sort field to its column.
var ticketSorts = map[string]string{"createdAt": "t.created_at", "updatedAt": "t.updated_at", "priority": "t.priority"}

// FindTickets lists the tickets the caller can see, filtered and sorted,
// one keyset page at a time: a page costs the same wherever it is.
func (db *DB) FindTickets(ctx context.Context, a *ajudae.Actor, f ajudae.TicketFilter) (*ajudae.List[ajudae.Ticket], error) {
	if err := f.Page.Validate(); err != nil {
		return nil, err
	}
	if f.Sort == "" {
		f.Sort = "-createdAt"
	}
	where, args := visibleTickets(a, f.TeamID)
	if len(f.Status) > 0 {
		where = append(where, "t.status IN ("+placeholders(len(f.Status))+")")
		for _, s := range f.Status {
			args = append(args, s)
		}
	}
	if f.Priority != nil {
		where, args = append(where, "t.priority = ?"), append(args, f.Priority.Rank())
	}
	if f.TeamID != nil {
		// Written in the text, not bound: SQLite prepares a statement
		// again whenever the bound team changes (8 % of a list's CPU), and
		// teams are few, so the statements stay few.
		where = append(where, "t.team_id = "+strconv.FormatInt(*f.TeamID, 10))
	}
	if f.Unassigned {
		where = append(where, "t.assigned_to IS NULL")
	}
	if f.AssignedToID != nil {
		where, args = append(where, "t.assigned_to = ?"), append(args, *f.AssignedToID)
	}
	if f.CreatedByID != nil {
		where, args = append(where, "t.created_by = ?"), append(args, *f.CreatedByID)
	}
	gen, bare := db.bareQuery()
	q, columns, joins, r := db.d.ticketSelect, db.d.ticketColumns, ticketJoins, newRow(db.d, bare)
	if bare {
		q, columns, joins = db.d.bareSelect, db.d.bareColumns, ""
	}
	if f.Q != "" {
		// The matching tickets drive the query: a search costs what its
		// matches cost, not what the visible tickets number. SQLite walked
		// every visible ticket and probed the matches unless the matches
		// come first in a CROSS JOIN (which fixes its join order);
		// PostgreSQL, which misjudges how many tickets a prefix matches,
		// hash-joined them with a scan of every ticket (5 s at 1 000 000)
		// unless they arrive as one array (an InitPlan) to look up by key.
		ids, qargs := db.d.search(a, f.Q)
		if db.d == postgres {
			where = append([]string{"t.id = ANY (ARRAY(" + ids + "))"}, where...)
		} else {
			q = columns + ` FROM (` + ids + `) s CROSS JOIN tickets t` + joins
			where = append([]string{"t.id = s.id"}, where...)
		}
		args = append(qargs, args...)
	}
	col, dir, cmp := ticketSorts[f.Sort.Field()], "ASC", ">"
	if f.Sort.Desc() {
		dir, cmp = "DESC", "<"
	}
	if f.Page.Cursor != "" {
		c, err := ajudae.DecodeCursor(f.Page.Cursor, string(f.Sort))
		if err != nil {
			return nil, err
		}
		key, err := cursorKey(f.Sort.Field(), c.Key)
		if err != nil {
			return nil, err
		}
		where, args = append(where, "("+col+", t.id) "+cmp+" (?, ?)"), append(args, key, c.ID)
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	// The limit is written in the text, not bound: SQLite prepares a
	// statement again whenever a bound LIMIT changes (and Page.Validate
	// bounds it, so the statements stay few).
	q += " ORDER BY " + col + " " + dir + ", t.id " + dir + " LIMIT " + strconv.Itoa(f.Page.Limit+1)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find tickets: %w", err)
	}
	l, err := collect(rows, f.Page, string(f.Sort), func(t *ajudae.Ticket) int64 { return t.ID }, r.scan)
	if err != nil {
		return nil, err
	}
	if bare {
		if err := db.nameTickets(ctx, r.generation(gen), l.Items); err != nil {
			return nil, fmt.Errorf("find tickets: %w", err)
		}
	}
	if l.NextCursor != nil {
		last := &l.Items[len(l.Items)-1]
		c := ajudae.Cursor{Sort: string(f.Sort), Key: sortKey(f.Sort.Field(), last), ID: last.ID}.Encode()
		l.NextCursor = &c
	}
	return l, nil
}

// visibleTickets returns the condition that keeps the tickets a can see:
// its own, those of its teams, or all for ADMIN. When the list is of one
// team a is a member of, the team filter alone says it.
func visibleTickets(a *ajudae.Actor, team *int64) ([]string, []any) {
	if a.IsAdmin() || (team != nil && a.MemberOf(*team)) {
		return nil, nil
	}
	if len(a.Teams) == 0 {
		return []string{"t.created_by = ?"}, []any{a.UserID}
	}
	args := []any{a.UserID}
	for _, id := range a.TeamIDs() {
		args = append(args, id)
	}
	return []string{"(t.created_by = ? OR t.team_id IN (" + placeholders(len(a.Teams)) + "))"}, args
}

func sortKey(field string, t *ajudae.Ticket) string {
	switch field {
	case "updatedAt":
		return t.UpdatedAt.Format(time.RFC3339Nano)
	case "priority":
		return strconv.Itoa(t.Priority.Rank())
	}
	return t.CreatedAt.Format(time.RFC3339Nano)
}

func cursorKey(field, key string) (any, error) {
	var p ajudae.Problems
	if field == "priority" {
		n, err := strconv.Atoi(key)
		if err != nil || n < 1 || n > 3 {
			p.Add("cursor", "is not a cursor of this list", key)
			return nil, p.Err()
		}
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, key)
	if err != nil {
		p.Add("cursor", "is not a cursor of this list", key)
		return nil, p.Err()
	}
	return t.UTC(), nil
}

// Stats counts the visible tickets by status, priority and team.
func (db *DB) Stats(ctx context.Context, a *ajudae.Actor) (*ajudae.Stats, error) {
	where, args := visibleTickets(a, nil)
	q := `SELECT t.status, t.priority, t.team_id, tm.name, count(*) FROM tickets t JOIN teams tm ON tm.id = t.team_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.query(ctx, q+` GROUP BY t.status, t.priority, t.team_id, tm.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("ticket stats: %w", err)
	}
	defer rows.Close()
	s := &ajudae.Stats{ByStatus: map[ajudae.Status]int{}, ByPriority: map[ajudae.Priority]int{}, ByTeam: []ajudae.TeamCount{}}
	for _, st := range ajudae.Statuses() {
		s.ByStatus[st] = 0
	}
	for _, p := range ajudae.Priorities() {
		s.ByPriority[p] = 0
	}
	teams := map[int64]int{}
	for rows.Next() {
		var (
			status   ajudae.Status
			priority int
			team     ajudae.Ref
			n        int
		)
		if err := rows.Scan(&status, &priority, &team.ID, &team.Name, &n); err != nil {
			return nil, fmt.Errorf("ticket stats: %w", formatError(err))
		}
		s.Total += n
		s.ByStatus[status] += n
		s.ByPriority[ajudae.PriorityOfRank(priority)] += n
		i, ok := teams[team.ID]
		if !ok {
			i = len(s.ByTeam)
			teams[team.ID] = i
			s.ByTeam = append(s.ByTeam, ajudae.TeamCount{Team: team})
		}
		s.ByTeam[i].Count += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket stats: %w", formatError(err))
	}
	return s, nil
}
