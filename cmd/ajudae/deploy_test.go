package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// TestMain removes the binary built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds cmd/ajudae once per test run, as the Dockerfile does
// (CGO_ENABLED=0, a static binary).
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "ajudae-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ajudae")
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// process is a running server binary.
type process struct {
	base string
	logs *syncBuffer
	cmd  *exec.Cmd
}

// startBinary runs the binary with exactly env (nothing inherited) in an
// empty directory, and waits until it answers /healthz.
func startBinary(t *testing.T, env map[string]string) *process {
	t.Helper()
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	p := &process{base: "http://" + env["AJUDAE_ADDR"], logs: &syncBuffer{}}
	p.cmd = exec.Command(binary(t))
	p.cmd.Env, p.cmd.Dir = list, t.TempDir()
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	t.Cleanup(func() { p.stop(t, exited) })
	for i := 0; ; i++ {
		res, err := http.Get(p.base + "/healthz")
		if err == nil {
			res.Body.Close()
			return p
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the server exited before serving: %v\n%s", err, p.logs)
		case <-time.After(50 * time.Millisecond):
		}
		if i > 600 {
			t.Fatalf("the server did not answer /healthz: %v\n%s", err, p.logs)
		}
	}
}

// stop sends SIGTERM and expects a clean exit (killing it after 20 s).
func (p *process) stop(t *testing.T, exited chan error) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the server exited with %v\n%s", err, p.logs)
		}
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-exited
		t.Errorf("the server did not stop within 20 s of SIGTERM\n%s", p.logs)
	}
}

// composeEnvironment returns the environment compose.yaml gives the ajudae
// service when .env is a copy of .env.example: the "environment:" mapping
// of the service, one "KEY: value" per line, with ${VAR}, ${VAR:-default}
// and ${VAR:?message} expanded as compose does.
func composeEnvironment(t *testing.T) map[string]string {
	t.Helper()
	dotenv, err := godotenv.Read("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	var service, section string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case indent == 2 && strings.HasSuffix(trimmed, ":"):
			service, section = strings.TrimSuffix(trimmed, ":"), ""
		case indent == 4:
			section = strings.TrimSuffix(trimmed, ":")
		case indent == 6 && service == "ajudae" && section == "environment":
			k, v, ok := strings.Cut(trimmed, ": ")
			if !ok {
				t.Fatalf("compose.yaml: environment line %q is not KEY: value", trimmed)
			}
			env[k] = expandCompose(t, strings.Trim(v, `"`), dotenv)
		}
	}
	if len(env) == 0 {
		t.Fatal("compose.yaml: no environment found for the ajudae service")
	}
	return env
}

var composeVar = regexp.MustCompile(`\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}`)

func expandCompose(t *testing.T, s string, vars map[string]string) string {
	return composeVar.ReplaceAllStringFunc(s, func(m string) string {
		p := composeVar.FindStringSubmatch(m)
		v := vars[p[1]]
		switch {
		case v != "":
			return v
		case p[2] == ":?":
			t.Fatalf("compose.yaml requires %s: %s", p[1], p[3])
		case p[2] == ":-":
			return p[3]
		}
		return ""
	})
}

