package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// The fuzz targets of the HTTP API drive the real handler (httptest, a real
// database) with hostile query strings, path ids, headers and JSON bodies.
// The property, on every request: a 2xx, or a 4xx application/problem+json
// whose status matches the response's; never a 5xx, a panic or a password
// hash; and a refused request changes no data (compared by a fingerprint
// of every table). Fuzzing runs on SQLite (scripts/test, a few seconds per
// target); TestHostileInput runs every seed on both engines.

// The callers, as apitest's Hostile fixture names them.
const (
	actorAdmin     = apitest.ActorAdmin
	actorTeamAdmin = apitest.ActorTeamAdmin
	actorMember    = apitest.ActorMember
	actorRequester = apitest.ActorRequester
	actorAnon      = apitest.ActorAnon
	actorCount     = apitest.ActorCount
)

// fuzzFixture is apitest's Hostile fixture, with the API's routes.
type fuzzFixture struct{ *apitest.Hostile }

func newFuzzFixture(tb testing.TB, e dbtest.Engine) *fuzzFixture {
	tb.Helper()
	return &fuzzFixture{apitest.NewHostile(tb, e)}
}

// call is one hostile request to the API.
type call struct {
	actor  *apitest.Client
	method string
	path   string // with any fuzzed segment already escaped
	query  string
	header http.Header
	body   []byte // sent as application/json when not nil, unless header names another type
}

// result is what the server answered.
type result struct {
	status int
	header http.Header
	body   []byte
}

// do sends c and checks the property (apitest.Hostile.Send); it returns
// the response for further checks by the target.
func (fx *fuzzFixture) do(t testing.TB, c call) *result {
	t.Helper()
	r := fx.Send(t, apitest.Call{Actor: c.actor, Method: c.method, Path: c.path, Query: c.query, Header: c.header, Body: c.body})
	return &result{status: r.Status, header: r.Header, body: r.Body}
}

func rawQuery(s string) string { return apitest.RawQuery(s) }

func headerValue(s string) bool { return apitest.HeaderValue(s) }

// listRoutes are every list (and the stats) of the API, for FuzzListQuery.
func (fx *fuzzFixture) listRoutes() []string {
	return []string{"/ticket", "/user", "/team", fmt.Sprintf("/team/%d/members", fx.Mkt),
		fmt.Sprintf("/ticket/%d/messages", fx.Ticket), fmt.Sprintf("/ticket/%d/events", fx.Ticket),
		"/auth/sessions", "/audit", "/ticket/stats"}
}

// listQuery sends GET route?query; a 200 list has its shape.
func (fx *fuzzFixture) listQuery(t testing.TB, route, actor uint8, query string) {
	routes := fx.listRoutes()
	p := routes[int(route)%len(routes)]
	r := fx.do(t, call{actor: fx.Actor(actor), method: "GET", path: p, query: rawQuery(query)})
	if r.status != 200 || p == "/ticket/stats" {
		return
	}
	var l struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor *string           `json:"nextCursor"`
	}
	if err := json.Unmarshal(r.body, &l); err != nil || l.Items == nil || !bytes.Contains(r.body, []byte(`"nextCursor"`)) {
		t.Fatalf("GET %s?%s: 200 that is not a list: %s", p, query, r.body)
	}
	if len(l.Items) > ajudae.MaxPageLimit {
		t.Fatalf("GET %s?%s: %d items, more than %d", p, query, len(l.Items), ajudae.MaxPageLimit)
	}
}

type listQuerySeed struct {
	route, actor uint8
	query        string
}

