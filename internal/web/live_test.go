package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// liveServer serves the real server, plus a stand-in GET /events (the
// real one lives on another branch) that sends what the test pushes.
func liveServer(t *testing.T, env *apitest.Env) (base string, push func(event string, ticketID int64)) {
	t.Helper()
	events := make(chan string, 8)
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/events" {
			env.Server.Config.Handler.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		fl := w.(http.Flusher)
		fl.Flush()
		for {
			select {
			case ev := <-events:
				fmt.Fprint(w, ev)
				fl.Flush()
			case <-r.Context().Done():
				return
			case <-done:
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	id := 0
	return srv.URL, func(event string, ticketID int64) {
		id++
		events <- fmt.Sprintf("id: %d\nevent: %s\ndata: {\"type\":%q,\"ticketId\":%d}\n\n", id, event, event, ticketID)
	}
}

// TestBrowserLiveUpdates: the list and the ticket page follow the events
// of /events, and the list's filters update it in place with htmx.
func TestBrowserLiveUpdates(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		base, push := liveServer(t, env)
		mkt := teamID(t, env, "Marketing")
		u := env.NewUser("Lia Live")
		var first ajudae.Ticket
		u.Must(201, "POST", "/ticket", map[string]any{"title": "Painel lento", "description": "Demora muito.", "teamId": mkt}, &first)

		b := openTab(t, base, "live", "pt-BR")
		b.visit("/login", "#email")
		b.fill("#email", u.User.Email)
		b.fill("#password", u.Password)
		b.click(`form[action="/login"] button[type=submit]`, "#ticket-"+strconv.FormatInt(first.ID, 10))

		// A ticket opened elsewhere appears in the list.
		var second ajudae.Ticket
		u.Must(201, "POST", "/ticket", map[string]any{"title": "Impressora sem papel", "description": "Andar 2.", "teamId": mkt}, &second)
		push("ticket.created", second.ID)
		b.do("wait for the new row", waitVisible("#ticket-"+strconv.FormatInt(second.ID, 10)))

		// The search filters in place (htmx) and keeps the URL.
		b.mark()
		b.do("type a search", typeKeys("#q", "impressora"))
		b.do("wait for the filtered list", waitNotPresent("#ticket-"+strconv.FormatInt(first.ID, 10)))
		if !b.marked() {
			t.Errorf("the search reloaded the whole page instead of its results")
		}
		if p := b.path(); p != "/tickets?q=impressora" {
			t.Errorf("after the search the URL is %s", p)
		}

		// A reply posted elsewhere appears on the ticket page.
		b.visit(fmt.Sprintf("/tickets/%d", first.ID), "#ticket")
		env.Admin.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", first.ID), map[string]any{"message": "Já estamos vendo."}, nil)
		push("message.added", first.ID)
		b.waitText("Já estamos vendo.")
		b.assertSameOrigin()
	})
}
