package sqlstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// namesWorld is a ticket of a requester, assigned to an attendant of the
// first team, and a second team.
type namesWorld struct {
	db                   *sqlstore.DB
	admin                *ajudae.Actor
	requester, attendant *ajudae.User
	team, other          int64
	ticket               int64
}

func newNamesWorld(t *testing.T, db *sqlstore.DB) *namesWorld {
	t.Helper()
	ctx := t.Context()
	w := &namesWorld{db: db}
	w.admin, w.team = seedAdmin(t, db)
	user := func(name, email string, role ajudae.Role) *ajudae.User {
		u, err := db.CreateUser(ctx, ajudae.NewUser{Name: name, Email: email, Password: "user-password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.requester = user("Rita Requerente", "rita@example.com", ajudae.RoleUser)
	w.attendant = user("Artur Atendente", "artur@example.com", ajudae.RoleAttendant)
	if _, _, err := db.SetMember(ctx, w.admin, w.team, w.attendant.ID, nil); err != nil {
		t.Fatal(err)
	}
	tokens, err := db.Login(ctx, ajudae.Credentials{Email: "rita@example.com", Password: "user-password"}, ajudae.Client{}, false)
	if err != nil {
		t.Fatal(err)
	}
	requester := remembered(t, db, tokens.AccessToken)
	tk, _, err := db.CreateTicket(ctx, requester, ajudae.NewTicket{Title: "Impressora parada",
		Description: "A impressora do segundo andar não imprime.", TeamID: w.team})
	if err != nil {
		t.Fatal(err)
	}
	w.ticket = tk.ID
	if _, err := db.UpdateTicket(ctx, w.admin, tk.ID, ajudae.TicketUpdate{AssignedTo: true, AssignedToID: &w.attendant.ID}); err != nil {
		t.Fatal(err)
	}
	name := "Jurídico"
	other, err := db.CreateTeam(ctx, w.admin, ajudae.TeamInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	w.other = other.ID
	return w
}

// names reads the ticket by id, in a list and in a search, twice each (the
// second read takes the names from memory), and returns the team, creator
// and assignee names each read showed.
func (w *namesWorld) names(t *testing.T) []string {
	t.Helper()
	ctx := t.Context()
	var got []string
	show := func(how string, tk *ajudae.Ticket) {
		assignee := "-"
		if tk.AssignedTo != nil {
			assignee = tk.AssignedTo.Name
		}
		got = append(got, fmt.Sprintf("%s: %s / %s / %s", how, tk.Team.Name, tk.CreatedBy.Name, assignee))
	}
	for range 2 {
		tk, err := w.db.FindTicket(ctx, w.admin, w.ticket)
		if err != nil {
			t.Fatal(err)
		}
		show("read", tk)
		for _, f := range []ajudae.TicketFilter{{}, {Q: "impressora"}} {
			l, err := w.db.FindTickets(ctx, w.admin, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Items) != 1 {
				t.Fatalf("find tickets %+v: %d tickets, want 1", f, len(l.Items))
			}
			show("list q="+f.Q, &l.Items[0])
		}
	}
	return got
}

// TestTicketNamesFollowWrites: the team, creator and assignee names a
// ticket shows (from memory, names.go) are the new ones as soon
// as a rename, a redirect or a deletion has returned.
func TestTicketNamesFollowWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		w := newNamesWorld(t, db)
		ctx := t.Context()
		team, err := db.FindTeam(ctx, w.team)
		if err != nil {
			t.Fatal(err)
		}
		teamName := team.Name
		expect := func(t *testing.T, team, creator, assignee string) {
			t.Helper()
			for _, got := range w.names(t) {
				how, _, _ := strings.Cut(got, ": ")
				if want := fmt.Sprintf("%s: %s / %s / %s", how, team, creator, assignee); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			}
		}
		expect(t, teamName, "Rita Requerente", "Artur Atendente")

		rename := func(t *testing.T, id int64, name string) {
			t.Helper()
			if _, err := db.UpdateUser(ctx, w.admin, id, ajudae.UserUpdate{Name: &name}); err != nil {
				t.Fatal(err)
			}
		}
		rename(t, w.requester.ID, "Rita Souza")
		expect(t, teamName, "Rita Souza", "Artur Atendente")
		rename(t, w.attendant.ID, "Artur Lima")
		expect(t, teamName, "Rita Souza", "Artur Lima")

		teamName = "Marketing e Vendas"
		if _, err := db.UpdateTeam(ctx, w.admin, w.team, ajudae.TeamInput{Name: &teamName}); err != nil {
			t.Fatal(err)
		}
		expect(t, teamName, "Rita Souza", "Artur Lima")

		if _, err := db.RedirectTicket(ctx, w.admin, w.ticket, ajudae.Redirect{TeamID: w.other, Reason: "É do jurídico"}); err != nil {
			t.Fatal(err)
		}
		expect(t, "Jurídico", "Rita Souza", "-") // a redirect unassigns
		if _, _, err := db.SetMember(ctx, w.admin, w.other, w.attendant.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateTicket(ctx, w.admin, w.ticket, ajudae.TicketUpdate{AssignedTo: true, AssignedToID: &w.attendant.ID}); err != nil {
			t.Fatal(err)
		}
		expect(t, "Jurídico", "Rita Souza", "Artur Lima")

		if err := db.DeleteUser(ctx, w.admin, w.requester.ID); err != nil {
			t.Fatal(err)
		}
		expect(t, "Jurídico", ajudae.RemovedUserName, "Artur Lima")

		// A write the writer does not make (the hook cannot follow it to
		// its commit) turns the memory off: the next read shows it.
		if err := db.ExecOutsideWriter(ctx, `UPDATE teams SET name = 'Contratos' WHERE id = ?`, w.other); err != nil {
			t.Fatal(err)
		}
		expect(t, "Contratos", ajudae.RemovedUserName, "Artur Lima")
	})
}

// TestTicketNamesRemembered: a ticket's names come from memory once read
// (one database call for a ticket or a page), a rename makes the next
// read fetch names again (two calls), and the one after is back to one;
// writes that change no name forget none.
func TestTicketNamesRemembered(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		counter := &dbtest.Counter{KeyOf: func(ctx context.Context) string { return ajudae.RequestIDFrom(ctx) }}
		o := e.Options(t)
		o.WrapConnector = counter.Wrap
		w := newNamesWorld(t, dbtest.OpenWith(t, o))
		ctx := t.Context()
		n := 0
		calls := func(t *testing.T, read func(ctx context.Context) error) int {
			t.Helper()
			n++
			id := fmt.Sprintf("read-%d", n)
			if err := read(ajudae.WithRequestID(ctx, id)); err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, c := range counter.Calls(id) {
				if c != "prepare" { // once per statement and pooled connection
					got++
				}
			}
			return got
		}
		byID := func(ctx context.Context) error { _, err := w.db.FindTicket(ctx, w.admin, w.ticket); return err }
		page := func(ctx context.Context) error {
			_, err := w.db.FindTickets(ctx, w.admin, ajudae.TicketFilter{})
			return err
		}
		calls(t, byID) // the first read after the set-up may fetch names
		for _, read := range []func(context.Context) error{byID, page} {
			if got := calls(t, read); got != 1 {
				t.Errorf("a read whose names were read before: %d database calls, want 1", got)
			}
		}
		name := "Rita Souza"
		if _, err := w.db.UpdateUser(ctx, w.admin, w.requester.ID, ajudae.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if got := calls(t, page); got != 2 {
			t.Errorf("the first read after a rename: %d database calls, want 2", got)
		}
		if got := calls(t, byID); got != 1 {
			t.Errorf("the second read after a rename: %d database calls, want 1", got)
		}

		// Writes that leave the names alone keep them: the requester's login
		// (its last_login), a new e-mail (its update sets the name to
		// itself), a new description of the team.
		if _, err := w.db.Login(ctx, ajudae.Credentials{Email: "rita@example.com", Password: "user-password"}, ajudae.Client{}, false); err != nil {
			t.Fatal(err)
		}
		email := "rita.souza@example.com"
		if _, err := w.db.UpdateUser(ctx, w.admin, w.requester.ID, ajudae.UserUpdate{Email: &email}); err != nil {
			t.Fatal(err)
		}
		description := "Campanhas e comunicação"
		if _, err := w.db.UpdateTeam(ctx, w.admin, w.team, ajudae.TeamInput{Description: &description}); err != nil {
			t.Fatal(err)
		}
		if got := calls(t, page); got != 1 {
			t.Errorf("a read after a login, a new e-mail and a team's new description: %d database calls, want 1", got)
		}
	})
}

// TestRenameBeatsConcurrentReads: while other goroutines read the ticket
// and its list without pause, each rename of its creator or its team is
// shown by the very next read, by id and in a list.
func TestRenameBeatsConcurrentReads(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		w := newNamesWorld(t, db)
		ctx := t.Context()
		var (
			stop   atomic.Bool
			wg     sync.WaitGroup
			failed atomic.Value
		)
		for range 4 {
			wg.Go(func() {
				for !stop.Load() {
					if _, err := db.FindTicket(ctx, w.admin, w.ticket); err != nil {
						failed.Store(err)
					}
					if _, err := db.FindTickets(ctx, w.admin, ajudae.TicketFilter{}); err != nil {
						failed.Store(err)
					}
				}
			})
		}
		defer func() {
			stop.Store(true)
			wg.Wait()
			if err := failed.Load(); err != nil {
				t.Errorf("a concurrent read failed: %v", err)
			}
		}()
		for round := range 30 {
			name := fmt.Sprintf("Nome %d", round)
			var err error
			if round%2 == 0 {
				_, err = db.UpdateUser(ctx, w.admin, w.requester.ID, ajudae.UserUpdate{Name: &name})
			} else {
				_, err = db.UpdateTeam(ctx, w.admin, w.team, ajudae.TeamInput{Name: &name})
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				tk, err := db.FindTicket(ctx, w.admin, w.ticket)
				if err != nil {
					t.Fatal(err)
				}
				l, err := db.FindTickets(ctx, w.admin, ajudae.TicketFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, got := range []*ajudae.Ticket{tk, &l.Items[0]} {
					shown := got.CreatedBy.Name
					if round%2 == 1 {
						shown = got.Team.Name
					}
					if shown != name {
						t.Fatalf("round %d, read %d after the rename: %q shown, want %q", round, i, shown, name)
					}
				}
			}
		}
	})
}

