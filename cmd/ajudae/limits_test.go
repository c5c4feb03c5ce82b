package main

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// hangGuard bounds how long a test waits for something that must happen.
// It detects a hang; it is not a measure of speed.
const hangGuard = 60 * time.Second

// TestHeaderLimit: the served program answers 431 to headers over 64 KiB
// and serves headers well within it.
func TestHeaderLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := map[string]string{"AJUDAE_DATA_DIR": t.TempDir(), "AJUDAE_ADMIN_PASSWORD": "admin-password",
			"AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1"}
		if e.Name == "postgres" {
			env["DATABASE_URL"] = dbtest.PostgresURL(t)
		}
		base, _, _ := startRun(t, env)
		checkHeaderLimit(t, base)
	})
}

func checkHeaderLimit(t *testing.T, base string) {
	for _, tt := range []struct {
		size int
		want int
	}{{32 << 10, http.StatusOK}, {100 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
		req, _ := http.NewRequest("GET", base+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", tt.size))
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatalf("%d bytes of header: %v", tt.size, err)
		}
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("%d bytes of header: status %d, want %d", tt.size, res.StatusCode, tt.want)
		}
	}
}

// TestSlowHeaders: the server main builds drops a connection whose
// headers do not arrive within ReadHeaderTimeout (slowloris). The timeout
// is shortened here after checking the value main uses.
func TestSlowHeaders(t *testing.T) {
	srv := newHTTPServer(t.Context(), http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout != 10*time.Second || srv.MaxHeaderBytes != 64<<10 || srv.IdleTimeout <= 0 {
		t.Errorf("server limits: ReadHeaderTimeout %v MaxHeaderBytes %d IdleTimeout %v", srv.ReadHeaderTimeout, srv.MaxHeaderBytes, srv.IdleTimeout)
	}
	srv.ReadHeaderTimeout = 200 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hangGuard))
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ") // and never the end of the headers
	b, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server kept a connection whose headers never ended")
	}
	if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 408") {
		t.Errorf("answer to unfinished headers: %q", b)
	}
}