var listQuerySeeds = []listQuerySeed{
	{0, actorRequester, "status=Aberto&status=Fechado&priority=M%C3%A9dia&sort=-priority&limit=2"},
	{0, actorAdmin, "status=Foo"},
	{0, actorAdmin, "limit=0"},
	{0, actorAdmin, "limit=101"},
	{0, actorAdmin, "limit=-1&limit=abc"},
	{0, actorMember, "cursor=garbage"},
	{0, actorMember, "cursor=eyJzIjoiLWNyZWF0ZWRBdCIsImsiOiJub3QtYS10aW1lIiwiaSI6MX0"},
	{0, actorMember, "cursor=eyJzIjoiLXByaW9yaXR5IiwiayI6IjkiLCJpIjoxfQ&sort=-priority"},
	{0, actorTeamAdmin, "q=aplicacao&assignedTo=none&createdBy=me"},
	{0, actorTeamAdmin, "q=%22%20OR%201%3D1%20--&sort=updatedAt"},
	{0, actorTeamAdmin, "q=NEAR(a b) OR c* AND ^d:e"},
	{0, actorAdmin, "teamId=99999999999999999999999"},
	{0, actorAdmin, "teamId=0&assignedTo=-5&createdBy=%00"},
	{0, actorAnon, "status=Aberto"},
	{1, actorAdmin, "q=%25_%5C&role=ADMIN&teamId=1"},
	{1, actorAdmin, "role=BOSS"},
	{1, actorMember, "limit=5"},
	{2, actorRequester, "limit=1&cursor=eyJzIjoidGVhbXMiLCJpIjoxfQ"},
	{2, actorRequester, "cursor=eyJzIjoidXNlcnMiLCJpIjoxfQ"},
	{3, actorMember, "limit=100"},
	{3, actorRequester, ""},
	{4, actorRequester, "limit=1"},
	{5, actorMember, "cursor=eyJzIjoiZXZlbnRzIiwiaSI6LTF9"},
	{6, actorRequester, "limit=1&cursor="},
	{7, actorAdmin, "limit=1"},
	{7, actorTeamAdmin, ""},
	{8, actorAdmin, "x=%ff%fe"},
	{0, actorMember, strings.Repeat("status=Aberto&status=Fechado,Em_andamento&", 1200)}, // ~50 KiB of filter
	{0, actorAdmin, strings.Repeat("q=a&", 3000)},
}

func FuzzListQuery(f *testing.F) {
	for _, s := range listQuerySeeds {
		f.Add(s.route, s.actor, s.query)
	}
	fx := newFuzzFixture(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, route, actor uint8, query string) {
		fx.listQuery(t, route, actor, query)
	})
}

// ticketQuery sends GET /ticket with each parameter set from a fuzzed
// value (status split on '|' into repeated parameters). A 200 holds only
// tickets that match the filter.
func (fx *fuzzFixture) ticketQuery(t testing.TB, actor uint8, status, priority, teamID, assignedTo, createdBy, q, sort, limit, cursor string) {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if status != "" {
		for _, s := range strings.Split(status, "|") {
			v.Add("status", s)
		}
	}
	set("priority", priority)
	set("teamId", teamID)
	set("assignedTo", assignedTo)
	set("createdBy", createdBy)
	set("q", q)
	set("sort", sort)
	set("limit", limit)
	set("cursor", cursor)
	r := fx.do(t, call{actor: fx.Actor(actor), method: "GET", path: "/ticket", query: v.Encode()})
	if r.status != 200 {
		return
	}
	var l ajudae.List[ajudae.Ticket]
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatalf("GET /ticket?%s: %v: %s", v.Encode(), err, r.body)
	}
	for _, tk := range l.Items {
		if len(v["status"]) > 0 && !strings.Contains(","+strings.Join(v["status"], ",")+",", ","+string(tk.Status)+",") {
			t.Fatalf("GET /ticket?%s: ticket %d has status %s", v.Encode(), tk.ID, tk.Status)
		}
		if priority != "" && string(tk.Priority) != priority {
			t.Fatalf("GET /ticket?%s: ticket %d has priority %s", v.Encode(), tk.ID, tk.Priority)
		}
	}
}

type ticketQuerySeed struct {
	actor                                                                   uint8
	status, priority, teamID, assignedTo, createdBy, q, sort, limit, cursor string
}