// TestRenameByAnotherClient: a rename written by another client of the
// database — another replica on PostgreSQL, a program such as the
// sqlite3 shell on SQLite — replaces the name the store remembers: on
// PostgreSQL at the next read (the names' generation is read with the
// tickets), on SQLite within a second (PRAGMA data_version, actors.go).
func TestRenameByAnotherClient(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		o := e.Options(t)
		w := newNamesWorld(t, dbtest.OpenWith(t, o))
		other := dbtest.OpenRaw(t, o)
		ctx := t.Context()
		shown := func(t *testing.T) (creator, team string) {
			t.Helper()
			tk, err := w.db.FindTicket(ctx, w.admin, w.ticket)
			if err != nil {
				t.Fatal(err)
			}
			l, err := w.db.FindTickets(ctx, w.admin, ajudae.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if tk.CreatedBy.Name != l.Items[0].CreatedBy.Name || tk.Team.Name != l.Items[0].Team.Name {
				t.Fatalf("the read by id shows %s / %s, the list %s / %s",
					tk.CreatedBy.Name, tk.Team.Name, l.Items[0].CreatedBy.Name, l.Items[0].Team.Name)
			}
			return tk.CreatedBy.Name, tk.Team.Name
		}
		rebind := strings.NewReplacer("?", "$1")
		for round, stmt := range []string{
			`UPDATE users SET name = 'Rita Souza' WHERE id = ?`,
			`UPDATE teams SET name = 'Comunicação' WHERE id = ?`,
		} {
			shown(t) // remembered
			shown(t)
			id := w.requester.ID
			if round == 1 {
				id = w.team
			}
			if e.Name == "postgres" {
				stmt = rebind.Replace(stmt)
			}
			if _, err := other.ExecContext(ctx, stmt, id); err != nil {
				t.Fatal(err)
			}
			want := [2]string{"Rita Souza", "Comunicação"}[round]
			seenByStore(t, e, func() error {
				creator, team := shown(t)
				if got := [2]string{creator, team}[round]; got != want {
					return fmt.Errorf("the rename to %q is not shown: %q", want, got)
				}
				return nil
			})
		}
	})
}

