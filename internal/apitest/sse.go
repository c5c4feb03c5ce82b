package apitest

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// SSE is one event read from a Server-Sent Events stream.
type SSE struct {
	ID    string
	Event string
	Data  string
}

// Live is the decoded data of a GET /events event.
type Live struct {
	Type     string `json:"type"`
	TicketID int64  `json:"ticketId"`
	TeamID   int64  `json:"teamId"`
	Gone     bool   `json:"gone"` // the ticket left the caller's sight
	Event    struct {
		ID   int64           `json:"id"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	} `json:"event"`
}

// Decode returns the event's data as a Live.
func (e SSE) Decode(t testing.TB) Live {
	t.Helper()
	var l Live
	if err := json.Unmarshal([]byte(e.Data), &l); err != nil {
		t.Fatalf("event data %q: %v", e.Data, err)
	}
	return l
}

// Stream is an open event stream. Events arrive on a channel filled by a
// reader goroutine; the stream closes at the end of the test.
type Stream struct {
	t      testing.TB
	events chan SSE
	cancel func()
	Status int
}

// OpenStream connects to url (a GET /events) with header and waits for
// the response headers; the first comment of the server follows them.
func OpenStream(t testing.TB, url string, header http.Header) *Stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", url, err)
	}
	s := &Stream{t: t, events: make(chan SSE, 1024), cancel: cancel, Status: res.StatusCode}
	t.Cleanup(s.Close)
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		close(s.events)
		return s
	}
	ready := make(chan struct{})
	go func() {
		defer res.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var cur SSE
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if cur.Event != "" || cur.Data != "" {
					s.events <- cur
				}
				cur = SSE{}
			case strings.HasPrefix(line, ": connected"):
				close(ready)
			case strings.HasPrefix(line, "id: "):
				cur.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				cur.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				cur.Data = line[6:]
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("GET %s: no greeting from the stream", url)
	}
	return s
}

// Stream opens GET /events on env's server with token as bearer.
func (env *Env) Stream(token string, header ...string) *Stream {
	env.T.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return OpenStream(env.T, env.Server.URL+"/events", h)
}

// Next returns the next event, skipping comments, failing the test when
// none comes within 15 s (a bound on a hung test, not a speed assertion)
// or the stream ends.
func (s *Stream) Next() SSE {
	s.t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			s.t.Fatal("the event stream ended")
		}
		return e
	case <-time.After(15 * time.Second):
		s.t.Fatal("no event within 15 s")
	}
	return SSE{}
}

// Ended reports whether the server closed the stream, waiting up to 15 s.
func (s *Stream) Ended() bool {
	deadline := time.After(15 * time.Second)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// Close ends the stream.
func (s *Stream) Close() { s.cancel() }