var ticketQuerySeeds = []ticketQuerySeed{
	{actorRequester, "Aberto|Em_andamento", "Média", "", "", "me", "acesso", "-updatedAt", "10", ""},
	{actorMember, "Aberto,Fechado", "", "1", "me", "", "", "priority", "", ""},
	{actorTeamAdmin, "Fechado", "Alta", "2", "none", "3", "aplicação", "createdAt", "1", ""},
	{actorAdmin, "aberto", "media", "x", "everyone", "you", "", "-title", "1000", "%%%"},
	{actorAdmin, "", "", "-1", "0", "-7", strings.Repeat("palavra ", 40), "", "0", ""},
	{actorAdmin, "", "", "", "", "", "\x00'\";--", "", "", ajudae.Cursor{Sort: "-createdAt", Key: "2025-01-01T00:00:00Z", ID: 1}.Encode()},
	{actorAdmin, "", "", "", "", "", "", "priority", "", ajudae.Cursor{Sort: "priority", Key: "2", ID: 1 << 62}.Encode()},
	{actorAdmin, "", "", "", "", "", "", "priority", "", ajudae.Cursor{Sort: "-createdAt", Key: "2", ID: 1}.Encode()},
	{actorAnon, "Aberto", "", "", "", "", "", "", "", ""},
}

func FuzzTicketQuery(f *testing.F) {
	for _, s := range ticketQuerySeeds {
		f.Add(s.actor, s.status, s.priority, s.teamID, s.assignedTo, s.createdBy, s.q, s.sort, s.limit, s.cursor)
	}
	fx := newFuzzFixture(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, actor uint8, status, priority, teamID, assignedTo, createdBy, q, sort, limit, cursor string) {
		fx.ticketQuery(t, actor, status, priority, teamID, assignedTo, createdBy, q, sort, limit, cursor)
	})
}

// idRoute is a route with one fuzzed id in its path. When the id names
// something the fixture depends on (a caller, its session, a default
// team) and the route would destroy it, the call is made anonymously.
type idRoute struct {
	method, path string // %s is the id
	body         string
	contentType  string // of body; JSON when empty
	guard        func(fx *fuzzFixture, id int64) bool
}

func (fx *fuzzFixture) idRoutes() []idRoute {
	anyID := func(*fuzzFixture, int64) bool { return true }
	user := func(fx *fuzzFixture, id int64) bool { return fx.ProtectedUser(id) }
	team := func(fx *fuzzFixture, id int64) bool { return id == fx.Mkt || id == fx.Prod || id == fx.Fin }
	session := func(fx *fuzzFixture, id int64) bool { return fx.ProtectedSession(id) }
	return []idRoute{
		{method: "GET", path: "/ticket/%s"},
		{method: "PATCH", path: "/ticket/%s", body: `{"priority":"Alta"}`},
		{method: "POST", path: "/ticket/%s/redirect", body: fmt.Sprintf(`{"teamId":%d,"reason":"fuzz"}`, fx.Prod)},
		{method: "GET", path: "/ticket/%s/messages"},
		{method: "POST", path: "/ticket/%s/messages", body: `{"message":"fuzz"}`},
		{method: "GET", path: "/ticket/%s/events"},
		{method: "GET", path: "/user/%s"},
		{method: "PUT", path: "/user/%s", body: `{"name":"Fuzz"}`},
		{method: "DELETE", path: "/user/%s", guard: user},
		{method: "POST", path: "/user/%s/transfer-admin", guard: anyID},
		{method: "GET", path: "/team/%s"},
		{method: "PUT", path: "/team/%s", body: `{"description":"fuzz"}`},
		{method: "DELETE", path: "/team/%s", guard: team},
		{method: "GET", path: "/team/%s/members"},
		{method: "PUT", path: "/team/%s/members/" + itoa(fx.Victim), body: `{}`},
		{method: "PUT", path: "/team/" + itoa(fx.Fin) + "/members/%s", body: `{}`, guard: user},
		{method: "DELETE", path: "/team/%s/members/" + itoa(fx.Victim)},
		{method: "DELETE", path: "/team/" + itoa(fx.Fin) + "/members/%s", guard: user},
		{method: "DELETE", path: "/auth/sessions/%s", guard: session},
		{method: "GET", path: "/ticket/%s/attachments"},
		{method: "POST", path: "/ticket/%s/attachments", body: uploadBody, contentType: uploadType},
		{method: "GET", path: "/attachment/%s"},
	}
}

