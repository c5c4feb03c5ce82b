package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startRun calls run() as main does, waits for /healthz and returns the
// base URL, the log and a function that stops the server and waits.
func startRun(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, func()) {
	t.Helper()
	addr := freeAddr(t)
	if env["AJUDAE_ADDR"] == "" {
		env["AJUDAE_ADDR"] = addr
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, getenv, logs, logs) }()
	base := "http://" + env["AJUDAE_ADDR"]
	for i := 0; ; i++ {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before serving: %v\n%s", err, logs)
		case <-time.After(50 * time.Millisecond):
		}
		if i > 400 {
			t.Fatalf("server did not answer /healthz: %v\n%s", err, logs)
		}
	}
	var once sync.Once
	stop := func() { once.Do(func() { stopRun(t, cancel, done) }) }
	t.Cleanup(stop)
	return base, logs, stop
}

func stopRun(t *testing.T, cancel func(), done chan error) {
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("run did not return after its context ended")
	}
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	json.Unmarshal(b, &m)
	return res.StatusCode, m
}

// TestEndToEnd starts the program as a user would and walks register →
// login → me → refresh → logout, on each engine.
func TestEndToEnd(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := map[string]string{
			"AJUDAE_DATA_DIR": t.TempDir(), "AJUDAE_ADMIN_EMAIL": "root@example.com", "AJUDAE_ADMIN_PASSWORD": "root-password",
			"AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1",
		}
		if e.Name == "postgres" {
			env["DATABASE_URL"] = dbtest.PostgresURL(t)
		}
		base, logs, stop := startRun(t, env)

		status, _ := call(t, "GET", base+"/readyz", "", nil)
		if status != 200 {
			t.Errorf("readyz: %d", status)
		}
		status, u := call(t, "POST", base+"/user/register", "", map[string]string{"name": "Ana", "email": "ana@example.com", "password": "ana-password"})
		if status != 201 || u["role"] != "USER" {
			t.Fatalf("register: %d %v", status, u)
		}
		status, tok := call(t, "POST", base+"/auth/login", "", map[string]string{"email": "ana@example.com", "password": "ana-password"})
		if status != 200 || tok["tokenType"] != "Bearer" {
			t.Fatalf("login: %d %v", status, tok)
		}
		access, refresh := tok["accessToken"].(string), tok["refreshToken"].(string)
		if status, me := call(t, "GET", base+"/user/me", access, nil); status != 200 || me["email"] != "ana@example.com" {
			t.Errorf("me: %d %v", status, me)
		}
		status, tok = call(t, "POST", base+"/auth/refresh", "", map[string]string{"refreshToken": refresh})
		if status != 200 {
			t.Fatalf("refresh: %d %v", status, tok)
		}
		access = tok["accessToken"].(string)
		if status, _ := call(t, "POST", base+"/auth/logout", access, nil); status != 204 {
			t.Errorf("logout: %d", status)
		}
		if status, _ := call(t, "GET", base+"/user/me", access, nil); status != 401 {
			t.Errorf("me after logout: %d, want 401", status)
		}
		// The configured administrator and the default teams exist.
		status, tok = call(t, "POST", base+"/auth/login", "", map[string]string{"email": "root@example.com", "password": "root-password"})
		if status != 200 || tok["user"].(map[string]any)["role"] != "ADMIN" {
			t.Fatalf("admin login: %d %v", status, tok)
		}
		stop()
		if strings.Contains(logs.String(), "root-password") || strings.Contains(logs.String(), "ana-password") {
			t.Error("a password appears in the log")
		}
		if !strings.Contains(logs.String(), `"msg":"shutting down"`) {
			t.Errorf("no shutdown line in the log:\n%s", logs)
		}
	})
}

// TestRandomAdminPassword: with no password configured, a random one is
// logged once and works.
func TestRandomAdminPassword(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"AJUDAE_DATA_DIR": dir, "AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1"}
	base, logs, stop := startRun(t, env)
	var pw string
	for _, line := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["password"] != nil {
			pw = m["password"].(string)
		}
	}
	if len(pw) < 16 {
		t.Fatalf("no random password in the log:\n%s", logs)
	}
	if status, _ := call(t, "POST", base+"/auth/login", "", map[string]string{"email": "admin@ajudae.local", "password": pw}); status != 200 {
		t.Errorf("login with the logged password: %d", status)
	}
	stop()
	// A second start on the same data logs no password.
	env["AJUDAE_ADDR"] = ""
	_, logs, stop = startRun(t, env)
	stop()
	if strings.Contains(logs.String(), `"password"`) {
		t.Errorf("second start logged a password:\n%s", logs)
	}
}

func TestMigrateAndHelp(t *testing.T) {
	dir := t.TempDir()
	var out syncBuffer
	getenv := func(k string) string { return map[string]string{"AJUDAE_DATA_DIR": dir}[k] }
	if err := run(t.Context(), []string{"migrate"}, getenv, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "0001_init.sql") {
		t.Errorf("migrate did not report the migration:\n%s", out.String())
	}
	out = syncBuffer{}
	if err := run(t.Context(), []string{"-h"}, getenv, &out, &out); err != errHelp {
		t.Errorf("-h: %v", err)
	}
	for _, flag := range []string{"-addr", "-database-url", "-data-dir", "AJUDAE_ADMIN_EMAIL"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("-h does not list %s:\n%s", flag, out.String())
		}
	}
	if err := run(t.Context(), []string{"frobnicate"}, getenv, &out, &out); err == nil {
		t.Error("an unknown command succeeded")
	}
	if err := run(t.Context(), []string{"-addr"}, getenv, &out, &out); err == nil {
		t.Error("a flag without value succeeded")
	}
}
