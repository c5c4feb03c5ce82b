package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the pgbench table only

	"github.com/ajudae/ajudae/internal/password"
)

// argon2Rate measures the raw argon2id hash rate with the server's
// parameters and the same hasher (at most NumCPU hashes at once), driven
// by concurrency goroutines for d.
func argon2Rate(ctx context.Context, p password.Params, concurrency int, d time.Duration) float64 {
	h := password.NewHasher(p, 0)
	var n atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if _, err := h.Hash(ctx, "uma senha longa de teste"); err == nil {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
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