// uploadBody is a small valid multipart upload of a file field.
const (
	uploadBoundary = "fuzz-boundary"
	uploadType     = "multipart/form-data; boundary=" + uploadBoundary
	uploadBody     = "--" + uploadBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"nota.txt\"\r\n" +
		"Content-Type: text/plain\r\n\r\nolá\r\n--" + uploadBoundary + "--\r\n"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pathID sends a route with id in its path (escaped as one segment).
func (fx *fuzzFixture) pathID(t testing.TB, route, actor uint8, id string) {
	routes := fx.idRoutes()
	rt := routes[int(route)%len(routes)]
	a := fx.Actor(actor)
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && rt.guard != nil && rt.guard(fx, n) {
		a = fx.Actors[actorAnon]
	}
	c := call{actor: a, method: rt.method, path: fmt.Sprintf(rt.path, url.PathEscape(id)), header: http.Header{}}
	if rt.body != "" {
		c.body = []byte(rt.body)
	}
	if rt.contentType != "" {
		c.header.Set("Content-Type", rt.contentType)
	}
	fx.do(t, c)
}

type pathIDSeed struct {
	route, actor uint8
	id           string
}

var pathIDSeeds = []pathIDSeed{
	{0, actorAdmin, "1"}, {0, actorAdmin, "0"}, {0, actorAdmin, "-1"}, {0, actorAdmin, "abc"},
	{0, actorAdmin, "9223372036854775807"}, {0, actorAdmin, "9223372036854775808"}, {0, actorAdmin, "+1"},
	{0, actorAdmin, "1.5"}, {0, actorAdmin, "1e3"}, {0, actorAdmin, " 1"}, {0, actorAdmin, "0x10"},
	{0, actorAdmin, ".."}, {0, actorAdmin, "."}, {0, actorAdmin, "1/messages"}, {0, actorAdmin, "%00"},
	{1, actorMember, "1"}, {2, actorTeamAdmin, "1"}, {3, actorRequester, "1"}, {4, actorRequester, "00001"},
	{5, actorMember, "1"}, {6, actorRequester, "2"}, {7, actorAdmin, "999999"}, {8, actorAdmin, "2"},
	{8, actorAdmin, "999999"}, {9, actorAdmin, "3"}, {10, actorRequester, "1"}, {11, actorAdmin, "3"},
	{12, actorAdmin, "1"}, {12, actorAdmin, "999999"}, {13, actorMember, "1"}, {14, actorAdmin, "3"},
	{15, actorAdmin, "999999"}, {16, actorTeamAdmin, "1"}, {17, actorAdmin, "2"}, {18, actorRequester, "1"},
	{19, actorRequester, "1"}, {20, actorRequester, "1"}, {20, actorMember, "abc"}, {21, actorRequester, "1"}, {21, actorAdmin, "0"},
}

func FuzzPathID(f *testing.F) {
	for _, s := range pathIDSeeds {
		f.Add(s.route, s.actor, s.id)
	}
	fx := newFuzzFixture(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, route, actor uint8, id string) {
		fx.pathID(t, route, actor, id)
	})
}

// bodyRoutes are every route that takes a JSON body. Paths name objects
// that no caller depends on, where a change could cost the fixture a
// caller (the victim user, the Financeiro team).
func (fx *fuzzFixture) bodyRoutes() [][2]string {
	return [][2]string{
		{"POST", "/auth/login"},
		{"POST", "/auth/refresh"},
		{"POST", "/user/register"},
		{"PUT", "/user/" + itoa(fx.Victim)},
		{"POST", "/team"},
		{"PUT", "/team/" + itoa(fx.Fin)},
		{"PUT", "/team/" + itoa(fx.Fin) + "/members/" + itoa(fx.Victim)},
		{"POST", "/ticket"},
		{"PATCH", "/ticket/" + itoa(fx.Ticket)},
		{"POST", "/ticket/" + itoa(fx.Ticket) + "/redirect"},
		{"POST", "/ticket/" + itoa(fx.Ticket) + "/messages"},
	}
}

// jsonBody sends body to a route, with header as its If-Match (PATCH) or
// Idempotency-Key (POST /ticket) when not empty.
func (fx *fuzzFixture) jsonBody(t testing.TB, route, actor uint8, header string, body []byte) {
	routes := fx.bodyRoutes()
	rt := routes[int(route)%len(routes)]
	c := call{actor: fx.Actor(actor), method: rt[0], path: rt[1], body: body, header: http.Header{}}
	if c.body == nil {
		c.body = []byte{}
	}
	if header != "" {
		if !headerValue(header) {
			return // no client can send it; net/http refuses it before us
		}
		c.header.Set("If-Match", header)
		c.header.Set("Idempotency-Key", header)
	}
	fx.do(t, c)
}

