package apitest

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for a read-only view of the fixture's file

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
	"github.com/ajudae/ajudae/internal/web"
)

// Callers of a Hostile fixture, picked by a fuzzed byte (see Hostile.Actor).
const (
	ActorAdmin = iota
	ActorTeamAdmin
	ActorMember
	ActorRequester
	ActorAnon
	ActorCount
)

// Hostile is a small help-desk for hostile-input tests (fuzz targets and
// their seeds), built once per target: the three teams, one caller of each
// kind logged in to the API and to the web UI, a victim user no caller
// depends on, and a ticket of the requester in Marketing with a reply and
// an internal note. Send checks the property every request must keep.
type Hostile struct {
	Env *Env
	// Client sends the requests; it follows no redirect.
	Client *http.Client
	// Actors are the callers, by the Actor* constants.
	Actors         [ActorCount]*Client
	Mkt, Prod, Fin int64 // team ids
	Ticket         int64
	Victim         int64

	cookies  map[*Client]string // the web UI session of each caller
	sessions map[int64]bool     // every session of the callers
	view     *sql.DB            // a second connection to the database, for fingerprints
}

// NewHostile builds the fixture on a fresh database of engine e.
func NewHostile(tb testing.TB, e dbtest.Engine) *Hostile {
	tb.Helper()
	var o sqlstore.Options
	env := New(tb, e, func(opts *sqlstore.Options) { o = *opts })
	h := &Hostile{Env: env, cookies: map[*Client]string{}, sessions: map[int64]bool{}}
	var err error
	if o.URL != "" {
		h.view, err = sql.Open("pgx", o.URL)
	} else {
		h.view, err = sql.Open("sqlite", "file:"+filepath.Join(o.DataDir, "ajudae.db")+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.view.Close() })
	c := *env.Server.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h.Client = &c

	h.Mkt, h.Prod, h.Fin = env.TeamID("Marketing"), env.TeamID("Produto"), env.TeamID("Financeiro")
	teamAdmin := env.AddMember(env.NewUser("Tereza Admin"), h.Mkt, true)
	member := env.AddMember(env.NewUser("Mário Membro"), h.Mkt, false)
	requester := env.NewUser("Cris Cliente")
	h.Victim = env.NewUser("Vítor Vítima").ID()
	h.Actors = [ActorCount]*Client{env.Admin, teamAdmin, member, requester, env.Anonymous()}

	var tk ajudae.Ticket
	requester.Must(201, "POST", "/ticket", map[string]any{"title": "Não consigo acessar a aplicação", "description": "Erro 500 desde ontem", "teamId": h.Mkt}, &tk)
	h.Ticket = tk.ID
	requester.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", tk.ID), map[string]any{"message": "Alguma novidade?"}, nil)
	member.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", tk.ID), map[string]any{"message": "nota interna", "isInternal": true}, nil)

	for _, a := range h.Actors[:ActorAnon] {
		h.cookies[a] = h.webLogin(tb, a)
		var l ajudae.List[ajudae.Session]
		a.Must(200, "GET", "/auth/sessions?limit=100", nil, &l)
		for _, s := range l.Items {
			h.sessions[s.ID] = true
		}
	}
	return h
}

