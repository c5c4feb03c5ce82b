package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// desk is a small help-desk: Marketing with its admin and an attendant,
// Produto, a requester with a ticket for Marketing.
type desk struct {
	env        *apitest.Env
	mkt, prod  int64
	teamAdmin  *apitest.Client
	attendant  *apitest.Client
	requester  *apitest.Client
	ticket     ajudae.Ticket
	ticketPath string
}

func newDesk(t *testing.T, e dbtest.Engine) *desk {
	t.Helper()
	env := apitest.New(t, e)
	d := &desk{env: env, mkt: env.TeamID("Marketing"), prod: env.TeamID("Produto")}
	d.teamAdmin = env.NewUser("Tereza Admin")
	env.AddMember(d.teamAdmin, d.mkt, true)
	d.attendant = env.NewUser("Mário Membro")
	env.AddMember(d.attendant, d.mkt, false)
	d.requester = env.NewUser("Cris Cliente")
	d.requester.Must(201, "POST", "/ticket", map[string]any{"title": `<script>alert("x")</script> não abre`,
		"description": "Tela branca.", "teamId": d.mkt, "priority": "Alta"}, &d.ticket)
	d.ticketPath = fmt.Sprintf("/tickets/%d", d.ticket.ID)
	return d
}

// checkPage asserts what every page of the UI must be: a language, a
// title, one h1, an accessible name for every control and button, and
// nothing inline or from another origin.
func checkPage(t *testing.T, path string, p *page, lang string) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", path, p.Status, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("%s: CSP %q", path, csp)
	}
	if got, _ := attr(p.one("the html element", tag("html")), "lang"); got != lang {
		t.Errorf("%s: html lang = %q, want %q", path, got, lang)
	}
	if title := text(p.one("the title", tag("title"))); title == "" || title == "· Ajudaê" {
		t.Errorf("%s: empty title %q", path, title)
	}
	p.one("the h1", tag("h1"))
	labels := map[string]bool{}
	for _, l := range p.find(tag("label", "for")) {
		v, _ := attr(l, "for")
		labels[v] = true
	}
	for _, c := range p.find(func(n *html.Node) bool { return n.Data == "input" || n.Data == "select" || n.Data == "textarea" }) {
		if typ, _ := attr(c, "type"); typ == "hidden" {
			continue
		}
		id, _ := attr(c, "id")
		_, aria := attr(c, "aria-label")
		if !labels[id] && !aria && !insideLabel(c) {
			t.Errorf("%s: a %s (name %v) has no accessible name", path, c.Data, c.Attr)
		}
	}
	for _, b := range p.find(tag("button")) {
		if _, aria := attr(b, "aria-label"); !aria && text(b) == "" {
			t.Errorf("%s: a button has neither text nor aria-label", path)
		}
	}
	for _, s := range p.find(tag("script")) {
		if src, ok := attr(s, "src"); !ok || !strings.HasPrefix(src, "/static/") {
			t.Errorf("%s: a script that is inline or from elsewhere: %v", path, s.Attr)
		}
	}
	if p.has(tag("style")) || p.has(tag("", "style")) {
		t.Errorf("%s: inline style", path)
	}
	for _, n := range p.find(func(n *html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if (a.Key == "src" || a.Key == "href" || a.Key == "action") && strings.Contains(a.Val, "//") {
				t.Errorf("%s: %s=%q points elsewhere", path, a.Key, a.Val)
			}
		}
	}
}

func insideLabel(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "label" {
			return true
		}
	}
	return false
}

func TestEveryPageIsWellFormed(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		anon := newClient(t, d.env)
		for _, path := range []string{"/login", "/register"} {
			checkPage(t, path, anon.get(path), "pt-BR")
		}
		admin := loginAs(t, d.env, d.env.Admin)
		for _, path := range []string{"/tickets", "/tickets?status=Aberto&q=tela", "/tickets/new", d.ticketPath, "/admin/teams",
			"/admin/users", fmt.Sprintf("/teams/%d", d.mkt), "/account", "/login"} {
			checkPage(t, path, admin.get(path), "pt-BR")
		}
		for _, c := range []*apitest.Client{d.requester, d.attendant, d.teamAdmin} {
			b := loginAs(t, d.env, c)
			for _, path := range []string{"/tickets", "/tickets/new", d.ticketPath, "/account"} {
				checkPage(t, path, b.get(path), "pt-BR")
			}
		}
		en := newClient(t, d.env)
		en.header.Set("Accept-Language", "en-GB,en;q=0.9")
		checkPage(t, "/login (en)", en.get("/login"), "en")
	})
}

