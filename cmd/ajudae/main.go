// Command ajudae runs the Ajudaê help-desk: the JSON API, its docs and the
// web UI, on an embedded SQLite file by default or on PostgreSQL.
//
//	ajudae [flags]            serve (ajudae -h lists the flags)
//	ajudae migrate [flags]    apply the migrations and exit
//	ajudae backup FILE        copy the SQLite database online to FILE
//	ajudae probe [flags]      exit 0 when the local server is ready (/readyz):
//	                          the container healthcheck (the image has no shell)
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/heapfloor"
	"github.com/ajudae/ajudae/internal/live"
	"github.com/ajudae/ajudae/internal/metrics"
	"github.com/ajudae/ajudae/internal/notify"
	"github.com/ajudae/ajudae/internal/password"
	"github.com/ajudae/ajudae/internal/server"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

const version = "0.1.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ajudae:", err)
		os.Exit(1)
	}
}

var errHelp = errors.New("help shown")

// run is the whole program: it returns when ctx is done (serve) or the
// command finished.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	gogc := getenv("GOGC") // the runtime's own, not from .env
	getenv, err := envLookup(getenv)
	if err != nil {
		return err
	}
	var backupFile string
	if cmd == "backup" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return errors.New("usage: ajudae backup FILE [flags]")
		}
		backupFile, args = args[0], args[1:]
	}
	cfg, err := parseConfig("ajudae "+cmd, args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, stdout)
	switch cmd {
	case "probe":
		return probe(ctx, cfg.Addr)
	case "serve":
		if gogc != "" {
			cfg.HeapFloorMiB = 0 // the operator tuned the collector
		}
		return serve(ctx, cfg, log)
	case "migrate":
		db, err := openStore(ctx, cfg, log)
		if err != nil {
			return err
		}
		log.Info("database is current", "engine", db.Engine())
		return db.Close()
	case "backup":
		db, err := openStore(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Backup(ctx, backupFile); err != nil {
			return err
		}
		log.Info("backup written", "file", backupFile)
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, migrate, backup or probe)", cmd)
}

// newLogger returns the one logger of the process; every line logged with
// a request's context carries its request_id.
func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(server.LogHandler(slog.NewTextHandler(w, opts)))
	}
	return slog.New(server.LogHandler(slog.NewJSONHandler(w, opts)))
}

// probe asks the server listening on addr (on this host) for /readyz.
func probe(ctx context.Context, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("probe: /readyz answered %d", res.StatusCode)
	}
	return nil
}

// servePprof serves net/http/pprof on a loopback address (checked by
// parseConfig) until the returned function is called.
func servePprof(addr string, log *slog.Logger) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("pprof listening", "addr", ln.Addr().String())
	return func() { srv.Close() }, nil
}

func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, sqlstore.Options{
		URL:        cfg.DatabaseURL,
		DataDir:    cfg.DataDir,
		MaxConns:   cfg.DBMaxConns,
		Hasher:     password.NewHasher(cfg.Argon2, 0),
		AccessTTL:  cfg.AccessTTL,
		RefreshTTL: cfg.RefreshTTL,
		Logger:     log,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

func serve(ctx context.Context, cfg *Config, log *slog.Logger) error {
	if cfg.HeapFloorMiB > 0 {
		defer heapfloor.Keep(uint64(cfg.HeapFloorMiB) << 20)()
	}
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seed(ctx, cfg, db, log); err != nil {
		return err
	}
	hub := live.New(db, log, live.Options{})
	m := metrics.New(metrics.Sources{Pool: db.PoolStats, Subscribers: hub.Subscribers})
	notifier, err := notify.New(db, notify.Options{SMTP: cfg.SMTP, BaseURL: cfg.PublicURL, Log: log, Observe: m.JobOutcome})
	if err != nil {
		return err
	}
	if cfg.SMTP.Host == "" {
		log.Warn("no SMTP server configured (AJUDAE_SMTP_HOST): e-mail notifications are recorded as skipped")
	}
	// The background work (live updates, e-mail, the sweeper) ends after the HTTP server.
	bgCtx, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	defer func() { stopBg(); bg.Wait() }()
	bg.Go(func() { hub.Run(bgCtx) })
	bg.Go(func() { notifier.Run(bgCtx) })
	bg.Go(func() { db.RunSweeper(bgCtx, 10*time.Minute) })
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	handler := server.New(server.Deps{
		Store: db, Log: log, Version: version, TrustProxy: cfg.TrustProxy,
		MaxUpload: cfg.MaxUpload, RequestTimeout: cfg.RequestTimeout,
		Live: hub, Metrics: m, MetricsToken: cfg.MetricsToken,
	})
	srv := newHTTPServer(ctx, handler, log)
	srv.RegisterOnShutdown(hub.Close) // event streams never go idle: end them
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "engine", db.Engine(), "version", version)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newHTTPServer returns the server of handler with the limits of a public
// service: headers within 64 KiB (431 beyond) that arrive within 10 s; the
// request timeout of internal/server bounds the rest of a request.
func newHTTPServer(ctx context.Context, handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// seed creates the general administrator and the default teams on an
// empty database. A random password is logged once, here and never again.
func seed(ctx context.Context, cfg *Config, db *sqlstore.DB, log *slog.Logger) error {
	pw, random := cfg.AdminPassword, cfg.AdminPassword == ""
	if random {
		b := make([]byte, 15)
		rand.Read(b)
		pw = base64.RawURLEncoding.EncodeToString(b)
	}
	created, err := db.Seed(ctx, ajudae.NewUser{Name: "Administrador", Email: cfg.AdminEmail, Password: pw})
	if err != nil {
		return err
	}
	switch {
	case created && random:
		log.Warn("created the general administrator with a random password; it is shown only this once",
			"email", cfg.AdminEmail, "password", pw)
	case created:
		log.Info("created the general administrator", "email", cfg.AdminEmail)
	}
	return nil
}
