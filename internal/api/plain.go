package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/problem"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// SessionCookie is the web UI's cookie; its value is an access token.
const SessionCookie = "ajudae_session"

// Authenticate resolves the caller of a plain (non-huma) handler: the
// bearer token, or, when cookie is true, the web UI's session cookie.
// Cookies are accepted only by safe (GET) routes, which need no CSRF guard.
func Authenticate(ctx context.Context, store *sqlstore.DB, r *http.Request, cookie bool) (*ajudae.Actor, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && cookie {
		if c, err := r.Cookie(SessionCookie); err == nil {
			token, ok = c.Value, true
		}
	}
	if !ok || token == "" {
		return nil, ajudae.Errorf(ajudae.EUNAUTHORIZED, "Send the access token as Authorization: Bearer <accessToken>.")
	}
	return store.Authenticate(ctx, token)
}

// WriteError sends err as problem details from a plain handler, with the
// WWW-Authenticate challenge on a 401.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, loc string, err error) {
	d := problem.From(r.Context(), log, loc, err)
	if d.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ajudae"`)
	}
	problem.Write(w, d)
}

func (s *Server) plainError(w http.ResponseWriter, r *http.Request, loc string, err error) {
	WriteError(w, r, s.log, loc, err)
}

// pathID reads the {id} of a plain route; anything but a positive integer
// is EINVALID, as huma answers for its own routes.
func pathID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		var p ajudae.Problems
		p = append(p, ajudae.FieldError{Field: "id", In: "path", Message: "must be a positive integer", Value: v})
		return 0, p.Err()
	}
	return id, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func reflectType[T any]() reflect.Type { return reflect.TypeFor[T]() }

// documentEvents adds GET /events, served by internal/live, to the OpenAPI
// document.
func documentEvents(a huma.API) {
	a.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "events", Method: http.MethodGet, Path: "/events", Tags: []string{"Ticket"},
		Summary: "Live updates (Server-Sent Events) about the tickets the caller can see",
		Description: "Authenticated by the bearer token or the web UI's cookie `" + SessionCookie + "`. " +
			"Each event has `id:` (the timeline event id, increasing), `event:` one of ticket.created, ticket.updated, " +
			"ticket.redirected, message.added, and `data:` JSON `{type, ticketId, teamId, event}` where event is the " +
			"timeline entry as GET /ticket/{id}/events shows it. The team a ticket is redirected to receives " +
			"ticket.redirected; the members of the team it left, who no longer see it, receive ticket.redirected with " +
			"only `{type, ticketId, gone: true}` (no team, no event), so that a page showing it can leave. " +
			"A requester never receives anything about an internal note. Send Last-Event-ID " +
			"(or ?lastEventId=) to replay what came after it (up to 1000 events). A comment every 20 s keeps " +
			"proxies from closing the stream; when the session ends (logout) the server sends `event: session.ended` and closes.",
		Parameters: []*huma.Param{
			{Name: "Last-Event-ID", In: "header", Schema: &huma.Schema{Type: "integer", Format: "int64"}},
			{Name: "lastEventId", In: "query", Schema: &huma.Schema{Type: "integer", Format: "int64"}},
		},
		Security: []map[string][]string{{bearerScheme: {}}},
		Responses: map[string]*huma.Response{
			"200": {Description: "The stream", Content: map[string]*huma.MediaType{"text/event-stream": {Schema: &huma.Schema{Type: "string"}}}},
			"401": {Description: "Unauthorized"},
			"422": {Description: "Last-Event-ID is not an event id"},
		},
	})
}
