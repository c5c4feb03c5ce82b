package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// TestSweepForgetsOldLoginFailures: failures older than the window are
// deleted, so they neither throttle nor pile up.
func TestSweepForgetsOldLoginFailures(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		now := time.Now()
		o := e.Options(t)
		o.Now = func() time.Time { return now }
		o.Throttle = sqlstore.Throttle{PerAccount: 2, PerAddress: 100, Window: time.Minute}
		db, err := sqlstore.Open(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		client := ajudae.Client{IPAddress: "10.0.0.1"}
		for range 2 {
			if _, err := db.Login(t.Context(), ajudae.Credentials{Email: "x@example.com", Password: "nope-nope"}, client, false); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
				t.Fatalf("login: %v", err)
			}
		}
		_, err = db.Login(t.Context(), ajudae.Credentials{Email: "x@example.com", Password: "nope-nope"}, client, false)
		var ae *ajudae.Error
		if !errors.As(err, &ae) || ae.Code != ajudae.ETHROTTLED || ae.RetryAfter <= 0 || ae.RetryAfter > time.Minute {
			t.Fatalf("third failure: %v, want ETHROTTLED with 0 < RetryAfter <= 1m", err)
		}
		now = now.Add(2 * time.Minute)
		if err := db.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		// Moving the clock back shows the rows are gone, not just old.
		now = now.Add(-2 * time.Minute)
		if _, err := db.Login(t.Context(), ajudae.Credentials{Email: "x@example.com", Password: "nope-nope"}, client, false); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
			t.Errorf("after the sweep: %v, want EUNAUTHORIZED (not throttled)", err)
		}
	})
}

// TestMergeSearchIndex: merging the full-text segments keeps every ticket
// findable, and runs (as a no-op) on PostgreSQL.
func TestMergeSearchIndex(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		admin, team := seedAdmin(t, db)
		for i := range 60 { // one transaction each: many small segments
			nt := ajudae.NewTicket{Title: "Chamado número " + string(rune('a'+i%26)), Description: "impressão falhou",
				TeamID: team}
			if i == 42 {
				nt.Description = "a aplicação travou"
			}
			if _, _, err := db.CreateTicket(t.Context(), admin, nt); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MergeSearchIndex(t.Context(), 50); err != nil {
			t.Fatalf("merge: %v", err)
		}
		for q, want := range map[string]int{"aplicacao": 1, "impressao": 59} {
			l, err := db.FindTickets(t.Context(), admin, ajudae.TicketFilter{Q: q, Page: ajudae.Page{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Items) != want {
				t.Errorf("q=%s after the merge: %d tickets, want %d", q, len(l.Items), want)
			}
		}
	})
}

// TestDiscardOutbox: after a bulk load the outbox is emptied, so nothing
// of it is mailed; what is written afterwards is queued again.
func TestDiscardOutbox(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		ctx := t.Context()
		admin, team := seedAdmin(t, db)
		open := func() {
			t.Helper()
			if _, _, err := db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Chamado", Description: "x", TeamID: team}); err != nil {
				t.Fatal(err)
			}
		}
		open()
		open()
		if n, err := db.DiscardOutbox(ctx); err != nil || n != 2 {
			t.Fatalf("discard: %d, %v; want the 2 creations", n, err)
		}
		if pending, err := db.OutboxPending(ctx); err != nil || pending {
			t.Fatalf("after the discard: pending %v, %v; want none", pending, err)
		}
		open()
		if pending, err := db.OutboxPending(ctx); err != nil || !pending {
			t.Fatalf("a later ticket: pending %v, %v; want it queued", pending, err)
		}
	})
}
