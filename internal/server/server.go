// Package server assembles the one http.Handler of Ajudaê: the JSON API,
// the web UI and the health probes, behind the middleware every request
// goes through.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/api"
	"github.com/ajudae/ajudae/internal/live"
	"github.com/ajudae/ajudae/internal/metrics"
	"github.com/ajudae/ajudae/internal/problem"
	"github.com/ajudae/ajudae/internal/sqlstore"
	"github.com/ajudae/ajudae/internal/web"
)

// Deps are what the server needs.
type Deps struct {
	Store      *sqlstore.DB
	Log        *slog.Logger
	Version    string
	TrustProxy bool
	MaxUpload  int64
	// RequestTimeout bounds the work of one request (not the SSE stream).
	RequestTimeout time.Duration
	// Live serves GET /events; the caller runs it (nil: no live updates).
	Live *live.Hub
	// Metrics, when set, instruments every request and serves GET /metrics
	// (with MetricsToken, only to a request bearing it).
	Metrics      *metrics.Metrics
	MetricsToken string
}

// New returns the handler serving everything.
func New(d Deps) http.Handler {
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 30 * time.Second
	}
	mux := http.NewServeMux()
	ad := api.Deps{Store: d.Store, Log: d.Log, Version: d.Version, TrustProxy: d.TrustProxy, MaxUpload: d.MaxUpload}
	if d.Metrics != nil {
		ad.TicketCreated = d.Metrics.TicketCreated
		mux.Handle("GET /metrics", d.Metrics.Handler(d.MetricsToken))
	}
	api.New(mux, ad)
	h := &health{store: d.Store, log: d.Log}
	mux.HandleFunc("GET /healthz", h.live)
	mux.HandleFunc("GET /readyz", h.ready)
	ui, err := web.New(web.Deps{Store: d.Store, Log: d.Log, TrustProxy: d.TrustProxy})
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a bug, and stops startup
	}
	ui.Register(mux)
	if d.Live != nil {
		mux.Handle("GET /events", d.Live)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if web.WantsHTML(r) {
			ui.NotFound(w, r)
			return
		}
		problem.Write(w, problem.New(http.StatusNotFound, "No route "+r.Method+" "+r.URL.Path+"."))
	})
	var handler http.Handler = mux
	handler = readBody(handler)
	if d.Metrics != nil {
		handler = d.Metrics.Instrument(handler)
	}
	handler = securityHeaders(d.TrustProxy, handler)
	handler = timeout(d.RequestTimeout, handler)
	handler = recoverPanics(d.Log, handler)
	handler = logRequests(d.Log, handler)
	return handler
}

type health struct {
	store *sqlstore.DB
	log   *slog.Logger
}

func (h *health) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ready answers 200 only when the database answers and its schema is the
// one this binary expects.
func (h *health) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		problem.Write(w, problem.From(ctx, h.log, "", err))
		return
	}
	ok, err := h.store.SchemaCurrent(ctx)
	if err != nil {
		problem.Write(w, problem.From(ctx, h.log, "", err))
		return
	}
	if !ok {
		problem.Write(w, problem.New(http.StatusServiceUnavailable, "The database schema is not current."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": h.store.Engine()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// recoverPanics turns a panic into a logged 500; the server goes on.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "panic", v, "method", r.Method, "path", r.URL.Path,
					"request_id", ajudae.RequestIDFrom(r.Context()))
				problem.Write(w, problem.New(http.StatusInternalServerError, "Internal error. It was logged; please try again."))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
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
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives every request an id (X-Request-Id, echoed) and logs
// one line per request with it.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			// A request id only tells log lines apart: no need for
			// crypto/rand (a system call) on every request.
			id = strconv.FormatUint(rand.Uint64(), 16)
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(ajudae.WithRequestID(r.Context(), id))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// LogAttrs: the access log runs on every request, without boxing.
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
	})
}

// timeout bounds a request's context, so a stuck database call ends in a
// 503 instead of holding the client, and its connection's deadlines, so a
// client trickling its body or not reading the answer cannot hold it either.
func timeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(d))
		rc.SetWriteDeadline(time.Now().Add(2 * d))
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// securityHeaders sets the headers every response carries. HSTS is sent
// only over TLS: a connection of our own, or X-Forwarded-Proto: https from a
// proxy we trust (anyone can send that header to a server reached directly).
func securityHeaders(trustProxy bool, next http.Handler) http.Handler {
	// The values are built once and shared by every response (Header.Set
	// would allocate each one per request): the keys are canonical, and
	// setting or adding a header replaces or copies its slice, never
	// writes into it.
	always := []struct {
		key   string
		value []string
	}{
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"Referrer-Policy", []string{"same-origin"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Content-Security-Policy", []string{"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"}},
	}
	hsts := []string{"max-age=63072000; includeSubDomains"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, a := range always {
			h[a.key] = a.value
		}
		if r.TLS != nil || (trustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}
