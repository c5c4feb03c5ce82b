package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// waitUntil polls cond until it holds, failing the test after 30 s (a
// bound on a hung test, not a speed assertion).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited in vain for %s", what)
		}
	}
}

// lastEventID returns the id of the newest timeline event of ticket id
// that c sees.
func lastEventID(t *testing.T, c *apitest.Client, id int64) int64 {
	t.Helper()
	var l ajudae.List[ajudae.Event]
	c.Must(200, "GET", fmt.Sprintf("/ticket/%d/events?limit=100", id), nil, &l)
	if len(l.Items) == 0 {
		t.Fatalf("ticket %d has no events", id)
	}
	return l.Items[len(l.Items)-1].ID
}

// TestLivePartsResumeFrom: the list and the ticket page tell app.js the
// newest change when they were rendered (data-live-after), so that their
// stream replays what happens before it opens; htmx partials, whose page
// already listens, do not ask the database for it.
func TestLivePartsResumeFrom(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		c := loginAs(t, d.env, d.requester)
		newest := lastEventID(t, d.requester, d.ticket.ID)
		for path, part := range map[string]string{"/tickets": "section", d.ticketPath: "div"} {
			p := c.mustGet(200, path)
			el := p.one("the live part", tag(part, "data-live"))
			if got, _ := attr(el, "data-live-after"); got != strconv.FormatInt(newest, 10) {
				t.Errorf("%s: data-live-after = %q, want %d", path, got, newest)
			}
			p = c.get(path, "HX-Request", "true")
			if l := p.find(tag("", "data-live-after")); p.Status != 200 || len(l) != 0 {
				t.Errorf("%s as htmx: %d, %d parts with data-live-after", path, p.Status, len(l))
			}
			// A live refresh leaves the browser's history alone.
			if p := c.get(path, "HX-Request", "true", "X-Ajudae-Live", "true"); p.Status != 200 || p.Header.Get("HX-Push-Url") != "" {
				t.Errorf("%s as a live refresh: %d, HX-Push-Url %q", path, p.Status, p.Header.Get("HX-Push-Url"))
			}
		}
		// A change after the render is what the stream replays from there.
		d.attendant.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", d.ticket.ID), map[string]any{"message": "Oi"}, nil)
		p := c.mustGet(200, d.ticketPath)
		if got, _ := attr(p.one("the ticket", tag("div", "data-live=ticket")), "data-live-after"); got != strconv.FormatInt(lastEventID(t, d.requester, d.ticket.ID), 10) || got == strconv.FormatInt(newest, 10) {
			t.Errorf("after a reply data-live-after = %q (was %d)", got, newest)
		}
	})
}

