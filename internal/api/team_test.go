package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestTeamPermissions walks every team route as every role of API.md.
func TestTeamPermissions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		newcomer := func() int64 { return w.env.NewUser("Nina Nova").ID() }
		tests := []struct {
			name   string
			method string
			path   func() string
			body   any
			want   map[string]int
		}{
			{"list", "GET", func() string { return "/team" }, nil,
				map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 200, "creator": 200, "other": 200, "anon": 401}},
			{"get", "GET", func() string { return fmt.Sprintf("/team/%d", w.mkt) }, nil,
				map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 200, "creator": 200, "other": 200, "anon": 401}},
			{"create", "POST", func() string { return "/team" }, "fresh",
				map[string]int{"admin": 201, "teamAdmin": 403, "member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
			{"rename", "PUT", func() string { return fmt.Sprintf("/team/%d", w.fin) }, "fresh",
				map[string]int{"admin": 200, "teamAdmin": 403, "member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
			{"members", "GET", func() string { return fmt.Sprintf("/team/%d/members", w.mkt) }, nil,
				map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
			{"add member", "PUT", func() string { return fmt.Sprintf("/team/%d/members/%d", w.mkt, newcomer()) }, map[string]any{},
				map[string]int{"admin": 201, "teamAdmin": 201, "member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
			{"add member isAdmin false", "PUT", func() string { return fmt.Sprintf("/team/%d/members/%d", w.mkt, newcomer()) }, map[string]any{"isAdmin": false},
				map[string]int{"admin": 201, "teamAdmin": 201, "member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
			{"add team admin", "PUT", func() string { return fmt.Sprintf("/team/%d/members/%d", w.fin, newcomer()) }, map[string]any{"isAdmin": true},
				map[string]int{"admin": 201, "teamAdmin": 403, "member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
			{"add to an unknown team", "PUT", func() string { return fmt.Sprintf("/team/99999/members/%d", newcomer()) }, map[string]any{},
				map[string]int{"admin": 404, "teamAdmin": 404, "member": 404, "otherAtt": 404, "creator": 404, "other": 404, "anon": 401}},
			{"add an unknown user", "PUT", func() string { return fmt.Sprintf("/team/%d/members/99999", w.mkt) }, map[string]any{},
				map[string]int{"admin": 404, "teamAdmin": 404, "member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for role, c := range w.roles() {
					body := tt.body
					if body == "fresh" {
						body = map[string]string{"name": fmt.Sprintf("Equipe %s %s", tt.name, role)}
					}
					r := c.Do(tt.method, tt.path(), body)
					if r.Status != tt.want[role] {
						t.Errorf("%s: status %d, want %d: %s", role, r.Status, tt.want[role], r.Body)
					}
				}
			})
		}

		// Removing members: ADMIN anyone; the team admin others, not itself.
		for role, want := range map[string]int{"member": 403, "otherAtt": 403, "creator": 403, "other": 403, "anon": 401, "teamAdmin": 204, "admin": 204} {
			victim := w.addMember(t, w.env.NewUser("Vítor Vítima"), w.mkt, false)
			r := w.roles()[role].Do("DELETE", fmt.Sprintf("/team/%d/members/%d", w.mkt, victim.ID()), nil)
			if r.Status != want {
				t.Errorf("remove a member as %s: %d, want %d: %s", role, r.Status, want, r.Body)
			}
		}
		w.teamAdmin.Must(403, "DELETE", fmt.Sprintf("/team/%d/members/%d", w.mkt, w.teamAdmin.ID()), nil, nil)
		w.admin.Must(404, "DELETE", fmt.Sprintf("/team/%d/members/%d", w.mkt, w.other.ID()), nil, nil)

		// Deleting: only ADMIN; refused calls leave the team.
		var tm ajudae.Team
		w.admin.Must(201, "POST", "/team", map[string]string{"name": "Temporária"}, &tm)
		for role, c := range w.roles() {
			if role == "admin" {
				continue
			}
			if r := c.Do("DELETE", fmt.Sprintf("/team/%d", tm.ID), nil); r.Status != 403 && !(role == "anon" && r.Status == 401) {
				t.Errorf("delete as %s: %d", role, r.Status)
			}
		}
		w.admin.Must(200, "GET", fmt.Sprintf("/team/%d", tm.ID), nil, nil)
		w.admin.Must(204, "DELETE", fmt.Sprintf("/team/%d", tm.ID), nil, nil)
		w.admin.Must(404, "GET", fmt.Sprintf("/team/%d", tm.ID), nil, nil)
		w.admin.Must(404, "DELETE", fmt.Sprintf("/team/%d", tm.ID), nil, nil)
	})
}

func TestTeamValidation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		var tm ajudae.Team
		w.admin.Must(201, "POST", "/team", map[string]string{"name": "Suporte <Técnico>", "description": "Acesso & senhas"}, &tm)
		if tm.Name != "Suporte <Técnico>" || tm.Description != "Acesso & senhas" || tm.Admin != nil || tm.MemberCount != 0 || tm.OpenTicketCount != 0 {
			t.Errorf("created team = %+v", tm)
		}
		for _, tt := range []struct {
			name string
			body any
			want int
		}{
			{"name of 1", map[string]string{"name": "X"}, 422},
			{"name of 61", map[string]string{"name": strings.Repeat("x", 61)}, 422},
			{"description of 501", map[string]string{"name": "Ok team", "description": strings.Repeat("d", 501)}, 422},
			{"name with NUL", map[string]string{"name": "Ok\x00team"}, 422},
			{"no name", map[string]string{"description": "x"}, 422},
			{"name in use, other case", map[string]string{"name": "MARKETING"}, 409},
		} {
			if r := w.admin.Do("POST", "/team", tt.body); r.Status != tt.want {
				t.Errorf("%s: %d, want %d: %s", tt.name, r.Status, tt.want, r.Body)
			}
		}
		w.admin.Must(409, "PUT", fmt.Sprintf("/team/%d", tm.ID), map[string]string{"name": "produto"}, nil)
		w.admin.Must(422, "PUT", fmt.Sprintf("/team/%d", tm.ID), map[string]string{"name": "P"}, nil)
		w.admin.Must(404, "PUT", "/team/99999", map[string]string{"name": "Nada"}, nil)
		w.admin.Must(200, "PUT", fmt.Sprintf("/team/%d", tm.ID), map[string]string{"description": "só descrição"}, &tm)
		if tm.Name != "Suporte <Técnico>" || tm.Description != "só descrição" {
			t.Errorf("after description change: %+v", tm)
		}
		var l ajudae.List[ajudae.Team]
		w.admin.Must(200, "GET", "/team", nil, &l)
		if len(l.Items) != 4 {
			t.Errorf("%d teams after refused creations, want 4", len(l.Items))
		}
	})
}

func TestTeamMembers(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		path := func(c int64) string { return fmt.Sprintf("/team/%d/members/%d", w.mkt, c) }

		// A USER added becomes ATTENDANT; isAdmin defaults to false.
		u := w.env.NewUser("Uma Usuária")
		var m ajudae.Member
		w.teamAdmin.Must(201, "PUT", path(u.ID()), nil, &m)
		if m.IsAdmin || m.User.ID != u.ID() || m.User.Email != u.User.Email || m.Since.IsZero() {
			t.Errorf("added member = %+v", m)
		}
		var me ajudae.User
		u.Must(200, "GET", "/user/me", nil, &me)
		if me.Role != "ATTENDANT" || len(me.Teams) != 1 || me.Teams[0].ID != w.mkt {
			t.Errorf("new member = %+v, want ATTENDANT of Marketing", me)
		}
		// Update: 200; isAdmin unchanged when absent.
		w.admin.Must(200, "PUT", path(u.ID()), map[string]any{}, &m)
		if m.IsAdmin {
			t.Error("isAdmin changed on an update without isAdmin")
		}
		// Promoting another member takes the flag from the previous admin.
		w.admin.Must(200, "PUT", path(u.ID()), map[string]any{"isAdmin": true}, &m)
		var tm ajudae.Team
		w.admin.Must(200, "GET", fmt.Sprintf("/team/%d", w.mkt), nil, &tm)
		if tm.Admin == nil || tm.Admin.ID != u.ID() || tm.MemberCount != 3 {
			t.Errorf("team after promotion = %+v", tm)
		}
		var l ajudae.List[ajudae.Member]
		w.admin.Must(200, "GET", fmt.Sprintf("/team/%d/members", w.mkt), nil, &l)
		admins := 0
		for _, m := range l.Items {
			if m.IsAdmin {
				admins++
			}
		}
		if admins != 1 || len(l.Items) != 3 {
			t.Errorf("members = %+v, want 3 with exactly one admin", l.Items)
		}
		// The old admin lost its powers at once.
		w.teamAdmin.Must(403, "PUT", path(w.other.ID()), nil, nil)
		w.admin.Must(200, "PUT", path(u.ID()), map[string]any{"isAdmin": false}, &m)
		w.admin.Must(200, "GET", fmt.Sprintf("/team/%d", w.mkt), nil, &tm)
		if tm.Admin != nil {
			t.Errorf("team admin after demotion = %+v, want null", tm.Admin)
		}
		w.admin.Must(422, "GET", fmt.Sprintf("/team/%d/members?limit=500", w.mkt), nil, nil)
		w.admin.Must(404, "GET", "/team/99999/members", nil, nil)
	})
}

// TestTeamDelete: a team with tickets that are not closed cannot go; its
// closed tickets keep its last name afterwards.
func TestTeamDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		var tm ajudae.Team
		w.admin.Must(201, "POST", "/team", map[string]string{"name": "Jurídico"}, &tm)
		var tk ajudae.Ticket
		w.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Contrato", "description": "Revisar", "teamId": tm.ID}, &tk)
		w.admin.Must(200, "GET", fmt.Sprintf("/team/%d", tm.ID), nil, &tm)
		if tm.OpenTicketCount != 1 {
			t.Errorf("openTicketCount = %d, want 1", tm.OpenTicketCount)
		}
		w.admin.Must(409, "DELETE", fmt.Sprintf("/team/%d", tm.ID), nil, nil)
		w.creator.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", tk.ID), map[string]any{"status": "Fechado"}, nil)
		w.admin.Must(204, "DELETE", fmt.Sprintf("/team/%d", tm.ID), nil, nil)

		var after ajudae.Ticket
		w.creator.Must(200, "GET", fmt.Sprintf("/ticket/%d", tk.ID), nil, &after)
		if after.Team.Name != "Jurídico" || after.Team.ID != tm.ID {
			t.Errorf("closed ticket of a deleted team: team = %+v", after.Team)
		}
		w.creator.Must(422, "POST", "/ticket", map[string]any{"title": "Outro", "description": "x", "teamId": tm.ID}, nil)
		// The name is free again.
		w.admin.Must(201, "POST", "/team", map[string]string{"name": "jurídico"}, nil)
	})
}
