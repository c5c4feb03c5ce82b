package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestAuditLog: each administrative action of API.md writes one entry,
// naming its actor and target, newest first; refused actions and the daily
// work on tickets write none; only ADMIN reads the log, page by page.
func TestAuditLog(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		reader := w.admin // the general administrator of the moment
		entries := func() []ajudae.AuditEntry {
			var all []ajudae.AuditEntry
			cursor := ""
			for range 100 {
				var l ajudae.List[ajudae.AuditEntry]
				reader.Must(200, "GET", "/audit?limit=3&cursor="+cursor, nil, &l)
				all = append(all, l.Items...)
				if l.NextCursor == nil {
					return all
				}
				cursor = *l.NextCursor
			}
			t.Fatal("the audit log does not end")
			return nil
		}
		count := len(entries())
		// expect runs an action and checks the entry it wrote is the newest.
		expect := func(action string, actor *apitest.Client, targetType string, target *int64, dataKeys []string, do func()) {
			t.Helper()
			do()
			targetID := *target
			all := entries()
			if len(all) != count+1 {
				t.Fatalf("%s: %d entries, want %d", action, len(all), count+1)
			}
			count++
			got := all[0]
			if got.Action != action || got.Actor == nil || got.Actor.ID != actor.ID() || got.Actor.Name != actor.User.Name ||
				got.Target.Type != targetType || got.Target.ID != targetID || got.CreatedAt.IsZero() {
				t.Errorf("%s: newest entry = %+v actor %+v", action, got, got.Actor)
			}
			var data map[string]any
			if err := json.Unmarshal(got.Data, &data); err != nil {
				t.Errorf("%s: data %s: %v", action, got.Data, err)
			}
			for _, k := range dataKeys {
				if _, ok := data[k]; !ok {
					t.Errorf("%s: data %s lacks %q", action, got.Data, k)
				}
			}
		}
		// unchanged checks that a call wrote no entry.
		unchanged := func(what string) {
			t.Helper()
			if n := len(entries()); n != count {
				t.Errorf("%s wrote an audit entry (%d, want %d)", what, n, count)
			}
		}

		pedro := w.env.NewUser("Pedro")
		expect("user.role_changed", w.admin, "user", ptr(pedro.ID()), []string{"from", "to"}, func() {
			w.admin.Must(200, "PUT", fmt.Sprintf("/user/%d", pedro.ID()), map[string]string{"role": "ATTENDANT"}, nil)
		})
		var team ajudae.Team
		expect("team.created", w.admin, "team", &team.ID, []string{"name"}, func() {
			w.admin.Must(201, "POST", "/team", map[string]string{"name": "Jurídico"}, &team)
		})
		expect("team.updated", w.admin, "team", &team.ID, []string{"name"}, func() {
			w.admin.Must(200, "PUT", fmt.Sprintf("/team/%d", team.ID), map[string]string{"name": "Jurídico e Compliance"}, nil)
		})
		expect("team.member_added", w.admin, "team", &team.ID, []string{"userId", "isAdmin"}, func() {
			w.admin.Must(201, "PUT", fmt.Sprintf("/team/%d/members/%d", team.ID, pedro.ID()), map[string]any{}, nil)
		})
		expect("team.member_updated", w.admin, "team", &team.ID, []string{"userId", "isAdmin"}, func() {
			w.admin.Must(200, "PUT", fmt.Sprintf("/team/%d/members/%d", team.ID, pedro.ID()), map[string]any{"isAdmin": true}, nil)
		})
		// The team admin's own administrative actions are logged under its name.
		expect("team.member_added", w.teamAdmin, "team", &w.mkt, []string{"userId"}, func() {
			w.teamAdmin.Must(201, "PUT", fmt.Sprintf("/team/%d/members/%d", w.mkt, pedro.ID()), map[string]any{}, nil)
		})
		expect("team.member_removed", w.teamAdmin, "team", &w.mkt, []string{"userId"}, func() {
			w.teamAdmin.Must(204, "DELETE", fmt.Sprintf("/team/%d/members/%d", w.mkt, pedro.ID()), nil, nil)
		})
		tk := w.open(t, "Cobrança indevida")
		expect("ticket.redirected", w.teamAdmin, "ticket", &tk.ID, []string{"fromTeam", "toTeam", "reason"}, func() {
			w.teamAdmin.Must(200, "POST", fmt.Sprintf("/ticket/%d/redirect", tk.ID), map[string]any{"teamId": w.fin, "reason": "é cobrança"}, nil)
		})
		expect("team.member_removed", w.admin, "team", &team.ID, []string{"userId"}, func() {
			w.admin.Must(204, "DELETE", fmt.Sprintf("/team/%d/members/%d", team.ID, pedro.ID()), nil, nil)
		})
		expect("team.deleted", w.admin, "team", &team.ID, []string{"name"}, func() {
			w.admin.Must(204, "DELETE", fmt.Sprintf("/team/%d", team.ID), nil, nil)
		})
		expect("user.deleted", w.admin, "user", ptr(pedro.ID()), nil, func() {
			w.admin.Must(204, "DELETE", fmt.Sprintf("/user/%d", pedro.ID()), nil, nil)
		})

		// Refused administrative calls and the daily work write nothing.
		w.member.Must(403, "PUT", fmt.Sprintf("/user/%d", w.other.ID()), map[string]string{"role": "ATTENDANT"}, nil)
		w.admin.Must(409, "DELETE", fmt.Sprintf("/user/%d", w.admin.ID()), nil, nil)
		w.admin.Must(409, "POST", "/team", map[string]string{"name": "marketing"}, nil)
		w.member.Must(403, "PUT", fmt.Sprintf("/team/%d/members/%d", w.mkt, w.other.ID()), map[string]any{}, nil)
		w.admin.Must(409, "POST", fmt.Sprintf("/ticket/%d/redirect", tk.ID), map[string]any{"teamId": w.fin}, nil)
		other := w.open(t, "Trabalho do dia")
		w.member.Must(200, "PATCH", fmt.Sprintf("/ticket/%d", other.ID), map[string]any{"status": "Em_andamento"}, nil)
		w.member.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", other.ID), map[string]any{"message": "Vendo isso"}, nil)
		unchanged("refused calls and ticket work")

		expect("admin.transferred", w.admin, "user", ptr(w.otherAtt.ID()), []string{"from", "to"}, func() {
			w.admin.Must(204, "POST", fmt.Sprintf("/user/%d/transfer-admin", w.otherAtt.ID()), nil, nil)
			reader = w.otherAtt
		})

		// Only ADMIN reads it: the old admin now gets 403 like every other caller.
		for name, c := range map[string]*apitest.Client{"old admin": w.admin, "team admin": w.teamAdmin, "member": w.member, "requester": w.creator} {
			if r := c.Do("GET", "/audit", nil); r.Status != 403 {
				t.Errorf("%s: GET /audit %d, want 403", name, r.Status)
			} else {
				r.Problem(t)
			}
		}
		w.anon.Must(401, "GET", "/audit", nil, nil)
		var l ajudae.List[ajudae.AuditEntry]
		w.otherAtt.Must(200, "GET", "/audit?limit=100", nil, &l)
		if len(l.Items) != count || l.Items[0].Action != "admin.transferred" {
			t.Errorf("the new admin reads %d entries, newest %+v; want %d, newest admin.transferred", len(l.Items), l.Items[0], count)
		}
		for i := 1; i < len(l.Items); i++ {
			if l.Items[i].ID >= l.Items[i-1].ID || l.Items[i].CreatedAt.After(l.Items[i-1].CreatedAt) {
				t.Errorf("entries %d and %d are not newest first", l.Items[i-1].ID, l.Items[i].ID)
			}
		}
		w.otherAtt.Must(422, "GET", "/audit?cursor=bm90LWEtY3Vyc29y", nil, nil)
		w.otherAtt.Must(422, "GET", "/audit?limit=101", nil, nil)
	})
}

func ptr[T any](v T) *T { return &v }
