package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// liveServer serves the real server, plus a stand-in GET /events (the
// real one lives on another branch) that sends what the test pushes.
//
// push waits until a page at each of pages (its path and query; twice
// for two pages at the same place) listens,
// then sends the event to every listener: a page that has just loaded may
// not have opened its EventSource yet.
func liveServer(t *testing.T, env *apitest.Env) (base string, push func(event string, ticketID int64, pages ...string)) {
	t.Helper()
	var (
		mu   sync.Mutex
		subs = map[chan string]string{} // → the page listening
		seq  int
	)
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/events" {
			env.Server.Config.Handler.ServeHTTP(w, r)
			return
		}
		ch := make(chan string, 16)
		page := r.Referer()
		if u, err := url.Parse(page); err == nil {
			page = u.RequestURI()
		}
		mu.Lock()
		subs[ch] = page
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(subs, ch)
			mu.Unlock()
		}()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		fl := w.(http.Flusher)
		fl.Flush()
		for {
			select {
			case ev := <-ch:
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
	listening := func(pages []string) bool {
		mu.Lock()
		defer mu.Unlock()
		want := map[string]int{}
		for _, p := range pages {
			want[p]++
		}
		for _, q := range subs {
			want[q]--
		}
		for _, n := range want {
			if n > 0 {
				return false
			}
		}
		return true
	}
	return srv.URL, func(event string, ticketID int64, pages ...string) {
		for i := 0; i < 1000 && !listening(pages); i++ { // at most ~10 s
			time.Sleep(10 * time.Millisecond)
		}
		if !listening(pages) {
			t.Fatalf("no EventSource of %v connected", pages)
		}
		mu.Lock()
		defer mu.Unlock()
		seq++
		msg := fmt.Sprintf("id: %d\nevent: %s\ndata: {\"type\":%q,\"ticketId\":%d}\n\n", seq, event, event, ticketID)
		for ch := range subs {
			ch <- msg
		}
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
		push("ticket.created", second.ID, "/tickets")
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
		ticketPage := fmt.Sprintf("/tickets/%d", first.ID)
		push("message.added", first.ID, ticketPage)
		b.waitText("Já estamos vendo.")
		b.assertSameOrigin()

		// The page of the general admin, with every control, follows too.
		adm := openTab(t, base, "live admin", "pt-BR")
		adm.visit("/login", "#email")
		adm.fill("#email", apitest.AdminEmail)
		adm.fill("#password", apitest.AdminPassword)
		adm.click(`form[action="/login"] button[type=submit]`, "#ticket-results")
		adm.visit(fmt.Sprintf("/tickets/%d", first.ID), "#redirect-team")
		u.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", first.ID), map[string]any{"message": "Obrigada!"}, nil)
		push("message.added", first.ID, ticketPage, ticketPage)
		adm.waitText("Obrigada!")
		// A reply being typed is not thrown away by a refresh.
		adm.fill("#message", "Rascunho da resposta")
		u.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", first.ID), map[string]any{"message": "Mais uma coisa"}, nil)
		push("message.added", first.ID, ticketPage, ticketPage)
		b.waitText("Mais uma coisa") // the requester's page refreshed: the event went out
		if got, err := chromedp.Run(adm.ctx, chromedp.Value(chromedp.CSS("#message"))); err != nil || got != "Rascunho da resposta" {
			t.Errorf("the draft reply = %q, %v", got, err)
		}
		adm.assertSameOrigin()
	})
}
