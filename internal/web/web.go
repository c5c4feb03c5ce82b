// Package web is the server-rendered HTML UI of Ajudaê: html/template
// pages, htmx for partial updates, every asset embedded. It calls the same
// store methods as the JSON API, so every permission rule of policy.go
// holds the same way, and it decides which controls to render with the
// domain's policy functions.
package web

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

//go:embed all:templates static
var files embed.FS

// Deps are what the UI needs.
type Deps struct {
	Store      *sqlstore.DB
	Log        *slog.Logger
	TrustProxy bool // take the client address from X-Forwarded-For
}

// Server holds the UI's handlers and its parsed templates.
type Server struct {
	store      *sqlstore.DB
	log        *slog.Logger
	trustProxy bool
	pages      map[string]*pageTemplate
	static     http.Handler
	cop        *http.CrossOriginProtection
}

// New parses every template (an error here must stop startup) and returns
// the UI.
func New(d Deps) (*Server, error) {
	pages, err := parseTemplates(files)
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	st, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	return &Server{
		store:      d.Store,
		log:        d.Log,
		trustProxy: d.TrustProxy,
		pages:      pages,
		static:     http.StripPrefix("/static/", http.FileServerFS(st)),
		cop:        http.NewCrossOriginProtection(),
	}, nil
}

// Register puts every route of the UI on mux, each behind cross-origin
// request protection. The paths are those of API.md's Web UI section; the
// JSON API owns /auth, /user, /team, /ticket and the rest.
func (s *Server) Register(mux *http.ServeMux) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.cop.Handler(h)) }

	handle("GET /{$}", s.page(s.handleHome))
	handle("GET /static/{file...}", s.handleStatic)
	handle("POST /lang", s.page(s.handleLang))

	handle("GET /login", s.page(s.handleLoginForm))
	handle("POST /login", s.page(s.handleLogin))
	handle("GET /register", s.page(s.handleRegisterForm))
	handle("POST /register", s.page(s.handleRegister))
	handle("POST /logout", s.user(s.handleLogout))

	handle("GET /tickets", s.user(s.handleTicketList))
	handle("GET /tickets/new", s.user(s.handleTicketNewForm))
	handle("POST /tickets/new", s.user(s.handleTicketCreate))
	handle("GET /tickets/{id}", s.user(s.handleTicketShow))
	handle("POST /tickets/{id}", s.user(s.handleTicketUpdate))
	handle("POST /tickets/{id}/messages", s.user(s.handleTicketReply))
	handle("POST /tickets/{id}/redirect", s.user(s.handleTicketRedirect))

	handle("GET /admin/teams", s.user(s.handleAdminTeams))
	handle("POST /admin/teams", s.user(s.handleTeamCreate))
	handle("POST /admin/teams/{id}", s.user(s.handleTeamUpdate))
	handle("POST /admin/teams/{id}/delete", s.user(s.handleTeamDelete))
	handle("GET /admin/users", s.user(s.handleAdminUsers))
	handle("POST /admin/users/{id}/role", s.user(s.handleUserRole))
	handle("POST /admin/users/{id}/delete", s.user(s.handleUserDelete))

	handle("GET /teams/{id}", s.user(s.handleTeamShow))
	handle("POST /teams/{id}/members", s.user(s.handleMemberAdd))
	handle("POST /teams/{id}/members/{userId}", s.user(s.handleMemberSet))
	handle("POST /teams/{id}/members/{userId}/delete", s.user(s.handleMemberRemove))

	handle("GET /account", s.user(s.handleAccount))
	handle("POST /account", s.user(s.handleAccountUpdate))
	handle("POST /account/sessions/{id}/delete", s.user(s.handleSessionRevoke))
}

// WantsHTML reports whether the request comes from a browser asking for a
// page, so that an unknown path answers an HTML 404 rather than JSON.
func WantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// NotFound answers the HTML 404 page, with the navigation of the visitor
// when it is logged in.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.page(func(w http.ResponseWriter, r *http.Request, v *view) {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
	})(w, r)
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	s.static.ServeHTTP(w, r)
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, v *view) {
	if v.Actor == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/tickets", http.StatusSeeOther)
}

// client returns where the request comes from, as the API reads it.
func (s *Server) client(r *http.Request) ajudae.Client {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	if s.trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			hops := strings.Split(xff, ",")
			ip = strings.TrimSpace(hops[len(hops)-1])
		}
	}
	return ajudae.Client{IPAddress: ip, UserAgent: r.UserAgent()}
}

// liveAfter notes the newest change before a page with live parts loads
// its data, so that its stream replays whatever changes between the
// render and the stream's start. A partial (htmx) needs none: its page's
// stream is already open. Without it the page still follows the changes
// from the moment its stream opens.
func (s *Server) liveAfter(r *http.Request, v *view) {
	if isHTMX(r) {
		return
	}
	id, err := s.store.LastChangeID(r.Context())
	if err != nil {
		s.log.WarnContext(r.Context(), "live updates: newest change", "err", err)
		return
	}
	v.LiveAfter = id
}
