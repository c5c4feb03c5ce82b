package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the pgbench table only
	"golang.org/x/crypto/argon2"

	"github.com/ajudae/ajudae/internal/password"
)

// argon2Rate measures the raw argon2id hash rate with the server's
// parameters: argon2.IDKey alone, at most one hash per core at a time (as
// the server's hasher runs them), driven by concurrency goroutines for d.
// A login is measured against the hash itself, not against the server's
// hasher.
func argon2Rate(ctx context.Context, p password.Params, concurrency int, d time.Duration) float64 {
	var n atomic.Int64
	slots := make(chan struct{}, runtime.NumCPU())
	salt := make([]byte, 16)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				slots <- struct{}{}
				argon2.IDKey([]byte("uma senha longa de teste"), salt, p.Time, p.Memory, p.Threads, 32)
				<-slots
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// vacuum runs VACUUM (ANALYZE) on a PostgreSQL database: the planner
// statistics, dead rows and GIN pending lists that autovacuum would see to
// within a minute or so (its launcher's nap), at a moment of our choosing.
func vacuum(ctx context.Context, url string) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

const pgbenchTable = "ajudae_bench_insert"

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+)`)

// pgbenchInsert runs pgbench with a one-row INSERT per transaction at the
// given concurrency for d, on the database of url, and returns its tps.
// The table it inserts into is created and dropped around the run.
func pgbenchInsert(ctx context.Context, pgbench, url string, concurrency int, d time.Duration) (float64, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+pgbenchTable+` (
		id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create the pgbench table: %w", err)
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+pgbenchTable)
	dir, err := os.MkdirTemp("", "ajudae-pgbench")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "insert.sql")
	if err := os.WriteFile(script, []byte(`INSERT INTO `+pgbenchTable+` (v, created_at) VALUES ('Não consigo acessar a aplicação', now());`+"\n"), 0o644); err != nil {
		return 0, err
	}
	secs := max(1, int(d.Seconds()))
	out, err := exec.CommandContext(ctx, pgbench, "-n", "-c", strconv.Itoa(concurrency), "-j", "2",
		"-T", strconv.Itoa(secs), "-f", script, url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
