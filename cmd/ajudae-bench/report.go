package main

import (
	"fmt"
	"io"
	"strings"
)

// maxRSSKiB is the memory target: 80 MB.
const maxRSSKiB = 80_000_000 / 1024

// judge sets each result's share of L1, target and verdict.
func (r *Report) judge(engine string) {
	var l1, l1CPU float64
	for _, x := range r.Results {
		if x.Op == "L1" {
			l1, l1CPU = x.RPS, x.CPUus+x.ClientCPU
		}
	}
	r.AllMet = true
	for i := range r.Results {
		x := &r.Results[i]
		if l1 > 0 {
			x.ShareOfL1 = x.RPS / l1
		}
		if c := x.CPUus + x.DBCPUus + x.ClientCPU; c > 0 && l1CPU > 0 {
			x.CPUShare = l1CPU / c
		}
		var ok bool
		share := func(min float64) {
			x.Target = fmt.Sprintf("≥ %.0f %% of L1", 100*min)
			ok = l1 > 0 && x.ShareOfL1 >= min
		}
		switch x.Op {
		case "L1", "W5c":
			continue
		case "W3":
			share(0.30)
		case "W2":
			share(0.10)
		case "W5":
			share(0.05)
		case "W1", "W4":
			if engine == "postgres" {
				x.Target = fmt.Sprintf("≥ 40 %% of pgbench INSERT (%.0f/s)", 0.4*r.PgbenchTPS)
				ok = r.PgbenchTPS > 0 && x.RPS >= 0.4*r.PgbenchTPS
			} else {
				share(0.05)
			}
		case "W6":
			x.Target = fmt.Sprintf("≥ 80 %% of raw argon2id (%.1f/s)", 0.8*r.Argon2Rate)
			ok = r.Argon2Rate > 0 && x.RPS >= 0.8*r.Argon2Rate
		}
		ok = ok && x.Errors == 0
		x.Met = &ok
		r.AllMet = r.AllMet && ok
	}
	for _, x := range r.Results {
		if x.Errors > 0 {
			r.AllMet = false
		}
	}
	if r.PeakRSSKiB > maxRSSKiB {
		r.AllMet = false
	}
}

// print writes the report as Markdown, ready for docs/BENCHMARKS.md.
func (r *Report) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s, %s, %d tickets, concurrency %d, %s per op; commit %s; %s\n", r.Date, r.Engine, r.Tickets, r.Concurrency, r.Duration, r.Commit, r.Machine)
	fmt.Fprintf(w, "load average before %s, after %s\n\n", r.LoadBefore, r.LoadAfter)
	fmt.Fprintln(w, "| op | what | req/s | p50 ms | p90 ms | p99 ms | errors | CPU µs/req: server + PostgreSQL + client | share of L1 | CPU share of L1 | target | met |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
	for _, x := range r.Results {
		met := ""
		if x.Met != nil {
			met = "no"
			if *x.Met {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %d | %.0f + %.0f + %.0f | %.1f %% | %.1f %% | %s | %s |\n", x.Op, x.What, x.RPS, x.P50, x.P90, x.P99,
			x.Errors, x.CPUus, x.DBCPUus, x.ClientCPU, 100*x.ShareOfL1, 100*x.CPUShare, x.Target, met)
	}
	fmt.Fprintln(w)
	if r.Argon2Rate > 0 {
		fmt.Fprintf(w, "- raw argon2id (m=19 MiB, t=2, p=1, argon2.IDKey, one hash per core): %.1f hashes/s\n", r.Argon2Rate)
	}
	if r.PgbenchTPS > 0 {
		fmt.Fprintf(w, "- pgbench one-row INSERT, %d clients: %.0f tps\n", r.Concurrency, r.PgbenchTPS)
	}
	if r.PeakRSSKiB > 0 {
		verdict := "met"
		if r.PeakRSSKiB > maxRSSKiB {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "- server peak RSS (VmHWM, start-up included): %.1f MB (target ≤ 80 MB: %s)\n", float64(r.PeakRSSKiB)*1024/1e6, verdict)
		var by []string
		for _, x := range r.Results {
			if x.PeakRSSKiB > 0 && x.Op != "L1" {
				by = append(by, fmt.Sprintf("%s %.1f", x.Op, float64(x.PeakRSSKiB)*1024/1e6))
			}
		}
		if len(by) > 0 {
			fmt.Fprintf(w, "- server peak RSS while each operation ran (VmHWM reset before each), MB: %s\n", strings.Join(by, ", "))
		}
	}
	for _, x := range r.Results {
		if x.FirstError != "" {
			fmt.Fprintf(w, "- %s first error: %s\n", x.Op, x.FirstError)
		}
	}
	verdict := "every target met"
	if !r.AllMet {
		verdict = "some target MISSED"
	}
	fmt.Fprintf(w, "- verdict: %s\n", verdict)
}
