package sqlstore_test

import (
	"testing"

	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// TestPostgresSessionSettings: the store's PostgreSQL sessions run with
// jit off and random_page_cost 1.1 (db.go), and the same parameter in the
// URL wins. PostgreSQL only: SQLite has no such settings.
func TestPostgresSessionSettings(t *testing.T) {
	ctx := t.Context()
	for _, c := range []struct {
		query, jit, cost string
	}{
		{"", "off", "1.1"},
		{"&jit=on&random_page_cost=3", "on", "3"},
	} {
		url := dbtest.PostgresURL(t)
		if c.query != "" {
			url += c.query
		}
		db := dbtest.OpenWith(t, sqlstore.Options{URL: url, Hasher: dbtest.FastHasher()})
		for name, want := range map[string]string{"jit": c.jit, "random_page_cost": c.cost} {
			got, err := db.Setting(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("URL %q: %s = %s, want %s", url, name, got, want)
			}
		}
	}
}
