package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
)

func tpath(id int64, rest ...string) string {
	return fmt.Sprintf("/ticket/%d", id) + strings.Join(rest, "")
}

func eventTypes(l ajudae.List[ajudae.Event]) []string {
	var types []string
	for _, e := range l.Items {
		types = append(types, string(e.Type))
	}
	return types
}

// TestTicketWorkflow is the README walkthrough: open a ticket, the team
// admin redirects it, an attendant of the new team takes it and closes it.
func TestTicketWorkflow(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		prodAdmin := w.addMember(t, w.env.NewUser("Paula Produto"), w.prod, true)

		var tk ajudae.Ticket
		r := w.creator.Must(201, "POST", "/ticket", map[string]any{
			"title": "Erro <script>alert(1)</script> na aplicação", "description": "Linha 1\r\nLinha 2 😀 ' OR 1=1 --", "teamId": w.mkt}, &tk)
		if tk.Status != "Aberto" || tk.Priority != "Média" || tk.Version != 1 || tk.ClosedAt != nil || tk.AssignedTo != nil ||
			tk.Team.Name != "Marketing" || tk.CreatedBy.ID != w.creator.ID() || tk.CreatedBy.Name != "Cris Cliente" ||
			tk.Title != "Erro <script>alert(1)</script> na aplicação" || tk.Description != "Linha 1\r\nLinha 2 😀 ' OR 1=1 --" {
			t.Errorf("created = %+v", tk)
		}
		if r.Header.Get("ETag") != `"1"` || r.Header.Get("Location") != tpath(tk.ID) {
			t.Errorf("ETag %q Location %q", r.Header.Get("ETag"), r.Header.Get("Location"))
		}

		// The team admin of Marketing redirects it to Produto.
		var moved ajudae.Ticket
		w.teamAdmin.Must(200, "POST", tpath(tk.ID, "/redirect"), map[string]any{"teamId": w.prod, "reason": "É sobre o produto"}, &moved)
		if moved.Team.ID != w.prod || moved.Team.Name != "Produto" || moved.Version != 2 {
			t.Errorf("redirected = %+v", moved)
		}
		// Marketing lost sight; Produto sees it; the creator still does.
		w.teamAdmin.Must(404, "GET", tpath(tk.ID), nil, nil)
		w.member.Must(404, "GET", tpath(tk.ID), nil, nil)
		var l ajudae.List[ajudae.Ticket]
		w.member.Must(200, "GET", "/ticket", nil, &l)
		if len(l.Items) != 0 {
			t.Errorf("Marketing still lists %d tickets", len(l.Items))
		}
		w.otherAtt.Must(200, "GET", tpath(tk.ID), nil, nil)
		w.creator.Must(200, "GET", tpath(tk.ID), nil, nil)

		// An attendant of Produto takes it, works it, and closes it.
		var cur ajudae.Ticket
		w.otherAtt.Must(200, "PATCH", tpath(tk.ID), map[string]any{"assignedToId": w.otherAtt.ID(), "status": "Em_andamento"}, &cur)
		if cur.AssignedTo == nil || cur.AssignedTo.ID != w.otherAtt.ID() || cur.Status != "Em_andamento" || cur.Version != 3 {
			t.Errorf("taken = %+v", cur)
		}
		w.otherAtt.Must(201, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": "Corrigido na versão 2.1"}, nil)
		w.otherAtt.Must(201, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": "cliente insistente", "isInternal": true}, nil)
		r = w.otherAtt.Must(200, "PATCH", tpath(tk.ID), map[string]any{"status": "Fechado"}, &cur)
		if cur.Status != "Fechado" || cur.ClosedAt == nil || r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, cur.Version) {
			t.Errorf("closed = %+v, ETag %s", cur, r.Header.Get("ETag"))
		}

		// The timeline, as staff and as the requester.
		var ev ajudae.List[ajudae.Event]
		prodAdmin.Must(200, "GET", tpath(tk.ID, "/events"), nil, &ev)
		want := []string{"created", "redirected", "status_changed", "assigned", "message_added", "message_added", "status_changed"}
		if got := eventTypes(ev); !slices.Equal(got, want) {
			t.Fatalf("staff timeline = %v, want %v", got, want)
		}
		var redirect ajudae.RedirectData
		json.Unmarshal(ev.Items[1].Data, &redirect)
		if redirect.FromTeam.ID != w.mkt || redirect.ToTeam.ID != w.prod || redirect.Reason != "É sobre o produto" || ev.Items[1].Actor.ID != w.teamAdmin.ID() {
			t.Errorf("redirected event = %s by %+v", ev.Items[1].Data, ev.Items[1].Actor)
		}
		var status ajudae.Change[ajudae.Status]
		json.Unmarshal(ev.Items[2].Data, &status)
		if status.From != "Aberto" || status.To != "Em_andamento" {
			t.Errorf("status_changed = %s", ev.Items[2].Data)
		}
		var assigned ajudae.Change[*ajudae.Ref]
		json.Unmarshal(ev.Items[3].Data, &assigned)
		if assigned.From != nil || assigned.To == nil || assigned.To.ID != w.otherAtt.ID() || assigned.To.Name != "Otávio Outro" {
			t.Errorf("assigned = %s", ev.Items[3].Data)
		}
		var msg ajudae.MessageData
		json.Unmarshal(ev.Items[5].Data, &msg)
		if !msg.IsInternal || msg.MessageID == 0 {
			t.Errorf("message_added of the note = %s", ev.Items[5].Data)
		}
		w.creator.Must(200, "GET", tpath(tk.ID, "/events"), nil, &ev)
		if got := eventTypes(ev); !slices.Equal(got, []string{"created", "redirected", "status_changed", "assigned", "message_added", "status_changed"}) {
			t.Errorf("requester timeline = %v (must leave out the internal note)", got)
		}
		var msgs ajudae.List[ajudae.Message]
		w.creator.Must(200, "GET", tpath(tk.ID, "/messages"), nil, &msgs)
		if len(msgs.Items) != 1 || msgs.Items[0].IsInternal || msgs.Items[0].Author.Name != "Otávio Outro" {
			t.Errorf("requester messages = %+v", msgs.Items)
		}
		prodAdmin.Must(200, "GET", tpath(tk.ID, "/messages"), nil, &msgs)
		if len(msgs.Items) != 2 || !msgs.Items[1].IsInternal {
			t.Errorf("staff messages = %+v", msgs.Items)
		}

		// The requester reopens it by replying; a staff reply never changes the status.
		w.creator.Must(201, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": "Voltou a acontecer"}, nil)
		w.creator.Must(200, "GET", tpath(tk.ID), nil, &cur)
		if cur.Status != "Aberto" || cur.ClosedAt != nil {
			t.Errorf("after the requester's reply: %s closedAt %v, want Aberto and null", cur.Status, cur.ClosedAt)
		}
		w.creator.Must(200, "GET", tpath(tk.ID, "/events"), nil, &ev)
		if got := eventTypes(ev); !slices.Equal(got[len(got)-2:], []string{"message_added", "reopened"}) {
			t.Errorf("timeline after reopening reply = %v", got)
		}
		prodAdmin.Must(200, "PATCH", tpath(tk.ID), map[string]any{"status": "Fechado"}, nil)
		prodAdmin.Must(201, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": "Encerrado de vez"}, nil)
		w.creator.Must(200, "GET", tpath(tk.ID), nil, &cur)
		if cur.Status != "Fechado" {
			t.Errorf("a staff reply changed the status to %s", cur.Status)
		}
		// Reopening by PATCH is a reopened event too, and clears closedAt.
		w.creator.Must(200, "PATCH", tpath(tk.ID), map[string]any{"status": "Aberto"}, &cur)
		w.creator.Must(200, "GET", tpath(tk.ID, "/events"), nil, &ev)
		if cur.ClosedAt != nil || ev.Items[len(ev.Items)-1].Type != "reopened" {
			t.Errorf("PATCH reopen: closedAt %v, last event %s", cur.ClosedAt, ev.Items[len(ev.Items)-1].Type)
		}

		// The redirect is in the audit log.
		var audit ajudae.List[ajudae.AuditEntry]
		w.admin.Must(200, "GET", "/audit", nil, &audit)
		found := false
		for _, a := range audit.Items {
			found = found || (a.Action == "ticket.redirected" && a.Target.ID == tk.ID && a.Actor.ID == w.teamAdmin.ID())
		}
		if !found {
			t.Errorf("no ticket.redirected audit entry in %+v", audit.Items)
		}
	})
}

func TestTicketValidation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		good := func(m map[string]any) map[string]any {
			b := map[string]any{"title": "Título ok", "description": "ok", "teamId": w.mkt}
			for k, v := range m {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		for _, tt := range []struct {
			name  string
			body  any
			want  int
			field string
		}{
			{"title of 2", good(map[string]any{"title": "ab"}), 422, "body.title"},
			{"title of 201", good(map[string]any{"title": strings.Repeat("t", 201)}), 422, "body.title"},
			{"empty description", good(map[string]any{"description": ""}), 422, "body.description"},
			{"description of 20001", good(map[string]any{"description": strings.Repeat("d", 20001)}), 422, "body.description"},
			{"NUL in the title", good(map[string]any{"title": "abc\x00"}), 422, "body.title"},
			{"unknown team", good(map[string]any{"teamId": 99999}), 422, "body.teamId"},
			{"no team", good(map[string]any{"teamId": nil}), 422, ""},
			{"unknown priority", good(map[string]any{"priority": "Urgente"}), 422, "body.priority"},
			{"priority without accent", good(map[string]any{"priority": "Media"}), 422, "body.priority"},
			{"unknown field", good(map[string]any{"status": "Fechado"}), 422, "body.status"},
			{"malformed", `{"title":"x"`, 400, ""},
			{"not an object", `[1,2]`, 422, ""},
		} {
			r := w.creator.Do("POST", "/ticket", tt.body)
			if r.Status != tt.want {
				t.Errorf("%s: %d, want %d: %s", tt.name, r.Status, tt.want, r.Body)
				continue
			}
			if p := r.Problem(t); tt.field != "" && !slices.Contains(p.Locations(), tt.field) {
				t.Errorf("%s: errors %v do not name %s", tt.name, p.Locations(), tt.field)
			}
		}
		var l ajudae.List[ajudae.Ticket]
		w.admin.Must(200, "GET", "/ticket", nil, &l)
		if len(l.Items) != 0 {
			t.Errorf("refused creations left %d tickets", len(l.Items))
		}
		// A title of exactly 200 and a description of 20000 characters (runes) are fine.
		w.creator.Must(201, "POST", "/ticket", good(map[string]any{"title": strings.Repeat("é", 200), "description": strings.Repeat("ç", 20000)}), nil)

		tk := w.open(t, "Para editar")
		w.creator.Must(422, "PATCH", tpath(tk.ID), map[string]any{"status": "Resolvido"}, nil)
		w.admin.Must(422, "PATCH", tpath(tk.ID), map[string]any{"priority": "Crítica"}, nil)
		w.admin.Must(422, "PATCH", tpath(tk.ID), map[string]any{"title": "x"}, nil)
		w.admin.Must(422, "PATCH", tpath(tk.ID), map[string]any{"assignedToId": "me"}, nil)
		w.admin.Must(422, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": ""}, nil)
		w.admin.Must(422, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": strings.Repeat("m", 20001)}, nil)
		w.admin.Must(422, "POST", tpath(tk.ID, "/redirect"), map[string]any{"teamId": w.prod, "reason": strings.Repeat("r", 501)}, nil)
		w.admin.Must(404, "GET", "/ticket/99999", nil, nil)
		w.admin.Must(404, "PATCH", "/ticket/99999", map[string]any{"status": "Fechado"}, nil)
		w.admin.Must(404, "POST", "/ticket/99999/messages", map[string]any{"message": "oi"}, nil)
		snap := w.snap(t, tk.ID)
		if snap.Ticket.Version != 1 || snap.Events != 1 || snap.Messages != 0 {
			t.Errorf("refused calls changed the ticket: %+v", snap)
		}
		// A no-op PATCH answers 200 and bumps nothing.
		var same ajudae.Ticket
		w.creator.Must(200, "PATCH", tpath(tk.ID), map[string]any{"title": "Para editar"}, &same)
		if same.Version != 1 {
			t.Errorf("no-op PATCH bumped the version to %d", same.Version)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		body := map[string]any{"title": "Pagamento duplicado", "description": "Fui cobrado duas vezes", "teamId": w.fin}
		var first, again, other ajudae.Ticket
		w.creator.Must(201, "POST", "/ticket", body, &first, "Idempotency-Key", "pedido-42")
		w.creator.Must(201, "POST", "/ticket", body, &again, "Idempotency-Key", "pedido-42")
		if first.ID != again.ID || first.Title != again.Title {
			t.Errorf("retry created another ticket: %d then %d", first.ID, again.ID)
		}
		w.other.Must(201, "POST", "/ticket", body, &other, "Idempotency-Key", "pedido-42")
		if other.ID == first.ID {
			t.Error("another user's key replayed the first user's ticket")
		}
		w.creator.Must(201, "POST", "/ticket", body, nil, "Idempotency-Key", "pedido-43")
		w.creator.Must(422, "POST", "/ticket", body, nil, "Idempotency-Key", strings.Repeat("k", 201))
		var l ajudae.List[ajudae.Ticket]
		w.admin.Must(200, "GET", "/ticket", nil, &l)
		if len(l.Items) != 3 {
			t.Errorf("%d tickets, want 3", len(l.Items))
		}
		var ev ajudae.List[ajudae.Event]
		w.admin.Must(200, "GET", tpath(first.ID, "/events"), nil, &ev)
		if len(ev.Items) != 1 {
			t.Errorf("the replayed ticket has %d events, want 1", len(ev.Items))
		}
	})
}

func TestIfMatch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Versões")
		r := w.teamAdmin.Must(200, "GET", tpath(tk.ID), nil, nil)
		if r.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag = %q, want \"1\"", r.Header.Get("ETag"))
		}
		var cur ajudae.Ticket
		w.teamAdmin.Must(200, "PATCH", tpath(tk.ID), map[string]any{"priority": "Alta"}, &cur, "If-Match", `"1"`)
		if cur.Version != 2 || cur.Priority != "Alta" {
			t.Errorf("after PATCH: %+v", cur)
		}
		w.teamAdmin.Must(412, "PATCH", tpath(tk.ID), map[string]any{"priority": "Baixa"}, nil, "If-Match", `"1"`)
		w.teamAdmin.Must(412, "PATCH", tpath(tk.ID), map[string]any{"priority": "Baixa"}, nil, "If-Match", `garbage`)
		w.teamAdmin.Must(200, "GET", tpath(tk.ID), nil, &cur)
		if cur.Priority != "Alta" || cur.Version != 2 {
			t.Errorf("a stale If-Match changed the ticket: %+v", cur)
		}
		w.teamAdmin.Must(200, "PATCH", tpath(tk.ID), map[string]any{"priority": "Baixa"}, &cur, "If-Match", "2") // bare version
		if cur.Version != 3 {
			t.Errorf("version = %d, want 3", cur.Version)
		}
	})
}

