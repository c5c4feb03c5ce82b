package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestTicketPermissions walks every ticket route as every role of API.md
// and checks the status, and that a refused call changed nothing.
func TestTicketPermissions(t *testing.T) {
	type call struct {
		method, path string // path has %d for the ticket id
		body         func(w *world) any
		// setup runs before the call, on the fresh ticket.
		setup func(t *testing.T, w *world, id int64)
	}
	body := func(v any) func(*world) any { return func(*world) any { return v } }
	assignTo := func(c func(w *world) int64) func(*world) any {
		return func(w *world) any { return map[string]any{"assignedToId": c(w)} }
	}
	assignMemberFirst := func(t *testing.T, w *world, id int64) {
		w.teamAdmin.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", id), map[string]any{"assignedToId": w.member.ID()}, nil)
	}
	assignAdminFirst := func(t *testing.T, w *world, id int64) {
		w.teamAdmin.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", id), map[string]any{"assignedToId": w.teamAdmin.ID()}, nil)
	}
	closeFirst := func(t *testing.T, w *world, id int64) {
		w.creator.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", id), map[string]any{"status": "Fechado"}, nil)
	}
	startFirst := func(t *testing.T, w *world, id int64) {
		w.member.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", id), map[string]any{"status": "Em_andamento"}, nil)
	}
	tests := []struct {
		name string
		call call
		want map[string]int // role → status
	}{
		{"get", call{method: "GET", path: "/ticket/%d"},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}},
		{"messages", call{method: "GET", path: "/ticket/%d/messages"},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}},
		{"events", call{method: "GET", path: "/ticket/%d/events"},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}},
		{"edit title", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"title": "Novo título"})},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 403, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}},
		{"edit description after Aberto", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"description": "outra"}), setup: startFirst},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 403, "otherAtt": 404, "creator": 409, "other": 404, "anon": 401}},
		{"status Em_andamento", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"status": "Em_andamento"})},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"close", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"status": "Fechado"})},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}},
		{"reopen", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"status": "Aberto"}), setup: closeFirst},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 200, "other": 404, "anon": 401}},
		{"closed to Em_andamento", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"status": "Em_andamento"}), setup: closeFirst},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"priority", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"priority": "Alta"})},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"assign to the member", call{method: "PATCH", path: "/ticket/%d", body: assignTo(func(w *world) int64 { return w.member.ID() })},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"assign to the team admin", call{method: "PATCH", path: "/ticket/%d", body: assignTo(func(w *world) int64 { return w.teamAdmin.ID() })},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"assign to a non-member", call{method: "PATCH", path: "/ticket/%d", body: assignTo(func(w *world) int64 { return w.otherAtt.ID() })},
			map[string]int{"admin": 422, "teamAdmin": 422, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"unassign the member", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"assignedToId": nil}), setup: assignMemberFirst},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 200, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"unassign the team admin", call{method: "PATCH", path: "/ticket/%d", body: body(map[string]any{"assignedToId": nil}), setup: assignAdminFirst},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"redirect", call{method: "POST", path: "/ticket/%d/redirect", body: func(w *world) any { return map[string]any{"teamId": w.prod, "reason": "é de produto"} }},
			map[string]int{"admin": 200, "teamAdmin": 200, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"redirect to the same team", call{method: "POST", path: "/ticket/%d/redirect", body: func(w *world) any { return map[string]any{"teamId": w.mkt} }},
			map[string]int{"admin": 409, "teamAdmin": 409, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"redirect to an unknown team", call{method: "POST", path: "/ticket/%d/redirect", body: body(map[string]any{"teamId": 99999})},
			map[string]int{"admin": 422, "teamAdmin": 422, "member": 403, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
		{"reply", call{method: "POST", path: "/ticket/%d/messages", body: body(map[string]any{"message": "Olá"})},
			map[string]int{"admin": 201, "teamAdmin": 201, "member": 201, "otherAtt": 404, "creator": 201, "other": 404, "anon": 401}},
		{"internal note", call{method: "POST", path: "/ticket/%d/messages", body: body(map[string]any{"message": "só a equipe", "isInternal": true})},
			map[string]int{"admin": 201, "teamAdmin": 201, "member": 201, "otherAtt": 404, "creator": 403, "other": 404, "anon": 401}},
	}
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for role, c := range w.roles() {
					want, ok := tt.want[role]
					if !ok {
						t.Fatalf("no expectation for %s", role)
					}
					tk := w.open(t, tt.name)
					if tt.call.setup != nil {
						tt.call.setup(t, w, tk.ID)
					}
					before := w.snap(t, tk.ID)
					var b any
					if tt.call.body != nil {
						b = tt.call.body(w)
					}
					r := c.Do(tt.call.method, fmt.Sprintf(tt.call.path, tk.ID), b)
					if r.Status != want {
						t.Errorf("%s: status %d, want %d: %s", role, r.Status, want, r.Body)
						continue
					}
					if r.Status >= 400 {
						r.Problem(t)
						if after := w.snap(t, tk.ID); !cmp.Equal(before, after) {
							t.Errorf("%s: refused call changed the ticket: %s", role, cmp.Diff(before, after))
						}
					}
				}
			})
		}
	})
}

// TestTicketCreateAndList: who sees what in GET /ticket and /ticket/stats.
func TestTicketVisibilityInLists(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		mine := w.open(t, "Do cliente")
		var inProd ajudae.Ticket
		w.other.Must(201, "POST", "/ticket", map[string]any{"title": "Da outra", "description": "x", "teamId": w.prod, "priority": "Alta"}, &inProd)
		if inProd.Priority != "Alta" || mine.Priority != "Média" || mine.Status != "Aberto" || mine.Version != 1 {
			t.Errorf("created tickets: %+v %+v", mine, inProd)
		}
		want := map[string][]int64{
			"admin": {inProd.ID, mine.ID}, "teamAdmin": {mine.ID}, "member": {mine.ID}, "otherAtt": {inProd.ID},
			"creator": {mine.ID}, "other": {inProd.ID},
		}
		for role, ids := range want {
			var l ajudae.List[ajudae.Ticket]
			w.roles()[role].Must(200, "GET", "/ticket", nil, &l)
			var got []int64
			for _, tk := range l.Items {
				got = append(got, tk.ID)
			}
			if !cmp.Equal(got, ids) {
				t.Errorf("%s sees %v, want %v", role, got, ids)
			}
			var st ajudae.Stats
			w.roles()[role].Must(200, "GET", "/ticket/stats", nil, &st)
			if st.Total != len(ids) || st.ByStatus["Aberto"] != len(ids) || len(st.ByTeam) != len(ids) {
				t.Errorf("%s stats = %+v, want %d tickets", role, st, len(ids))
			}
		}
		w.anon.Must(http.StatusUnauthorized, "GET", "/ticket", nil, nil)
		w.anon.Must(http.StatusUnauthorized, "GET", "/ticket/stats", nil, nil)
		w.anon.Must(http.StatusUnauthorized, "POST", "/ticket", map[string]any{"title": "abc", "description": "x", "teamId": w.mkt}, nil)
	})
}
