package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/ajudae/ajudae"
)

// This file is the feed of committed changes that live updates fan out.
// The source of truth is ticket_events: every change writes its row in
// its own transaction. PostgreSQL announces each row (a trigger NOTIFYs
// its id on ajudae_events at commit); SQLite, single replica with one
// writer connection, is tailed by id after each commit.

const changeSelect = `SELECT e.id, e.ticket_id, e.type, e.actor_id, u.name, e.data, e.internal, e.created_at,
	e.team_id, t.created_by
	FROM ticket_events e
	JOIN tickets t ON t.id = e.ticket_id
	LEFT JOIN users u ON u.id = e.actor_id`

func scanChange(r scanner, c *ajudae.TicketChange) error {
	var (
		actorID   sql.NullInt64
		actorName sql.NullString
		data      string
	)
	if err := r.Scan(&c.ID, &c.TicketID, &c.Type, &actorID, &actorName, &data, &c.Internal, &c.CreatedAt,
		&c.TeamID, &c.CreatedBy); err != nil {
		return err
	}
	if actorID.Valid {
		c.Actor = &ajudae.Ref{ID: actorID.Int64, Name: nameOr(actorName)}
	}
	c.Data = json.RawMessage(data)
	if c.Type == ajudae.EventRedirected {
		var d ajudae.RedirectData
		if err := json.Unmarshal(c.Data, &d); err != nil {
			return fmt.Errorf("redirect event %d: %w", c.ID, err)
		}
		c.FromTeamID = d.FromTeam.ID
	}
	return nil
}

