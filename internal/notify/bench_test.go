package notify

import (
	"fmt"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// BenchmarkDrainOutbox is the mail side of creating tickets (W1): an
// operation drains the outbox of 100 new tickets of a team with two
// members, turning them into 200 mail jobs in one transaction.
func BenchmarkDrainOutbox(b *testing.B) {
	const tickets = 100
	for _, e := range dbtest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := b.Context()
			db := dbtest.Open(b, e)
			if _, err := db.Seed(ctx, ajudae.NewUser{Name: "Admin", Email: "admin@bench.test", Password: "admin-password"}); err != nil {
				b.Fatal(err)
			}
			tk, err := db.Login(ctx, ajudae.Credentials{Email: "admin@bench.test", Password: "admin-password"},
				ajudae.Client{IPAddress: "127.0.0.1", UserAgent: "bench"}, false)
			if err != nil {
				b.Fatal(err)
			}
			admin, err := db.Authenticate(ctx, tk.AccessToken)
			if err != nil {
				b.Fatal(err)
			}
			teams, err := db.FindTeams(ctx, ajudae.Page{})
			if err != nil {
				b.Fatal(err)
			}
			team := teams.Items[0].ID
			for i := range 2 {
				u, err := db.CreateUser(ctx, ajudae.NewUser{Name: fmt.Sprintf("Atendente %d", i),
					Email: fmt.Sprintf("att%d@bench.test", i), Password: "att-password"})
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := db.SetMember(ctx, admin, team, u.ID, nil); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := db.DiscardOutbox(ctx); err != nil {
				b.Fatal(err)
			}
			n, err := New(db, Options{})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				b.StopTimer()
				err := db.InBatch(ctx, func(bt *sqlstore.Batch) error {
					for i := range tickets {
						if _, err := bt.CreateTicket(ctx, admin, ajudae.NewTicket{Title: fmt.Sprintf("Chamado %d", i),
							Description: "Não consigo acessar a aplicação desde ontem.", TeamID: team}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				took, err := db.DrainOutbox(ctx, tickets, n.enqueue)
				if err != nil || took != tickets {
					b.Fatalf("drained %d events, %v; want %d", took, err, tickets)
				}
			}
		})
	}
}
