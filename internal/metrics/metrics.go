// Package metrics is Ajudaê's Prometheus instrumentation, on a registry of
// its own (never the global default one): HTTP requests by route pattern
// and status, the database pool, jobs, live-update subscribers and tickets
// created.
package metrics

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are the values the metrics read when scraped.
type Sources struct {
	Pool        func() sql.DBStats // the database pool (store.PoolStats)
	Subscribers func() int         // open GET /events streams
}

// Metrics holds the collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	tickets  prometheus.Counter
	jobs     *prometheus.CounterVec
}

// New returns the metrics of one process, reading src at each scrape.
func New(src Sources) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ajudae_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ajudae_http_request_duration_seconds", Help: "HTTP request latency by route pattern (not the /events stream).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		tickets: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ajudae_tickets_created_total", Help: "Tickets opened through this process.",
		}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ajudae_jobs_total", Help: "E-mail jobs worked by this process, by outcome (sent, skipped, failed).",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.requests, m.latency, m.tickets, m.jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.Pool != nil {
		pool := func(name, help string, f func(s sql.DBStats) float64) {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return f(src.Pool()) }))
		}
		pool("ajudae_db_open_connections", "Open database connections (the writer pool on SQLite).", func(s sql.DBStats) float64 { return float64(s.OpenConnections) })
		pool("ajudae_db_in_use_connections", "Database connections in use.", func(s sql.DBStats) float64 { return float64(s.InUse) })
		pool("ajudae_db_idle_connections", "Idle database connections.", func(s sql.DBStats) float64 { return float64(s.Idle) })
		pool("ajudae_db_max_open_connections", "The pool's limit.", func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) })
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ajudae_db_wait_total", Help: "Times a request waited for a free database connection.",
		}, func() float64 { return float64(src.Pool().WaitCount) }))
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ajudae_db_wait_seconds_total", Help: "Time spent waiting for a free database connection.",
		}, func() float64 { return src.Pool().WaitDuration.Seconds() }))
	}
	if src.Subscribers != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ajudae_sse_subscribers", Help: "Open live-update streams (GET /events) on this process.",
		}, func() float64 { return float64(src.Subscribers()) }))
	}
	return m
}

// TicketCreated counts a ticket opened (not an idempotent replay).
func (m *Metrics) TicketCreated() { m.tickets.Inc() }

// JobOutcome counts a worked job: sent, skipped or failed.
func (m *Metrics) JobOutcome(outcome string) { m.jobs.WithLabelValues(outcome).Inc() }

// Handler serves the registry in the Prometheus text format. With a token,
// only a request bearing it is answered (401 otherwise).
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the token of AJUDAE_METRICS_TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Instrument counts and times the requests next serves. It must wrap the
// ServeMux itself: the mux records the matched pattern on the request it
// is given, which is what labels the series (a bounded set, unlike paths).
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		if route != "GET /events" {
			m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
