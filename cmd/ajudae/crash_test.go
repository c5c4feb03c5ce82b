package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// ackedTicket and ackedMessage are writes the server answered 201 to.
type ackedTicket struct {
	id    int64
	title string
}

type ackedMessage struct {
	ticket, id int64
	text       string
}

// writeLoad opens tickets and replies from several clients at once and
// keeps what the server acknowledged, until the server is gone.
type writeLoad struct {
	mu       sync.Mutex
	tickets  []ackedTicket
	messages []ackedMessage
	writes   tally
	enough   chan struct{} // closed after the first `threshold` acknowledged writes
	once     sync.Once
	failures []string // answers that were neither 201 nor a dropped connection
}

// run is one client: it stops at the first transport error (the server
// was killed) or after a bounded number of rounds.
func (l *writeLoad) run(worker int, requester, attendant *client, team int64, threshold int) {
	for i := range 2000 {
		if !l.round(fmt.Sprintf("%d.%d", worker, i), requester, attendant, team, threshold) {
			return
		}
	}
}

// round opens a ticket, replies to it and adds an internal note, keeping
// what was acknowledged; it reports whether every write was.
func (l *writeLoad) round(name string, requester, attendant *client, team int64, threshold int) bool {
	title := "Carga " + name
	var tk struct{ ID int64 }
	status, err := requester.do("POST", "/ticket", map[string]any{"title": title, "description": "Descrição " + title, "teamId": team}, &tk)
	if !l.record(status, err) {
		return false
	}
	l.mu.Lock()
	l.tickets = append(l.tickets, ackedTicket{tk.ID, title})
	l.mu.Unlock()
	l.count(threshold)
	for j, c := range []*client{requester, attendant} {
		text := fmt.Sprintf("Resposta %d de %s", j, title)
		var m struct{ ID int64 }
		status, err := c.do("POST", fmt.Sprintf("/ticket/%d/messages", tk.ID), map[string]any{"message": text, "isInternal": j == 1}, &m)
		if !l.record(status, err) {
			return false
		}
		l.mu.Lock()
		l.messages = append(l.messages, ackedMessage{tk.ID, m.ID, text})
		l.mu.Unlock()
		l.count(threshold)
	}
	return true
}

// record reports whether the write was acknowledged; a transport error
// ends the client, any other answer is a failure.
func (l *writeLoad) record(status int, err error) bool {
	if err != nil {
		if _, ok := errors.AsType[*statusError](err); !ok {
			return false // the connection died with the server
		}
	}
	if status == 201 {
		return true
	}
	l.mu.Lock()
	l.failures = append(l.failures, fmt.Sprintf("status %d: %v", status, err))
	l.mu.Unlock()
	return false
}

func (l *writeLoad) count(threshold int) {
	if l.writes.add() >= threshold {
		l.once.Do(func() { close(l.enough) })
	}
}

// TestCrashSafety kills the server with SIGKILL in the middle of a
// concurrent write load, restarts it on the same data and checks that
// every ticket and message acknowledged with 201 is there, and that the
// database is consistent, on SQLite (WAL) and on PostgreSQL.
func TestCrashSafety(t *testing.T) {
	bin := buildBinary(t)
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		dataDir := t.TempDir()
		env := map[string]string{"AJUDAE_DATA_DIR": dataDir, "AJUDAE_ADMIN_EMAIL": "root@example.com",
			"AJUDAE_ADMIN_PASSWORD": "root-password", "AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1"}
		pgURL := ""
		if e.Name == "postgres" {
			pgURL = dbtest.PostgresURL(t)
			env["DATABASE_URL"] = pgURL
		}
		p := startProcess(t, bin, env)
		admin, attendant, team := staffTeam(t, p.base)
		const workers, threshold = 6, 120
		load := &writeLoad{enough: make(chan struct{})}
		var wg sync.WaitGroup
		for i := range workers {
			requester, _ := register(t, p.base, fmt.Sprintf("Cliente %d", i), fmt.Sprintf("cliente%d@example.com", i), "client-password")
			wg.Go(func() { load.run(i, requester, attendant, team, threshold) })
		}
		select {
		case <-load.enough:
		case <-time.After(hangGuard):
			t.Fatalf("the load did not reach %d writes\n%s", threshold, p.out)
		}
		p.kill(t) // mid-load: every client is writing
		wg.Wait()
		if len(load.failures) > 0 {
			t.Errorf("%d writes failed before the crash: %v", len(load.failures), load.failures[:min(5, len(load.failures))])
		}
		t.Logf("%s: killed after %d acknowledged tickets and %d messages", e.Name, len(load.tickets), len(load.messages))

		crashed, firstToken := p, admin.token
		p = startProcess(t, bin, env)
		admin = login(t, p.base, "root@example.com", "root-password")
		msgs := map[int64]map[int64]string{}
		for _, m := range load.messages {
			if msgs[m.ticket] == nil {
				msgs[m.ticket] = map[int64]string{}
			}
			msgs[m.ticket][m.id] = m.text
		}
		for _, tk := range load.tickets {
			var got struct {
				Title  string
				Status string
			}
			admin.must(t, 200, "GET", fmt.Sprintf("/ticket/%d", tk.id), nil, &got)
			if got.Title != tk.title {
				t.Errorf("ticket %d: title %q, want %q", tk.id, got.Title, tk.title)
			}
			var list struct {
				Items []struct {
					ID      int64
					Message string
				}
			}
			admin.must(t, 200, "GET", fmt.Sprintf("/ticket/%d/messages?limit=100", tk.id), nil, &list)
			stored := map[int64]string{}
			for _, m := range list.Items {
				stored[m.ID] = m.Message
			}
			for id, text := range msgs[tk.id] {
				if stored[id] != text {
					t.Errorf("ticket %d: acknowledged message %d %q is %q after the crash", tk.id, id, text, stored[id])
				}
			}
		}
		// New writes work after the restart.
		admin.must(t, 201, "POST", "/ticket", map[string]any{"title": "Depois da queda", "description": "x", "teamId": team}, nil)
		p.stop(t)
		for _, out := range []*syncBuffer{crashed.out, p.out} {
			secretsIn(t, "the server's output", out.String(), "root-password", "att-password", "client-password", firstToken, admin.token)
		}
		checkConsistency(t, openDB(t, filepath.Join(dataDir, "ajudae.db"), pgURL), e.Name)
	})
}