func TestRootSendsToLoginOrTickets(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		c := newClient(t, env)
		if p := c.get("/"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/login" {
			t.Errorf("anonymous /: %d %q", p.Status, p.Header.Get("Location"))
		}
		if p := c.get("/tickets"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/login?next=%2Ftickets" {
			t.Errorf("anonymous /tickets: %d %q", p.Status, p.Header.Get("Location"))
		}
		c.login(apitest.AdminEmail, apitest.AdminPassword)
		if p := c.get("/"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/tickets" {
			t.Errorf("logged-in /: %d %q", p.Status, p.Header.Get("Location"))
		}
	})
}

func TestUnknownPaths(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		c := newClient(t, env)
		p := c.get("/no/such/page")
		if p.Status != http.StatusNotFound || p.Doc == nil {
			t.Fatalf("browser 404: %d %s", p.Status, p.Header.Get("Content-Type"))
		}
		if h1 := text(p.one("h1", tag("h1"))); h1 != "Página não encontrada" {
			t.Errorf("404 h1 = %q", h1)
		}
		r := env.Anonymous().Do("GET", "/no/such/page", nil)
		if r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("API 404: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		if p := c.get("/tickets/999999"); p.Status != http.StatusSeeOther {
			t.Errorf("anonymous ticket page: %d", p.Status)
		}
		c.login(apitest.AdminEmail, apitest.AdminPassword)
		if p := c.get("/tickets/999999"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "Chamado não encontrado") {
			t.Errorf("unknown ticket: %d", p.Status)
		}
	})
}

// TestControlsFollowThePolicy: a control a user may not use is not
// rendered for that user.
func TestControlsFollowThePolicy(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		staff := map[string]func(*html.Node) bool{
			"internal note": tag("input", "name=isInternal"),
			"status select": tag("select", "name=status"),
			"priority":      tag("select", "name=priority"),
			"assignee":      tag("select", "name=assignedToId"),
			"take":          tag("button", "data-action=take"),
			"redirect":      tag("form", "action="+d.ticketPath+"/redirect"),
		}
		want := map[string]map[string]bool{
			"requester":  {},
			"attendant":  {"internal note": true, "status select": true, "take": true},
			"team admin": {"internal note": true, "status select": true, "priority": true, "assignee": true, "redirect": true},
			"admin":      {"internal note": true, "status select": true, "priority": true, "assignee": true, "redirect": true},
		}
		clients := map[string]*apitest.Client{"requester": d.requester, "attendant": d.attendant, "team admin": d.teamAdmin, "admin": d.env.Admin}
		for who, c := range clients {
			p := loginAs(t, d.env, c).mustGet(200, d.ticketPath)
			for control, match := range staff {
				if got := p.has(match); got != want[who][control] {
					t.Errorf("%s sees %s: %v, want %v", who, control, got, want[who][control])
				}
			}
			if who == "requester" && !p.has(tag("button", "data-action=status-Fechado")) {
				t.Errorf("the requester has no close button")
			}
		}
		// The requester's ticket list has no staff filter either.
		if p := loginAs(t, d.env, d.requester).mustGet(200, "/tickets"); p.has(tag("select", "name=assignedTo")) {
			t.Errorf("the requester sees the assignee filter")
		}
		// A USER does not reach the admin pages.
		u := loginAs(t, d.env, d.requester)
		for _, path := range []string{"/admin/teams", "/admin/users", fmt.Sprintf("/teams/%d", d.mkt)} {
			if p := u.get(path); p.Status != http.StatusForbidden {
				t.Errorf("USER %s: %d, want 403", path, p.Status)
			}
		}
	})
}

