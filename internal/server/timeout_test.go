package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/server"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// hangGuard bounds how long a test waits for an answer that must come. It
// detects a hang; it is not a measure of speed.
const hangGuard = 60 * time.Second

// timedServer is the real handler with a short request timeout (srv), on
// a fresh database of engine e, with the admin seeded and logged in. The
// set-up and the checks after the test go through relaxed, the same
// handler with the default timeout, so that a slow machine cannot make
// them time out.
type timedServer struct {
	srv     *httptest.Server
	relaxed *httptest.Server
	opts    sqlstore.Options
	token   string
	logs    *bytes.Buffer
}

func newTimedServer(t *testing.T, e dbtest.Engine, timeout time.Duration) *timedServer {
	t.Helper()
	ts := &timedServer{opts: e.Options(t), logs: &bytes.Buffer{}}
	db, err := sqlstore.Open(t.Context(), ts.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Seed(t.Context(), ajudae.NewUser{Name: "Admin", Email: "admin@example.com", Password: "admin-password"}); err != nil {
		t.Fatal(err)
	}
	log := newSyncLogger(ts.logs)
	ts.srv = httptest.NewServer(server.New(server.Deps{Store: db, Log: log, Version: "test", RequestTimeout: timeout}))
	t.Cleanup(ts.srv.Close)
	ts.srv.Client().Timeout = hangGuard
	ts.relaxed = httptest.NewServer(server.New(server.Deps{Store: db, Log: log, Version: "test"}))
	t.Cleanup(ts.relaxed.Close)
	status, body := ts.call(t, ts.relaxed, "POST", "/auth/login", "", `{"email":"admin@example.com","password":"admin-password"}`)
	if status != 200 {
		t.Fatalf("login: %d %s", status, body)
	}
	var tok struct{ AccessToken string }
	json.Unmarshal(body, &tok)
	ts.token = tok.AccessToken
	return ts
}

func (ts *timedServer) call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := ts.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v (no answer: the request hangs)", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s %s: %d with Content-Type %q", method, path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return res.StatusCode, b
}

// holdWriteLock takes, from a connection of its own, a lock that stops
// every write to tickets until release is called.
func holdWriteLock(t *testing.T, o sqlstore.Options) (release func()) {
	t.Helper()
	db := dbtest.OpenRaw(t, o)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lock := "BEGIN IMMEDIATE"
	if o.URL != "" {
		lock = "BEGIN; LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE"
	}
	if _, err := conn.ExecContext(context.Background(), lock); err != nil {
		t.Fatal(err)
	}
	return func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
	}
}

// TestRequestTimeout: a request stuck behind a database lock ends with a
// 503 problem (Retry-After) when the request timeout passes, instead of
// holding the client; the server works again once the lock is gone.
func TestRequestTimeout(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		ts := newTimedServer(t, e, 500*time.Millisecond)
		release := holdWriteLock(t, ts.opts)
		status, body := ts.call(t, ts.srv, "POST", "/ticket", ts.token, `{"title":"Travado","description":"x","teamId":1}`)
		if status != http.StatusServiceUnavailable {
			t.Errorf("write behind a lock: %d %s, want 503", status, body)
		}
		if !strings.Contains(ts.logs.String(), "database unavailable") {
			t.Errorf("the 503 was not logged as the database being unavailable:\n%s", ts.logs)
		}
		release()
		if status, body := ts.call(t, ts.relaxed, "POST", "/ticket", ts.token, `{"title":"Destravado","description":"x","teamId":1}`); status != http.StatusCreated {
			t.Errorf("after the lock: %d %s, want 201", status, body)
		}
	})
}

// TestSlowBody: a client that sends its headers and then trickles (or
// withholds) its body gets a 408 problem once the request timeout passes;
// it does not hold the connection forever.
func TestSlowBody(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		ts := newTimedServer(t, e, 500*time.Millisecond)
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(hangGuard))
		io.WriteString(conn, "POST /user/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":")
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to a withheld body: %v", err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestTimeout || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("withheld body: %d %s, want a 408 problem", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
}
