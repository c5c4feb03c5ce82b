package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary returns the ajudae command built as the Dockerfile does
// (binary, in deploy_test.go: once per test run, removed by TestMain).
func buildBinary(t *testing.T) string {
	t.Helper()
	return binary(t)
}

// serverProcess is a running ajudae binary that a test may kill.
type serverProcess struct {
	cmd  *exec.Cmd
	base string
	out  *syncBuffer
	done chan error
}

// startProcess starts bin with env (and nothing of the test's own
// environment but PATH) and waits for /healthz.
func startProcess(t *testing.T, bin string, env map[string]string, args ...string) *serverProcess {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir() // no .env file there
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AJUDAE_ADDR=" + addr}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &serverProcess{cmd: cmd, base: "http://" + addr, out: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	for i := 0; ; i++ {
		res, err := http.Get(p.base + "/healthz")
		if err == nil {
			res.Body.Close()
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("the server exited before serving: %v\n%s", err, p.out)
		case <-time.After(50 * time.Millisecond):
		}
		if i > 1200 {
			t.Fatalf("the server did not answer /healthz: %v\n%s", err, p.out)
		}
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would.
func (p *serverProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// stop ends the process with SIGTERM and checks it shut down cleanly.
func (p *serverProcess) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("the server exited with %v after SIGTERM\n%s", err, p.out)
		}
	case <-time.After(hangGuard):
		t.Fatalf("the server did not stop after SIGTERM\n%s", p.out)
	}
}

// client talks JSON to a process, with a hang guard on every call.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{Timeout: hangGuard}}
}

// do sends a JSON request; err is a transport error (the server is gone).
func (c *client) do(method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	if res.StatusCode >= 300 && out != nil {
		return res.StatusCode, &statusError{status: res.StatusCode, body: string(b)}
	}
	return res.StatusCode, nil
}

// statusError is an answer that was not the success the caller wanted.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// must fails the test unless the call answers want.
func (c *client) must(t *testing.T, want int, method, path string, body, out any) {
	t.Helper()
	status, err := c.do(method, path, body, out)
	var se *statusError
	if err != nil && !errors.As(err, &se) {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d (%v)", method, path, status, want, err)
	}
}

// login returns a client logged in as email.
func login(t *testing.T, base, email, password string) *client {
	t.Helper()
	c := newClient(base)
	var tok struct{ AccessToken string }
	c.must(t, 200, "POST", "/auth/login", map[string]string{"email": email, "password": password}, &tok)
	c.token = tok.AccessToken
	return c
}

// register creates a requester and logs it in.
func register(t *testing.T, base, name, email, password string) (*client, int64) {
	t.Helper()
	var u struct{ ID int64 }
	newClient(base).must(t, 201, "POST", "/user/register", map[string]string{"name": name, "email": email, "password": password}, &u)
	return login(t, base, email, password), u.ID
}

// secretsIn fails the test when out holds a password hash or any of secrets.
func secretsIn(t *testing.T, what, out string, secrets ...string) {
	t.Helper()
	if strings.Contains(out, "$argon2id$") {
		t.Errorf("%s holds a password hash", what)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("%s holds a secret: %.8s…", what, s)
		}
	}
}

// tally counts things safely from many goroutines.
type tally struct {
	mu sync.Mutex
	n  int
}

func (c *tally) add() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// staffTeam logs the seeded root admin in and makes a new attendant a
// member of the first team: the cast of the write-load tests.
func staffTeam(t *testing.T, base string) (admin, attendant *client, team int64) {
	t.Helper()
	admin = login(t, base, "root@example.com", "root-password")
	var teams struct{ Items []struct{ ID int64 } }
	admin.must(t, 200, "GET", "/team", nil, &teams)
	team = teams.Items[0].ID
	attendant, attID := register(t, base, "Atendente", "att@example.com", "att-password")
	admin.must(t, 201, "PUT", fmt.Sprintf("/team/%d/members/%d", team, attID), map[string]any{}, nil)
	return admin, attendant, team
}
