package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// TestRoundTrips counts the calls that reach the database driver for each
// hot request (the workloads of docs/BENCHMARKS.md), on both engines. The
// budget is the ceiling; want is what the code does today, so a
// change that adds a query to one of these paths fails here and has to
// say why by raising want (within the budget).
func TestRoundTrips(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		counter := &dbtest.Counter{KeyOf: func(ctx context.Context) string {
			id := ajudae.RequestIDFrom(ctx)
			if !strings.HasPrefix(id, "rt-") {
				return "" // logins, set-up, background work
			}
			return id
		}}
		env := apitest.New(t, e, func(o *sqlstore.Options) { o.WrapConnector = counter.Wrap })
		w := newWorldIn(t, env)
		tk := w.open(t, "Contagem de idas ao banco")

		calls := []struct {
			name         string
			c            *apitest.Client
			method, path string
			body         any
			status       int
			want, budget int
			// SQLite indexes new tickets and messages for search in one
			// statement before the commit (sqlstore's indexSearch).
			indexed bool
		}{
			// Authenticate (1, none on SQLite) + the ticket with its names (1;
			// on SQLite the names come from memory, read in one more call the
			// first time).
			{"read", w.member, "GET", fmt.Sprintf("/ticket/%d", tk.ID), nil, 200, 2, 3, false},
			// Authenticate (1) + one page of the team's open tickets (1).
			{"list", w.member, "GET", fmt.Sprintf("/ticket?teamId=%d&status=Aberto&limit=50", w.mkt), nil, 200, 2, 3, false},
			// The search is a list too.
			{"search", w.member, "GET", "/ticket?q=contagem", nil, 200, 2, 3, false},
			// Authenticate, BEGIN, INSERT ticket (team checked and named in
			// the same statement), INSERT event, COMMIT.
			{"create", w.creator, "POST", "/ticket", map[string]any{"title": "Outro chamado", "description": "Texto", "teamId": w.mkt}, 201, 5, 6, true},
			// Authenticate, BEGIN, SELECT … FOR UPDATE, INSERT message (a
			// trigger writes the event), COMMIT.
			{"reply", w.member, "POST", fmt.Sprintf("/ticket/%d/messages", tk.ID), map[string]any{"message": "Estamos vendo."}, 201, 5, 6, true},
		}
		// On SQLite the token check is answered from memory once the token
		// has been used (sqlstore's actors.go): one call less per request.
		remembered := 0
		if e.Name == "sqlite" {
			remembered = 1
		}
		indexed := func(writesSearch bool) int {
			if writesSearch && e.Name == "sqlite" {
				return 1
			}
			return 0
		}
		for round := range 2 { // the first round prepares and caches statements, and remembers
			for _, c := range calls {
				id := fmt.Sprintf("rt-%s-%d", c.name, round)
				c.c.Must(c.status, c.method, c.path, c.body, nil, "X-Request-Id", id)
				// A statement is prepared once per connection and then
				// reused (SQLite's statement cache; pgx's own cache is
				// inside the driver): which pooled connection a request
				// gets decides whether it pays that once, so prepares are
				// not counted.
				var got []string
				for _, c := range counter.Calls(id) {
					if c != "prepare" {
						got = append(got, c)
					}
				}
				if len(got) > c.budget {
					t.Errorf("%s, round %d: %d calls to the database %v, over the budget of %d", c.name, round, len(got), got, c.budget)
				} else if round == 0 {
					// On SQLite the token and the names may not be remembered
					// yet (one call each), within the budget all the same.
					continue
				} else if want := c.want - remembered + indexed(c.indexed); len(got) != want {
					t.Errorf("%s: %d calls to the database %v, want %d (update want if the change is meant; budget %d)",
						c.name, len(got), got, want, c.budget)
				}
			}
		}
	})
}
