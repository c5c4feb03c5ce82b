package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestBackup: `ajudae backup FILE` copies the SQLite database of a running
// server while writes go on; the copy is consistent, holds every write
// acknowledged before the backup began, and a server started on it (the
// restore) serves that data and takes new writes. On PostgreSQL the
// command refuses and points to pg_dump.
func TestBackup(t *testing.T) {
	bin := buildBinary(t)
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		dataDir := t.TempDir()
		env := map[string]string{"AJUDAE_DATA_DIR": dataDir, "AJUDAE_ADMIN_EMAIL": "root@example.com",
			"AJUDAE_ADMIN_PASSWORD": "root-password", "AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1"}
		file := filepath.Join(t.TempDir(), "copia.db")
		if e.Name == "postgres" {
			env["DATABASE_URL"] = dbtest.PostgresURL(t)
			out, err := backupCommand(t, bin, env, file)
			if err == nil || !strings.Contains(out, "pg_dump") {
				t.Errorf("backup on PostgreSQL: %v, want an error pointing to pg_dump:\n%s", err, out)
			}
			if _, err := os.Stat(file); err == nil {
				t.Error("backup on PostgreSQL wrote a file")
			}
			return
		}
		p := startProcess(t, bin, env)
		admin, attendant, team := staffTeam(t, p.base)

		// Writers go on during the whole backup; they stop when told.
		load := &writeLoad{enough: make(chan struct{})}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 4 {
			requester, _ := register(t, p.base, fmt.Sprintf("Cliente %d", i), fmt.Sprintf("cliente%d@example.com", i), "client-password")
			wg.Go(func() { load.runUntil(stop, i, requester, attendant, team, 40) })
		}
		select {
		case <-load.enough:
		case <-time.After(hangGuard):
			t.Fatalf("the load did not start\n%s", p.out)
		}
		load.mu.Lock()
		before := append([]ackedTicket(nil), load.tickets...)
		load.mu.Unlock()
		out, err := backupCommand(t, bin, env, file)
		if err != nil {
			t.Fatalf("backup: %v\n%s", err, out)
		}
		load.mu.Lock()
		during := len(load.tickets) - len(before)
		load.mu.Unlock()
		close(stop)
		wg.Wait()
		if len(load.failures) > 0 {
			t.Errorf("writes failed during the backup: %v", load.failures[:min(5, len(load.failures))])
		}
		t.Logf("backup taken with %d tickets acknowledged before it and %d while it ran", len(before), during)

		// A second backup to the same file refuses to overwrite it.
		if out, err := backupCommand(t, bin, env, file); err == nil {
			t.Errorf("backup over an existing file succeeded:\n%s", out)
		}

		db := openDB(t, file, "")
		checkConsistency(t, db, "sqlite")
		for _, tk := range before {
			var title string
			if err := db.QueryRow("SELECT title FROM tickets WHERE id = ?", tk.id).Scan(&title); err != nil || title != tk.title {
				t.Errorf("ticket %d acknowledged before the backup: %q %v in the copy", tk.id, title, err)
			}
		}
		db.Close()

		// Restore: a server on a copy of the backup serves its data.
		restored := t.TempDir()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(restored, "ajudae.db"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		env["AJUDAE_DATA_DIR"] = restored
		r := startProcess(t, bin, env)
		admin = login(t, r.base, "root@example.com", "root-password")
		for _, tk := range before {
			var got struct{ Title string }
			admin.must(t, 200, "GET", fmt.Sprintf("/ticket/%d", tk.id), nil, &got)
			if got.Title != tk.title {
				t.Errorf("restored ticket %d: %q, want %q", tk.id, got.Title, tk.title)
			}
		}
		login(t, r.base, "att@example.com", "att-password")
		admin.must(t, 201, "POST", "/ticket", map[string]any{"title": "Depois da restauração", "description": "x", "teamId": team}, nil)
		r.stop(t)
		p.stop(t)
	})
}

// backupCommand runs `ajudae backup file` with env and returns its output.
func backupCommand(t *testing.T, bin string, env map[string]string, file string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, "backup", file)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(hangGuard):
		cmd.Process.Kill()
		<-done
		t.Fatalf("backup did not finish:\n%s", out)
	}
	return string(out), err
}

// runUntil is run that also stops when stop is closed.
func (l *writeLoad) runUntil(stop <-chan struct{}, worker int, requester, attendant *client, team int64, threshold int) {
	for round := 0; round < 100; round++ {
		select {
		case <-stop:
			return
		default:
		}
		if !l.round(fmt.Sprintf("%d.%d", worker, round), requester, attendant, team, threshold) {
			return
		}
	}
}
