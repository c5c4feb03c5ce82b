package sqlstore_test

import (
	"fmt"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// benchStore is a store with an attendant of a team holding 300 tickets,
// and its access token.
type benchStore struct {
	db    *sqlstore.DB
	token string
	actor *ajudae.Actor
	team  int64
	ids   []int64
}

func newBenchStore(b *testing.B, e dbtest.Engine) *benchStore {
	b.Helper()
	ctx := b.Context()
	db := dbtest.Open(b, e)
	if _, err := db.Seed(ctx, ajudae.NewUser{Name: "Admin", Email: "admin@bench.test", Password: "admin-password"}); err != nil {
		b.Fatal(err)
	}
	cl := ajudae.Client{IPAddress: "127.0.0.1", UserAgent: "bench"}
	login := func(email, pw string) (string, *ajudae.Actor) {
		tk, err := db.Login(ctx, ajudae.Credentials{Email: email, Password: pw}, cl, false)
		if err != nil {
			b.Fatal(err)
		}
		a, err := db.Authenticate(ctx, tk.AccessToken)
		if err != nil {
			b.Fatal(err)
		}
		return tk.AccessToken, a
	}
	_, admin := login("admin@bench.test", "admin-password")
	teams, err := db.FindTeams(ctx, ajudae.Page{})
	if err != nil {
		b.Fatal(err)
	}
	s := &benchStore{db: db, team: teams.Items[0].ID}
	u, err := db.CreateUser(ctx, ajudae.NewUser{Name: "Atendente", Email: "att@bench.test", Password: "att-password"})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := db.SetMember(ctx, admin, s.team, u.ID, nil); err != nil {
		b.Fatal(err)
	}
	s.token, s.actor = login("att@bench.test", "att-password")
	err = db.InBatch(ctx, func(bt *sqlstore.Batch) error {
		for i := range 300 {
			t, err := bt.CreateTicket(ctx, admin, ajudae.NewTicket{Title: fmt.Sprintf("Chamado %d", i),
				Description: "Não consigo acessar a aplicação desde ontem.", TeamID: s.team})
			if err != nil {
				return err
			}
			s.ids = append(s.ids, t.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkAuthenticate is the token check of every request.
func BenchmarkAuthenticate(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			s := newBenchStore(b, e)
			for b.Loop() {
				if _, err := s.db.Authenticate(b.Context(), s.token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFindTickets is W2's query: a team's open tickets, newest first,
// a page of 50.
func BenchmarkFindTickets(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			s := newBenchStore(b, e)
			f := ajudae.TicketFilter{TeamID: &s.team, Status: []ajudae.Status{ajudae.StatusOpen}, Page: ajudae.Page{Limit: 50}}
			for b.Loop() {
				l, err := s.db.FindTickets(b.Context(), s.actor, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(l.Items) != 50 {
					b.Fatalf("got %d tickets, want 50", len(l.Items))
				}
			}
		})
	}
}

// BenchmarkFindTicket is W3's query: one ticket by id.
func BenchmarkFindTicket(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			s := newBenchStore(b, e)
			i := 0
			for b.Loop() {
				if _, err := s.db.FindTicket(b.Context(), s.actor, s.ids[i%len(s.ids)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
