// Package api is the JSON API of API.md: huma operations registered on the
// standard library's ServeMux, so the OpenAPI 3.1 document at /openapi.json
// is generated from the Go types and cannot drift from the code.
package api

import (
	"context"
	"embed"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/problem"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// Deps are what the API needs.
type Deps struct {
	Store      *sqlstore.DB
	Log        *slog.Logger
	Version    string
	TrustProxy bool // take the client address from X-Forwarded-For
	// MaxUpload bounds an attachment (default 10 MiB).
	MaxUpload int64
	// TicketCreated, when set, is called for every ticket opened (metrics).
	TicketCreated func()
}

// Server holds the handlers of the API.
type Server struct {
	store      *sqlstore.DB
	log        *slog.Logger
	trustProxy bool
	maxUpload  int64
	created    func()
	// bodies are the buffers tickets are encoded into (encodeTickets).
	bodies sync.Pool
}

const bearerScheme = "bearer"

// MaxBodyBytes is the largest JSON body (API.md: over 1 MiB is a 413).
const MaxBodyBytes = 1 << 20

const description = `Ajudaê is a help-desk: people open tickets for a team, the team works them,
and the team's administrator redirects a ticket that landed in the wrong team.

Authenticate with ` + "`POST /auth/login`" + ` and send ` + "`Authorization: Bearer <accessToken>`" + `.
Errors are RFC 9457 problem details (` + "`application/problem+json`" + `). Every list answers
` + "`{items, nextCursor}`" + `; pass ` + "`nextCursor`" + ` back as ` + "`cursor`" + ` for the next page.

Choices where the contract is silent:
- A PATCH that changes nothing answers 200 and does not bump ` + "`version`" + `.
- Editing the title or description writes an ` + "`edited`" + ` event ` + "`{fields}`" + ` to the timeline.
- Leaving ` + "`Fechado`" + ` for ` + "`Aberto`" + ` is a ` + "`reopened`" + ` event; other status moves are ` + "`status_changed`" + `.
- Demoting an ATTENDANT to USER removes it from its teams.
- Transferring the ADMIN role to oneself is a 409.`

// New registers every operation of the API, /openapi.json and /docs on mux.
func New(mux *http.ServeMux, d Deps) huma.API {
	s := &Server{store: d.Store, log: d.Log, trustProxy: d.TrustProxy, maxUpload: d.MaxUpload, created: d.TicketCreated}
	if s.maxUpload <= 0 {
		s.maxUpload = 10 << 20
	}
	cfg := huma.DefaultConfig("Ajudaê API", d.Version)
	cfg.CreateHooks = nil // no $schema links: bodies are exactly those of API.md
	cfg.DocsPath = ""     // huma's page loads a CDN; ours is embedded
	cfg.SchemasPath = ""
	cfg.Info.Description = description
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearerScheme: {Type: "http", Scheme: "bearer", Description: "The accessToken of POST /auth/login."},
	}
	jsonFormat := huma.Format{Marshal: s.marshalJSON, Unmarshal: json.Unmarshal}
	cfg.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	cfg.Transformers = []huma.Transformer{shapeHumaErrors, s.encodeTickets}
	a := humago.New(mux, cfg)
	a.UseMiddleware(s.authenticate)
	s.registerAuth(a)
	s.registerUsers(a)
	s.registerTeams(a)
	s.registerTickets(a)
	s.registerAudit(a)
	s.registerAttachments(mux, a)
	documentEvents(a)
	mux.Handle("GET /docs", docsHandler())
	mux.Handle("GET /docs/{file}", docsHandler())
	return a
}

// encodeTickets writes tickets, the hottest bodies, as JSON before the
// status is sent: through their AppendJSON (the same bytes as
// encoding/json, several times faster), into a buffer reused once written.
// Knowing the length, it sends Content-Length, so a page of tickets leaves
// in one response body rather than in chunks (a write less, and one read
// less for the client). Every other body is left to marshalJSON.
func (s *Server) encodeTickets(ctx huma.Context, _ string, v any) (any, error) {
	t, _ := v.(*ajudae.Ticket)
	l, _ := v.(*ajudae.List[ajudae.Ticket])
	if t == nil && l == nil {
		return v, nil
	}
	buf, _ := s.bodies.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	var b []byte
	if t != nil {
		b = t.AppendJSON((*buf)[:0])
	} else {
		b = ajudae.AppendTicketsJSON(slices.Grow((*buf)[:0], 256+768*len(l.Items)), l)
	}
	*buf = append(b, '\n')
	ctx.SetHeader("Content-Length", strconv.Itoa(len(*buf)))
	return encoded{buf}, nil
}

// encoded is a body encodeTickets has written.
type encoded struct{ buf *[]byte }

