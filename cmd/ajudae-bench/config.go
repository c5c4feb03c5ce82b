package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Config is every setting of a benchmark run.
type Config struct {
	DatabaseURL string // empty: SQLite under DataDir
	DataDir     string // empty: a temporary directory, removed unless Keep
	Keep        bool
	Reuse       bool
	N           int
	Batch       int
	Builders    int
	Concurrency int
	Duration    time.Duration
	Warmup      time.Duration
	Ops         []string
	Ajudae      string // the server binary; empty builds ./cmd/ajudae
	Attach      string // URL of a running server instead of starting one
	LogLevel    string
	Pgbench     string
	JSON        string
	BuildOnly   bool
	MemLimit    string // GOMEMLIMIT of the server process
	PGData      string // data directory of the PostgreSQL cluster, to measure its CPU
}

// allOps is the default order: the reads first, on the dataset as built;
// the logins last, so that the memory their hashes hold (the peak) is not
// counted in the operations after them.
var allOps = []string{"L1", "W2", "W3", "W5", "W5c", "W1", "W4", "W6"}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet("ajudae-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("DATABASE_URL"), "postgres:// URL of an empty database (or one built with -keep); empty runs on SQLite (env DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", "", "SQLite data directory and where the manifest and the server log go; empty is a temporary directory")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temporary data directory")
	fs.BoolVar(&c.Reuse, "reuse", false, "reuse the dataset described by DATA-DIR/bench-manifest.json instead of building one")
	fs.IntVar(&c.N, "n", 10000, "tickets in the dataset")
	fs.IntVar(&c.Batch, "batch", 250, "tickets per transaction while building")
	fs.IntVar(&c.Builders, "builders", 0, "connections building the dataset (default 1 on SQLite, 3 on PostgreSQL)")
	fs.IntVar(&c.Concurrency, "c", 16, "concurrent workers of the load generator")
	fs.DurationVar(&c.Duration, "d", 10*time.Second, "measured duration of each operation")
	fs.DurationVar(&c.Warmup, "warmup", 2*time.Second, "warm-up before each operation (not measured)")
	ops := fs.String("ops", strings.Join(allOps, ","), "operations to run, in order")
	fs.StringVar(&c.Ajudae, "ajudae", "", "the ajudae binary to start; empty builds ./cmd/ajudae with go build")
	fs.StringVar(&c.Attach, "attach", "", "URL of a running server on the same database (no RSS then)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "the server's log level (its log goes to DATA-DIR/server.log)")
	fs.StringVar(&c.Pgbench, "pgbench", "/usr/lib/postgresql/15/bin/pgbench", "pgbench binary, for the PostgreSQL insert baseline")
	fs.StringVar(&c.JSON, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&c.MemLimit, "server-gomemlimit", "", "GOMEMLIMIT for the server process (e.g. 48MiB); empty leaves Go's default")
	fs.StringVar(&c.PGData, "pg-data", "", "data directory of the PostgreSQL cluster (on this machine), to count its CPU per request")
	fs.BoolVar(&c.BuildOnly, "build-only", false, "build the dataset and stop (use with -keep or -data-dir)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.N < 30 || c.Concurrency < 1 || c.Batch < 1 || c.Duration <= 0 {
		return nil, fmt.Errorf("want -n ≥ 30, -c ≥ 1, -batch ≥ 1, -d > 0")
	}
	known := map[string]bool{}
	for _, o := range allOps {
		known[o] = true
	}
	for _, o := range strings.Split(*ops, ",") {
		o = strings.TrimSpace(o)
		if !known[o] {
			return nil, fmt.Errorf("unknown op %q (want some of %s)", o, strings.Join(allOps, ","))
		}
		c.Ops = append(c.Ops, o)
	}
	if c.Builders <= 0 {
		c.Builders = 1
		if c.DatabaseURL != "" {
			c.Builders = 3
		}
	}
	return c, nil
}

func (c *Config) engine() string {
	if c.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}
