package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// The fuzz targets of the web UI post hostile forms and ask for pages with
// hostile ids and query strings, as a logged-in browser (or none) would,
// through the real handler. The property (apitest.Hostile.Send): a 2xx, a
// redirect that stays on the site, or a 4xx HTML page that changed no
// data; never a 5xx, a panic or a password hash. Fuzzing runs on SQLite;
// TestHostileUI runs every seed on both engines.

// uiForm is a form of the UI; %d in path is filled from the fixture.
type uiForm struct {
	path string
	ids  func(h *apitest.Hostile) []any
}

// uiForms are the forms a fuzzed byte picks. Left out: logout and the
// delete buttons, which would take the fixture's callers or teams away.
func uiForms() []uiForm {
	none := func(*apitest.Hostile) []any { return nil }
	ticket := func(h *apitest.Hostile) []any { return []any{h.Ticket} }
	fin := func(h *apitest.Hostile) []any { return []any{h.Fin} }
	return []uiForm{
		{"/login", none},
		{"/register", none},
		{"/lang", none},
		{"/tickets/new", none},
		{"/tickets/%d", ticket},
		{"/tickets/%d/messages", ticket},
		{"/tickets/%d/redirect", ticket},
		{"/admin/teams", none},
		{"/admin/teams/%d", fin},
		{"/admin/users/%d/role", func(h *apitest.Hostile) []any { return []any{h.Victim} }},
		{"/teams/%d/members", fin},
		{"/teams/%d/members/%d", func(h *apitest.Hostile) []any { return []any{h.Fin, h.Victim} }},
		{"/teams/%d/members/%d/delete", func(h *apitest.Hostile) []any { return []any{h.Fin, h.Victim} }},
		{"/account", none},
	}
}

// postForm posts form (raw, kept as sent) to the form route picks, as
// htmx when htmx is odd.
func postForm(t testing.TB, h *apitest.Hostile, route, actor, htmx uint8, form string) {
	forms := uiForms()
	f := forms[int(route)%len(forms)]
	c := apitest.Call{Actor: h.Actor(actor), UI: true, Method: "POST", Path: fmt.Sprintf(f.path, f.ids(h)...),
		Body: []byte(apitest.RawQuery(form))}
	if htmx%2 == 1 {
		c.Header = map[string][]string{"Hx-Request": {"true"}}
	}
	h.Send(t, c)
}

type formSeed struct {
	route, actor, htmx uint8
	form               string
}

var formSeeds = []formSeed{
	{0, apitest.ActorAnon, 0, "email=admin%40ajudae.test&password=wrong-password&next=%2Ftickets"},
	{0, apitest.ActorAnon, 1, "email=&password=&next=//evil.example"},
	{0, apitest.ActorAnon, 0, "email=a&email=b&password=%00&next=/%09/evil.example"},
	{1, apitest.ActorAnon, 0, "name=Nova&email=nova%40example.com&password=uma+senha+longa"},
	{1, apitest.ActorAnon, 1, "name=%00&email=x&password=1"},
	{2, apitest.ActorAnon, 0, "lang=en&next=%2Ftickets"},
	{2, apitest.ActorRequester, 0, "lang=xx&next=javascript:alert(1)"},
	{2, apitest.ActorAnon, 1, "lang=en&next=/%09/evil.example"},
	{3, apitest.ActorRequester, 0, "title=Impressora&description=N%C3%A3o+imprime&teamId=1&priority=Alta&idempotencyKey=k1"},
	{3, apitest.ActorRequester, 1, "title=a&description=&teamId=-1&priority=Urgente"},
	{3, apitest.ActorRequester, 0, "title=Impressora&description=x&teamId=99999999999999999999"},
	{4, apitest.ActorTeamAdmin, 0, "status=Em_andamento&priority=Baixa&assignedToId=&version=1"},
	{4, apitest.ActorMember, 1, "status=Foo&assignedToId=abc&version=x"},
	{4, apitest.ActorRequester, 0, "status=Fechado&version=999"},
	{5, apitest.ActorRequester, 0, "message=Ol%C3%A1&isInternal=on"},
	{5, apitest.ActorMember, 1, "message=%3Cscript%3Ealert(1)%3C%2Fscript%3E&isInternal=true"},
	{5, apitest.ActorMember, 0, "message="},
	{6, apitest.ActorTeamAdmin, 0, "teamId=2&reason=%C3%A9+de+produto"},
	{6, apitest.ActorTeamAdmin, 1, "teamId=abc&reason="},
	{7, apitest.ActorAdmin, 0, "name=Jur%C3%ADdico&description=x"},
	{7, apitest.ActorMember, 0, "name=Outro"},
	{8, apitest.ActorAdmin, 0, "name=x&description=" + strings.Repeat("d", 501)},
	{9, apitest.ActorAdmin, 0, "role=ADMIN&back=/admin/users?q=a"},
	{9, apitest.ActorAdmin, 1, "role=ATTENDANT&back=/%5Cevil.example"},
	{10, apitest.ActorAdmin, 0, "email=ninguem%40example.com&isAdmin=on"},
	{11, apitest.ActorAdmin, 0, "isAdmin=on"},
	{12, apitest.ActorTeamAdmin, 0, ""},
	{13, apitest.ActorRequester, 0, "name=Cris&email=cris%40example.com&password=nova-senha&currentPassword=errada"},
	{13, apitest.ActorAnon, 0, "name=x"},
	{4, apitest.ActorAdmin, 0, "%zz=%zz&&&=&status"},
}

