package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// seedAdmin seeds db, logs its administrator in and returns the caller and
// the first team's id.
func seedAdmin(t *testing.T, db *sqlstore.DB) (*ajudae.Actor, int64) {
	t.Helper()
	ctx := t.Context()
	if _, err := db.Seed(ctx, ajudae.NewUser{Name: "Admin", Email: "admin@example.com", Password: "admin-password"}); err != nil {
		t.Fatal(err)
	}
	admin, err := db.Authenticate(ctx, adminToken(t, db))
	if err != nil {
		t.Fatal(err)
	}
	teams, err := db.FindTeams(ctx, ajudae.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return admin, teams.Items[0].ID
}

// adminToken opens a new session of the administrator seedAdmin seeded and
// returns its access token.
func adminToken(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	tokens, err := db.Login(t.Context(), ajudae.Credentials{Email: "admin@example.com", Password: "admin-password"}, ajudae.Client{}, false)
	if err != nil {
		t.Fatal(err)
	}
	return tokens.AccessToken
}

// remembered checks token twice (on SQLite the second answer comes from
// memory) and returns its caller.
func remembered(t *testing.T, db *sqlstore.DB, token string) *ajudae.Actor {
	t.Helper()
	var a *ajudae.Actor
	for range 2 {
		var err error
		if a, err = db.Authenticate(t.Context(), token); err != nil {
			t.Fatalf("authenticate: %v", err)
		}
	}
	return a
}

// follow runs db.FollowChanges until the test ends and returns what it has
// delivered so far. It returns once the feed has had time to find where it
// starts.
func follow(t *testing.T, db *sqlstore.DB) (delivered func() []ajudae.TicketChange) {
	var (
		mu  sync.Mutex
		got []ajudae.TicketChange
	)
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.FollowChanges(ctx, func(cs []ajudae.TicketChange) {
			mu.Lock()
			got = append(got, cs...)
			mu.Unlock()
		})
	}()
	t.Cleanup(func() { stop(); <-done })
	time.Sleep(200 * time.Millisecond)
	return func() []ajudae.TicketChange {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

// waitFor polls cond every 20 ms for up to 10 s and reports whether it held.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
