// Command ajudae runs the Ajudaê help-desk: the JSON API, its docs and the
// web UI, on an embedded SQLite file by default or on PostgreSQL.
//
//	ajudae [flags]            serve (ajudae -h lists the flags)
//	ajudae migrate [flags]    apply the migrations and exit
//	ajudae backup FILE        copy the SQLite database online to FILE
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
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ajudae/ajudae"
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
	case "serve":
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
	return fmt.Errorf("unknown command %q (want serve, migrate or backup)", cmd)
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
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
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seed(ctx, cfg, db, log); err != nil {
		return err
	}
	handler := server.New(server.Deps{
		Store: db, Log: log, Version: version, TrustProxy: cfg.TrustProxy,
		MaxUpload: cfg.MaxUpload, RequestTimeout: cfg.RequestTimeout,
	})
	srv := newHTTPServer(ctx, handler, log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	var background sync.WaitGroup
	bgCtx, stopBackground := context.WithCancel(ctx)
	defer func() { stopBackground(); background.Wait() }()
	background.Go(func() { db.RunSweeper(bgCtx, 10*time.Minute) })
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
