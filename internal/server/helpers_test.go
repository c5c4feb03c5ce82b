package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// syncWriter serialises writes to a buffer shared with the test.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// newSyncLogger returns a JSON logger into buf. Read buf only once the
// server is idle.
func newSyncLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(&syncWriter{w: buf}, nil))
}
