// Package dbtest gives tests a fresh database on each engine: SQLite in a
// temporary directory always, and PostgreSQL when AJUDAE_TEST_POSTGRES
// names a server (scripts/test starts a throwaway one). Each PostgreSQL
// test gets its own database, cloned from a migrated template.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
	_ "modernc.org/sqlite"             // the "sqlite" driver, for OpenRaw

	"github.com/ajudae/ajudae/internal/password"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// Engine is one database engine a test runs on.
type Engine struct {
	Name string
	// Options returns store options for a fresh, empty, migrated database.
	Options func(t testing.TB) sqlstore.Options
	// Blank returns store options for a fresh database without any schema
	// (on SQLite, the same as Options): upgrade tests migrate it part way.
	Blank func(t testing.TB) sqlstore.Options
}

// Engines returns SQLite and PostgreSQL.
func Engines() []Engine {
	return []Engine{
		{Name: "sqlite", Options: sqliteOptions, Blank: sqliteOptions},
		{Name: "postgres", Options: func(t testing.TB) sqlstore.Options {
			return sqlstore.Options{URL: PostgresURL(t), Hasher: FastHasher()}
		}, Blank: func(t testing.TB) sqlstore.Options {
			return sqlstore.Options{URL: postgresURL(t, false), Hasher: FastHasher()}
		}},
	}
}

// ForEach runs fn as a subtest once per engine.
func ForEach(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// Open returns a store on a fresh database of engine e, closed at cleanup.
func Open(t testing.TB, e Engine) *sqlstore.DB {
	t.Helper()
	return OpenWith(t, e.Options(t))
}

// OpenWith returns a store opened with o (from an Engine's Options),
// closed at cleanup.
func OpenWith(t testing.TB, o sqlstore.Options) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), o)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenRaw opens the database of o outside the store (a second client:
// another process's lock, a transaction left open), closed at cleanup.
func OpenRaw(t testing.TB, o sqlstore.Options) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if o.URL != "" {
		db, err = sql.Open("pgx", o.URL)
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(o.DataDir, "ajudae.db")+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// FastHasher hashes with tiny argon2id parameters: tests log in thousands
// of times and do not measure the cost.
func FastHasher() *password.Hasher {
	return password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 4)
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
	seq      atomic.Int64
)

func sqliteOptions(t testing.TB) sqlstore.Options {
	return sqlstore.Options{DataDir: t.TempDir(), Hasher: FastHasher()}
}

// PostgresURL returns the URL of a new, migrated database dropped at
// cleanup. Without AJUDAE_TEST_POSTGRES the test is skipped, or fails when
// AJUDAE_REQUIRE_POSTGRES=1 (CI), so a missing PostgreSQL is never silent.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return postgresURL(t, true)
}

// postgresURL is PostgresURL, of a database without any schema unless
// migrated.
func postgresURL(t testing.TB, migrated bool) string {
	t.Helper()
	base := os.Getenv("AJUDAE_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("AJUDAE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("AJUDAE_REQUIRE_POSTGRES=1 but AJUDAE_TEST_POSTGRES is not set")
		}
		t.Skip("PostgreSQL half skipped: AJUDAE_TEST_POSTGRES is not set (scripts/test sets it)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	tmplOnce.Do(func() { tmplName, tmplErr = makeTemplate(admin, base) })
	if tmplErr != nil {
		t.Fatalf("postgres template: %v", tmplErr)
	}
	name, create := fmt.Sprintf("%s_%d", tmplName, seq.Add(1)), ""
	if migrated {
		create = " TEMPLATE " + tmplName
	}
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name+create); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return withDatabase(base, name)
}

func makeTemplate(admin *sql.DB, base string) (string, error) {
	ctx := context.Background()
	name := fmt.Sprintf("ajt_%d", os.Getpid())
	admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	db, err := sqlstore.Open(ctx, sqlstore.Options{URL: withDatabase(base, name), Hasher: FastHasher()})
	if err != nil {
		return "", err
	}
	return name, db.Close()
}

// withDatabase returns the URL base with its database replaced by name.
func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}