// TestComposeEnvironment runs the binary built as the Dockerfile builds it
// with the environment compose.yaml gives it. Only two values differ: the
// database is the test's PostgreSQL instead of the db service, and the
// port is a free one instead of the container's :3000.
func TestComposeEnvironment(t *testing.T) {
	env := composeEnvironment(t)
	for k, want := range map[string]string{"AJUDAE_ADDR": ":3000", "AJUDAE_LOG_FORMAT": "json"} {
		if env[k] != want {
			t.Errorf("compose gives %s=%q, want %q", k, env[k], want)
		}
	}
	if !strings.Contains(env["DATABASE_URL"], "@db:5432/ajudae") {
		t.Errorf("compose's DATABASE_URL %q does not name the db service", env["DATABASE_URL"])
	}
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "USER 65532", "EXPOSE 3000", `"/ajudae", "probe"`} {
		if !strings.Contains(string(dockerfile), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	env["DATABASE_URL"] = dbtest.PostgresURL(t)
	env["AJUDAE_ADDR"] = freeAddr(t)
	p := startBinary(t, env)

	if status, body := call(t, "GET", p.base+"/readyz", "", nil); status != 200 || body["database"] != "postgres" {
		t.Fatalf("readyz: %d %v\n%s", status, body, p.logs)
	}
	status, tok := call(t, "POST", p.base+"/auth/login", "", map[string]string{
		"email": env["AJUDAE_ADMIN_EMAIL"], "password": env["AJUDAE_ADMIN_PASSWORD"]})
	if status != 200 {
		t.Fatalf("login with the .env.example administrator: %d %v", status, tok)
	}
	// The container's healthcheck command answers too.
	probe := exec.Command(binary(t), "probe")
	probe.Env = []string{"AJUDAE_ADDR=" + env["AJUDAE_ADDR"]}
	probe.Dir = t.TempDir()
	if out, err := probe.CombinedOutput(); err != nil {
		t.Errorf("ajudae probe: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(p.logs.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("a log line is not JSON: %q", line)
		}
	}
}

// TestTwoReplicas starts two server processes on one PostgreSQL database:
// a login on A works on B, a logout on B is refused on A at once, and a
// ticket change made on A reaches a live subscriber connected to B.
func TestTwoReplicas(t *testing.T) {
	url := dbtest.PostgresURL(t)
	replica := func() *process {
		return startBinary(t, map[string]string{
			"DATABASE_URL": url, "AJUDAE_ADDR": freeAddr(t), "AJUDAE_LOG_FORMAT": "json",
			"AJUDAE_ADMIN_EMAIL": "root@example.com", "AJUDAE_ADMIN_PASSWORD": "root-password",
			"AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1",
		})
	}
	a, b := replica(), replica()

	if status, _ := call(t, "POST", a.base+"/user/register", "", map[string]string{"name": "Ana", "email": "ana@example.com", "password": "ana-password"}); status != 201 {
		t.Fatalf("register on A: %d", status)
	}
	status, tok := call(t, "POST", a.base+"/auth/login", "", map[string]string{"email": "ana@example.com", "password": "ana-password"})
	if status != 200 {
		t.Fatalf("login on A: %d %v", status, tok)
	}
	ana := tok["accessToken"].(string)
	if status, me := call(t, "GET", b.base+"/user/me", ana, nil); status != 200 || me["email"] != "ana@example.com" {
		t.Fatalf("A's token on B: %d %v", status, me)
	}
	if status, _ := call(t, "POST", b.base+"/auth/logout", ana, nil); status != 204 {
		t.Fatalf("logout on B: %d", status)
	}
	if status, _ := call(t, "GET", a.base+"/user/me", ana, nil); status != 401 {
		t.Fatalf("the token logged out on B still works on A: %d", status)
	}

	status, tok = call(t, "POST", a.base+"/auth/login", "", map[string]string{"email": "root@example.com", "password": "root-password"})
	if status != 200 {
		t.Fatalf("admin login on A: %d", status)
	}
	root := tok["accessToken"].(string)
	stream := apitest.OpenStream(t, b.base+"/events", http.Header{"Authorization": {"Bearer " + root}})
	if stream.Status != 200 {
		t.Fatalf("GET /events on B: %d", stream.Status)
	}
	_, teams := call(t, "GET", a.base+"/team", root, nil)
	team := teams["items"].([]any)[0].(map[string]any)["id"]
	status, tk := call(t, "POST", a.base+"/ticket", root, map[string]any{"title": "Entre réplicas", "description": "d", "teamId": team})
	if status != 201 {
		t.Fatalf("create on A: %d %v", status, tk)
	}
	id := int64(tk["id"].(float64))
	if e := stream.Next(); e.Event != "ticket.created" || e.Decode(t).TicketID != id {
		t.Fatalf("B's subscriber got %s %s, want ticket.created of %d", e.Event, e.Data, id)
	}
	if status, _ := call(t, "PATCH", fmt.Sprintf("%s/ticket/%d", a.base, id), root, map[string]any{"status": "Em_andamento"}); status != 200 {
		t.Fatalf("patch on A: %d", status)
	}
	if e := stream.Next(); e.Event != "ticket.updated" || e.Decode(t).TicketID != id {
		t.Fatalf("B's subscriber got %s %s, want ticket.updated of %d", e.Event, e.Data, id)
	}
	stream.Close()
}