// TestConcurrentPatchSameIfMatch: many writers holding version 1 race;
// exactly one wins, the others get 412 and change nothing.
func TestConcurrentPatchSameIfMatch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Corrida")
		const n = 10
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				title := fmt.Sprintf("Vencedor %d", i)
				statuses[i] = w.teamAdmin.Do("PATCH", tpath(tk.ID), map[string]any{"title": title}, "If-Match", `"1"`).Status
			})
		}
		wg.Wait()
		wins := 0
		for _, s := range statuses {
			switch s {
			case 200:
				wins++
			case 412:
			default:
				t.Errorf("status %d, want 200 or 412", s)
			}
		}
		if wins != 1 {
			t.Errorf("%d PATCHes with If-Match \"1\" won, want exactly 1 (%v)", wins, statuses)
		}
		snap := w.snap(t, tk.ID)
		if snap.Ticket.Version != 2 || snap.Events != 2 {
			t.Errorf("after the race: version %d, %d events; want 2 and 2", snap.Ticket.Version, snap.Events)
		}
	})
}

// TestTicketPagination walks every sort in small pages, with tickets
// created in the middle of the walk: no ticket twice, none of the first
// set missing.
func TestTicketPagination(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		prios := []string{"Baixa", "Média", "Alta"}
		var ids []int64
		for i := range 23 {
			var tk ajudae.Ticket
			w.creator.Must(201, "POST", "/ticket", map[string]any{"title": fmt.Sprintf("Ticket %02d", i), "description": "x",
				"teamId": w.mkt, "priority": prios[i%3]}, &tk)
			ids = append(ids, tk.ID)
		}
		for _, sort := range []string{"createdAt", "-createdAt", "updatedAt", "-updatedAt", "priority", "-priority", ""} {
			t.Run("sort="+sort, func(t *testing.T) {
				seen := map[int64]bool{}
				var order []ajudae.Ticket
				cursor := ""
				for page := 0; ; page++ {
					if page > 20 {
						t.Fatal("the walk does not end")
					}
					var l ajudae.List[ajudae.Ticket]
					w.member.Must(200, "GET", "/ticket?limit=5&sort="+url.QueryEscape(sort)+"&cursor="+url.QueryEscape(cursor), nil, &l)
					if page == 1 { // insert during the walk
						w.creator.Must(201, "POST", "/ticket", map[string]any{"title": "No meio", "description": "x", "teamId": w.mkt}, nil)
					}
					for _, tk := range l.Items {
						if seen[tk.ID] {
							t.Errorf("ticket %d on two pages", tk.ID)
						}
						seen[tk.ID] = true
						order = append(order, tk)
					}
					if l.NextCursor == nil {
						break
					}
					cursor = *l.NextCursor
				}
				for _, id := range ids {
					if !seen[id] {
						t.Errorf("ticket %d missing from the walk", id)
					}
				}
				for i := 1; i < len(order); i++ {
					if !inOrder(sort, order[i-1], order[i]) {
						t.Errorf("%d then %d out of order for sort %q", order[i-1].ID, order[i].ID, sort)
					}
				}
			})
		}
		var l ajudae.List[ajudae.Ticket]
		w.member.Must(200, "GET", "/ticket?limit=5&sort=priority", nil, &l)
		w.member.Must(422, "GET", "/ticket?sort=-createdAt&cursor="+url.QueryEscape(*l.NextCursor), nil, nil)
		w.member.Must(422, "GET", "/ticket?cursor=bm90LWEtY3Vyc29y", nil, nil)
		w.member.Must(422, "GET", "/ticket?limit=0", nil, nil)
		w.member.Must(422, "GET", "/ticket?limit=101", nil, nil)
		// A page leaves with its length, in one body rather than in
		// chunks; net/http sets the length itself only under 2 KiB.
		r := w.member.Must(200, "GET", "/ticket?limit=100", nil, nil)
		if len(r.Body) <= 2048 {
			t.Fatalf("a page of %d bytes proves nothing", len(r.Body))
		}
		if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(r.Body)) {
			t.Errorf("Content-Length %q for a body of %d bytes", got, len(r.Body))
		}
	})
}