func TestTicketBadgesAndRows(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		c := loginAs(t, d.env, d.requester)
		p := c.mustGet(200, d.ticketPath)
		p.one("the status badge", tag("span", "data-status=Aberto"))
		p.one("the priority badge", tag("span", "data-priority=Alta"))
		// Hostile text is shown escaped, exactly as sent.
		if strings.Contains(p.Body, `<script>alert`) {
			t.Errorf("the title is not escaped")
		}
		if h1 := text(p.one("h1", tag("h1"))); !strings.Contains(h1, `<script>alert("x")</script> não abre`) {
			t.Errorf("h1 = %q", h1)
		}
		l := c.mustGet(200, "/tickets")
		row := l.one("the ticket's row", tag("li", fmt.Sprintf("id=ticket-%d", d.ticket.ID)))
		if s, _ := attr(row, "data-status"); s != "Aberto" {
			t.Errorf("row data-status = %q", s)
		}
		if s, _ := attr(row, "data-priority"); s != "Alta" {
			t.Errorf("row data-priority = %q", s)
		}
		// Filters: a status with no ticket shows the empty state.
		l = c.mustGet(200, "/tickets?status=Fechado")
		if l.has(tag("li", fmt.Sprintf("id=ticket-%d", d.ticket.ID))) || !strings.Contains(l.Body, "Nenhum chamado encontrado") {
			t.Errorf("the Fechado filter still lists the open ticket")
		}
		if p := c.get("/tickets?status=Foo"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "alert-error") {
			t.Errorf("unknown status filter: %d", p.Status)
		}
		if l := c.mustGet(200, "/tickets?q=branca"); !l.has(tag("li", fmt.Sprintf("id=ticket-%d", d.ticket.ID))) {
			t.Errorf("search by description does not find the ticket")
		}
	})
}

func TestLoginAndRegisterErrors(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		c := newClient(t, env)
		p := c.post("/login", url.Values{"email": {apitest.AdminEmail}, "password": {"wrong"}})
		if p.Status != http.StatusUnauthorized || !strings.Contains(text(p.one("the error", tag("div", "role=alert"))), "E-mail ou senha incorretos") {
			t.Errorf("wrong password: %d\n%s", p.Status, p.Body)
		}
		if v, _ := attr(p.one("the e-mail field", tag("input", "name=email")), "value"); v != apitest.AdminEmail {
			t.Errorf("the e-mail typed is not kept: %q", v)
		}
		p = c.post("/login", url.Values{"email": {""}, "password": {""}})
		if p.Status != http.StatusUnprocessableEntity || p.fieldError("email") == "" || p.fieldError("password") == "" {
			t.Errorf("empty login: %d, field errors %q %q", p.Status, p.fieldError("email"), p.fieldError("password"))
		}
		p = c.post("/register", url.Values{"name": {"Ana"}, "email": {"not-an-email"}, "password": {"short"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad register: %d", p.Status)
		}
		if p.fieldError("email") != "precisa ser um e-mail como nome@exemplo.com" || !strings.Contains(p.fieldError("password"), "de 8 a 128") {
			t.Errorf("register field errors: %q / %q", p.fieldError("email"), p.fieldError("password"))
		}
		var users ajudae.List[ajudae.User]
		env.Admin.Must(200, "GET", "/user?q=Ana", nil, &users)
		if len(users.Items) != 0 {
			t.Errorf("a rejected registration created %v", users.Items)
		}
		p = c.post("/register", url.Values{"name": {"Ana"}, "email": {apitest.AdminEmail}, "password": {"long enough"}})
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, "já está em uso") {
			t.Errorf("taken e-mail: %d", p.Status)
		}
		p = c.mustPost(http.StatusSeeOther, "/register", url.Values{"name": {"Ana"}, "email": {"ana@example.com"}, "password": {"long enough"}})
		if p.Header.Get("Location") != "/tickets?notice=welcome" || c.session() == "" {
			t.Errorf("register: %q, session %q", p.Header.Get("Location"), c.session())
		}
		c.mustGet(200, "/tickets")
		// The login form only sends users to a local page.
		c2 := newClient(t, env)
		p = c2.mustPost(http.StatusSeeOther, "/login", url.Values{"email": {"ana@example.com"}, "password": {"long enough"}, "next": {"//evil.example/x"}})
		if p.Header.Get("Location") != "/tickets" {
			t.Errorf("login next: %q", p.Header.Get("Location"))
		}
	})
}

