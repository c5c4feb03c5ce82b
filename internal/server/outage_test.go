package server_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// outageLoad sends reads and writes from several clients and counts the
// answers by status; any answer that is not a success or a 503 problem
// with Retry-After, and any request that hangs, is a failure.
type outageLoad struct {
	mu       sync.Mutex
	byStatus map[int]int
	failures []string
}

func (l *outageLoad) note(status int, failure string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byStatus[status]++
	if failure != "" && len(l.failures) < 20 {
		l.failures = append(l.failures, failure)
	}
}

func (l *outageLoad) count(status int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byStatus[status]
}

func (l *outageLoad) send(c *http.Client, base, token, method, path, body string) {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		l.note(0, fmt.Sprintf("%s %s: %v (the request hung or the server died)", method, path, err))
		return
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	switch {
	case res.StatusCode < 300:
		l.note(res.StatusCode, "")
	case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Content-Type") == "application/problem+json" &&
		res.Header.Get("Retry-After") != "":
		l.note(res.StatusCode, "")
	default:
		l.note(res.StatusCode, fmt.Sprintf("%s %s: %d %s %s", method, path, res.StatusCode, res.Header.Get("Content-Type"), b))
	}
}

// waitFor polls cond until it holds, failing the test after a bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 1200 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("gave up waiting: %s", what)
}

// TestDatabaseOutage stops PostgreSQL under load: every request answers at
// once with a 503 problem (Retry-After), none hangs and none is a 500;
// /readyz fails while /healthz holds; and when PostgreSQL is back the
// same server process serves again by itself. The cluster is a private
// one: the one every other test shares is never stopped.
func TestDatabaseOutage(t *testing.T) {
	cluster := dbtest.StartCluster(t)
	engine := dbtest.Engine{Name: "postgres", Options: func(testing.TB) sqlstore.Options {
		return sqlstore.Options{URL: cluster.URL, Hasher: dbtest.FastHasher()}
	}}
	env := apitest.New(t, engine)
	requester := env.NewUser("Cris")
	hc := &http.Client{Timeout: hangGuard}
	probe := func(path string) int {
		res, err := hc.Get(env.Server.URL + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}

	load := &outageLoad{byStatus: map[int]int{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for n := 0; n < 100000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				switch (i + n) % 3 {
				case 0:
					load.send(hc, env.Server.URL, requester.Token, "POST", "/ticket",
						fmt.Sprintf(`{"title":"Durante a queda %d.%d","description":"x","teamId":1}`, i, n))
				case 1:
					load.send(hc, env.Server.URL, requester.Token, "GET", "/ticket", "")
				default:
					load.send(hc, env.Server.URL, env.Admin.Token, "GET", "/user/me", "")
				}
			}
		})
	}
	waitFor(t, "successes before the outage", func() bool { return load.count(201) >= 10 })

	// Some requests are in the middle of a query when PostgreSQL dies:
	// they wait on a lock that a connection of the test holds.
	lockDB, err := sql.Open("pgx", cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer lockDB.Close()
	lockTx, err := lockDB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockTx.Exec("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "requests waiting in a query", func() bool {
		var n int
		lockDB.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").Scan(&n)
		return n >= 3
	})
	cluster.Stop(t)
	lockTx.Rollback()
	waitFor(t, "503s during the outage", func() bool { return load.count(503) >= 30 })
	if s := probe("/readyz"); s != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d, want 503", s)
	}
	if s := probe("/healthz"); s != http.StatusOK {
		t.Errorf("/healthz during the outage: %d, want 200", s)
	}
	before := load.count(201)

	cluster.Start(t)
	waitFor(t, "/readyz after PostgreSQL came back", func() bool { return probe("/readyz") == http.StatusOK })
	waitFor(t, "writes after PostgreSQL came back", func() bool { return load.count(201) >= before+10 })
	close(stop)
	wg.Wait()

	load.mu.Lock()
	defer load.mu.Unlock()
	t.Logf("answers by status: %v", load.byStatus)
	for _, f := range load.failures {
		t.Error(f)
	}
	if strings.Contains(env.Logs.String(), `"level":"ERROR"`) {
		t.Error("the outage was logged as an internal error (a 500), not as the database being unavailable")
	}
}
