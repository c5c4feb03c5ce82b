// Command ajudae-bench is the load harness of docs/BENCHMARKS.md. It builds
// the standard dataset through Ajudaê's own store (3 teams, 200 requesters,
// 6 attendants, N tickets each with a ~300-character Portuguese body and 2
// replies), starts the real ajudae binary on it (or attaches to a running
// server), and drives it over HTTP with a fixed number of concurrent
// workers through the workloads W1–W6. In the same run it measures L1, a
// minimal net/http handler served by a process of its own, the raw
// argon2id hash rate, and on PostgreSQL a pgbench one-row INSERT, and
// prints each workload against its target.
//
//	go run ./cmd/ajudae-bench                       # SQLite, 10k tickets
//	go run ./cmd/ajudae-bench -database-url postgres://…  # PostgreSQL
//	go run ./cmd/ajudae-bench -n 1000000 -data-dir /tmp/big -keep
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "l1" {
		err = serveL1(ctx, os.Args[2:])
	} else {
		err = run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ajudae-bench:", err)
		os.Exit(1)
	}
}

// run parses the flags and runs the benchmark; results go to stdout,
// progress to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg, out: stdout, log: stderr}
	return b.run(ctx)
}
