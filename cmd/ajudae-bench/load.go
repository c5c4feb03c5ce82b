package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// request is one call of an operation, built by a worker.
type request struct {
	method, url string
	token       string
	body        any
	want        int
}

// Op is a workload: it builds the next request of worker w.
type Op struct {
	Name string
	What string
	Next func(w int, rng *rand.Rand) request
}

// Result is what one operation measured.
type Result struct {
	Op         string  `json:"op"`
	What       string  `json:"what"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50        float64 `json:"p50Ms"`
	P90        float64 `json:"p90Ms"`
	P99        float64 `json:"p99Ms"`
	ShareOfL1  float64 `json:"shareOfL1"`
	RSSKiB     int64   `json:"serverRssKiB,omitempty"`     // after the operation
	PeakRSSKiB int64   `json:"serverPeakRssKiB,omitempty"` // while it ran (warm-up included)
	CPUus      float64 `json:"serverCpuUsPerRequest,omitempty"`
	DBCPUus    float64 `json:"postgresCpuUsPerRequest,omitempty"`
	ClientCPU  float64 `json:"clientCpuUsPerRequest,omitempty"`
	CPUShare   float64 `json:"cpuShareOfL1,omitempty"`
	Target     string  `json:"target,omitempty"`
	Met        *bool   `json:"met,omitempty"`
}

// loader drives a server with a fixed number of concurrent workers.
type loader struct {
	client      *http.Client
	concurrency int
	warmup      time.Duration
	duration    time.Duration
}

func newLoader(concurrency int, warmup, duration time.Duration) *loader {
	tr := &http.Transport{
		MaxIdleConns:        concurrency * 2,
		MaxIdleConnsPerHost: concurrency * 2,
		MaxConnsPerHost:     concurrency * 2,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	return &loader{client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		concurrency: concurrency, warmup: warmup, duration: duration}
}

// do sends one request and reports an error unless the status is the one wanted.
func (l *loader) do(ctx context.Context, r request, out any) error {
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	res, err := l.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != r.want {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		return fmt.Errorf("%s %s: status %d, want %d: %s", r.method, r.url, res.StatusCode, r.want, b)
	}
	if out != nil {
		return json.NewDecoder(res.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}

// run warms op up, then measures it for the duration, with the CPU time
// that the process serving it used per request.
//
// It also measures the CPU time of the load generator itself and, given
// pgData, of the PostgreSQL cluster: the whole CPU a request costs on this
// machine, which the busyness of the machine does not change (see
// Result.CPUShare).
func (l *loader) run(ctx context.Context, op Op, server *process, pgData string) Result {
	if l.warmup > 0 {
		l.phase(ctx, op, l.warmup)
	}
	self := os.Getpid()
	cpu, own, db := server.cpu(), procCPU(self), postgresCPU(pgData)
	r := l.phase(ctx, op, l.duration)
	per := func(d time.Duration) float64 {
		if d <= 0 || r.Requests == 0 {
			return 0
		}
		return float64(d.Microseconds()) / float64(r.Requests)
	}
	r.CPUus, r.ClientCPU = per(server.cpu()-cpu), per(procCPU(self)-own)
	if pgData != "" {
		r.DBCPUus = per(postgresCPU(pgData) - db)
	}
	return r
}

func (l *loader) phase(ctx context.Context, op Op, d time.Duration) Result {
	type worker struct {
		lat    []time.Duration
		errors int
		first  error
	}
	ws := make([]worker, l.concurrency)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w)+1, uint64(start.UnixNano())))
			me := &ws[w]
			me.lat = make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				err := l.do(ctx, op.Next(w, rng), nil)
				me.lat = append(me.lat, time.Since(t0))
				if err != nil {
					me.errors++
					if me.first == nil {
						me.first = err
					}
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	r := Result{Op: op.Name, What: op.What, Seconds: el.Seconds()}
	for _, w := range ws {
		all = append(all, w.lat...)
		r.Errors += w.errors
		if w.first != nil && r.FirstError == "" {
			r.FirstError = w.first.Error()
		}
	}
	slices.Sort(all)
	r.Requests = len(all)
	r.RPS = float64(len(all)) / el.Seconds()
	r.P50, r.P90, r.P99 = pct(all, 0.50), pct(all, 0.90), pct(all, 0.99)
	return r
}

// pct returns the p-quantile of sorted latencies, in milliseconds.
func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)))
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return float64(sorted[i].Microseconds()) / 1000
}