// TestRenameOfSomeoneNotOnThePage: a rename between two reads that do not
// show the renamed user still reaches the read that shows them (the
// memory of names is not carried over a rename by a read that needed
// none of them).
func TestRenameOfSomeoneNotOnThePage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		w := newNamesWorld(t, db)
		ctx := t.Context()
		if _, err := db.CreateUser(ctx, ajudae.NewUser{Name: "Xavier", Email: "xavier@example.com", Password: "user-password", Role: ajudae.RoleUser}); err != nil {
			t.Fatal(err)
		}
		tokens, err := db.Login(ctx, ajudae.Credentials{Email: "xavier@example.com", Password: "user-password"}, ajudae.Client{}, false)
		if err != nil {
			t.Fatal(err)
		}
		xavier := remembered(t, db, tokens.AccessToken)
		his, _, err := db.CreateTicket(ctx, xavier, ajudae.NewTicket{Title: "Fatura", Description: "Fatura duplicada.", TeamID: w.other})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // both tickets' names remembered
			if _, err := db.FindTickets(ctx, w.admin, ajudae.TicketFilter{}); err != nil {
				t.Fatal(err)
			}
		}
		name := "Xavier Lima"
		if _, err := db.UpdateUser(ctx, w.admin, xavier.UserID, ajudae.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindTicket(ctx, w.admin, w.ticket); err != nil { // Rita's: needs no new name
			t.Fatal(err)
		}
		tk, err := db.FindTicket(ctx, w.admin, his.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.CreatedBy.Name != name {
			t.Errorf("his ticket shows %q, want %q", tk.CreatedBy.Name, name)
		}
	})
}