func (db *DB) changes(ctx context.Context, query string, args ...any) ([]ajudae.TicketChange, error) {
	rows, err := db.query(ctx, changeSelect+" "+query, args...)
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	var out []ajudae.TicketChange
	for rows.Next() {
		var c ajudae.TicketChange
		if err := scanChange(rows, &c); err != nil {
			return nil, fmt.Errorf("read changes: %w", formatError(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read changes: %w", formatError(err))
	}
	return out, nil
}

// ChangesAfter returns up to limit committed changes with an id above
// after, oldest first (a client's Last-Event-ID, or the SQLite tail).
func (db *DB) ChangesAfter(ctx context.Context, after int64, limit int) ([]ajudae.TicketChange, error) {
	return db.changes(ctx, `WHERE e.id > ? ORDER BY e.id LIMIT ?`, after, limit)
}

// changesByID returns the changes with the given ids, in the order of ids.
func (db *DB) changesByID(ctx context.Context, ids []int64) ([]ajudae.TicketChange, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	got, err := db.changes(ctx, `WHERE e.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(got, func(a, b ajudae.TicketChange) int { return pos[a.ID] - pos[b.ID] })
	return got, nil
}

// LastChangeID returns the id of the newest committed change (0 when
// there is none): a page rendered after reading it asks GET /events for
// the changes after it, so none is lost between the render and the
// stream's start.
func (db *DB) LastChangeID(ctx context.Context) (int64, error) { return db.lastEventID(ctx) }

// lastEventID returns the id of the newest event, 0 on an empty table.
func (db *DB) lastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.queryRow(ctx, `SELECT max(id) FROM ticket_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last event: %w", formatError(err))
	}
	return id.Int64, nil
}

// FollowChanges calls fn with every change committed from now on, in
// commit order, until ctx ends; it returns ctx's error. A database that
// goes away is retried every 2 s; the changes committed meanwhile are read
// back by id when it returns. fn runs on one goroutine and must not block
// for long.
func (db *DB) FollowChanges(ctx context.Context, fn func([]ajudae.TicketChange)) error {
	if db.d == postgres {
		return db.followPostgres(ctx, fn)
	}
	return db.followSQLite(ctx, fn)
}

// followSQLite tails ticket_events by id. The one writer connection
// commits one transaction at a time, so id order is commit order; inTx
// wakes the tail after each commit, and a slow tick catches the rest.
func (db *DB) followSQLite(ctx context.Context, fn func([]ajudae.TicketChange)) error {
	last, err := db.waitLastEventID(ctx)
	if err != nil {
		return err
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-db.commits:
		case <-tick.C:
		}
		for {
			batch, err := db.ChangesAfter(ctx, last, 500)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				db.log.WarnContext(ctx, "live updates: read changes", "err", err)
				break
			}
			if len(batch) == 0 {
				break
			}
			last = batch[len(batch)-1].ID
			fn(batch)
			if len(batch) < 500 {
				break
			}
		}
	}
}

// waitLastEventID reads where the feed starts, retrying while the
// database does not answer.
func (db *DB) waitLastEventID(ctx context.Context) (int64, error) {
	for {
		last, err := db.lastEventID(ctx)
		if err == nil {
			return last, nil
		}
		db.log.WarnContext(ctx, "live updates: find the last event", "err", err)
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// followPostgres LISTENs on ajudae_events through its own connection
// (pgxlisten, reconnecting after 2 s), collects the announced ids and reads
// them back in batches. After a reconnect it reads back every event with
// an id above the highest one seen (at first, the newest when it was
// called), skipping those already delivered (ids
// are not commit order across transactions, hence the set).
func (db *DB) followPostgres(ctx context.Context, fn func([]ajudae.TicketChange)) error {
	cfg, err := pgx.ParseConfig(db.opts.URL)
	if err != nil {
		return err
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	start, err := db.waitLastEventID(ctx)
	if err != nil {
		return err
	}
	ids := make(chan int64, 1024)
	backlog := make(chan struct{}, 1)
	l := &pgxlisten.Listener{
		Connect:        func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, cfg) },
		ReconnectDelay: 2 * time.Second,
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				db.log.WarnContext(ctx, "live updates: listen", "err", err)
			}
		},
	}
	l.Handle("ajudae_events", listenHandler{ids: ids, backlog: backlog})
	go l.Listen(ctx)

	seen := newRecentSet(8192)
	high := start
	deliver := func(batch []ajudae.TicketChange) {
		fresh := batch[:0]
		for _, c := range batch {
			if seen.has(c.ID) {
				continue
			}
			seen.add(c.ID)
			high = max(high, c.ID)
			fresh = append(fresh, c)
		}
		if len(fresh) > 0 {
			fn(fresh)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-backlog: // LISTEN is (again) in place: read what it may have missed
			for after := high; ; {
				batch, err := db.ChangesAfter(ctx, after, 500)
				if err != nil {
					db.log.WarnContext(ctx, "live updates: catch up", "err", err)
					break
				}
				if len(batch) > 0 {
					after = batch[len(batch)-1].ID
				}
				deliver(batch)
				if len(batch) < 500 {
					break
				}
			}
		case id := <-ids:
			batch := []int64{id}
		drain:
			for len(batch) < 500 {
				select {
				case id := <-ids:
					batch = append(batch, id)
				default:
					break drain
				}
			}
			changes, err := db.changesByID(ctx, batch)
			if err != nil {
				db.log.WarnContext(ctx, "live updates: read announced changes", "err", err, "ids", len(batch))
				continue
			}
			deliver(changes)
		}
	}
}

// listenHandler passes announced ids to followPostgres, and tells it when
// a (re)connected LISTEN is in place so that it can catch up.
type listenHandler struct {
	ids     chan<- int64
	backlog chan<- struct{}
}

func (h listenHandler) HandleNotification(ctx context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	id, err := strconv.ParseInt(n.Payload, 10, 64)
	if err != nil {
		return fmt.Errorf("payload %q: %w", n.Payload, err)
	}
	select {
	case h.ids <- id:
	case <-ctx.Done():
	}
	return nil
}

func (h listenHandler) HandleBacklog(ctx context.Context, _ string, _ *pgx.Conn) error {
	select {
	case h.backlog <- struct{}{}:
	case <-ctx.Done():
	}
	return nil
}

// recentSet remembers the last n ids added.
type recentSet struct {
	m    map[int64]struct{}
	ring []int64
	next int
}

func newRecentSet(n int) *recentSet {
	return &recentSet{m: make(map[int64]struct{}, n), ring: make([]int64, n)}
}

func (s *recentSet) has(id int64) bool { _, ok := s.m[id]; return ok }

func (s *recentSet) add(id int64) {
	if old := s.ring[s.next]; old != 0 {
		delete(s.m, old)
	}
	s.ring[s.next] = id
	s.m[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
}
