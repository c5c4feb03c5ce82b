// Package apitest runs the real server over a real database for HTTP
// tests: one Env per test, with helpers to register, log in and call
// routes as a client would.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/live"
	"github.com/ajudae/ajudae/internal/server"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// AdminEmail and AdminPassword are those of the seeded general administrator.
const (
	AdminEmail    = "admin@ajudae.test"
	AdminPassword = "admin-password-1"
)

// Env is a running server on a fresh database.
type Env struct {
	T      testing.TB
	Engine string
	Store  *sqlstore.DB
	Server *httptest.Server
	Clock  *Clock
	Logs   *bytes.Buffer // every log line of the server, JSON
	Admin  *Client
	Live   *live.Hub // serves GET /events, running for the test

	secrets secrets // passwords sent and tokens received, never to be logged
}

// Clock is a settable clock shared by the store.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now returns the wall clock moved by every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// Option changes the store options of an Env.
type Option func(*sqlstore.Options)

// New starts a server on a fresh database of engine e, seeded with the
// general administrator and the default teams, and logs the admin in.
func New(t testing.TB, e dbtest.Engine, opts ...Option) *Env {
	t.Helper()
	env := &Env{T: t, Engine: e.Name, Clock: &Clock{}, Logs: &bytes.Buffer{}}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: env.Logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := e.Options(t)
	o.Now, o.Logger = env.Clock.Now, log
	for _, opt := range opts {
		opt(&o)
	}
	db, err := sqlstore.Open(t.Context(), o)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Seed(t.Context(), ajudae.NewUser{Name: "Admin", Email: AdminEmail, Password: AdminPassword}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	env.Store = db
	env.secrets.add(AdminPassword)
	t.Cleanup(env.dumpLogsOnFailure)
	// Cleanups run last first: the logs are checked after the server has
	// closed, so every request's log line is written.
	t.Cleanup(env.checkLogs)
	env.Live = live.New(db, log, live.Options{Heartbeat: 200 * time.Millisecond})
	liveCtx, stopLive := context.WithCancel(context.Background())
	liveDone := make(chan struct{})
	go func() { env.Live.Run(liveCtx); close(liveDone) }()
	env.Server = httptest.NewServer(server.New(server.Deps{Store: db, Log: log, Version: "test", TrustProxy: true, Live: env.Live}))
	t.Cleanup(env.Server.Close)
	// Cleanups run last-in first-out: the streams end before the server closes.
	t.Cleanup(func() { stopLive(); <-liveDone })
	env.Admin = env.Login(AdminEmail, AdminPassword)
	return env
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// Response is what the server answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it does not decode.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes an RFC 9457 body.
func (r *Response) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json (body %s)", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	return p
}

// Problem is the decoded body of an error.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
		Value    any    `json:"value"`
	} `json:"errors"`
}

// Locations returns the location of every field error.
func (p Problem) Locations() []string {
	var l []string
	for _, e := range p.Errors {
		l = append(l, e.Location)
	}
	return l
}

// Request is one call: a body (marshalled to JSON unless []byte or
// string) and extra headers.
type Request struct {
	Method, Path string
	Body         any
	Header       http.Header
}

