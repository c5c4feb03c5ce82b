package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestAuthenticateSeesChanges: a caller that was answered from memory on
// SQLite (actors.go) sees, on its next request, every change to its
// session, its user and its teams that has returned, as PostgreSQL
// (which reads the database each time) does.
func TestAuthenticateSeesChanges(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		var clock atomic.Int64
		clock.Store(time.Now().UnixNano())
		o := e.Options(t)
		o.Now = func() time.Time { return time.Unix(0, clock.Load()) }
		o.AccessTTL = 10 * time.Minute
		db := dbtest.OpenWith(t, o)
		admin, team := seedAdmin(t, db)
		ctx := t.Context()

		n := 0
		login := func(t *testing.T, email string) *ajudae.Tokens {
			t.Helper()
			tk, err := db.Login(ctx, ajudae.Credentials{Email: email, Password: "user-password"}, ajudae.Client{}, false)
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		newUser := func(t *testing.T) (*ajudae.User, *ajudae.Tokens) {
			t.Helper()
			n++
			email := fmt.Sprintf("user%d@example.com", n)
			u, err := db.CreateUser(ctx, ajudae.NewUser{Name: "Usuária", Email: email, Password: "user-password", Role: ajudae.RoleAttendant})
			if err != nil {
				t.Fatal(err)
			}
			return u, login(t, email)
		}
		known := func(t *testing.T, token string) *ajudae.Actor {
			t.Helper()
			return remembered(t, db, token)
		}
		refused := func(t *testing.T, token string) {
			t.Helper()
			if a, err := db.Authenticate(ctx, token); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
				t.Fatalf("authenticate after the change: %+v, %v; want EUNAUTHORIZED", a, err)
			}
		}

		t.Run("logout", func(t *testing.T) {
			_, tk := newUser(t)
			if err := db.Logout(ctx, known(t, tk.AccessToken)); err != nil {
				t.Fatal(err)
			}
			refused(t, tk.AccessToken)
		})
		t.Run("logout everywhere", func(t *testing.T) {
			u, first := newUser(t)
			known(t, first.AccessToken)
			second := login(t, u.Email)
			if err := db.LogoutAll(ctx, known(t, second.AccessToken)); err != nil {
				t.Fatal(err)
			}
			refused(t, first.AccessToken)
		})
		t.Run("session revoked", func(t *testing.T) {
			u, first := newUser(t)
			a := known(t, first.AccessToken)
			second := login(t, u.Email)
			if err := db.RevokeSession(ctx, known(t, second.AccessToken), a.SessionID); err != nil {
				t.Fatal(err)
			}
			refused(t, first.AccessToken)
		})
		t.Run("refresh", func(t *testing.T) {
			_, tk := newUser(t)
			known(t, tk.AccessToken)
			fresh, err := db.Refresh(ctx, tk.RefreshToken, ajudae.Client{})
			if err != nil {
				t.Fatal(err)
			}
			refused(t, tk.AccessToken)
			known(t, fresh.AccessToken)
		})
		t.Run("renamed", func(t *testing.T) {
			u, tk := newUser(t)
			known(t, tk.AccessToken)
			name := "Outro Nome"
			if _, err := db.UpdateUser(ctx, admin, u.ID, ajudae.UserUpdate{Name: &name}); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); a.Name != name {
				t.Fatalf("name %q, want %q", a.Name, name)
			}
		})
		t.Run("role", func(t *testing.T) {
			u, tk := newUser(t)
			known(t, tk.AccessToken)
			role := ajudae.RoleUser
			if _, err := db.UpdateUser(ctx, admin, u.ID, ajudae.UserUpdate{Role: &role}); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); a.Role != role {
				t.Fatalf("role %q, want %q", a.Role, role)
			}
		})
		t.Run("teams", func(t *testing.T) {
			u, tk := newUser(t)
			if a := known(t, tk.AccessToken); a.MemberOf(team) {
				t.Fatal("a member before joining")
			}
			yes := true
			if _, _, err := db.SetMember(ctx, admin, team, u.ID, &yes); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); !a.Teams[team] {
				t.Fatalf("teams %v after joining as the team's admin", a.Teams)
			}
			no := false
			if _, _, err := db.SetMember(ctx, admin, team, u.ID, &no); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); !a.MemberOf(team) || a.Teams[team] {
				t.Fatalf("teams %v after losing the team's administration", a.Teams)
			}
			if err := db.RemoveMember(ctx, admin, team, u.ID); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); a.MemberOf(team) {
				t.Fatalf("teams %v after leaving", a.Teams)
			}
		})
		t.Run("team deleted", func(t *testing.T) {
			u, tk := newUser(t)
			name := "Equipe Passageira"
			gone, err := db.CreateTeam(ctx, admin, ajudae.TeamInput{Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.SetMember(ctx, admin, gone.ID, u.ID, nil); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); !a.MemberOf(gone.ID) {
				t.Fatalf("teams %v, want a member of %d", a.Teams, gone.ID)
			}
			if err := db.DeleteTeam(ctx, admin, gone.ID); err != nil {
				t.Fatal(err)
			}
			if a := known(t, tk.AccessToken); a.MemberOf(gone.ID) {
				t.Fatalf("teams %v after the team was deleted", a.Teams)
			}
		})
		t.Run("user deleted", func(t *testing.T) {
			u, tk := newUser(t)
			known(t, tk.AccessToken)
			if err := db.DeleteUser(ctx, admin, u.ID); err != nil {
				t.Fatal(err)
			}
			refused(t, tk.AccessToken)
		})
		t.Run("expired", func(t *testing.T) {
			_, tk := newUser(t)
			known(t, tk.AccessToken)
			clock.Add(int64(o.AccessTTL))
			refused(t, tk.AccessToken)
		})
	})
}