func TestSessionCookie(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		c := newClient(t, env)
		for _, proto := range []string{"", "https"} {
			p := c.post("/login", url.Values{"email": {apitest.AdminEmail}, "password": {apitest.AdminPassword}}, "X-Forwarded-Proto", proto)
			sc := p.Header.Get("Set-Cookie")
			for _, want := range []string{"ajudae_session=", "Path=/", "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(sc, want) {
					t.Errorf("Set-Cookie %q lacks %s", sc, want)
				}
			}
			if got := strings.Contains(sc, "Secure"); got != (proto == "https") {
				t.Errorf("proto %q: Secure is %v in %q", proto, got, sc)
			}
		}
		// Logging in again replaced the first session.
		var sessions ajudae.List[ajudae.Session]
		env.Admin.Must(200, "GET", "/auth/sessions", nil, &sessions)
		if len(sessions.Items) != 2 { // the API's login and the UI's last one
			t.Errorf("sessions after two UI logins: %d, want 2", len(sessions.Items))
		}
		// The cookie is a session of the API's store: logout revokes it everywhere.
		token := c.session()
		if r := env.Do(token, apitest.Request{Method: "GET", Path: "/user/me"}); r.Status != http.StatusOK {
			t.Fatalf("the UI session does not authenticate: %d", r.Status)
		}
		p := c.mustPost(http.StatusSeeOther, "/logout", nil)
		if p.Header.Get("Location") != "/login?notice=loggedout" || c.session() != "" {
			t.Errorf("logout: %q, cookie %q", p.Header.Get("Location"), c.session())
		}
		if r := env.Do(token, apitest.Request{Method: "GET", Path: "/user/me"}); r.Status != http.StatusUnauthorized {
			t.Errorf("after logout the token answers %d", r.Status)
		}
		stale := newClient(t, env)
		u, _ := url.Parse(env.Server.URL)
		stale.http.Jar.SetCookies(u, []*http.Cookie{{Name: "ajudae_session", Value: token}})
		if p := stale.get("/tickets"); p.Status != http.StatusSeeOther {
			t.Errorf("a revoked cookie still opens /tickets: %d", p.Status)
		}
	})
}

// TestCrossOriginForms: a form posted from another site changes nothing.
func TestCrossOriginForms(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		c := loginAs(t, d.env, d.requester)
		form := url.Values{"title": {"Forjado"}, "description": {"x"}, "teamId": {fmt.Sprint(d.mkt)}}
		if p := c.post("/tickets/new", form, "Sec-Fetch-Site", "cross-site"); p.Status != http.StatusForbidden {
			t.Errorf("cross-site POST: %d, want 403", p.Status)
		}
		if p := c.post("/tickets/new", form, "Origin", "https://evil.example"); p.Status != http.StatusForbidden {
			t.Errorf("cross-origin POST: %d, want 403", p.Status)
		}
		var l ajudae.List[ajudae.Ticket]
		d.requester.Must(200, "GET", "/ticket", nil, &l)
		if len(l.Items) != 1 {
			t.Errorf("a forged form created a ticket: %d tickets", len(l.Items))
		}
		c.mustPost(http.StatusSeeOther, "/tickets/new", form, "Sec-Fetch-Site", "same-origin")
	})
}

func TestNewTicketForm(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		c := loginAs(t, d.env, d.requester)
		form := c.mustGet(200, "/tickets/new")
		key, _ := attr(form.one("the idempotency key", tag("input", "name=idempotencyKey")), "value")
		if len(form.find(tag("option"))) < 4 {
			t.Errorf("the team choice lacks the teams")
		}
		p := c.post("/tickets/new", url.Values{"title": {"ab"}, "description": {""}, "teamId": {""}, "priority": {"Média"}, "idempotencyKey": {key}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad ticket: %d", p.Status)
		}
		for _, f := range []string{"title", "description", "teamId"} {
			if p.fieldError(f) == "" {
				t.Errorf("no error next to %s", f)
			}
		}
		if v, _ := attr(p.one("the title", tag("input", "name=title")), "value"); v != "ab" {
			t.Errorf("the title typed is lost: %q", v)
		}
		ok := url.Values{"title": {"Sem acesso"}, "description": {"Desde ontem."}, "teamId": {fmt.Sprint(d.prod)}, "priority": {"Baixa"}, "idempotencyKey": {key}}
		p = c.mustPost(http.StatusSeeOther, "/tickets/new", ok)
		again := c.mustPost(http.StatusSeeOther, "/tickets/new", ok) // a double submit
		if p.Header.Get("Location") != again.Header.Get("Location") {
			t.Errorf("a double submit opened two tickets: %s, %s", p.Header.Get("Location"), again.Header.Get("Location"))
		}
		page := c.mustGet(200, strings.TrimSuffix(p.Header.Get("Location"), "?notice=created")+"?notice=created")
		page.one("the notice", tag("div", "role=status"))
		page.one("the priority", tag("span", "data-priority=Baixa"))
	})
}

