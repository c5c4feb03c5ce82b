package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// Dataset sizes of the issue: 3 teams (the seeded ones), 200 requesters,
// 6 attendants (2 per team, the first its administrator).
const (
	numRequesters        = 200
	attendantsPerTeam    = 2
	ticketsPerSearchWord = 10 // each rare search word appears in about this many tickets
)

// Account is a user the load generator logs in as.
type Account struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Password string `json:"password"`
	TeamID   int64  `json:"teamId,omitempty"`
}

// Manifest describes a built dataset, so that a later run can reuse it
// (-reuse) and the load generator knows whom to log in as and what to ask.
type Manifest struct {
	Engine      string            `json:"engine"`
	Tickets     int               `json:"tickets"`
	Admin       Account           `json:"admin"`
	Requesters  []Account         `json:"requesters"`
	Attendants  []Account         `json:"attendants"`
	TeamIDs     []int64           `json:"teamIds"`
	TeamTickets map[int64][]int64 `json:"teamTickets"`
	BuildTime   string            `json:"buildTime"`
}

func readManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return &m, nil
}

func (m *Manifest) write(path string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// builder creates the dataset through the store, as the server would.
type builder struct {
	db       *sqlstore.DB
	n        int
	batch    int
	workers  int
	progress io.Writer
}

// build seeds the database and creates the users, memberships, tickets,
// replies and status changes of the standard dataset.
func (b *builder) build(ctx context.Context, engine string, admin Account) (*Manifest, error) {
	start := time.Now()
	if _, err := b.db.Seed(ctx, ajudae.NewUser{Name: "Administrador", Email: admin.Email, Password: admin.Password}); err != nil {
		return nil, err
	}
	tokens, err := b.db.Login(ctx, ajudae.Credentials{Email: admin.Email, Password: admin.Password}, ajudae.Client{IPAddress: "127.0.0.1", UserAgent: "ajudae-bench"}, false)
	if err != nil {
		return nil, fmt.Errorf("log in as the administrator: %w", err)
	}
	root, err := b.db.Authenticate(ctx, tokens.AccessToken)
	if err != nil {
		return nil, err
	}
	admin.ID = root.UserID
	teams, err := b.db.FindTeams(ctx, ajudae.Page{Limit: 10})
	if err != nil {
		return nil, err
	}
	if len(teams.Items) < 3 {
		return nil, fmt.Errorf("want the 3 seeded teams, found %d", len(teams.Items))
	}
	m := &Manifest{Engine: engine, Tickets: b.n, Admin: admin, TeamTickets: map[int64][]int64{}}
	for _, t := range teams.Items[:3] {
		m.TeamIDs = append(m.TeamIDs, t.ID)
	}

	fmt.Fprintf(b.progress, "creating %d requesters and %d attendants (argon2id hashes)…\n", numRequesters, attendantsPerTeam*3)
	var accounts []ajudae.NewUser
	for i := range numRequesters {
		accounts = append(accounts, ajudae.NewUser{Name: fmt.Sprintf("%s %s", firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]),
			Email: fmt.Sprintf("requerente%03d@bench.ajudae", i), Password: fmt.Sprintf("senha-do-requerente-%03d", i)})
	}
	for i := range 3 * attendantsPerTeam {
		accounts = append(accounts, ajudae.NewUser{Name: fmt.Sprintf("Atendente %d", i+1),
			Email: fmt.Sprintf("atendente%d@bench.ajudae", i), Password: fmt.Sprintf("senha-do-atendente-%d", i)})
	}
	users := make([]*ajudae.User, len(accounts))
	if err := parallel(ctx, 2, len(accounts), func(i int) error {
		u, err := b.db.CreateUser(ctx, accounts[i])
		users[i] = u
		return err
	}); err != nil {
		return nil, fmt.Errorf("create users: %w", err)
	}
	requesters := make([]*ajudae.Actor, numRequesters)
	for i := range numRequesters {
		u := users[i]
		requesters[i] = &ajudae.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Teams: map[int64]bool{}}
		m.Requesters = append(m.Requesters, Account{ID: u.ID, Email: accounts[i].Email, Password: accounts[i].Password})
	}
	staff := map[int64][]*ajudae.Actor{} // team → its attendants
	for i := range 3 * attendantsPerTeam {
		u, team := users[numRequesters+i], m.TeamIDs[i/attendantsPerTeam]
		isAdmin := i%attendantsPerTeam == 0
		if _, _, err := b.db.SetMember(ctx, root, team, u.ID, &isAdmin); err != nil {
			return nil, fmt.Errorf("add attendant: %w", err)
		}
		act := &ajudae.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: ajudae.RoleAttendant, Teams: map[int64]bool{team: isAdmin}}
		staff[team] = append(staff[team], act)
		m.Attendants = append(m.Attendants, Account{ID: u.ID, Email: accounts[numRequesters+i].Email,
			Password: accounts[numRequesters+i].Password, TeamID: team})
	}

	fmt.Fprintf(b.progress, "creating %d tickets, each with 2 replies, in batches of %d on %d connection(s)…\n", b.n, b.batch, b.workers)
	var (
		mu   sync.Mutex
		done atomic.Int64
		next atomic.Int64
	)
	stop := b.showProgress(&done)
	defer stop()
	err = parallel(ctx, b.workers, b.workers, func(int) error {
		for {
			from := int(next.Add(int64(b.batch))) - b.batch
			if from >= b.n {
				return nil
			}
			to := min(from+b.batch, b.n)
			created := map[int64][]int64{}
			err := b.db.InBatch(ctx, func(bt *sqlstore.Batch) error {
				clear(created)
				for i := from; i < to; i++ {
					team := m.TeamIDs[i%3]
					att := staff[team][(i/3)%attendantsPerTeam]
					t, err := createTicket(ctx, bt, i, requesters[i%numRequesters], att, team)
					if err != nil {
						return err
					}
					created[team] = append(created[team], t)
				}
				return nil
			})
			if err != nil {
				return err
			}
			mu.Lock()
			for team, ids := range created {
				m.TeamTickets[team] = append(m.TeamTickets[team], ids...)
			}
			mu.Unlock()
			done.Add(int64(to - from))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("create tickets: %w", err)
	}
	stop()
	// The server would otherwise start by queueing an e-mail for every
	// event of the dataset (3.6 million jobs at 1M tickets), and work them
	// off while it is measured.
	if _, err := b.db.DiscardOutbox(ctx); err != nil {
		return nil, err
	}
	m.BuildTime = time.Since(start).Round(time.Second).String()
	return m, nil
}

// createTicket opens ticket number i for requester in team, with a reply
// from the attendant and one from the requester; 2 tickets in 10 then go
// Em_andamento and 4 in 10 Fechado, so a team's open list is a subset.
func createTicket(ctx context.Context, bt *sqlstore.Batch, i int, requester, att *ajudae.Actor, team int64) (int64, error) {
	t, err := bt.CreateTicket(ctx, requester, ajudae.NewTicket{Title: ticketTitle(i), Description: ticketBody(i), TeamID: team,
		Priority: ajudae.Priorities()[i%3]})
	if err != nil {
		return 0, err
	}
	if _, err := bt.CreateMessage(ctx, att, t.ID, ajudae.NewMessage{Message: replyText(i, false)}); err != nil {
		return 0, err
	}
	if _, err := bt.CreateMessage(ctx, requester, t.ID, ajudae.NewMessage{Message: replyText(i, true)}); err != nil {
		return 0, err
	}
	var s ajudae.Status
	switch i % 10 {
	case 4, 5:
		s = ajudae.StatusInProgress
	case 6, 7, 8, 9:
		s = ajudae.StatusClosed
	default:
		return t.ID, nil
	}
	if _, err := bt.UpdateTicket(ctx, att, t.ID, ajudae.TicketUpdate{Status: &s}); err != nil {
		return 0, err
	}
	return t.ID, nil
}

// showProgress draws a progress bar with the rate and an ETA on the
// progress writer until the returned function is called.
func (b *builder) showProgress(done *atomic.Int64) (stop func()) {
	start := time.Now()
	quit := make(chan struct{})
	finished := make(chan struct{})
	draw := func() {
		n := done.Load()
		frac := float64(n) / float64(b.n)
		el := time.Since(start)
		rate := float64(n) / el.Seconds()
		eta := "?"
		if rate > 0 {
			eta = (time.Duration(float64(int64(b.n)-n)/rate) * time.Second).Round(time.Second).String()
		}
		const width = 30
		bar := strings.Repeat("=", int(frac*width)) + strings.Repeat(" ", width-int(frac*width))
		fmt.Fprintf(b.progress, "\r[%s] %5.1f%% %d/%d tickets  %.0f/s  elapsed %s  ETA %s   ", bar, 100*frac, n, b.n, rate,
			el.Round(time.Second), eta)
	}
	go func() {
		defer close(finished)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				draw()
				fmt.Fprintln(b.progress)
				return
			case <-tick.C:
				draw()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit); <-finished })
	}
}

// parallel runs fn(0…n-1) on at most workers goroutines and returns the
// first error.
func parallel(ctx context.Context, workers, n int, fn func(int) error) error {
	var (
		next  int64 = -1
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