// webLogin logs a in through the web UI's form and returns its cookie.
func (h *Hostile) webLogin(tb testing.TB, a *Client) string {
	tb.Helper()
	form := url.Values{"email": {a.User.Email}, "password": {a.Password}}
	res, err := h.Client.Post(h.Env.Server.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("web login of %s: %d, no session cookie", a.User.Email, res.StatusCode)
	return ""
}

// Actor returns the caller a fuzzed byte picks.
func (h *Hostile) Actor(b uint8) *Client { return h.Actors[int(b)%ActorCount] }

// ProtectedUser reports whether id is one of the callers.
func (h *Hostile) ProtectedUser(id int64) bool {
	for _, a := range h.Actors[:ActorAnon] {
		if a.ID() == id {
			return true
		}
	}
	return false
}

// ProtectedSession reports whether id is a session of one of the callers.
func (h *Hostile) ProtectedSession(id int64) bool { return h.sessions[id] }

// fingerprintTables are hashed whole, but for login_failures (a failed
// login is recorded, by design) and sessions.last_used_at (touched by
// authentication, at most once a minute). Derived and queue tables (search
// indexes, the e-mail outbox and jobs) are left out.
var fingerprintTables = []string{"users", "sessions", "rotated_refresh_tokens", "teams", "memberships",
	"tickets", "messages", "ticket_events", "audit_log", "attachments"}

// Fingerprint returns a hash of every row of every table that holds data.
func (h *Hostile) Fingerprint(tb testing.TB) string {
	tb.Helper()
	sum := sha256.New()
	for _, table := range fingerprintTables {
		rows, err := h.view.Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		if err != nil {
			tb.Fatalf("fingerprint %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatalf("fingerprint %s: %v", table, err)
			}
			for i, v := range vals {
				if table == "sessions" && cols[i] == "last_used_at" {
					continue
				}
				fmt.Fprintf(sum, "%v\x1f", v)
			}
			sum.Write([]byte{'\n'})
		}
		if err := rows.Err(); err != nil {
			tb.Fatalf("fingerprint %s: %v", table, err)
		}
		rows.Close()
		fmt.Fprintf(sum, "-- %s\n", table)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// Call is one hostile request.
type Call struct {
	Actor *Client
	// UI sends it as the web UI would: the caller's session cookie, a
	// form body, Accept: text/html.
	UI     bool
	Method string
	Path   string // with any fuzzed segment already escaped
	Query  string // raw; see RawQuery
	Header http.Header
	Body   []byte // JSON (a form for UI) unless Header names another type
}

// Result is what the server answered.
type Result struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send sends c and checks the property of hostile input: a 2xx, or a 4xx
// that changed no data — application/problem+json with its status, or an
// HTML page for the UI — and never a 5xx or a password hash. A
// redirect is allowed for an unclean path (the mux cleans it) and, from
// the UI, to a path of this site only (Location or HX-Redirect).
func (h *Hostile) Send(tb testing.TB, c Call) *Result {
	tb.Helper()
	before := h.Fingerprint(tb)
	u := h.Env.Server.URL + c.Path
	if c.Query != "" {
		u += "?" + c.Query
	}
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequest(c.Method, u, body)
	if err != nil {
		tb.Fatalf("build %s %s: %v", c.Method, u, err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	switch {
	case c.UI:
		req.Header.Set("Accept", "text/html")
		if c.Body != nil && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie := h.cookies[c.Actor]; cookie != "" {
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
		}
	default:
		if c.Body != nil && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.Actor.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.Actor.Token)
		}
	}
	// The transport, not the client: the client refuses to parse a
	// Location that a browser would follow, and that is what is checked.
	res, err := h.Client.Transport.RoundTrip(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", c.Method, u, err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", c.Method, u, err)
	}
	r := &Result{Status: res.StatusCode, Header: res.Header, Body: b}
	what := fmt.Sprintf("%s %s as %s with body %q", c.Method, u, c.Actor.User.Email, c.Body)
	if hx := res.Header.Get("HX-Redirect"); hx != "" && OffSite(hx) {
		tb.Fatalf("%s: HX-Redirect off the site to %q", what, hx)
	}
	ct := res.Header.Get("Content-Type")
	switch {
	case r.Status >= 500:
		tb.Fatalf("%s: status %d: %s", what, r.Status, b)
	case r.Status >= 300 && r.Status < 400:
		loc := res.Header.Get("Location")
		if c.UI {
			if OffSite(loc) {
				tb.Fatalf("%s: redirect %d off the site to %q", what, r.Status, loc)
			}
		} else if p := req.URL.EscapedPath(); path.Clean(p) == p {
			tb.Fatalf("%s: redirect %d to %q", what, r.Status, loc)
		}
	case r.Status >= 400:
		// The UI answers an HTML page; an API route reached from a
		// browser (a download) its problem.
		if !c.UI || !strings.HasPrefix(ct, "text/html") {
			var p Problem
			if ct != "application/problem+json" || json.Unmarshal(b, &p) != nil || p.Status != r.Status || p.Title == "" {
				tb.Fatalf("%s: status %d with Content-Type %q and body %s", what, r.Status, ct, b)
			}
		}
		if after := h.Fingerprint(tb); after != before {
			tb.Fatalf("%s: refused with %d, but the data changed: %s", what, r.Status, b)
		}
	case r.Status >= 200:
	default:
		tb.Fatalf("%s: status %d", what, r.Status)
	}
	if bytes.Contains(b, []byte(hashMarker)) {
		tb.Fatalf("%s: a password hash in the response: %s", what, b)
	}
	return r
}

// RawQuery makes s sendable in a request line, keeping its structure (&,
// =, %): control characters, spaces, '#' and non-ASCII bytes are escaped.
func RawQuery(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// HeaderValue reports whether s can travel as a header value.
func HeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// OffSite reports whether a browser sent to loc (a Location or HX-Redirect
// value of this site) would leave the site. A browser drops tabs and
// newlines and leading control characters and spaces from a URL, and reads
// a backslash as a slash, so "/\t/evil.example" and "/\\evil.example" are
// //evil.example. A percent-encoded slash or tab in a path stays encoded.
func OffSite(loc string) bool {
	t := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, strings.TrimLeftFunc(loc, func(r rune) bool { return r <= ' ' }))
	return !strings.HasPrefix(t, "/") || strings.HasPrefix(t, "//")
}
