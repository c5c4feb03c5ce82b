// Package sqlstore is the only code that speaks SQL. One implementation
// serves both SQLite (embedded, single replica) and PostgreSQL (production,
// any number of replicas); the engine differences sit in dialect.go.
// Every use case runs in one transaction that checks the policy of the
// ajudae package, changes the rows and writes the timeline event.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"

	"github.com/ajudae/ajudae/internal/password"
)

// Options configure a DB. The zero value of each field is a sane default.
type Options struct {
	// URL is a postgres:// URL; empty means SQLite under DataDir.
	URL     string
	DataDir string
	// MaxConns bounds the PostgreSQL pool (default 20).
	MaxConns int

	Hasher     *password.Hasher
	AccessTTL  time.Duration // default 15 minutes
	RefreshTTL time.Duration // default 30 days
	Throttle   Throttle
	Logger     *slog.Logger
	Now        func() time.Time // the clock; tests move it

	// WrapConnector, when set, wraps every connector (tests count round trips).
	WrapConnector func(driver.Connector) driver.Connector
}

// Throttle bounds failed logins per account and per address within Window.
type Throttle struct {
	PerAccount int           // default 10
	PerAddress int           // default 30
	Window     time.Duration // default 15 minutes
}

// DB is the store. Its zero value is not usable; call Open.
type DB struct {
	write *sql.DB // SQLite: the one writer connection; PostgreSQL: the pool
	read  *sql.DB // SQLite: a pool of read-only connections; PostgreSQL: the pool
	d     dialect
	opts  Options
	log   *slog.Logger

	// SQLite: the callers of recent access tokens (actors.go); nil on PostgreSQL.
	actors *actorCache
	// The names of teams and users that tickets show (names.go): the
	// actorCache on SQLite, a pgNames on PostgreSQL.
	names nameMemory
	// SQLite: the write transaction queued rows for the full-text index
	// (search_pending), which the writer indexes before it commits.
	searchPending atomic.Bool

	// Prepared statements of each pool; nil on PostgreSQL (see stmtCache).
	readStmts, writeStmts *stmtCache

	migrations *goose.Provider
	commits    chan struct{} // a commit wrote events: wakes this replica's feed (feed.go)
	announce   chan struct{} // PostgreSQL: the other replicas are to be told (feed.go)

	// SQLite's writer (writer.go): write transactions queue on writes.
	// Nil on PostgreSQL.
	writes chan *writeJob

	// Background goroutines (the writer, the announcer) stop when closing
	// is closed, and Close waits for them.
	closing    chan struct{}
	closeOnce  sync.Once
	background sync.WaitGroup
}