// TestLogoutBeatsConcurrentReads: however the token checks of other
// requests interleave with a logout, no check that starts after the
// logout has returned accepts the token.
func TestLogoutBeatsConcurrentReads(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		seedAdmin(t, db)
		ctx := t.Context()
		for round := range 20 {
			token := adminToken(t, db)
			a := remembered(t, db, token)
			var (
				stop atomic.Bool
				wg   sync.WaitGroup
			)
			for range 4 {
				wg.Go(func() {
					for !stop.Load() {
						db.Authenticate(ctx, token)
					}
				})
			}
			time.Sleep(time.Millisecond)
			if err := db.Logout(ctx, a); err != nil {
				t.Fatal(err)
			}
			for i := range 50 {
				if _, err := db.Authenticate(ctx, token); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
					t.Fatalf("round %d, check %d after the logout: %v, want EUNAUTHORIZED", round, i, err)
				}
			}
			stop.Store(true)
			wg.Wait()
		}
	})
}

// TestTokenMemoryOutlivesOthersWrites: on SQLite a remembered caller stays
// remembered (no database call) when other users log in, are renamed or
// use their sessions; PostgreSQL checks every time.
func TestTokenMemoryOutlivesOthersWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		counter := &dbtest.Counter{KeyOf: func(ctx context.Context) string { return ajudae.RequestIDFrom(ctx) }}
		o := e.Options(t)
		o.WrapConnector = counter.Wrap
		db := dbtest.OpenWith(t, o)
		admin, _ := seedAdmin(t, db)
		ctx := t.Context()
		token := adminToken(t, db)
		remembered(t, db, token)
		other, err := db.CreateUser(ctx, ajudae.NewUser{Name: "Outra", Email: "outra@example.com", Password: "user-password", Role: ajudae.RoleUser})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Login(ctx, ajudae.Credentials{Email: "outra@example.com", Password: "user-password"}, ajudae.Client{}, false); err != nil {
			t.Fatal(err)
		}
		name := "Outra Pessoa"
		if _, err := db.UpdateUser(ctx, admin, other.ID, ajudae.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		probe := ajudae.WithRequestID(ctx, "probe")
		if _, err := db.Authenticate(probe, token); err != nil {
			t.Fatal(err)
		}
		calls := counter.Calls("probe")
		if want := map[string]int{"sqlite": 0, "postgres": 1}[e.Name]; len(calls) != want {
			t.Fatalf("token check after others' writes: database calls %v, want %d", calls, want)
		}
	})
}

// TestWriteOutsideWriterTurnsMemoryOff: a write to the sessions table that
// does not go through the writer (which the hook cannot follow to its
// commit) is seen, and stops the answers from memory for good: every later
// check reads the database.
func TestWriteOutsideWriterTurnsMemoryOff(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		counter := &dbtest.Counter{KeyOf: func(ctx context.Context) string { return ajudae.RequestIDFrom(ctx) }}
		o := e.Options(t)
		o.WrapConnector = counter.Wrap
		db := dbtest.OpenWith(t, o)
		seedAdmin(t, db)
		ctx := t.Context()
		token := adminToken(t, db)
		a := remembered(t, db, token)
		if err := db.ExecOutsideWriter(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ?`, time.Now().UTC(), a.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, token); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
			t.Fatalf("after a revocation outside the writer: %v, want EUNAUTHORIZED", err)
		}
		// The writer commits something else; a new token is checked twice.
		if _, err := db.CreateUser(ctx, ajudae.NewUser{Name: "Outra", Email: "outra@example.com", Password: "user-password", Role: ajudae.RoleUser}); err != nil {
			t.Fatal(err)
		}
		token = adminToken(t, db)
		for _, id := range []string{"first", "second"} {
			if _, err := db.Authenticate(ajudae.WithRequestID(ctx, id), token); err != nil {
				t.Fatal(err)
			}
		}
		if calls := counter.Calls("second"); len(calls) != 1 {
			t.Fatalf("second check of a token after a write outside the writer: database calls %v, want 1", calls)
		}
	})
}

// TestAnotherProgramsRevocationIsSeen: a session revoked in the database
// file by another program (here a connection of the test's own, as the
// sqlite3 shell would) is refused within a few seconds on SQLite, at once
// on PostgreSQL, though the token was remembered.
func TestAnotherProgramsRevocationIsSeen(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		o := e.Options(t)
		db := dbtest.OpenWith(t, o)
		seedAdmin(t, db)
		ctx := t.Context()
		token := adminToken(t, db)
		a := remembered(t, db, token)
		if e.Name == "sqlite" {
			other, err := sql.Open("sqlite", "file:"+filepath.Join(o.DataDir, "ajudae.db")+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := other.ExecContext(ctx, `UPDATE sessions SET revoked_at = last_used_at WHERE id = ?`, a.SessionID); err != nil {
				t.Fatal(err)
			}
		} else if err := db.ExecOutsideWriter(ctx, `UPDATE sessions SET revoked_at = last_used_at WHERE id = ?`, a.SessionID); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err := db.Authenticate(ctx, token)
			if ajudae.ErrorCode(err) == ajudae.EUNAUTHORIZED {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatal("a session revoked by another program is still accepted after 5 s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestSessionTouchedOnceAMinute: a session in use records when it was last
// used, at most once a minute (the touch goes through the writer on
// SQLite), and a remembered token is read again once its minute is up.
func TestSessionTouchedOnceAMinute(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		var clock atomic.Int64
		start := time.Now().UTC().Truncate(time.Microsecond)
		clock.Store(start.UnixNano())
		o := e.Options(t)
		o.Now = func() time.Time { return time.Unix(0, clock.Load()) }
		db := dbtest.OpenWith(t, o)
		seedAdmin(t, db)
		token := adminToken(t, db)
		lastUsed := func() time.Time {
			t.Helper()
			a := remembered(t, db, token)
			l, err := db.FindSessions(t.Context(), a, ajudae.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range l.Items {
				if s.Current {
					return s.LastUsedAt.UTC()
				}
			}
			t.Fatal("the current session is not listed")
			return time.Time{}
		}
		if got := lastUsed(); !got.Equal(start) {
			t.Fatalf("last used %v, want the login's %v", got, start)
		}
		clock.Add(int64(30 * time.Second))
		if got := lastUsed(); !got.Equal(start) {
			t.Fatalf("30 s later: last used %v, want still %v (at most one touch a minute)", got, start)
		}
		clock.Add(int64(time.Minute))
		if got, want := lastUsed(), start.Add(90*time.Second); !got.Equal(want) {
			t.Fatalf("90 s later: last used %v, want %v", got, want)
		}
	})
}