// marshalJSON writes the body of a response: the bytes encodeTickets
// wrote, or any other body through encoding/json, as huma does by default.
func (s *Server) marshalJSON(w io.Writer, v any) error {
	e, ok := v.(encoded)
	if !ok {
		return huma.DefaultJSONFormat.Marshal(w, v)
	}
	_, err := w.Write(*e.buf)
	if cap(*e.buf) <= 1<<20 { // a rare huge page is not kept
		s.bodies.Put(e.buf)
	}
	return err
}

// shapeHumaErrors gives huma's own validation errors the shape of ours,
// and never echoes a whole body or a password back in "value".
func shapeHumaErrors(_ huma.Context, _ string, v any) (any, error) {
	e, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	if e.Type == "" {
		e.Type = "about:blank"
	}
	for _, d := range e.Errors {
		switch d.Value.(type) {
		case map[string]any, []any:
			d.Value = nil
		}
		if d.Location == "body" || strings.Contains(strings.ToLower(d.Location), "password") {
			d.Value = nil
		}
	}
	return e, nil
}

//go:embed docs
var docs embed.FS

func docsHandler() http.Handler {
	files := http.FileServerFS(docs)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/docs" || r.URL.Path == "/docs/" {
			http.ServeFileFS(w, r, docs, "docs/index.html")
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}

// operation returns the common parts of an operation: its id, method, path,
// summary, tag, success status and the errors it documents. Every
// operation but the public ones requires the bearer token.
func operation(id, method, path, tag, summary string, status int, errs ...int) huma.Operation {
	o := huma.Operation{
		OperationID:   id,
		Method:        method,
		Path:          path,
		Summary:       summary,
		Tags:          []string{tag},
		DefaultStatus: status,
		Errors:        append([]int{http.StatusUnauthorized}, errs...),
		Security:      []map[string][]string{{bearerScheme: {}}},
		// huma refuses a body that fills its limit: one more byte lets a
		// body of exactly 1 MiB through.
		MaxBodyBytes: MaxBodyBytes + 1,
	}
	if slices.Contains(errs, http.StatusUnprocessableEntity) || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		o.Errors = append(o.Errors, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	}
	return o
}

func public(o huma.Operation) huma.Operation {
	o.Security = nil
	o.Errors = o.Errors[1:]
	return o
}

type clientKey struct{}

// authenticate resolves the bearer token of operations that need one and
// puts the caller in the context; the others run with only the client.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	c := context.WithValue(ctx.Context(), clientKey{}, s.client(ctx))
	if len(ctx.Operation().Security) == 0 {
		next(huma.WithContext(ctx, c))
		return
	}
	token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	if !ok || token == "" {
		s.writeProblem(ctx, problem.From(c, s.log, "header",
			ajudae.Errorf(ajudae.EUNAUTHORIZED, "Send the access token as Authorization: Bearer <accessToken>.")))
		return
	}
	a, err := s.store.Authenticate(c, token)
	if err != nil {
		s.writeProblem(ctx, problem.From(c, s.log, "header", err))
		return
	}
	next(huma.WithContext(ctx, ajudae.WithActor(c, a)))
}

func (s *Server) writeProblem(ctx huma.Context, d *problem.Details) {
	for k, v := range d.GetHeaders() {
		for _, x := range v {
			ctx.AppendHeader(k, x)
		}
	}
	if d.Status == http.StatusUnauthorized {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="ajudae"`)
	}
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(d.Status)
	json.NewEncoder(ctx.BodyWriter()).Encode(d)
}

// client returns where the request comes from.
func (s *Server) client(ctx huma.Context) ajudae.Client {
	ip := ctx.RemoteAddr()
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	if s.trustProxy {
		if xff := ctx.Header("X-Forwarded-For"); xff != "" {
			hops := strings.Split(xff, ",")
			ip = strings.TrimSpace(hops[len(hops)-1])
		}
	}
	return ajudae.Client{IPAddress: ip, UserAgent: ctx.Header("User-Agent")}
}

func clientFrom(ctx context.Context) ajudae.Client {
	c, _ := ctx.Value(clientKey{}).(ajudae.Client)
	return c
}

// fail turns a store error into the problem the handler returns; fields
// are located in the body.
func (s *Server) fail(ctx context.Context, err error) error {
	return problem.From(ctx, s.log, "body", err)
}

// failQuery is fail for handlers whose input is in the query string.
func (s *Server) failQuery(ctx context.Context, err error) error {
	return problem.From(ctx, s.log, "query", err)
}

// PageParams are the query parameters every list takes. (Exported so that
// huma can fill them when embedded in an input.)
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Items per page (1–100)."`
	Cursor string `query:"cursor" maxLength:"500" doc:"The nextCursor of the previous page."`
}

func (p PageParams) page() ajudae.Page { return ajudae.Page{Limit: p.Limit, Cursor: p.Cursor} }

// IDPath is the {id} of a route.
type IDPath struct {
	ID int64 `path:"id" minimum:"1" doc:"The id."`
}

type noContent struct{}