// TestNamesAfterTheDatabaseWentBack: the database goes back to a state
// before a rename the store has shown (a failover that lost the last
// commits, a restore): reads show the names of the database, also after
// a later rename.
func TestNamesAfterTheDatabaseWentBack(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		o := e.Options(t)
		w := newNamesWorld(t, dbtest.OpenWith(t, o))
		other := dbtest.OpenRaw(t, o)
		ctx := t.Context()
		var before int64
		if e.Name == "postgres" {
			if err := other.QueryRowContext(ctx, `SELECT n FROM name_generation`).Scan(&before); err != nil {
				t.Fatal(err)
			}
		}
		name := "Rita Souza"
		if _, err := w.db.UpdateUser(ctx, w.admin, w.requester.ID, ajudae.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		expect := func(t *testing.T, creator, assignee string) {
			t.Helper()
			seenByStore(t, e, func() error {
				tk, err := w.db.FindTicket(ctx, w.admin, w.ticket)
				if err != nil {
					t.Fatal(err)
				}
				if tk.CreatedBy.Name != creator || tk.AssignedTo.Name != assignee {
					return fmt.Errorf("shown %q / %q, want %q / %q", tk.CreatedBy.Name, tk.AssignedTo.Name, creator, assignee)
				}
				return nil
			})
		}
		expect(t, "Rita Souza", "Artur Atendente")
		expect(t, "Rita Souza", "Artur Atendente") // from memory

		// The database as it was before the rename, written as a restore
		// writes it: without triggers on PostgreSQL.
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		back := []string{`UPDATE users SET name = 'Rita Requerente' WHERE id = ` + strconv.FormatInt(w.requester.ID, 10)}
		if e.Name == "postgres" {
			back = []string{`SET session_replication_role = replica`, back[0],
				`UPDATE name_generation SET n = ` + strconv.FormatInt(before, 10), `SET session_replication_role = origin`}
		}
		for _, q := range back {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// A rename right after, before any read (a counter there would
		// reach the generation the memory holds, with other names).
		name = "Artur Lima"
		if _, err := w.db.UpdateUser(ctx, w.admin, w.attendant.ID, ajudae.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		expect(t, "Rita Requerente", "Artur Lima")
	})
}

// seenByStore calls check until it returns nil, after another client of
// the database wrote what check reads through the store: once on
// PostgreSQL, where the next read must show it, and for up to three
// seconds on SQLite, where the store notices another program's commit
// within a second (PRAGMA data_version, actors.go).
func seenByStore(t *testing.T, e dbtest.Engine, check func() error) {
	t.Helper()
	tries := 1
	if e.Name == "sqlite" {
		tries = 60
	}
	for try := 1; ; try++ {
		err := check()
		if err == nil {
			return
		}
		if try == tries {
			t.Fatalf("after %d reads: %v", try, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