// Do sends a request with token (if not empty) and returns the response.
func (env *Env) Do(token string, req Request) *Response {
	env.T.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
		env.secrets.fromRequest(b)
	case string:
		body = strings.NewReader(b)
		env.secrets.fromRequest([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			env.T.Fatal(err)
		}
		body = bytes.NewReader(j)
		env.secrets.fromRequest(j)
	}
	r, err := http.NewRequest(req.Method, env.Server.URL+req.Path, body)
	if err != nil {
		env.T.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range req.Header {
		r.Header[k] = v
	}
	res, err := env.Server.Client().Do(r)
	if err != nil {
		env.T.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		env.T.Fatal(err)
	}
	env.secrets.fromResponse(b)
	if bytes.Contains(b, []byte(hashMarker)) {
		env.T.Errorf("%s %s: the response holds a password hash: %s", req.Method, req.Path, b)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Client is a logged-in user.
type Client struct {
	env          *Env
	User         ajudae.User
	Token        string
	RefreshToken string
	Password     string
}

// ID returns the user's id.
func (c *Client) ID() int64 { return c.User.ID }

// Do sends a request as c.
func (c *Client) Do(method, path string, body any, header ...string) *Response {
	c.env.T.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	return c.env.Do(c.Token, Request{Method: method, Path: path, Body: body, Header: h})
}

// Must sends a request as c and fails the test unless the status is want;
// the body, when out is not nil, is decoded into out.
func (c *Client) Must(want int, method, path string, body, out any, header ...string) *Response {
	c.env.T.Helper()
	r := c.Do(method, path, body, header...)
	if r.Status != want {
		c.env.T.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, c.User.Email, r.Status, want, r.Body)
	}
	if out != nil {
		r.JSON(c.env.T, out)
	}
	return r
}

// Anonymous is a client without a token.
func (env *Env) Anonymous() *Client {
	return &Client{env: env, User: ajudae.User{Email: "(anonymous)"}}
}

// TokenResponse is the body of login and refresh.
type TokenResponse struct {
	AccessToken  string      `json:"accessToken"`
	RefreshToken string      `json:"refreshToken"`
	TokenType    string      `json:"tokenType"`
	ExpiresIn    int         `json:"expiresIn"`
	User         ajudae.User `json:"user"`
}

// Login logs in and fails the test unless it succeeds.
func (env *Env) Login(email, password string) *Client {
	env.T.Helper()
	r := env.Do("", Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": email, "password": password}})
	if r.Status != http.StatusOK {
		env.T.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var tr TokenResponse
	r.JSON(env.T, &tr)
	return &Client{env: env, User: tr.User, Token: tr.AccessToken, RefreshToken: tr.RefreshToken, Password: password}
}

var seq struct {
	sync.Mutex
	n int
}

// NewUser registers a requester with a fresh e-mail and logs it in.
func (env *Env) NewUser(name string) *Client {
	env.T.Helper()
	seq.Lock()
	seq.n++
	email := fmt.Sprintf("%s.%d@example.com", strings.ToLower(strings.Fields(name)[0]), seq.n)
	seq.Unlock()
	pw := "password-of-" + email
	r := env.Do("", Request{Method: "POST", Path: "/user/register", Body: map[string]string{"name": name, "email": email, "password": pw}})
	if r.Status != http.StatusCreated {
		env.T.Fatalf("register %s: %d %s", email, r.Status, r.Body)
	}
	return env.Login(email, pw)
}

// NewAttendant registers a user that ADMIN makes ATTENDANT.
func (env *Env) NewAttendant(name string) *Client {
	env.T.Helper()
	c := env.NewUser(name)
	env.Admin.Must(http.StatusOK, "PUT", fmt.Sprintf("/user/%d", c.ID()), map[string]string{"role": "ATTENDANT"}, nil)
	c.User.Role = ajudae.RoleAttendant
	return c
}

// dumpLogsOnFailure prints the server's warnings and errors when the test failed.
func (env *Env) dumpLogsOnFailure() {
	if !env.T.Failed() {
		return
	}
	for _, line := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
			env.T.Log("server:", line)
		}
	}
}

// TeamID returns the id of the team named name (the seeded Marketing,
// Produto and Financeiro, or one a test created), failing the test when
// there is none.
func (env *Env) TeamID(name string) int64 {
	env.T.Helper()
	var teams ajudae.List[ajudae.Team]
	env.Admin.Must(http.StatusOK, "GET", "/team?limit=100", nil, &teams)
	for _, tm := range teams.Items {
		if tm.Name == name {
			return tm.ID
		}
	}
	env.T.Fatalf("no team named %q", name)
	return 0
}

// AddMember has ADMIN make c a member of team, its admin when isAdmin.
func (env *Env) AddMember(c *Client, team int64, isAdmin bool) *Client {
	env.T.Helper()
	env.Admin.Must(http.StatusCreated, "PUT", fmt.Sprintf("/team/%d/members/%d", team, c.ID()), map[string]bool{"isAdmin": isAdmin}, nil)
	return c
}