// Open connects to the database that opts names and applies the pending
// migrations. It does not seed data; see Seed.
func Open(ctx context.Context, opts Options) (*DB, error) {
	opts = withDefaults(opts)
	db := &DB{opts: opts, log: opts.Logger, commits: make(chan struct{}, 1), closing: make(chan struct{})}
	var err error
	if opts.URL != "" {
		err = db.openPostgres(opts)
	} else {
		err = db.openSQLite(opts)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.writes != nil {
		// The migrations wrote outside the writer; and rows queued for the
		// search index by another program (an older server while a newer
		// one migrated the file) are indexed by the first write.
		db.actors.restart()
		// Note the file's data_version now: the first check a second
		// later then forgets only what another program changed since.
		db.actors.checkOthers(db.write)
		db.searchPending.Store(true)
	}
	return db, nil
}

func withDefaults(o Options) Options {
	if o.DataDir == "" {
		o.DataDir = "data"
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 20
	}
	if o.Hasher == nil {
		o.Hasher = password.NewHasher(password.DefaultParams(), 0)
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = 15 * time.Minute
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = 30 * 24 * time.Hour
	}
	if o.Throttle.PerAccount <= 0 {
		o.Throttle.PerAccount = 10
	}
	if o.Throttle.PerAddress <= 0 {
		o.Throttle.PerAddress = 30
	}
	if o.Throttle.Window <= 0 {
		o.Throttle.Window = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (db *DB) openPostgres(opts Options) error {
	cfg, err := pgx.ParseConfig(opts.URL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	// Session settings for the store's queries; the same parameter in the
	// URL (?jit=on) wins. JIT compilation pays off for long analytic
	// queries; here it fired on a search whose row estimate was large (a
	// prefix tsquery) and spent 25 ms compiling a query that runs in 1 ms.
	// random_page_cost 4 prices a random read as a spinning disk's: with
	// it, a team's open tickets, newest first, were read by scanning the
	// index of all tickets by date and filtering out seven rows of eight,
	// not by the index of that team and status (W2 on PostgreSQL, 703 ->
	// 326 µs of its CPU a page; docs/BENCHMARKS.md). 1.1 is the usual value
	// for SSDs and for a working set in memory.
	for name, value := range map[string]string{"jit": "off", "random_page_cost": "1.1"} {
		if _, ok := cfg.RuntimeParams[name]; !ok {
			cfg.RuntimeParams[name] = value
		}
	}
	c := wrap(opts, stdlib.GetConnector(*cfg))
	pool := sql.OpenDB(c)
	pool.SetMaxOpenConns(opts.MaxConns)
	pool.SetMaxIdleConns(opts.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db.write, db.read, db.d = pool, pool, postgres
	db.names = &pgNames{}
	db.announce = make(chan struct{}, 1)
	db.background.Go(db.announceLoop)
	return nil
}

// sqlitePragmas go in the DSN so that every pooled connection gets them.
// temp_store(MEMORY) keeps statement journals in memory: a write whose
// triggers fill the full-text index journals its pages at every statement,
// and in a temporary file that was a write system call per page.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_time_format=sqlite"

func (db *DB) openSQLite(opts Options) error {
	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(opts.DataDir, "ajudae.db")
	db.actors = newActorCache(opts.Logger)
	db.names = db.actors
	open := func(params string, hook sqlite.PreUpdateHookFn) (*sql.DB, error) {
		var c driver.Connector
		c, err := sqlite.NewConnector("file:" + path + "?" + sqlitePragmas + params)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		if hook != nil {
			c = hookedConnector{Connector: c, hook: hook}
		}
		return sql.OpenDB(wrap(opts, c)), nil
	}
	w, err := open("&_txlock=immediate", db.written)
	if err != nil {
		return err
	}
	// One writer: concurrent writes queue in the pool instead of failing
	// with SQLITE_BUSY; readers run beside it thanks to WAL.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	r, err := open("&_pragma=query_only(1)", nil)
	if err != nil {
		w.Close()
		return err
	}
	// Reads run in this process and use the CPU, not the network: more
	// connections than twice the cores only add page caches (memory).
	readers := min(max(4, opts.MaxConns/2), max(4, 2*runtime.NumCPU()))
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db.write, db.read, db.d = w, r, sqliteDialect
	db.readStmts, db.writeStmts = newStmtCache(r, false), newStmtCache(w, true)
	db.writes = make(chan *writeJob)
	db.background.Go(db.writeLoop)
	return nil
}

// written is the SQLite write connection's pre-update hook: it runs before
// each row is written, inside the transaction writing it.
func (db *DB) written(d sqlite.SQLitePreUpdateData) {
	db.actors.written(d)
	if d.Op == sqliteInsert && (d.TableName == "tickets" || d.TableName == "messages") {
		db.searchPending.Store(true) // a new row queues itself in search_pending
	}
}

func wrap(opts Options, c driver.Connector) driver.Connector {
	if opts.WrapConnector != nil {
		return opts.WrapConnector(c)
	}
	return c
}

// Close closes every connection.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	db.background.Wait()
	db.readStmts.close()
	db.writeStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.d.name }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return formatError(err)
	}
	return nil
}

// PoolStats returns the pool statistics of the writer (the only pool on PostgreSQL).
func (db *DB) PoolStats() sql.DBStats { return db.write.Stats() }

// now returns the current time as stored: UTC, truncated to microseconds
// (PostgreSQL's precision), so a value read back compares equal.
func (db *DB) now() time.Time { return db.opts.Now().UTC().Truncate(time.Microsecond) }

// Tx is a write transaction with the time it started.
type Tx struct {
	tx          *sql.Tx
	db          *DB
	now         time.Time
	wroteEvents bool // the feed has news once it commits
}

// inTx runs fn in a write transaction, committing when fn returns nil.
// On SQLite the transaction may be shared with other writes (writer.go):
// fn's changes are rolled back alone when it fails, and committed with the
// others' before inTx returns.
func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	if db.writes != nil {
		return db.submit(ctx, fn)
	}
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return formatError(err)
	}
	defer stx.Rollback() // after a panic in fn; a no-op after Commit
	tx := &Tx{tx: stx, db: db, now: db.now()}
	if err := fn(tx); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		return formatError(err)
	}
	if tx.wroteEvents {
		db.committedEvents()
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = tx.db.d.rebind(query)
	var (
		res sql.Result
		err error
	)
	if s := tx.db.writeStmts.get(ctx, query); s != nil {
		res, err = tx.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	} else {
		res, err = tx.tx.ExecContext(ctx, query, args...)
	}
	return res, formatError(err)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = tx.db.d.rebind(query)
	var (
		rows *sql.Rows
		err  error
	)
	if s := tx.db.writeStmts.get(ctx, query); s != nil {
		rows, err = tx.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	} else {
		rows, err = tx.tx.QueryContext(ctx, query, args...)
	}
	return rows, formatError(err)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = tx.db.d.rebind(query)
	if s := tx.db.writeStmts.get(ctx, query); s != nil {
		return tx.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// execOne runs a statement that must change exactly one row; no row is ENOTFOUND.
func (tx *Tx) execOne(ctx context.Context, what string, query string, args ...any) error {
	res, err := tx.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(what)
	}
	return nil
}

// query runs a read outside any transaction, on the read pool.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = db.d.rebind(query)
	var (
		rows *sql.Rows
		err  error
	)
	if s := db.readStmts.get(ctx, query); s != nil {
		rows, err = s.QueryContext(ctx, args...)
	} else {
		rows, err = db.read.QueryContext(ctx, query, args...)
	}
	return rows, formatError(err)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = db.d.rebind(query)
	if s := db.readStmts.get(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, query, args...)
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }
