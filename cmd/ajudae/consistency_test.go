package main

import (
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
	_ "modernc.org/sqlite"             // "sqlite"
)

// openDB opens a database as the server would find it: a SQLite file or
// a PostgreSQL URL.
func openDB(t *testing.T, sqliteFile, pgURL string) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if pgURL != "" {
		db, err = sql.Open("pgx", pgURL)
	} else {
		db, err = sql.Open("sqlite", "file:"+sqliteFile+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkConsistency fails the test unless the database is whole: on SQLite
// the engine's own integrity and foreign-key checks and the full-text
// indexes; on both, the invariants the store keeps in one transaction
// (every ticket has its created event, every message its message_added
// event and no event a missing message, every version is at least 1).
func checkConsistency(t *testing.T, db *sql.DB, engine string) {
	t.Helper()
	if engine == "sqlite" {
		var res string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Errorf("PRAGMA integrity_check: %q %v", res, err)
		}
		rows, err := db.Query("PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Error("PRAGMA foreign_key_check found a dangling reference")
		}
		rows.Close()
		for _, fts := range []string{"tickets_fts", "messages_fts"} {
			if _, err := db.Exec("INSERT INTO " + fts + " (" + fts + ", rank) VALUES ('integrity-check', 1)"); err != nil {
				t.Errorf("%s integrity-check: %v", fts, err)
			}
		}
	}
	messageID := "CAST(json_extract(e.data, '$.messageId') AS INTEGER)"
	if engine == "postgres" {
		messageID = "(e.data::json->>'messageId')::bigint"
	}
	for what, q := range map[string]string{
		"tickets without exactly one created event": `SELECT count(*) FROM tickets t
			WHERE (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'created') <> 1`,
		"tickets whose messages and message_added events differ in number": `SELECT count(*) FROM tickets t
			WHERE (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)
			   <> (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'message_added')`,
		"message_added events naming no message of their ticket": `SELECT count(*) FROM ticket_events e
			WHERE e.type = 'message_added' AND NOT EXISTS
			(SELECT 1 FROM messages m WHERE m.id = ` + messageID + ` AND m.ticket_id = e.ticket_id)`,
		"tickets with a version below 1":              `SELECT count(*) FROM tickets WHERE version < 1`,
		"tickets updated before they were created":    `SELECT count(*) FROM tickets WHERE updated_at < created_at`,
		"messages of tickets that do not exist":       `SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = m.ticket_id)`,
		"more than one general administrator or none": `SELECT abs(count(*) - 1) FROM users WHERE role = 'ADMIN'`,
	} {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Errorf("%s: %v", what, err)
		} else if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
}