func inOrder(sort string, a, b ajudae.Ticket) bool {
	desc := strings.HasPrefix(sort, "-") || sort == ""
	cmp := 0
	switch strings.TrimPrefix(sort, "-") {
	case "updatedAt":
		cmp = a.UpdatedAt.Compare(b.UpdatedAt)
	case "priority":
		cmp = a.Priority.Rank() - b.Priority.Rank()
	default:
		cmp = a.CreatedAt.Compare(b.CreatedAt)
	}
	if cmp == 0 {
		cmp = int(a.ID - b.ID)
	}
	if desc {
		return cmp > 0
	}
	return cmp < 0
}

func TestTicketFilters(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		a := w.open(t, "A aberto")
		b := w.open(t, "B andamento")
		c := w.open(t, "C fechado")
		var d ajudae.Ticket
		w.other.Must(201, "POST", "/ticket", map[string]any{"title": "D da outra", "description": "x", "teamId": w.mkt, "priority": "Alta"}, &d)
		w.member.Must(200, "PATCH", tpath(b.ID), map[string]any{"status": "Em_andamento", "assignedToId": w.member.ID()}, nil)
		w.member.Must(200, "PATCH", tpath(c.ID), map[string]any{"status": "Fechado"}, nil)

		ids := func(query string) []int64 {
			t.Helper()
			var l ajudae.List[ajudae.Ticket]
			w.member.Must(200, "GET", "/ticket?"+query, nil, &l)
			var got []int64
			for _, tk := range l.Items {
				got = append(got, tk.ID)
			}
			return got
		}
		for _, tt := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{d.ID, c.ID, b.ID, a.ID}},
			{"status=Aberto", []int64{d.ID, a.ID}},
			{"status=Aberto&status=Fechado", []int64{d.ID, c.ID, a.ID}},
			{"priority=Alta", []int64{d.ID}},
			{"priority=M%C3%A9dia&status=Aberto", []int64{a.ID}},
			{"assignedTo=me", []int64{b.ID}},
			{fmt.Sprintf("assignedTo=%d", w.member.ID()), []int64{b.ID}},
			{"assignedTo=none", []int64{d.ID, c.ID, a.ID}},
			{fmt.Sprintf("createdBy=%d", w.other.ID()), []int64{d.ID}},
			{fmt.Sprintf("teamId=%d", w.mkt), []int64{d.ID, c.ID, b.ID, a.ID}},
			{fmt.Sprintf("teamId=%d", w.prod), nil},
			{"sort=-priority", []int64{d.ID, c.ID, b.ID, a.ID}},
			{"sort=priority", []int64{a.ID, b.ID, c.ID, d.ID}},
		} {
			if got := ids(tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("?%s = %v, want %v", tt.query, got, tt.want)
			}
		}
		var mine ajudae.List[ajudae.Ticket]
		w.creator.Must(200, "GET", "/ticket?createdBy=me", nil, &mine)
		if len(mine.Items) != 3 {
			t.Errorf("createdBy=me: %d, want 3", len(mine.Items))
		}
		for _, bad := range []string{"status=Foo", "priority=Urgente", "assignedTo=someone", "createdBy=none", "sort=title", "teamId=abc", "teamId=0"} {
			r := w.member.Do("GET", "/ticket?"+bad, nil)
			if r.Status != 422 {
				t.Errorf("?%s: %d, want 422", bad, r.Status)
			}
			r.Problem(t)
		}
	})
}

