package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestFeedLateCommit: an event written by a transaction that commits after
// a later one (on PostgreSQL, with a lower id) still reaches the feed,
// once, and in commit order: the feed reads past a running transaction
// without losing what it writes.
func TestFeedLateCommit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		o := e.Options(t)
		db := dbtest.OpenWith(t, o)
		ctx := t.Context()
		admin, team := seedAdmin(t, db)
		first, _, err := db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Primeiro", Description: "x", TeamID: team})
		if err != nil {
			t.Fatal(err)
		}
		delivered := follow(t, db)

		// Transaction A writes an event and stays open.
		conn, err := dbtest.OpenRaw(t, o).Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		begin := "BEGIN"
		if o.URL == "" {
			begin = "BEGIN IMMEDIATE"
		}
		if _, err := conn.ExecContext(ctx, begin); err != nil {
			t.Fatal(err)
		}
		insert := `INSERT INTO ticket_events (ticket_id, type, actor_id, data, internal, team_id, created_at)
			VALUES ($1, 'status_changed', $2, '{"from":"Aberto","to":"Em_andamento"}', false, $3, $4) RETURNING id`
		var lateID int64
		if err := conn.QueryRowContext(ctx, insert, first.ID, admin.UserID, team, time.Now().UTC()).Scan(&lateID); err != nil {
			t.Fatal(err)
		}
		// Transaction B, through the store, commits first (on SQLite it
		// waits for A's lock, so it commits after A).
		created := make(chan *ajudae.Ticket, 1)
		go func() {
			tk, _, err := db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Segundo", Description: "y", TeamID: team})
			if err != nil {
				t.Error(err)
			}
			created <- tk
		}()
		if o.URL != "" {
			second := <-created
			created <- second
			time.Sleep(300 * time.Millisecond) // the feed is told of B and reads it
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			t.Fatal(err)
		}
		second := <-created
		if second == nil {
			return
		}

		ids := func(cs []ajudae.TicketChange) (out []int64) {
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		waitFor(func() bool { got := ids(delivered()); return slices.Contains(got, lateID) && len(got) >= 2 })
		got := delivered()
		late, secondAt := -1, -1
		for i, c := range got {
			switch {
			case c.ID == lateID:
				if late >= 0 {
					t.Errorf("event %d delivered twice", lateID)
				}
				late = i
			case c.TicketID == second.ID && c.Type == ajudae.EventCreated:
				if secondAt >= 0 {
					t.Errorf("the second ticket's event delivered twice")
				}
				secondAt = i
			}
		}
		if late < 0 || secondAt < 0 {
			t.Fatalf("delivered %v: want the late event %d and the second ticket's creation", ids(got), lateID)
		}
		// On PostgreSQL the second ticket commits while A is open; on SQLite
		// it waits for A's lock and commits after it.
		if o.URL != "" && late < secondAt {
			t.Errorf("delivered %v: the late transaction's event %d came before the one committed first", ids(got), lateID)
		}
		if o.URL == "" && late > secondAt {
			t.Errorf("delivered %v: event %d, committed first, came second", ids(got), lateID)
		}
	})
}

// deliveredTicket reports whether a change of ticket is among cs.
func deliveredTicket(cs []ajudae.TicketChange, ticket int64) bool {
	return slices.ContainsFunc(cs, func(c ajudae.TicketChange) bool { return c.TicketID == ticket })
}

// TestFeedRestoredHistory: the events already in the database when the
// feed starts are history, not news, even those a logical restore brought
// from another PostgreSQL cluster, stamped with transaction ids this one
// has not reached; what is written afterwards is delivered.
func TestFeedRestoredHistory(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		o := e.Options(t)
		db := dbtest.OpenWith(t, o)
		ctx := t.Context()
		admin, team := seedAdmin(t, db)
		old, _, err := db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Antigo", Description: "x", TeamID: team})
		if err != nil {
			t.Fatal(err)
		}
		if o.URL != "" {
			// Stamped a little ahead of this cluster: the tickets below
			// take it past that point.
			if _, err := dbtest.OpenRaw(t, o).ExecContext(ctx, `UPDATE ticket_events SET xact = pg_current_xact_id()::text::bigint + 20
				WHERE ticket_id = $1`, old.ID); err != nil {
				t.Fatal(err)
			}
		}
		delivered := follow(t, db)
		var fresh *ajudae.Ticket
		for range 30 {
			if fresh, _, err = db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Novo", Description: "y", TeamID: team}); err != nil {
				t.Fatal(err)
			}
		}
		if !waitFor(func() bool { return deliveredTicket(delivered(), fresh.ID) }) {
			t.Fatalf("the new ticket's event was not delivered")
		}
		if deliveredTicket(delivered(), old.ID) {
			t.Errorf("an event written before the feed started was delivered as news")
		}
	})
}

// TestFeedPastOpenTransaction: a transaction left open (on PostgreSQL one
// that wrote, so it holds a transaction id, as an idle-in-transaction
// session would) does not hold back the events committed meanwhile.
func TestFeedPastOpenTransaction(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		o := e.Options(t)
		db := dbtest.OpenWith(t, o)
		ctx := t.Context()
		admin, team := seedAdmin(t, db)
		delivered := follow(t, db)

		conn, err := dbtest.OpenRaw(t, o).Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		open := `SELECT count(*) FROM tickets`
		if o.URL != "" {
			open = `INSERT INTO audit_log (action, target_type, target_id, created_at) VALUES ('open', 'test', 1, now())`
		}
		if _, err := conn.ExecContext(ctx, open); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(context.Background(), "ROLLBACK")

		tk, _, err := db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Durante", Description: "x", TeamID: team})
		if err != nil {
			t.Fatal(err)
		}
		if !waitFor(func() bool { return deliveredTicket(delivered(), tk.ID) }) {
			t.Fatal("a ticket created while another transaction stayed open was not delivered")
		}
	})
}
