package live_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

type cast struct {
	env                                         *apitest.Env
	admin, teamAdmin, member, otherAtt, creator *apitest.Client
	other                                       *apitest.Client
	mkt, prod, fin                              int64
}

func newCast(t *testing.T, e dbtest.Engine) *cast {
	t.Helper()
	env := apitest.New(t, e)
	c := &cast{env: env, admin: env.Admin}
	c.mkt, c.prod, c.fin = env.TeamID("Marketing"), env.TeamID("Produto"), env.TeamID("Financeiro")
	add := env.AddMember
	c.teamAdmin = add(env.NewUser("Tereza Admin"), c.mkt, true)
	c.member = add(env.NewUser("Mário Membro"), c.mkt, false)
	c.otherAtt = add(env.NewUser("Otávio Outro"), c.prod, false)
	c.creator = env.NewUser("Cris Cliente")
	c.other = env.NewUser("Olga Outra")
	return c
}

// expect reads the next event of s and checks its type and ticket; it
// returns the decoded data.
func expect(t *testing.T, who string, s *apitest.Stream, typ string, ticket int64) apitest.Live {
	t.Helper()
	e := s.Next()
	l := e.Decode(t)
	if e.Event != typ || l.Type != typ || l.TicketID != ticket {
		t.Fatalf("%s: got %s %s about ticket %d, want %s about ticket %d", who, e.Event, e.Data, l.TicketID, typ, ticket)
	}
	if id, err := strconv.ParseInt(e.ID, 10, 64); err != nil || id != l.Event.ID {
		t.Errorf("%s: SSE id %q, event id %d", who, e.ID, l.Event.ID)
	}
	return l
}

// TestEventsVisibility: each caller hears exactly of the tickets it can
// see, a requester never of an internal note, the team a ticket is
// redirected to hears of the redirect, and the old team only that the
// ticket went. Absence is shown by order: the next
// event a caller gets is the next one it may see.
func TestEventsVisibility(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		c := newCast(t, e)
		env := c.env
		sAdmin, sMember, sOtherAtt := env.Stream(c.admin.Token), env.Stream(c.member.Token), env.Stream(c.otherAtt.Token)
		sCreator, sOther := env.Stream(c.creator.Token), env.Stream(c.other.Token)

		var tk ajudae.Ticket
		c.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Ao vivo", "description": "d", "teamId": c.mkt}, &tk)
		first := expect(t, "creator", sCreator, "ticket.created", tk.ID)
		expect(t, "member", sMember, "ticket.created", tk.ID)
		expect(t, "admin", sAdmin, "ticket.created", tk.ID)
		if first.TeamID != c.mkt || first.Event.Type != "created" {
			t.Errorf("created event data: %+v", first)
		}

		path := fmt.Sprintf("/ticket/%d", tk.ID)
		c.member.Must(201, "POST", path+"/messages", map[string]any{"message": "nota interna", "isInternal": true}, nil)
		if l := expect(t, "member", sMember, "message.added", tk.ID); string(l.Event.Data) == "" {
			t.Error("message.added without data")
		}
		expect(t, "admin", sAdmin, "message.added", tk.ID)
		c.member.Must(201, "POST", path+"/messages", map[string]any{"message": "resposta pública"}, nil)
		l := expect(t, "creator", sCreator, "message.added", tk.ID)
		var md ajudae.MessageData
		if err := jsonUnmarshal(l.Event.Data, &md); err != nil || md.IsInternal {
			t.Fatalf("the requester's next message event is %s, want the public reply", l.Event.Data)
		}
		expect(t, "member", sMember, "message.added", tk.ID)

		c.member.Must(200, "PATCH", path, map[string]any{"status": "Em_andamento"}, nil)
		expect(t, "creator", sCreator, "ticket.updated", tk.ID)
		expect(t, "member", sMember, "ticket.updated", tk.ID)

		c.teamAdmin.Must(200, "POST", path+"/redirect", map[string]any{"teamId": c.prod, "reason": "é de produto"}, nil)
		if l := expect(t, "other team's attendant", sOtherAtt, "ticket.redirected", tk.ID); l.TeamID != c.prod {
			t.Errorf("redirected teamId %d, want %d", l.TeamID, c.prod)
		}
		moved := expect(t, "creator", sCreator, "ticket.redirected", tk.ID)
		if moved.Gone || moved.TeamID != c.prod || moved.Event.Type != "redirected" {
			t.Errorf("the requester's redirect event: %+v", moved)
		}
		// Marketing's member, who no longer sees it, hears only that it
		// went: not where, nor why.
		goneNotice := fmt.Sprintf(`{"type":"ticket.redirected","ticketId":%d,"gone":true}`, tk.ID)
		if gone := sMember.Next(); gone.Event != "ticket.redirected" || gone.Data != goneNotice || gone.ID != strconv.FormatInt(moved.Event.ID, 10) {
			t.Errorf("the old team's member got %s %s %s, want the bare notice %s", gone.ID, gone.Event, gone.Data, goneNotice)
		}
		expect(t, "admin", sAdmin, "message.added", tk.ID)
		expect(t, "admin", sAdmin, "ticket.updated", tk.ID)
		expect(t, "admin", sAdmin, "ticket.redirected", tk.ID)

		// Fences: Marketing's member no longer hears of the moved ticket,
		// and the other requester heard of nothing until its own ticket.
		var tk2, own ajudae.Ticket
		c.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Segundo", "description": "d", "teamId": c.mkt}, &tk2)
		expect(t, "member", sMember, "ticket.created", tk2.ID)
		c.other.Must(201, "POST", "/ticket", map[string]any{"title": "Meu", "description": "d", "teamId": c.fin}, &own)
		expect(t, "other requester", sOther, "ticket.created", own.ID)
		c.otherAtt.Must(201, "POST", path+"/messages", map[string]any{"message": "já vi"}, nil)
		expect(t, "other team's attendant", sOtherAtt, "message.added", tk.ID)

		// Replayed after Last-Event-ID, the redirect is the same notice.
		again := env.Stream(c.member.Token, "Last-Event-ID", strconv.FormatInt(moved.Event.ID-1, 10))
		if gone := again.Next(); gone.Event != "ticket.redirected" || gone.Data != goneNotice {
			t.Errorf("replay to the old team's member: %s %s, want %s", gone.Event, gone.Data, goneNotice)
		}
		expect(t, "member (replay)", again, "ticket.created", tk2.ID)
	})
}