// TestWorkingATicket goes through the ticket page's forms without
// JavaScript and with htmx.
func TestWorkingATicket(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		att := loginAs(t, d.env, d.attendant)
		// htmx gets the #ticket part alone.
		p := att.mustPost(200, d.ticketPath, url.Values{"assignedToId": {fmt.Sprint(d.attendant.ID())}, "version": {"1"}}, "HX-Request", "true")
		if p.has(tag("html")) && strings.Contains(p.Body, "<html") {
			t.Errorf("htmx got a whole page")
		}
		p.one("the ticket part", tag("div", "id=ticket"))
		if got := text(p.one("the assignee", tag("dd", "data-field=assignee"))); got != "Mário Membro" {
			t.Errorf("assignee = %q", got)
		}
		// A stale version changes nothing and says so.
		p = att.post(d.ticketPath, url.Values{"status": {"Fechado"}, "version": {"1"}})
		if p.Status != http.StatusPreconditionFailed || !p.has(tag("div", "role=alert")) {
			t.Errorf("stale update: %d", p.Status)
		}
		p = att.mustPost(http.StatusSeeOther, d.ticketPath+"/messages", url.Values{"message": {"Nota da equipe"}, "isInternal": {"true"}})
		if p.Header.Get("Location") != d.ticketPath+"?notice=noted" {
			t.Errorf("note: %q", p.Header.Get("Location"))
		}
		att.mustPost(http.StatusSeeOther, d.ticketPath+"/messages", url.Values{"message": {"Resposta pública"}})
		// An empty reply is shown next to the field, with htmx too.
		p = att.post(d.ticketPath+"/messages", url.Values{"message": {""}}, "HX-Request", "true")
		if p.Status != http.StatusUnprocessableEntity || p.fieldError("message") == "" {
			t.Errorf("empty reply: %d %q", p.Status, p.fieldError("message"))
		}
		// The requester sees the reply and not the note; it may not post one.
		req := loginAs(t, d.env, d.requester)
		page := req.mustGet(200, d.ticketPath)
		if !strings.Contains(page.Body, "Resposta pública") || strings.Contains(page.Body, "Nota da equipe") {
			t.Errorf("the requester's view of the conversation is wrong")
		}
		if p := req.post(d.ticketPath+"/messages", url.Values{"message": {"x"}, "isInternal": {"true"}}); p.Status != http.StatusForbidden {
			t.Errorf("a requester's internal note: %d", p.Status)
		}
		// The requester closes, then reopens by replying.
		req.mustPost(http.StatusSeeOther, d.ticketPath, url.Values{"status": {"Fechado"}})
		req.mustPost(http.StatusSeeOther, d.ticketPath+"/messages", url.Values{"message": {"Voltou a falhar"}})
		page = req.mustGet(200, d.ticketPath)
		page.one("the status badge", tag("span", "data-status=Aberto"))
		if !strings.Contains(page.Body, "Cris Cliente reabriu o chamado") {
			t.Errorf("the timeline lacks the reopening")
		}
		// While Aberto the requester edits its ticket; staff (not its admin) may not.
		page = req.mustGet(200, d.ticketPath)
		page.one("the edit form", tag("input", "name=title", "id=edit-title"))
		if p := req.post(d.ticketPath, url.Values{"title": {"x"}, "description": {"ok"}}); p.Status != http.StatusUnprocessableEntity || p.fieldError("edit-title") == "" {
			t.Errorf("short title edit: %d %q", p.Status, p.fieldError("edit-title"))
		}
		req.mustPost(http.StatusSeeOther, d.ticketPath, url.Values{"title": {"Título novo"}, "description": {"Descrição nova"}})
		if h1 := text(req.mustGet(200, d.ticketPath).one("h1", tag("h1"))); !strings.Contains(h1, "Título novo") {
			t.Errorf("h1 after the edit = %q", h1)
		}
		if att.mustGet(200, d.ticketPath).has(tag("input", "id=edit-title")) {
			t.Errorf("an attendant sees the edit form")
		}
		// The requester may not change the priority.
		if p := req.post(d.ticketPath, url.Values{"priority": {"Baixa"}}); p.Status != http.StatusForbidden {
			t.Errorf("a requester's priority change: %d", p.Status)
		}
	})
}

