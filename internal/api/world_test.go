package api_test

import (
	"fmt"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// world is a help-desk with one caller of every role of API.md around the
// Marketing team.
type world struct {
	env       *apitest.Env
	admin     *apitest.Client // ADMIN
	teamAdmin *apitest.Client // admin of Marketing
	member    *apitest.Client // ATTENDANT member of Marketing
	otherAtt  *apitest.Client // ATTENDANT of Produto
	creator   *apitest.Client // USER who opens the tickets
	other     *apitest.Client // another USER
	anon      *apitest.Client
	mkt, prod int64 // team ids
	fin       int64
}

func newWorld(t *testing.T, e dbtest.Engine) *world {
	t.Helper()
	return newWorldIn(t, apitest.New(t, e))
}

// newWorldIn is newWorld on a server already started.
func newWorldIn(t *testing.T, env *apitest.Env) *world {
	t.Helper()
	w := &world{env: env, admin: env.Admin, anon: env.Anonymous()}
	w.mkt, w.prod, w.fin = env.TeamID("Marketing"), env.TeamID("Produto"), env.TeamID("Financeiro")
	w.teamAdmin = w.addMember(t, env.NewUser("Tereza Admin"), w.mkt, true)
	w.member = w.addMember(t, env.NewUser("Mário Membro"), w.mkt, false)
	w.otherAtt = w.addMember(t, env.NewUser("Otávio Outro"), w.prod, false)
	w.creator = env.NewUser("Cris Cliente")
	w.other = env.NewUser("Olga Outra")
	return w
}

// addMember makes c a member of team (ADMIN's call) and refreshes its view.
func (w *world) addMember(t *testing.T, c *apitest.Client, team int64, isAdmin bool) *apitest.Client {
	t.Helper()
	w.admin.Must(201, "PUT", fmt.Sprintf("/team/%d/members/%d", team, c.ID()), map[string]bool{"isAdmin": isAdmin}, nil)
	c.Must(200, "GET", "/user/me", nil, &c.User)
	return c
}

// open has the creator open a ticket in Marketing.
func (w *world) open(t *testing.T, title string) ajudae.Ticket {
	t.Helper()
	var tk ajudae.Ticket
	w.creator.Must(201, "POST", "/ticket", map[string]any{"title": title, "description": "Descrição de " + title, "teamId": w.mkt}, &tk)
	return tk
}

func (w *world) roles() map[string]*apitest.Client {
	return map[string]*apitest.Client{
		"admin": w.admin, "teamAdmin": w.teamAdmin, "member": w.member, "otherAtt": w.otherAtt,
		"creator": w.creator, "other": w.other, "anon": w.anon,
	}
}

// snapshot is what a refused call must leave unchanged about a ticket.
type snapshot struct {
	Ticket   ajudae.Ticket
	Events   int
	Messages int
}

func (w *world) snap(t *testing.T, id int64) snapshot {
	t.Helper()
	var s snapshot
	var ev ajudae.List[ajudae.Event]
	var msgs ajudae.List[ajudae.Message]
	w.admin.Must(200, "GET", fmt.Sprintf("/ticket/%d", id), nil, &s.Ticket)
	w.admin.Must(200, "GET", fmt.Sprintf("/ticket/%d/events?limit=100", id), nil, &ev)
	w.admin.Must(200, "GET", fmt.Sprintf("/ticket/%d/messages?limit=100", id), nil, &msgs)
	s.Events, s.Messages = len(ev.Items), len(msgs.Items)
	return s
}
