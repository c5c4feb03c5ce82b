package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/ajudae/ajudae"
)

// This file is the feed of committed changes that live updates fan out.
// The source of truth is ticket_events: every change writes its row in
// its own transaction. SQLite, single replica with one writer, is tailed
// by id (commit order) after each commit. On PostgreSQL ids are not commit
// order (a transaction may commit after one that took a higher id), so the
// feed is read in (xact, id) order, and the transactions still running
// below the position read are kept and read by id once they commit;
// commits on any replica are announced by a bare NOTIFY sent after them
// (announceLoop), not from inside them (migration 0004 says why).

const (
	changeColumns = `e.id, e.ticket_id, e.type, e.actor_id, u.name, e.data, e.internal, e.created_at,
	e.team_id, t.created_by`
	changeFrom = `FROM ticket_events e
	JOIN tickets t ON t.id = e.ticket_id
	LEFT JOIN users u ON u.id = e.actor_id`
	changeSelect = `SELECT ` + changeColumns + ` ` + changeFrom
)

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
	last, err := untilRead(ctx, db, "find the last event", db.lastEventID)
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

// untilRead calls read until it succeeds or ctx ends, every 2 s while the
// database does not answer: the feed's start must not fail the process.
func untilRead[T any](ctx context.Context, db *DB, what string, read func(context.Context) (T, error)) (T, error) {
	for {
		v, err := read(ctx)
		if err == nil {
			return v, nil
		}
		db.log.WarnContext(ctx, "live updates: "+what, "err", err)
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// committedEvents is called after a commit that wrote events: it wakes
// this replica's feed and, on PostgreSQL, has the others told.
func (db *DB) committedEvents() {
	select {
	case db.commits <- struct{}{}:
	default:
	}
	select {
	case db.announce <- struct{}{}: // nil on SQLite: never ready
	default:
	}
}

// announceSQL tells every replica listening on ajudae_events that the feed
// has news, from a transaction of its own that does not wait for its WAL
// flush: a notification is not data (a lost one is made up for by the
// feed's next read), and a notifying transaction holds PostgreSQL's
// notification lock until its commit returns.
const announceSQL = `BEGIN; SET LOCAL synchronous_commit = off; NOTIFY ajudae_events; COMMIT`

// announceLoop sends announceSQL after commits, one at a time: the commits
// made while one is being sent are told by the next.
func (db *DB) announceLoop() {
	for {
		select {
		case <-db.closing:
			return
		case <-db.announce:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := db.write.ExecContext(ctx, announceSQL); err != nil {
			db.log.Warn("live updates: announce", "err", err)
		}
		cancel()
	}
}

// feedCursor is a position in PostgreSQL's feed: the newest event read,
// in (xact, id) order, and the transactions older than it that were still
// running when it was read; their events, once committed, sort before it
// and are read by transaction.
type feedCursor struct {
	xact, id int64
	pending  []int64
}

// feedStart returns the position of the newest event. Events stamped with
// transaction ids this cluster has not reached yet come from another
// cluster (a logical restore, pg_dump): they are settled history,
// restamped 0 first, or the feed would wait behind them.
func (db *DB) feedStart(ctx context.Context) (feedCursor, error) {
	var c feedCursor
	if _, err := db.write.ExecContext(ctx, `UPDATE ticket_events SET xact = 0
		WHERE xact >= pg_snapshot_xmax(pg_current_snapshot())::text::bigint`); err != nil {
		return c, fmt.Errorf("feed start: %w", formatError(err))
	}
	err := db.inSnapshot(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT xact, id FROM ticket_events ORDER BY xact DESC, id DESC LIMIT 1`).Scan(&c.xact, &c.id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c.pending, err = runningBefore(ctx, tx, c.xact)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("feed start: %w", formatError(err))
	}
	return c, nil
}

// readFeed returns the changes committed since c was read: those of c's
// pending transactions that have committed, then up to limit newer ones in
// (xact, id) order; and the position after them. It reads in one snapshot,
// so a transaction is either committed in it, and all its events are
// read, or still running, and pending.
func (db *DB) readFeed(ctx context.Context, c feedCursor, limit int) ([]ajudae.TicketChange, feedCursor, error) {
	var out []ajudae.TicketChange
	next := c
	err := db.inSnapshot(ctx, func(tx *sql.Tx) error {
		read := func(where string, args ...any) error {
			rows, err := tx.QueryContext(ctx, `SELECT e.xact, `+changeColumns+` `+changeFrom+` WHERE `+where, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var ch ajudae.TicketChange
				var xact int64
				if err := scanChange(withFirst{rows, &xact}, &ch); err != nil {
					return err
				}
				if xact > next.xact || xact == next.xact && ch.ID > next.id {
					next.xact, next.id = xact, ch.ID
				}
				out = append(out, ch)
			}
			return rows.Err()
		}
		if len(c.pending) > 0 {
			if err := read(`e.xact = ANY ($1::bigint[]) ORDER BY e.xact, e.id`, int64Array(c.pending)); err != nil {
				return err
			}
			next.xact, next.id = c.xact, c.id // those sort before c
		}
		if err := read(`(e.xact, e.id) > ($1, $2) ORDER BY e.xact, e.id LIMIT $3`, c.xact, c.id, limit); err != nil {
			return err
		}
		var err error
		next.pending, err = runningBefore(ctx, tx, next.xact)
		return err
	})
	if err != nil {
		return nil, c, fmt.Errorf("read changes: %w", formatError(err))
	}
	return out, next, nil
}

// inSnapshot runs fn in a read-only transaction whose statements all see
// one snapshot.
func (db *DB) inSnapshot(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// runningBefore returns the transactions of tx's snapshot still running
// with an id below xact (any database of the cluster: most never write an
// event, and simply leave the list when they end).
func runningBefore(ctx context.Context, tx *sql.Tx, xact int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) x
		WHERE x::text::bigint < $1`, xact)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

// int64Array writes ids as a PostgreSQL array literal.
func int64Array(ids []int64) string {
	b := []byte{'{'}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, '}'))
}

// withFirst scans a row's first column into first and the rest into dest.
type withFirst struct {
	r     scanner
	first any
}

func (w withFirst) Scan(dest ...any) error { return w.r.Scan(append([]any{w.first}, dest...)...) }

// followPostgres reads the feed whenever it may have news: a NOTIFY on
// ajudae_events from any replica (pgxlisten, on its own connection,
// reconnecting after 2 s), a commit of this replica, a (re)connected
// LISTEN, or a tick (a replica that died between a commit and its NOTIFY).
func (db *DB) followPostgres(ctx context.Context, fn func([]ajudae.TicketChange)) error {
	cfg, err := pgx.ParseConfig(db.opts.URL)
	if err != nil {
		return err
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	cur, err := untilRead(ctx, db, "find the feed's end", db.feedStart)
	if err != nil {
		return err
	}
	news := make(chan struct{}, 1)
	l := &pgxlisten.Listener{
		Connect:        func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, cfg) },
		ReconnectDelay: 2 * time.Second,
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				db.log.WarnContext(ctx, "live updates: listen", "err", err)
			}
		},
	}
	l.Handle("ajudae_events", listenHandler{news: news})
	go l.Listen(ctx)

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-news:
		case <-db.commits:
		case <-tick.C:
		}
		began := time.Now()
		for {
			batch, next, err := db.readFeed(ctx, cur, 500)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				db.log.WarnContext(ctx, "live updates: read changes", "err", err)
				break
			}
			more := next.xact != cur.xact || next.id != cur.id
			cur = next
			if len(batch) > 0 {
				fn(batch)
			}
			if !more || len(batch) < 500 {
				break
			}
		}
		// At most one pass every feedGap: under a stream of writes, the
		// commits made meanwhile are read together by the next pass.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(feedGap - time.Since(began)):
		}
	}
}

// feedGap is the shortest time between two reads of PostgreSQL's feed: it
// delays a live update by at most that, and bounds the reads to 50 a
// second whatever the rate of writes.
const feedGap = 20 * time.Millisecond

// listenHandler tells followPostgres that the feed may have news: a
// notification, or a (re)connected LISTEN after which it may have missed
// some.
type listenHandler struct{ news chan<- struct{} }

func (h listenHandler) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	h.tell()
	return nil
}

func (h listenHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.tell()
	return nil
}

func (h listenHandler) tell() {
	select {
	case h.news <- struct{}{}:
	default:
	}
}
