package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/password"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// bench is one run of the harness.
type bench struct {
	cfg *Config
	out io.Writer // results
	log io.Writer // progress

	dir      string
	manifest *Manifest
	server   *process
	l1       *process
	base     string
}

// Report is the JSON form of a run.
type Report struct {
	Date        string   `json:"date"`
	Commit      string   `json:"commit"`
	Machine     string   `json:"machine"`
	Engine      string   `json:"engine"`
	Tickets     int      `json:"tickets"`
	Concurrency int      `json:"concurrency"`
	Duration    string   `json:"duration"`
	LoadBefore  string   `json:"loadBefore"`
	LoadAfter   string   `json:"loadAfter"`
	Argon2Rate  float64  `json:"argon2Rate,omitempty"`
	PgbenchTPS  float64  `json:"pgbenchInsertTps,omitempty"`
	PeakRSSKiB  int64    `json:"serverPeakRssKiB,omitempty"`
	Results     []Result `json:"results"`
	AllMet      bool     `json:"allTargetsMet"`
}

func (b *bench) run(ctx context.Context) error {
	c := b.cfg
	b.dir = c.DataDir
	if b.dir == "" {
		d, err := os.MkdirTemp("", "ajudae-bench")
		if err != nil {
			return err
		}
		b.dir = d
		if !c.Keep {
			defer os.RemoveAll(d)
		} else {
			fmt.Fprintln(b.log, "data directory:", d)
		}
	}
	if err := os.MkdirAll(b.dir, 0o750); err != nil {
		return err
	}
	if err := b.dataset(ctx); err != nil {
		return err
	}
	if c.BuildOnly {
		if c.engine() == "postgres" {
			// Leave it with statistics (a run vacuums before each operation).
			fmt.Fprintln(b.log, "VACUUM (ANALYZE)…")
			return vacuum(ctx, c.DatabaseURL)
		}
		return nil
	}
	rep := &Report{Date: time.Now().UTC().Format(time.RFC3339), Commit: commit(), Machine: machine(), Engine: c.engine(),
		Tickets: b.manifest.Tickets, Concurrency: c.Concurrency, Duration: c.Duration.String(), LoadBefore: loadavg()}
	if err := b.startServers(ctx); err != nil {
		return err
	}
	defer b.server.stop()
	defer b.l1.stop()
	ops, err := b.ops(ctx)
	if err != nil {
		return err
	}
	ld := newLoader(c.Concurrency, c.Warmup, c.Duration)
	for i, name := range c.Ops {
		op := ops[name]
		if c.engine() == "postgres" && name != "L1" {
			// The dead rows and pending index entries an operation leaves
			// are cleaned now, not by an autovacuum worker that wakes in
			// the middle of a later operation and is charged to it.
			start := time.Now()
			if err := vacuum(ctx, c.DatabaseURL); err != nil {
				return err
			}
			fmt.Fprintf(b.log, "     (vacuumed in %.1fs)\n", time.Since(start).Seconds())
		}
		waited := b.server.settle(ctx, c.PGData, 2*time.Minute)
		fmt.Fprintf(b.log, "     (server idle after %.1fs)\n", waited.Seconds())
		fmt.Fprintf(b.log, "%-4s %s…\n", op.Name, op.What)
		srv := b.server
		if name == "L1" {
			srv = b.l1
		}
		_, peak := b.server.memory()
		rep.PeakRSSKiB = max(rep.PeakRSSKiB, peak)
		if err := b.server.resetPeak(); err != nil && i == 0 {
			fmt.Fprintf(b.log, "cannot reset the server's peak RSS between operations (%v): each operation's peak includes the ones before\n", err)
		}
		r := ld.run(ctx, op, srv, c.PGData)
		r.RSSKiB, r.PeakRSSKiB = b.server.memory()
		rep.Results = append(rep.Results, r)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	_, peak := b.server.memory()
	rep.PeakRSSKiB = max(rep.PeakRSSKiB, peak)
	if slicesContains(c.Ops, "W6") {
		fmt.Fprintln(b.log, "raw argon2id hash rate…")
		rep.Argon2Rate = argon2Rate(ctx, password.DefaultParams(), c.Concurrency, c.Duration)
	}
	if c.engine() == "postgres" && (slicesContains(c.Ops, "W1") || slicesContains(c.Ops, "W4")) {
		fmt.Fprintln(b.log, "pgbench one-row INSERT…")
		if rep.PgbenchTPS, err = pgbenchInsert(ctx, c.Pgbench, c.DatabaseURL, c.Concurrency, c.Duration); err != nil {
			return err
		}
	}
	rep.LoadAfter = loadavg()
	rep.judge(c.engine())
	rep.print(b.out)
	if c.JSON != "" {
		j, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(c.JSON, j, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// dataset builds the dataset, or reads the manifest of one built before.
func (b *bench) dataset(ctx context.Context) error {
	c := b.cfg
	path := filepath.Join(b.dir, "bench-manifest.json")
	if c.Reuse {
		m, err := readManifest(path)
		if err != nil {
			return fmt.Errorf("-reuse: %w", err)
		}
		if m.Engine != c.engine() {
			return fmt.Errorf("-reuse: the manifest is of a %s dataset", m.Engine)
		}
		b.manifest = m
		fmt.Fprintf(b.log, "reusing the dataset of %d tickets in %s\n", m.Tickets, b.dir)
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already holds a dataset: pass -reuse, or another -data-dir", b.dir)
	}
	// The dataset's history: the clock starts in the past and moves one
	// second per transaction, so tickets are ordered in time and end
	// before the server's present.
	base := time.Now().Add(-time.Duration(c.N+10000) * time.Second)
	var tick atomic.Int64
	db, err := sqlstore.Open(ctx, sqlstore.Options{
		URL: c.DatabaseURL, DataDir: b.dir, MaxConns: c.Builders + 2,
		Hasher: password.NewHasher(password.DefaultParams(), 0),
		Now:    func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Second) },
	})
	if err != nil {
		return err
	}
	defer db.Close()
	bl := &builder{db: db, n: c.N, batch: c.Batch, workers: c.Builders, progress: b.log}
	m, err := bl.build(ctx, c.engine(), Account{Email: "admin@bench.ajudae", Password: "senha-do-administrador"})
	if err != nil {
		return err
	}
	fmt.Fprintf(b.log, "dataset built in %s\n", m.BuildTime)
	b.manifest = m
	return m.write(path)
}

// startServers starts ajudae (unless attached) and the L1 baseline.
func (b *bench) startServers(ctx context.Context) error {
	c := b.cfg
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if b.l1, err = start(ctx, self, []string{"l1"}, nil, io.Discard, "/"); err != nil {
		return fmt.Errorf("start L1: %w", err)
	}
	if c.Attach != "" {
		b.base = strings.TrimSuffix(c.Attach, "/")
		return nil
	}
	bin := c.Ajudae
	if bin == "" {
		bin = filepath.Join(b.dir, "ajudae")
		fmt.Fprintln(b.log, "go build -o", bin, "./cmd/ajudae")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ajudae")
		cmd.Stdout, cmd.Stderr = b.log, b.log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build the server (run from the repository root, or pass -ajudae): %w", err)
		}
	}
	logf, err := os.Create(filepath.Join(b.dir, "server.log"))
	if err != nil {
		return err
	}
	args := []string{"-log-level", c.LogLevel, "-data-dir", b.dir}
	if c.DatabaseURL != "" {
		args = append(args, "-database-url", c.DatabaseURL)
	}
	env := []string{"AJUDAE_ADMIN_EMAIL=" + b.manifest.Admin.Email, "AJUDAE_ADMIN_PASSWORD=" + b.manifest.Admin.Password}
	if c.MemLimit != "" {
		env = append(env, "GOMEMLIMIT="+c.MemLimit)
	}
	if b.server, err = start(ctx, bin, args, env, logf, "/readyz"); err != nil {
		return fmt.Errorf("start ajudae: %w", err)
	}
	b.base = b.server.base
	return nil
}

// session is a logged-in account.
type session struct {
	Account
	token string
}

// ops logs the accounts in and returns every operation by name.
func (b *bench) ops(ctx context.Context) (map[string]Op, error) {
	m := b.manifest
	ld := newLoader(1, 0, 0)
	login := func(a Account) (session, error) {
		var out struct {
			AccessToken string `json:"accessToken"`
		}
		err := ld.do(ctx, request{method: "POST", url: b.base + "/auth/login", want: http.StatusOK,
			body: map[string]string{"email": a.Email, "password": a.Password}}, &out)
		return session{Account: a, token: out.AccessToken}, err
	}
	var staff, reqs []session
	for _, a := range m.Attendants {
		s, err := login(a)
		if err != nil {
			return nil, err
		}
		staff = append(staff, s)
	}
	for _, a := range m.Requesters[:min(len(m.Requesters), 2*b.cfg.Concurrency)] {
		s, err := login(a)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, s)
	}
	// Check once, outside the measure, that the list really is a page of 50.
	var page ajudae.List[json.RawMessage]
	if err := ld.do(ctx, request{method: "GET", url: b.listURL(staff[0].TeamID), token: staff[0].token, want: 200}, &page); err != nil {
		return nil, err
	}
	if len(page.Items) != 50 {
		return nil, fmt.Errorf("W2 answers %d tickets, want a page of 50 (dataset too small?)", len(page.Items))
	}
	words := max(1, m.Tickets/ticketsPerSearchWord)
	pick := func(rng *rand.Rand, team int64) int64 {
		ids := m.TeamTickets[team]
		return ids[rng.IntN(len(ids))]
	}
	ops := map[string]Op{
		"L1": {Name: "L1", What: "baseline: minimal net/http handler answering {\"ok\":true}", Next: func(int, *rand.Rand) request {
			return request{method: "GET", url: b.l1.base + "/", want: 200}
		}},
		"W1": {Name: "W1", What: "create ticket (requester)", Next: func(w int, rng *rand.Rand) request {
			s := reqs[w%len(reqs)]
			i := rng.IntN(1 << 20)
			return request{method: "POST", url: b.base + "/ticket", token: s.token, want: 201, body: map[string]any{
				"title": ticketTitle(i), "description": ticketBody(i), "teamId": m.TeamIDs[i%3]}}
		}},
		"W2": {Name: "W2", What: "list the team's open tickets, newest first, page of 50 (attendant)", Next: func(w int, rng *rand.Rand) request {
			s := staff[w%len(staff)]
			return request{method: "GET", url: b.listURL(s.TeamID), token: s.token, want: 200}
		}},
		"W3": {Name: "W3", What: "get one ticket by random id (attendant)", Next: func(w int, rng *rand.Rand) request {
			s := staff[w%len(staff)]
			return request{method: "GET", url: fmt.Sprintf("%s/ticket/%d", b.base, pick(rng, s.TeamID)), token: s.token, want: 200}
		}},
		"W4": {Name: "W4", What: "post a reply (attendant)", Next: func(w int, rng *rand.Rand) request {
			s := staff[w%len(staff)]
			return request{method: "POST", url: fmt.Sprintf("%s/ticket/%d/messages", b.base, pick(rng, s.TeamID)), token: s.token,
				want: 201, body: map[string]any{"message": replyText(rng.IntN(100), false)}}
		}},
		"W5": {Name: "W5", What: "full-text search for a rare word of the bodies (attendant)", Next: func(w int, rng *rand.Rand) request {
			s := staff[w%len(staff)]
			return request{method: "GET", url: b.base + "/ticket?q=" + SearchWord(rng.IntN(words)), token: s.token, want: 200}
		}},
		"W5c": {Name: "W5c", What: "full-text search for a common word, in 1 ticket of 20 (attendant; informative)", Next: func(w int, rng *rand.Rand) request {
			s := staff[w%len(staff)]
			return request{method: "GET", url: b.base + "/ticket?q=" + CommonWord, token: s.token, want: 200}
		}},
		"W6": {Name: "W6", What: "password login (requester)", Next: func(w int, rng *rand.Rand) request {
			a := m.Requesters[rng.IntN(len(m.Requesters))]
			return request{method: "POST", url: b.base + "/auth/login", want: 200,
				body: map[string]string{"email": a.Email, "password": a.Password}}
		}},
	}
	return ops, nil
}

func (b *bench) listURL(team int64) string {
	q := url.Values{"teamId": {fmt.Sprint(team)}, "status": {string(ajudae.StatusOpen)}, "limit": {"50"}}
	return b.base + "/ticket?" + q.Encode()
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// commit returns the git commit of the working tree, marked when dirty.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += "+dirty"
	}
	return c
}

// machine describes the CPU and memory.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%d × %s%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}
