package sqlstore_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// word returns a made-up word, distinct for each (prefix, i), that the
// full-text index keeps whole.
func word(prefix string, i int) string {
	s := prefix
	for range 3 {
		s += string(rune('a' + i%26))
		i /= 26
	}
	return s + "x"
}

// TestSearchFollowsWrites: tickets, replies and edits written concurrently
// (so that SQLite's writer commits them in groups) and in one batch (a
// ticket created and edited before its transaction commits) are found by
// their words at once, edited words are no longer found, and SQLite's
// full-text indexes pass their own integrity check.
func TestSearchFollowsWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		admin, team := seedAdmin(t, db)
		ctx := t.Context()
		const n = 60
		ids := make([]int64, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				tk, _, err := db.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Chamado " + word("titulo", i),
					Description: "Texto com " + word("corpo", i), TeamID: team})
				if err != nil {
					errs <- err
					return
				}
				ids[i] = tk.ID
				if _, err := db.CreateMessage(ctx, admin, tk.ID, ajudae.NewMessage{Message: "Resposta " + word("resposta", i)}); err != nil {
					errs <- err
					return
				}
				if i%3 == 0 {
					title := "Editado " + word("editado", i)
					if _, err := db.UpdateTicket(ctx, admin, tk.ID, ajudae.TicketUpdate{Title: &title}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// Created and edited in one transaction: only the edit is indexed.
		var batched int64
		err := db.InBatch(ctx, func(b *sqlstore.Batch) error {
			tk, err := b.CreateTicket(ctx, admin, ajudae.NewTicket{Title: "Chamado " + word("lote", 1), Description: "Texto", TeamID: team})
			if err != nil {
				return err
			}
			batched = tk.ID
			title := "Editado " + word("lote", 2)
			_, err = b.UpdateTicket(ctx, admin, tk.ID, ajudae.TicketUpdate{Title: &title})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		find := func(q string) []int64 {
			t.Helper()
			l, err := db.FindTickets(ctx, admin, ajudae.TicketFilter{Q: q, Page: ajudae.Page{Limit: 10}})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var got []int64
			for _, tk := range l.Items {
				got = append(got, tk.ID)
			}
			return got
		}
		expect := func(q string, want ...int64) {
			t.Helper()
			if got := find(q); !slices.Equal(got, want) {
				t.Errorf("q=%s: %v, want %v", q, got, want)
			}
		}
		for i, id := range ids {
			expect(word("corpo", i), id)
			expect(word("resposta", i), id)
			if i%3 == 0 {
				expect(word("titulo", i))
				expect(word("editado", i), id)
			} else {
				expect(word("titulo", i), id)
			}
		}
		expect(word("lote", 1))
		expect(word("lote", 2), batched)
		// Edited again, later: the index held the batch's text once.
		title := "Editado de novo " + word("lote", 3)
		if _, err := db.UpdateTicket(ctx, admin, batched, ajudae.TicketUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		expect(word("lote", 2))
		expect(word("lote", 3), batched)

		if e.Name == "sqlite" {
			err := db.WriteTx(ctx, func(exec func(string, ...any) error) error {
				for _, index := range []string{"tickets_fts", "messages_fts"} {
					if err := exec(fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rank) VALUES ('integrity-check', 1)`, index)); err != nil {
						return fmt.Errorf("%s: %w", index, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("integrity check: %v", err)
			}
			if n, err := db.Count(ctx, `SELECT count(*) FROM search_pending`); err != nil || n != 0 {
				t.Fatalf("search_pending holds %d rows (%v), want none", n, err)
			}
		}
	})
}

// TestSearchAfterUpgrade: a ticket and a reply written under the schema
// before each engine's last change to the search index (SQLite 0004,
// PostgreSQL 0005, which moved the ticket's vector to a table of its own)
// are found by their words once the store has migrated; the ticket's title
// edited afterwards is found by its new words and no longer by the old.
func TestSearchAfterUpgrade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		ctx := t.Context()
		o := e.Blank(t)
		raw := dbtest.OpenRaw(t, o)
		if err := sqlstore.MigrateRawTo(ctx, o, raw, map[string]int64{"sqlite": 3, "postgres": 4}[e.Name]); err != nil {
			t.Fatal(err)
		}
		const at = "'2026-11-26 10:00:00+00:00'"
		for _, q := range []string{
			`INSERT INTO users (name, email, role, created_at, updated_at) VALUES ('Rita', 'rita@example.com', 'ADMIN', ` + at + `, ` + at + `)`,
			`INSERT INTO teams (name, created_at, updated_at) VALUES ('Suporte', ` + at + `, ` + at + `)`,
			`INSERT INTO tickets (title, description, status, priority, team_id, created_by, created_at, updated_at)
				VALUES ('Impressora parada', 'A impressora do segundo andar não imprime.', 'Aberto', 2, 1, 1, ` + at + `, ` + at + `)`,
			`INSERT INTO messages (ticket_id, author_id, body, created_at) VALUES (1, 1, 'Trocamos o toner.', ` + at + `)`,
		} {
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		db := dbtest.OpenWith(t, o)
		admin := &ajudae.Actor{UserID: 1, Role: ajudae.RoleAdmin, Name: "Rita"}
		found := func(t *testing.T, q string) int {
			t.Helper()
			l, err := db.FindTickets(ctx, admin, ajudae.TicketFilter{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			return len(l.Items)
		}
		for _, q := range []string{"impressora", "andar", "toner"} {
			if n := found(t, q); n != 1 {
				t.Errorf("search %q after the upgrade: %d tickets, want 1", q, n)
			}
		}
		title := "Scanner desligado"
		if _, err := db.UpdateTicket(ctx, admin, 1, ajudae.TicketUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"scanner": 1, "impressora": 1 /* still in the description */, "parada": 0} {
			if n := found(t, q); n != want {
				t.Errorf("search %q after editing the title: %d tickets, want %d", q, n, want)
			}
		}
	})
}
