package dbtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Cluster is a private, throwaway PostgreSQL server for a test that must
// stop and start it (an outage), which the cluster shared by every other
// test must never be. It listens only on a Unix socket in its own
// directory, and runs as the postgres user when the test runs as root.
type Cluster struct {
	// URL reaches the cluster's postgres database.
	URL string

	bin  string   // directory of initdb and pg_ctl
	dir  string   // holds data/, the socket and server.log
	as   []string // runuser prefix when root
	opts string
}

// StartCluster creates and starts a cluster, stopped and removed at
// cleanup. Without PostgreSQL's binaries the test is skipped, loudly, or
// fails when AJUDAE_REQUIRE_POSTGRES=1 (CI).
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, ok := findPostgresBin()
	if !ok {
		if os.Getenv("AJUDAE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("AJUDAE_REQUIRE_POSTGRES=1 but no initdb and pg_ctl were found")
		}
		t.Skip("SKIPPED: PostgreSQL's binaries (initdb, pg_ctl) are not installed; this test needs a private cluster")
	}
	dir, err := os.MkdirTemp("", "ajudae-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{bin: bin, dir: dir,
		opts: fmt.Sprintf("-k %s -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off", dir)}
	t.Cleanup(func() {
		c.pgctl("-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	})
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user to run the cluster: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.URL = fmt.Sprintf("postgres://postgres@/postgres?host=%s&sslmode=disable", dir)
	c.Start(t)
	return c
}

// Start starts the (stopped) cluster and waits until it accepts connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if out, err := c.pgctl("-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", c.opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// Stop stops the cluster the hard way (immediate mode, as a crash would):
// every connection drops at once.
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if out, err := c.pgctl("-m", "immediate", "-w", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

func (c *Cluster) pgctl(args ...string) ([]byte, error) {
	return c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", filepath.Join(c.dir, "data")}, args...)...)
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, c.as...), name), args...)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput()
}

// findPostgresBin returns the directory of initdb and pg_ctl: the one on
// PATH, or Debian's /usr/lib/postgresql/<version>/bin.
func findPostgresBin() (string, bool) {
	var dirs []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(found) - 1; i >= 0; i-- { // newest version first
		dirs = append(dirs, found[i])
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, true
		}
	}
	return "", false
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
