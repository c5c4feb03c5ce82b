package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/server"
)

// TestLogHandler: a line logged with a request's context names the
// request, exactly once, even through With; a line without one does not.
func TestLogHandler(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(server.LogHandler(slog.NewJSONHandler(&b, nil))).With("component", "test")
	ctx := ajudae.WithRequestID(context.Background(), "req-42")
	log.InfoContext(ctx, "inside a request")
	log.WarnContext(ctx, "already named", "request_id", "req-42")
	log.Info("outside any request")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), b.String())
	}
	for i, want := range []int{1, 1, 0} {
		if got := strings.Count(lines[i], `"request_id":"req-42"`); got != want {
			t.Errorf("line %d has request_id %d times, want %d: %s", i, got, want, lines[i])
		}
	}
}