type jsonBodySeed struct {
	route, actor uint8
	header       string
	body         string
}

var jsonBodySeeds = []jsonBodySeed{
	{0, actorAnon, "", `{"email":"admin@ajudae.test","password":"wrong-password"}`},
	{0, actorAnon, "", `{"email":"","password":""}`},
	{0, actorAnon, "", `{"email":["a"],"password":{}}`},
	{1, actorAnon, "", `{"refreshToken":"not-a-token"}`},
	{1, actorAnon, "", `{"refreshToken":null}`},
	{2, actorAnon, "", `{"name":"Nova","email":"nova@example.com","password":"uma senha longa"}`},
	{2, actorAnon, "", `{"name":"Nova","email":"nova2@example.com","password":"uma senha longa","role":"ADMIN"}`},
	{2, actorAnon, "", `{"name":"a\u0000b","email":"x@example.com","password":"12345678"}`},
	{2, actorAnon, "", `{"name":"` + strings.Repeat("n", 101) + `","email":"x@example.com","password":"12345678"}`},
	{3, actorAdmin, "", `{"role":"ADMIN"}`},
	{3, actorAdmin, "", `{"role":"ATTENDANT","name":"Vítor"}`},
	{3, actorRequester, "", `{"name":"hacked"}`},
	{3, actorAdmin, "", `{"email":"a@b","currentPassword":1}`},
	{4, actorAdmin, "", `{"name":"Suporte","description":"<script>alert(1)</script>"}`},
	{4, actorAdmin, "", `{"name":"marketing"}`},
	{4, actorTeamAdmin, "", `{"name":"Outro time"}`},
	{5, actorAdmin, "", `{"name":"x"}`},
	{5, actorAdmin, "", `{"description":"` + strings.Repeat("d", 501) + `"}`},
	{6, actorAdmin, "", `{"isAdmin":true}`},
	{6, actorAdmin, "", `{"isAdmin":"yes"}`},
	{6, actorAdmin, "", `null`},
	{7, actorRequester, "chave-1", `{"title":"Impressora","description":"Não imprime","teamId":1,"priority":"Alta"}`},
	{7, actorRequester, "", `{"title":"ab","description":"","teamId":0,"priority":"Urgente"}`},
	{7, actorRequester, "", `{"title":"Impressora","description":"x","teamId":99999}`},
	{7, actorRequester, "", `{"title":"Impressora","description":"x","teamId":1.5}`},
	{7, actorRequester, "", `{"title":"Impressora","description":"x","teamId":1e400}`},
	{8, actorTeamAdmin, `"1"`, `{"status":"Em_andamento"}`},
	{8, actorTeamAdmin, `W/"abc"`, `{"priority":"Baixa"}`},
	{8, actorMember, "", `{"assignedToId":null}`},
	{8, actorMember, "", `{"assignedToId":-1,"status":"Foo"}`},
	{8, actorRequester, "", `{"title":"Outro título","description":null}`},
	{9, actorTeamAdmin, "", `{"teamId":2,"reason":"é de produto"}`},
	{9, actorAdmin, "", `{"teamId":1}`},
	{10, actorRequester, "", `{"message":"Obrigado!","isInternal":true}`},
	{10, actorMember, "", `{"message":""}`},
	{10, actorMember, "", `{"message":"ok","extra":1}`},
	{0, actorAnon, "", `{`},
	{0, actorAnon, "", ``},
	{0, actorAnon, "", `[]`},
	{7, actorRequester, "", `{"title":"\ud800","description":"x","teamId":1}`},
	{7, actorRequester, "", "{\"title\":\"\xff\xfe\xfd\",\"description\":\"x\",\"teamId\":1}"},
}

func FuzzJSONBody(f *testing.F) {
	for _, s := range jsonBodySeeds {
		f.Add(s.route, s.actor, s.header, []byte(s.body))
	}
	fx := newFuzzFixture(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, route, actor uint8, header string, body []byte) {
		fx.jsonBody(t, route, actor, header, body)
	})
}

