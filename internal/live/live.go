// Package live serves GET /events: Server-Sent Events about the tickets
// the caller can see. One Hub per process follows the committed changes of
// the database (LISTEN/NOTIFY on PostgreSQL, so a change made on any
// replica reaches the subscribers of every replica) and fans them out to
// its subscribers, each filtered by ajudae.CanSeeChange; whoever a
// redirect takes a ticket away from hears only that it went
// (ajudae.LostSightOf), so that an open page of it can leave.
package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/api"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// Options tune a Hub; zero values are the defaults.
type Options struct {
	// Heartbeat is how often an idle stream gets a comment, so proxies keep
	// it open, and its session is checked again (default 20 s).
	Heartbeat time.Duration
	// Buffer is how many changes a slow subscriber may lag behind before
	// its stream is closed (it reconnects with Last-Event-ID; default 256).
	Buffer int
	// Replay bounds the changes sent again after Last-Event-ID (default 1000).
	Replay int
}

// Hub fans committed changes out to the event streams of this process.
type Hub struct {
	store *sqlstore.DB
	log   *slog.Logger
	opts  Options

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	done   chan struct{}
}

type subscriber struct {
	mu    sync.Mutex
	actor *ajudae.Actor // refreshed at each heartbeat
	ch    chan outgoing
	lost  chan struct{} // closed when the subscriber fell too far behind
}

// outgoing is one event of a stream, as the subscriber may see it.
type outgoing struct {
	id  int64
	msg Message
}

// messageFor returns what a may learn of c: the whole change when a sees
// the ticket after it, only that the ticket went away when the change took
// it out of a's sight (ajudae.LostSightOf), and nothing otherwise.
func messageFor(a *ajudae.Actor, c *ajudae.TicketChange) (outgoing, bool) {
	switch {
	case ajudae.CanSeeChange(a, c):
		return outgoing{id: c.ID, msg: Message{Type: c.LiveType(), TicketID: c.TicketID, TeamID: c.TeamID, Event: c.Event}}, true
	case ajudae.LostSightOf(a, c):
		return outgoing{id: c.ID, msg: Message{Type: c.LiveType(), TicketID: c.TicketID, Gone: true}}, true
	}
	return outgoing{}, false
}

func (s *subscriber) who() *ajudae.Actor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.actor
}

// New returns a Hub; Run makes it follow the database.
func New(store *sqlstore.DB, log *slog.Logger, opts Options) *Hub {
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 20 * time.Second
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.Replay <= 0 {
		opts.Replay = 1000
	}
	return &Hub{store: store, log: log, opts: opts, subs: map[*subscriber]struct{}{}, done: make(chan struct{})}
}

// Run follows the database's changes until ctx ends, then closes every
// stream. It returns ctx's error.
func (h *Hub) Run(ctx context.Context) error {
	defer h.Close()
	return h.store.FollowChanges(ctx, h.publish)
}

// Close ends every stream and refuses new ones (on shutdown, so that the
// HTTP server is not kept waiting by streams that never go idle).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// Subscribers returns the number of open streams.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *Hub) publish(changes []ajudae.TicketChange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		a := s.who()
		for i := range changes {
			o, ok := messageFor(a, &changes[i])
			if !ok {
				continue
			}
			select {
			case s.ch <- o:
			default:
				close(s.lost)
				delete(h.subs, s)
			}
			if _, ok := h.subs[s]; !ok {
				break
			}
		}
	}
}

func (h *Hub) subscribe(a *ajudae.Actor) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ajudae.Errorf(ajudae.EUNAVAILABLE, "The server is shutting down; reconnect.")
	}
	s := &subscriber{actor: a, ch: make(chan outgoing, h.opts.Buffer), lost: make(chan struct{})}
	h.subs[s] = struct{}{}
	return s, nil
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

// Message is the data of one event of the stream.
type Message struct {
	Type     string       `json:"type"` // ticket.created, ticket.updated, ticket.redirected, message.added
	TicketID int64        `json:"ticketId"`
	TeamID   int64        `json:"teamId,omitzero"` // the ticket's team after the change
	Event    ajudae.Event `json:"event,omitzero"`  // the timeline entry, as GET /ticket/{id}/events shows it
	// Gone marks a ticket.redirected sent to whoever the redirect took the
	// ticket away from: it carries no teamId and no event.
	Gone bool `json:"gone,omitzero"`
}

// ServeHTTP streams the changes the caller can see, authenticated by the
// bearer token or the web UI's cookie. With Last-Event-ID (or
// ?lastEventId=) the changes after it are sent first.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := api.Authenticate(ctx, h.store, r, true)
	if err != nil {
		api.WriteError(w, r, h.log, "header", err)
		return
	}
	last, resume, err := lastEventID(r)
	if err != nil {
		api.WriteError(w, r, h.log, "header", err)
		return
	}
	s, err := h.subscribe(a)
	if err != nil {
		api.WriteError(w, r, h.log, "", err)
		return
	}
	defer h.unsubscribe(s)
	token := bearerOrCookie(r)

	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n: connected\n\n"); err != nil {
		return
	}
	sent := map[int64]bool{}
	if resume {
		replay, err := h.store.ChangesAfter(ctx, last, h.opts.Replay)
		if err != nil {
			h.log.WarnContext(ctx, "live updates: replay", "err", err)
		}
		for i := range replay {
			if o, ok := messageFor(a, &replay[i]); ok {
				if write(w, o) != nil {
					return
				}
			}
			sent[replay[i].ID] = true
		}
	}
	if rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(h.opts.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case <-s.lost:
			return // the client reconnects with Last-Event-ID
		case o := <-s.ch:
			if sent[o.id] {
				continue
			}
			if write(w, o) != nil || rc.Flush() != nil {
				return
			}
		case <-beat.C:
			// The session may have ended (logout) or the teams changed.
			a, err := h.store.Authenticate(ctx, token)
			if err != nil {
				if ajudae.ErrorCode(err) == ajudae.EUNAUTHORIZED {
					fmt.Fprint(w, "event: session.ended\ndata: {}\n\n")
					rc.Flush()
					return
				}
			} else {
				s.mu.Lock()
				s.actor = a
				s.mu.Unlock()
			}
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func write(w http.ResponseWriter, o outgoing) error {
	data, err := json.Marshal(o.msg)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", o.id, o.msg.Type, data)
	return err
}

// lastEventID reads Last-Event-ID (or ?lastEventId=), reporting whether
// the client resumes at all.
func lastEventID(r *http.Request) (int64, bool, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("lastEventId")
	}
	if v == "" {
		return 0, false, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		var p ajudae.Problems
		p = append(p, ajudae.FieldError{Field: "Last-Event-ID", In: "header", Message: "must be the id of an event", Value: v})
		return 0, false, p.Err()
	}
	return id, true, nil
}

func bearerOrCookie(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if c, err := r.Cookie(api.SessionCookie); err == nil {
		return c.Value
	}
	return ""
}
