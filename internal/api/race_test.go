package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestConcurrentTeamAdminPromotion: members promoted to team admin at the
// same time all get 200, and the team is left with exactly one admin.
func TestConcurrentTeamAdminPromotion(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		const n = 6
		members := make([]*apitest.Client, n)
		for i := range members {
			members[i] = w.addMember(t, w.env.NewUser(fmt.Sprintf("Membro %d", i)), w.fin, false)
		}
		for round := range 5 {
			var wg sync.WaitGroup
			results := make([]*apitest.Response, n)
			for i, m := range members {
				wg.Go(func() {
					results[i] = w.admin.Do("PUT", fmt.Sprintf("/team/%d/members/%d", w.fin, m.ID()), map[string]bool{"isAdmin": true})
				})
			}
			wg.Wait()
			for i, r := range results {
				if r.Status != 200 {
					t.Errorf("round %d, member %d: status %d: %s", round, i, r.Status, r.Body)
				}
			}
			var l ajudae.List[ajudae.Member]
			w.admin.Must(200, "GET", fmt.Sprintf("/team/%d/members?limit=100", w.fin), nil, &l)
			var admins []int64
			for _, m := range l.Items {
				if m.IsAdmin {
					admins = append(admins, m.User.ID)
				}
			}
			var team ajudae.Team
			w.admin.Must(200, "GET", fmt.Sprintf("/team/%d", w.fin), nil, &team)
			if len(admins) != 1 || team.Admin == nil || team.Admin.ID != admins[0] || len(l.Items) != n {
				t.Fatalf("round %d: admins %v, team admin %+v, %d members; want exactly one admin", round, admins, team.Admin, len(l.Items))
			}
		}
	})
}

// TestConcurrentRegistration: the same e-mail registered many times at
// once, in different cases, makes exactly one account; the others get 409.
func TestConcurrentRegistration(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		const n = 10
		for round := range 3 {
			email := fmt.Sprintf("corrida%d@example.com", round)
			var wg sync.WaitGroup
			results := make([]*apitest.Response, n)
			for i := range n {
				wg.Go(func() {
					addr := email
					if i%2 == 1 {
						addr = strings.ToUpper(email)
					}
					results[i] = env.Do("", apitest.Request{Method: "POST", Path: "/user/register",
						Body: map[string]string{"name": fmt.Sprintf("Corredor %d", i), "email": addr, "password": "uma senha longa"}})
				})
			}
			wg.Wait()
			created := 0
			for _, r := range results {
				switch r.Status {
				case 201:
					created++
				case 409:
					r.Problem(t)
				default:
					t.Errorf("concurrent registration: %d %s", r.Status, r.Body)
				}
			}
			var l ajudae.List[ajudae.User]
			env.Admin.Must(200, "GET", "/user?q="+email, nil, &l)
			if created != 1 || len(l.Items) != 1 {
				t.Errorf("round %d: %d registrations succeeded and %d accounts exist, want exactly 1", round, created, len(l.Items))
			}
		}
	})
}