func FuzzUIForm(f *testing.F) {
	for _, s := range formSeeds {
		f.Add(s.route, s.actor, s.htmx, s.form)
	}
	h := apitest.NewHostile(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, route, actor, htmx uint8, form string) {
		postForm(t, h, route, actor, htmx, form)
	})
}

// uiPages are the pages a fuzzed byte picks; %s is the fuzzed id.
var uiPages = []string{"/tickets", "/tickets/new", "/tickets/%s", "/teams/%s", "/admin/users", "/admin/teams",
	"/account", "/login", "/register", "/", "/attachment/%s"}

// getPage asks for a page with id in its path (escaped as one segment)
// and query as its query string.
func getPage(t testing.TB, h *apitest.Hostile, route, actor uint8, id, query string) {
	p := uiPages[int(route)%len(uiPages)]
	if len(p) > 2 && p[len(p)-2:] == "%s" {
		p = fmt.Sprintf(p, url.PathEscape(id))
	}
	h.Send(t, apitest.Call{Actor: h.Actor(actor), UI: true, Method: "GET", Path: p, Query: apitest.RawQuery(query)})
}

type pageSeed struct {
	route, actor uint8
	id, query    string
}

var pageSeeds = []pageSeed{
	{0, apitest.ActorRequester, "", "status=Aberto&status=Fechado&priority=M%C3%A9dia&sort=-priority&q=acesso"},
	{0, apitest.ActorAdmin, "", "status=Foo&sort=title&limit=0&cursor=garbage"},
	{0, apitest.ActorMember, "", "assignedTo=me&createdBy=none&teamId=-1&notice=%3Cscript%3E"},
	{0, apitest.ActorAnon, "", "q=x"},
	{1, apitest.ActorRequester, "", "teamId=%22%3E%3Cscript%3E"},
	{2, apitest.ActorRequester, "1", ""},
	{2, apitest.ActorRequester, "abc", ""},
	{2, apitest.ActorMember, "99999999999999999999", "notice=redirected"},
	{2, apitest.ActorAdmin, "0", ""},
	{3, apitest.ActorMember, "1", "notice=teamupdated"},
	{3, apitest.ActorRequester, "-1", ""},
	{4, apitest.ActorAdmin, "", "q=%25&role=BOSS&cursor=x"},
	{4, apitest.ActorMember, "", ""},
	{5, apitest.ActorAdmin, "", "notice=%00"},
	{6, apitest.ActorRequester, "", "notice=passwordchanged"},
	{7, apitest.ActorAnon, "", "next=%2F%09%2Fevil.example"},
	{7, apitest.ActorAnon, "", "next=//evil.example&notice=loggedout"},
	{8, apitest.ActorAnon, "", ""},
	{9, apitest.ActorRequester, "", ""},
	{10, apitest.ActorRequester, "1", ""},
	{10, apitest.ActorAdmin, "-1", ""},
}

func FuzzUIPage(f *testing.F) {
	for _, s := range pageSeeds {
		f.Add(s.route, s.actor, s.id, s.query)
	}
	h := apitest.NewHostile(f, sqliteEngine(f))
	f.Fuzz(func(t *testing.T, route, actor uint8, id, query string) {
		getPage(t, h, route, actor, id, query)
	})
}

// sqliteEngine returns the SQLite engine: fuzzing runs there.
func sqliteEngine(tb testing.TB) dbtest.Engine {
	for _, e := range dbtest.Engines() {
		if e.Name == "sqlite" {
			return e
		}
	}
	tb.Fatal("no sqlite engine")
	return dbtest.Engine{}
}

// TestHostileUI runs every seed of the UI's fuzz targets on both engines.
func TestHostileUI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		h := apitest.NewHostile(t, e)
		for _, s := range formSeeds {
			postForm(t, h, s.route, s.actor, s.htmx, s.form)
		}
		for _, s := range pageSeeds {
			getPage(t, h, s.route, s.actor, s.id, s.query)
		}
	})
}
