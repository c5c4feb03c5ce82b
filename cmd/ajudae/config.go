package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/joho/godotenv"

	"github.com/ajudae/ajudae/internal/notify"
	"github.com/ajudae/ajudae/internal/password"
)

// loopbackOnly refuses an address that is not on the loopback interface:
// profiles expose internals, so pprof never listens where others reach it.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address (use 127.0.0.1:PORT)", addr)
	}
	return nil
}

// Config is every setting of the server. parseConfig is its only reader
// of flags and environment.
type Config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string
	AdminEmail     string
	AdminPassword  string
	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	LogFormat      string
	LogLevel       string
	TrustProxy     bool
	MaxUpload      int64
	DBMaxConns     int
	Argon2         password.Params
	RequestTimeout time.Duration

	SMTP         notify.SMTP // e-mail; no host = jobs recorded as skipped
	PublicURL    string      // the server's public address, for links in e-mail
	MetricsToken string      // when set, GET /metrics wants it as a bearer token
	PprofAddr    string      // loopback address of the pprof server; empty = off
	HeapFloorMiB int64       // smallest heap goal of the collector; 0 = Go's default
}

// envLookup returns the value of an environment variable: the real
// environment first, then the .env file of the working directory.
func envLookup(getenv func(string) string) (func(string) string, error) {
	dotenv, err := godotenv.Read(".env")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read .env: %w", err)
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return dotenv[k]
	}, nil
}

// parseConfig reads flags, falling back to AJUDAE_* variables (and
// DATABASE_URL), falling back to the defaults of API.md.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(p *string, flagName, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, flagName, def, usage+" (env "+env+")")
	}
	var errs []error
	dur := func(p *time.Duration, flagName, env string, def time.Duration, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
			def = d
		}
		fs.DurationVar(p, flagName, def, usage+" (env "+env+")")
	}
	num := func(p *int64, flagName, env string, def int64, usage string) {
		if v := getenv(env); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
			def = n
		}
		fs.Int64Var(p, flagName, def, usage+" (env "+env+")")
	}
	str(&c.Addr, "addr", "AJUDAE_ADDR", ":3000", "listen address")
	str(&c.DataDir, "data-dir", "AJUDAE_DATA_DIR", "./data", "directory of the embedded SQLite database")
	str(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "postgres:// URL; empty runs on SQLite")
	str(&c.AdminEmail, "admin-email", "AJUDAE_ADMIN_EMAIL", "admin@ajudae.local", "e-mail of the general administrator created on an empty database")
	str(&c.AdminPassword, "admin-password", "AJUDAE_ADMIN_PASSWORD", "", "its password; random and logged once when empty")
	dur(&c.AccessTTL, "access-ttl", "AJUDAE_ACCESS_TTL", 15*time.Minute, "lifetime of access tokens")
	dur(&c.RefreshTTL, "refresh-ttl", "AJUDAE_REFRESH_TTL", 30*24*time.Hour, "lifetime of refresh tokens and web sessions")
	dur(&c.RequestTimeout, "request-timeout", "AJUDAE_REQUEST_TIMEOUT", 30*time.Second, "longest a request may work")
	str(&c.LogFormat, "log-format", "AJUDAE_LOG_FORMAT", "json", "json or text")
	str(&c.LogLevel, "log-level", "AJUDAE_LOG_LEVEL", "info", "debug, info, warn or error")
	trust := getenv("AJUDAE_TRUST_PROXY") == "true" || getenv("AJUDAE_TRUST_PROXY") == "1"
	fs.BoolVar(&c.TrustProxy, "trust-proxy", trust, "take the client address from X-Forwarded-For (env AJUDAE_TRUST_PROXY)")
	num(&c.MaxUpload, "max-upload", "AJUDAE_MAX_UPLOAD", 10<<20, "largest attachment in bytes")
	var smtpPort int64
	str(&c.SMTP.Host, "smtp-host", "AJUDAE_SMTP_HOST", "", "SMTP server for e-mail notifications; empty records them as skipped")
	num(&smtpPort, "smtp-port", "AJUDAE_SMTP_PORT", 0, "SMTP port (default 587; 465 with -smtp-tls tls; 25 with none)")
	str(&c.SMTP.Username, "smtp-username", "AJUDAE_SMTP_USERNAME", "", "SMTP user; empty: no authentication")
	str(&c.SMTP.Password, "smtp-password", "AJUDAE_SMTP_PASSWORD", "", "SMTP password")
	str(&c.SMTP.From, "smtp-from", "AJUDAE_SMTP_FROM", "", "sender address of the notifications, e.g. Ajudaê <ajuda@example.com>")
	str(&c.SMTP.TLS, "smtp-tls", "AJUDAE_SMTP_TLS", "starttls", "starttls (required), tls (implicit) or none")
	str(&c.PublicURL, "public-url", "AJUDAE_PUBLIC_URL", "", "public address of the server, for links in e-mail")
	str(&c.MetricsToken, "metrics-token", "AJUDAE_METRICS_TOKEN", "", "bearer token GET /metrics requires; empty: open")
	str(&c.PprofAddr, "pprof-addr", "AJUDAE_PPROF_ADDR", "", "loopback address for net/http/pprof, e.g. 127.0.0.1:6060; empty: off")
	num(&c.HeapFloorMiB, "heap-floor", "AJUDAE_HEAP_FLOOR", 12, "smallest heap goal of the collector in MiB, for fewer collections; 0: Go's default (GOGC in the environment turns it off)")
	var conns, mem, iters, threads int64
	num(&conns, "db-max-conns", "AJUDAE_DB_MAX_CONNS", 20, "PostgreSQL connection pool size")
	def := password.DefaultParams()
	num(&mem, "argon2-memory", "AJUDAE_ARGON2_MEMORY", int64(def.Memory), "argon2id memory in KiB")
	num(&iters, "argon2-time", "AJUDAE_ARGON2_TIME", int64(def.Time), "argon2id iterations")
	num(&threads, "argon2-threads", "AJUDAE_ARGON2_THREADS", int64(def.Threads), "argon2id parallelism")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if mem < 8 || mem > 4<<20 || iters < 1 || iters > 100 || threads < 1 || threads > 255 {
		return nil, errors.New("argon2 parameters out of range")
	}
	if c.HeapFloorMiB < 0 || c.HeapFloorMiB > 1<<16 {
		return nil, fmt.Errorf("heap floor %d MiB: want 0 to %d", c.HeapFloorMiB, 1<<16)
	}
	c.DBMaxConns = int(conns)
	c.SMTP.Port = int(smtpPort)
	if err := c.SMTP.Validate(); err != nil {
		return nil, err
	}
	if c.PprofAddr != "" {
		if err := loopbackOnly(c.PprofAddr); err != nil {
			return nil, fmt.Errorf("AJUDAE_PPROF_ADDR: %w", err)
		}
	}
	c.Argon2 = password.Params{Memory: uint32(mem), Time: uint32(iters), Threads: uint8(threads)}
	switch c.LogFormat {
	case "json", "text":
	default:
		return nil, fmt.Errorf("log format %q: want json or text", c.LogFormat)
	}
	return &c, nil
}