// TestTicketSearch: q is full text over the title, the description and the
// messages the caller may see, accent- and case-insensitive.
func TestTicketSearch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		app := w.open(t, "Não consigo acessar a aplicação")
		var desc ajudae.Ticket
		w.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Problema", "description": "A IMPRESSORA do terceiro andar está sem papel", "teamId": w.mkt}, &desc)
		msg := w.open(t, "Outro assunto")
		w.member.Must(201, "POST", tpath(msg.ID, "/messages"), map[string]any{"message": "Verifique o orçamento anual"}, nil)
		note := w.open(t, "Mais um")
		w.member.Must(201, "POST", tpath(note.ID, "/messages"), map[string]any{"message": "suspeita de fraude", "isInternal": true}, nil)
		w.open(t, "Sem relação nenhuma")

		find := func(role, q string) []int64 {
			t.Helper()
			var l ajudae.List[ajudae.Ticket]
			w.roles()[role].Must(200, "GET", "/ticket?q="+url.QueryEscape(q), nil, &l)
			var got []int64
			for _, tk := range l.Items {
				got = append(got, tk.ID)
			}
			return got
		}
		for _, tt := range []struct {
			role, q string
			want    []int64
		}{
			{"member", "aplicacao", []int64{app.ID}},
			{"member", "APLICAÇÃO", []int64{app.ID}},
			{"member", "Aplic", []int64{app.ID}},
			{"creator", "impressora", []int64{desc.ID}},
			{"member", "orcamento", []int64{msg.ID}},
			{"creator", "orçamento", []int64{msg.ID}},
			{"member", "fraude", []int64{note.ID}},
			{"teamAdmin", "fraude", []int64{note.ID}},
			{"admin", "fraude", []int64{note.ID}},
			{"creator", "fraude", nil},
			{"otherAtt", "aplicacao", nil},
			{"member", "acessar aplicacao", []int64{app.ID}},
			{"member", "acessar impressora", nil},
			{"member", "zzzznada", nil},
		} {
			if got := find(tt.role, tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("%s q=%q: %v, want %v", tt.role, tt.q, got, tt.want)
			}
		}
		// Hostile text is harmless: no error, no 5xx.
		for _, q := range []string{`"`, `*`, `aplica"cao`, `') OR 1=1 --`, `NEAR(a b)`, `a:*|!b`, `AND OR NOT`, "\u00a0", strings.Repeat("x", 200)} {
			if r := w.member.Do("GET", "/ticket?q="+url.QueryEscape(q), nil); r.Status != 200 {
				t.Errorf("q=%q: %d %s", q, r.Status, r.Body)
			}
		}
		w.member.Must(422, "GET", "/ticket?q="+strings.Repeat("x", 201), nil, nil)
	})
}