// TestBrowserLiveUpdates: the pages follow the real GET /events of the
// server. Changes made by other users, through the UI or the API, show on
// the open pages without a reload: a new ticket on the team's list, a
// reply and a status change on the requester's ticket page, a redirect on
// the new team's list; an internal note never reaches the requester's
// page; a page whose ticket leaves the user's sight goes to the list with
// a notice; after a broken connection the pages catch up; a page whose
// session ended goes to the login page.
func TestBrowserLiveUpdates(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		mkt, prod := env.TeamID("Marketing"), env.TeamID("Produto")
		tereza := env.NewUser("Tereza Admin")
		env.AddMember(tereza, mkt, true)
		// Mario, not Mário: the e-mail comes from the name, and the login
		// form's type=email refuses a non-ASCII local part.
		mario := env.NewUser("Mario Membro")
		env.AddMember(mario, mkt, false)
		paulo := env.NewUser("Paulo Produto")
		env.AddMember(paulo, prod, false)
		lia := env.NewUser("Lia Live")

		// Marketing's member watches the team's queue; the requester
		// opens a ticket through the UI.
		staff := newTab(t, env, "Marketing member")
		staff.login(mario.User.Email, mario.Password)
		req := newTab(t, env, "requester")
		req.login(lia.User.Email, lia.Password)
		staff.mark()
		req.click(`a.btn-primary[href="/tickets/new"]`, "#title")
		req.fill("#title", "Painel lento")
		req.fill("#description", "Demora muito para abrir.")
		req.fill("#teamId", strconv.FormatInt(mkt, 10))
		req.click(`form[action="/tickets/new"] button[type=submit]`, "#ticket")
		id, err := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(req.path(), "?", 2)[0], "/tickets/"), 10, 64)
		if err != nil {
			t.Fatalf("after opening the ticket the requester is at %s", req.path())
		}
		row := fmt.Sprintf("#ticket-%d", id)
		ticketPage := fmt.Sprintf("/tickets/%d", id)
		staff.do("wait for the new ticket in the queue", waitVisible(row))
		if !staff.marked() {
			t.Errorf("the queue was reloaded instead of refreshed in place")
		}

		// The search filters the queue in place (htmx), keeps the URL, and
		// live refreshes keep the filter.
		staff.do("type a search", typeKeys("#q", "impressora"))
		staff.do("wait for the filtered list", waitNotPresent(row))
		if !staff.marked() {
			t.Errorf("the search reloaded the whole page instead of its results")
		}
		if p := staff.path(); p != "/tickets?q=impressora" {
			t.Errorf("after the search the URL is %s", p)
		}
		entries := staff.historyLength()
		var other, printer ajudae.Ticket
		lia.Must(201, "POST", "/ticket", map[string]any{"title": "Senha expirada", "description": "Não entro.", "teamId": mkt}, &other)
		lia.Must(201, "POST", "/ticket", map[string]any{"title": "Impressora sem papel", "description": "Andar 2.", "teamId": mkt}, &printer)
		staff.do("wait for the matching ticket", waitVisible(fmt.Sprintf("#ticket-%d", printer.ID)))
		if n := staff.count(fmt.Sprintf("#ticket-%d, %s", other.ID, row)); n != 0 {
			t.Errorf("the refreshed, filtered queue shows %d tickets that do not match", n)
		}
		if n := staff.historyLength(); n != entries {
			t.Errorf("live refreshes added %d entries to the browser's history", n-entries)
		}

		// Staff work the ticket in the UI; the requester's open page follows.
		staff.visit(ticketPage, "#reply-form")
		admin := newTab(t, env, "team admin")
		admin.login(tereza.User.Email, tereza.Password)
		admin.visit(ticketPage, "#redirect-team")
		req.mark()
		staff.fill("#message", "Já estamos vendo.")
		staff.tick(`#reply-form button[type=submit]`)
		staff.waitTextIn(".timeline", "Já estamos vendo.")
		req.waitText("Já estamos vendo.")
		admin.waitText("Já estamos vendo.")

		staff.fill("#message", "Nota só da equipe: cliente VIP.")
		staff.tick("#isInternal")
		staff.click(`#reply-form button[type=submit]`, "#ticket .msg-internal")
		admin.waitText("Nota só da equipe") // staff of the team see the note live
		staff.fill("#status", string(ajudae.StatusInProgress))
		staff.click(`form:has(#status) button[type=submit]`, `.ticket-head [data-status="Em_andamento"]`)
		req.waitAttr(".ticket-head .badge-status", "data-status", "Em_andamento")
		if got := req.pageText(); strings.Contains(got, "Nota só da equipe") || strings.Contains(got, "cliente VIP") {
			t.Errorf("the requester's page shows the internal note: %s", got)
		}
		if req.count("[data-internal]") != 0 {
			t.Errorf("the requester's page has an internal message")
		}
		if !req.marked() {
			t.Errorf("the requester's ticket page was reloaded instead of refreshed in place")
		}

		// A reply being typed is not thrown away by a refresh.
		admin.waitAttr(".ticket-head .badge-status", "data-status", "Em_andamento")
		admin.fill("#message", "Rascunho da resposta")
		lia.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", id), map[string]any{"message": "Obrigada!"}, nil)
		thanks := lastEventID(t, lia, id)
		staff.waitText("Obrigada!")
		admin.waitSeen(thanks)
		if got, err := chromedp.Run(admin.ctx, chromedp.Value(chromedp.CSS("#message"))); err != nil || got != "Rascunho da resposta" {
			t.Errorf("the draft reply = %q, %v", got, err)
		}

		// The team admin redirects it to Produto in the UI: Produto's
		// queue shows it, the requester's page tells of the move, and the
		// Marketing member whose page showed it goes to the queue with a
		// notice (it no longer sees the ticket).
		prodTab := newTab(t, env, "Produto attendant")
		prodTab.login(paulo.User.Email, paulo.Password)
		prodTab.mark()
		if prodTab.count(row) != 0 {
			t.Fatalf("Produto lists the ticket before the redirect")
		}
		admin.clear("#message")
		admin.fill("#redirect-team", strconv.FormatInt(prod, 10))
		admin.fill("#reason", "É do produto")
		admin.click(`form[action$="/redirect"] button[type=submit]`, "#ticket-results")
		if p := admin.path(); p != "/tickets?notice=moved" {
			t.Errorf("after redirecting, the team admin is at %s", p)
		}
		prodTab.do("wait for the redirected ticket", waitVisible(row))
		if !prodTab.marked() {
			t.Errorf("Produto's queue was reloaded instead of refreshed in place")
		}
		req.do("wait for the redirect on the ticket page", waitVisible(`li.event[data-event="redirected"]`))
		if got := req.text(`[data-field="team"]`); got != "Produto" {
			t.Errorf("the requester's page shows team %q after the redirect", got)
		}
		staff.waitPath("/tickets?notice=moved")
		staff.do("wait for the queue", waitVisible("#ticket-results"))
		if got := staff.text(".alert-success"); !strings.Contains(got, "não está mais na sua fila") {
			t.Errorf("the Marketing member's notice reads %q", got)
		}
		if staff.count(row) != 0 {
			t.Errorf("Marketing's queue still lists the redirected ticket")
		}

		// The connections break (a proxy or a replica went away): the pages
		// reconnect by themselves and get what they missed meanwhile; the
		// Marketing member's session ended meanwhile (its stream is then
		// refused, with no session.ended): its page goes to the login page.
		env.Server.CloseClientConnections()
		env.Server.Client().CloseIdleConnections() // the test's own, for its next call
		waitUntil(t, "the streams to notice", func() bool { return env.Live.Subscribers() == 0 })
		paulo.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", id), map[string]any{"message": "Aqui é o Produto."}, nil)
		mario.Must(204, "POST", "/auth/logout/all", nil, nil)
		req.waitText("Aqui é o Produto.")
		if !req.marked() {
			t.Errorf("the requester's page was reloaded to catch up")
		}
		staff.waitPath("/login")

		// The requester's session ends elsewhere: the open page goes to
		// the login page.
		lia.Must(204, "POST", "/auth/logout/all", nil, nil)
		req.waitPath("/login")
		req.do("wait for the login form", waitVisible("#email"))

		for _, b := range []*tab{staff, req, admin, prodTab} {
			b.assertSameOrigin()
		}
	})
}