// TestEventsAuthAndResume: no token or a bad one is a 401 problem; the UI
// cookie works; Last-Event-ID replays what came after it; logout ends the
// stream at the next heartbeat.
func TestEventsAuthAndResume(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		c := newCast(t, e)
		env := c.env
		for _, tok := range []string{"", "not-a-token"} {
			if s := env.Stream(tok); s.Status != http.StatusUnauthorized {
				t.Errorf("token %q: status %d, want 401", tok, s.Status)
			}
		}
		if s := env.Stream(c.creator.Token, "Last-Event-ID", "abc"); s.Status != http.StatusUnprocessableEntity {
			t.Errorf("Last-Event-ID abc: status %d, want 422", s.Status)
		}

		var tk ajudae.Ticket
		c.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Antes", "description": "d", "teamId": c.mkt}, &tk)
		var events ajudae.List[ajudae.Event]
		c.creator.Must(200, "GET", fmt.Sprintf("/ticket/%d/events", tk.ID), nil, &events)
		created := events.Items[0].ID

		byCookie := apitest.OpenStream(t, env.Server.URL+"/events", http.Header{
			"Cookie": {"ajudae_session=" + c.creator.Token}, "Last-Event-ID": {strconv.FormatInt(created-1, 10)}})
		if byCookie.Status != 200 {
			t.Fatalf("cookie stream: %d", byCookie.Status)
		}
		expect(t, "cookie stream (replay)", byCookie, "ticket.created", tk.ID)
		c.creator.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", tk.ID), map[string]any{"title": "Depois"}, nil)
		expect(t, "cookie stream (live)", byCookie, "ticket.updated", tk.ID)

		s := env.Stream(c.creator.Token)
		c.creator.Must(204, "POST", "/auth/logout", nil, nil)
		if !s.Ended() || !byCookie.Ended() {
			t.Error("the streams outlived the logout")
		}
		if env.Live.Subscribers() != 0 {
			// Ended is seen by the client once the handler returned.
			t.Logf("subscribers after logout: %d", env.Live.Subscribers())
		}
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