// TestRemovedUserInTickets: a deleted requester's tickets and messages stay,
// shown as from "Usuário removido", and its e-mail appears nowhere.
func TestRemovedUserInTickets(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Ticket de quem sai")
		w.creator.Must(201, "POST", tpath(tk.ID, "/messages"), map[string]any{"message": "tchau"}, nil)
		w.admin.Must(204, "DELETE", fmt.Sprintf("/user/%d", w.creator.ID()), nil, nil)
		var got ajudae.Ticket
		r := w.member.Must(200, "GET", tpath(tk.ID), nil, &got)
		if got.CreatedBy.ID != w.creator.ID() || got.CreatedBy.Name != "Usuário removido" {
			t.Errorf("createdBy = %+v", got.CreatedBy)
		}
		var msgs ajudae.List[ajudae.Message]
		r2 := w.member.Must(200, "GET", tpath(tk.ID, "/messages"), nil, &msgs)
		if msgs.Items[0].Author.Name != "Usuário removido" {
			t.Errorf("author = %+v", msgs.Items[0].Author)
		}
		r3 := w.member.Must(200, "GET", tpath(tk.ID, "/events"), nil, nil)
		for _, body := range [][]byte{r.Body, r2.Body, r3.Body} {
			if strings.Contains(string(body), w.creator.User.Email) || strings.Contains(string(body), "Cris Cliente") {
				t.Errorf("the removed user's e-mail or name appears: %s", body)
			}
		}
	})
}

// TestIdempotencyKeyExpires: after 24 h the same key opens a new ticket.
func TestIdempotencyKeyExpires(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		body := map[string]any{"title": "Mensal", "description": "relatório", "teamId": w.fin}
		var first, later, afterSweep ajudae.Ticket
		w.creator.Must(201, "POST", "/ticket", body, &first, "Idempotency-Key", "mensal")
		w.env.Clock.Advance(24*time.Hour + time.Minute)
		w.creator = w.env.Login(w.creator.User.Email, w.creator.Password)
		w.creator.Must(201, "POST", "/ticket", body, &later, "Idempotency-Key", "mensal")
		if later.ID == first.ID {
			t.Error("a key older than 24 h replayed its ticket")
		}
		w.env.Clock.Advance(24*time.Hour + time.Minute)
		w.creator = w.env.Login(w.creator.User.Email, w.creator.Password)
		if err := w.env.Store.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		w.creator.Must(201, "POST", "/ticket", body, &afterSweep, "Idempotency-Key", "mensal")
		if afterSweep.ID == later.ID || afterSweep.ID == first.ID {
			t.Error("a swept key replayed its ticket")
		}
	})
}