// TestRedirectOutOfSight: after a redirect that takes the ticket away, the
// UI goes back to /tickets with a notice, not a 404.
func TestRedirectOutOfSight(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		ta := loginAs(t, d.env, d.teamAdmin)
		p := ta.post(d.ticketPath+"/redirect", url.Values{"teamId": {fmt.Sprint(d.mkt)}})
		if p.Status != http.StatusConflict || !p.has(tag("div", "role=alert")) {
			t.Errorf("redirect to the same team: %d", p.Status)
		}
		p = ta.post(d.ticketPath+"/redirect", url.Values{"teamId": {fmt.Sprint(d.prod)}, "reason": {"É do produto"}}, "HX-Request", "true")
		if p.Status != http.StatusOK || p.Header.Get("HX-Redirect") != "/tickets?notice=moved" {
			t.Fatalf("htmx redirect: %d %q", p.Status, p.Header.Get("HX-Redirect"))
		}
		l := ta.mustGet(200, "/tickets?notice=moved")
		if !strings.Contains(text(l.one("the notice", tag("div", "role=status"))), "não está mais na sua fila") {
			t.Errorf("no notice after the redirect")
		}
		if l.has(tag("li", fmt.Sprintf("id=ticket-%d", d.ticket.ID))) {
			t.Errorf("the old team still lists the ticket")
		}
		// A live refresh of the ticket it no longer sees goes to the list too.
		if p := ta.get(d.ticketPath, "HX-Request", "true"); p.Header.Get("HX-Redirect") != "/tickets?notice=gone" {
			t.Errorf("htmx refresh of a ticket out of sight: %d %q", p.Status, p.Header.Get("HX-Redirect"))
		}
		// ADMIN still sees it, so it stays on the ticket.
		adm := loginAs(t, d.env, d.env.Admin)
		p = adm.mustPost(http.StatusSeeOther, d.ticketPath+"/redirect", url.Values{"teamId": {fmt.Sprint(d.mkt)}})
		if p.Header.Get("Location") != d.ticketPath+"?notice=redirected" {
			t.Errorf("ADMIN redirect: %q", p.Header.Get("Location"))
		}
	})
}

func TestLanguageChoice(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		c := loginAs(t, env, env.Admin)
		logout := func() string {
			p := c.mustGet(200, "/tickets")
			return text(p.one("logout", tag("form", "action=/logout")))
		}
		if got := logout(); got != "Sair" {
			t.Errorf("default logout = %q", got)
		}
		c.header.Set("Accept-Language", "en-US,en;q=0.9,pt-BR;q=0.8")
		if got := logout(); got != "Log out" {
			t.Errorf("English browser logout = %q", got)
		}
		c.header.Set("Accept-Language", "fr-FR,pt;q=0.8,en;q=0.5")
		if got := logout(); got != "Sair" {
			t.Errorf("French-then-Portuguese browser logout = %q", got)
		}
		p := c.mustPost(http.StatusSeeOther, "/lang", url.Values{"lang": {"en"}, "next": {"/account"}})
		if p.Header.Get("Location") != "/account" {
			t.Errorf("lang next = %q", p.Header.Get("Location"))
		}
		if got := logout(); got != "Log out" {
			t.Errorf("picked English logout = %q", got)
		}
		if p := c.mustPost(http.StatusSeeOther, "/lang", url.Values{"lang": {"pt-BR"}, "next": {"https://evil.example"}}); p.Header.Get("Location") != "/" {
			t.Errorf("lang next to another site: %q", p.Header.Get("Location"))
		}
	})
}

func TestTicketListPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		mkt := env.TeamID("Marketing")
		u := env.NewUser("Paula Paginada")
		for i := range 23 {
			u.Must(201, "POST", "/ticket", map[string]any{"title": fmt.Sprintf("Chamado número %d", i+1), "description": "x", "teamId": mkt}, nil)
		}
		c := loginAs(t, env, u)
		p := c.mustGet(200, "/tickets")
		if n := len(p.find(tag("li", "class=ticket-row"))); n != 20 {
			t.Errorf("first page: %d rows, want 20", n)
		}
		if got := text(p.one("the count of Aberto", tag("a", "data-status=Aberto"))); got != "Aberto 23" {
			t.Errorf("status tab = %q", got)
		}
		var next string
		for _, a := range p.find(tag("a")) {
			if text(a) == "Próxima página" {
				next, _ = attr(a, "href")
			}
		}
		if !strings.HasPrefix(next, "/tickets?cursor=") {
			t.Fatalf("next page link = %q", next)
		}
		p = c.mustGet(200, next)
		if n := len(p.find(tag("li", "class=ticket-row"))); n != 3 {
			t.Errorf("second page: %d rows, want 3", n)
		}
		if !strings.Contains(p.Body, "Primeira página") || strings.Contains(p.Body, "Próxima página") {
			t.Errorf("second page links are wrong")
		}
		p = c.get("/tickets?cursor=garbage")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(text(p.one("the field problems", tag("ul", "role=alert"))), "cursor: página inválida") {
			t.Errorf("bad cursor: %d\n%s", p.Status, p.Body)
		}
	})
}