// upload sends body, of contentType, as an attachment of the fixture's
// ticket; a 201 is downloadable as an attachment that the browser will
// not sniff or run.
func (fx *fuzzFixture) upload(t testing.TB, actor uint8, contentType string, body []byte) {
	if !headerValue(contentType) {
		return
	}
	c := call{actor: fx.Actor(actor), method: "POST", path: "/ticket/" + itoa(fx.Ticket) + "/attachments",
		header: http.Header{"Content-Type": {contentType}}, body: body}
	if contentType == "" {
		c.header.Set("Content-Type", "application/octet-stream")
	}
	r := fx.do(t, c)
	if r.status != 201 {
		return
	}
	var at ajudae.Attachment
	if err := json.Unmarshal(r.body, &at); err != nil || at.ID <= 0 {
		t.Fatalf("upload answered 201 with %s", r.body)
	}
	d := fx.do(t, call{actor: fx.Actors[actorAdmin], method: "GET", path: "/attachment/" + itoa(at.ID)})
	if d.status != 200 || !strings.HasPrefix(d.header.Get("Content-Disposition"), "attachment") ||
		d.header.Get("X-Content-Type-Options") != "nosniff" || int64(len(d.body)) != at.Size {
		t.Fatalf("download of %+v: %d, headers %v, %d bytes", at, d.status, d.header, len(d.body))
	}
}

type uploadSeed struct {
	actor       uint8
	contentType string
	body        string
}

func multipartParts(boundary string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + p + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

var uploadSeeds = []uploadSeed{
	{actorRequester, uploadType, uploadBody},
	{actorMember, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\n\r\nroot")},
	{actorMember, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"C:\\\\Users\\\\a.txt\"\r\n\r\nx")},
	{actorAdmin, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"a\x00b.txt\"\r\n\r\nx")},
	{actorAdmin, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\nx")},
	{actorAdmin, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\"x.html\"\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n<script>alert(1)</script>")},
	{actorAdmin, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"other\"\r\n\r\nx")},
	{actorAdmin, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename=\""+strings.Repeat("n", 256)+"\"\r\n\r\nx")},
	{actorAdmin, uploadType, multipartParts(uploadBoundary, "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''%C3%A7%C3%A3o.txt\r\n\r\nx")},
	{actorAdmin, uploadType, "--" + uploadBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.txt\"\r\n\r\nno end"},
	{actorAdmin, "multipart/form-data", uploadBody},
	{actorAdmin, "multipart/form-data; boundary=", uploadBody},
	{actorAdmin, "text/plain", "just text"},
	{actorOther(), uploadType, uploadBody},
	{actorAnon, uploadType, uploadBody},
}

// actorOther is the seed's way of naming a byte past the callers (it wraps).
func actorOther() uint8 { return actorCount + actorRequester }

func FuzzUpload(f *testing.F) {
	for _, s := range uploadSeeds {
		f.Add(s.actor, s.contentType, []byte(s.body))
	}
	fx := newFuzzFixture(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, actor uint8, contentType string, body []byte) {
		fx.upload(t, actor, contentType, body)
	})
}

// sqliteEngine returns the SQLite engine: fuzzing runs there (one process
// per worker, each with its own file).
func sqliteEngine(tb testing.TB) dbtest.Engine {
	for _, e := range dbtest.Engines() {
		if e.Name == "sqlite" {
			return e
		}
	}
	tb.Fatal("no sqlite engine")
	return dbtest.Engine{}
}

// TestHostileInput runs every seed of the fuzz targets above on both
// engines, so PostgreSQL meets the same hostile input as SQLite.
func TestHostileInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		fx := newFuzzFixture(t, e)
		for _, s := range listQuerySeeds {
			fx.listQuery(t, s.route, s.actor, s.query)
		}
		for _, s := range ticketQuerySeeds {
			fx.ticketQuery(t, s.actor, s.status, s.priority, s.teamID, s.assignedTo, s.createdBy, s.q, s.sort, s.limit, s.cursor)
		}
		for _, s := range pathIDSeeds {
			fx.pathID(t, s.route, s.actor, s.id)
		}
		for _, s := range jsonBodySeeds {
			fx.jsonBody(t, s.route, s.actor, s.header, []byte(s.body))
		}
		for _, s := range uploadSeeds {
			fx.upload(t, s.actor, s.contentType, []byte(s.body))
		}
	})
}
