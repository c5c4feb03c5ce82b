package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

func TestTeamAndUserAdministration(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		d := newDesk(t, e)
		adm := loginAs(t, d.env, d.env.Admin)
		p := adm.post("/admin/teams", url.Values{"name": {"x"}})
		if p.Status != http.StatusUnprocessableEntity || p.fieldError("team-name") == "" {
			t.Errorf("short team name: %d %q", p.Status, p.fieldError("team-name"))
		}
		if p := adm.post("/admin/teams", url.Values{"name": {"marketing"}}); p.Status != http.StatusConflict {
			t.Errorf("duplicate team: %d", p.Status)
		}
		p = adm.mustPost(http.StatusSeeOther, "/admin/teams", url.Values{"name": {"Suporte"}, "description": {"TI"}})
		teamPath := strings.TrimSuffix(p.Header.Get("Location"), "?notice=teamcreated")
		p = adm.post(teamPath+"/members", url.Values{"email": {"nobody@example.com"}})
		if p.Status != http.StatusUnprocessableEntity || p.fieldError("member-email") == "" {
			t.Errorf("unknown member: %d %q", p.Status, p.fieldError("member-email"))
		}
		adm.mustPost(http.StatusSeeOther, teamPath+"/members", url.Values{"email": {d.requester.User.Email}})
		page := adm.mustGet(200, teamPath)
		row := page.one("the member", tag("li", fmt.Sprintf("id=member-%d", d.requester.ID())))
		if len(all(row, tag("button"))) != 2 { // promote, remove
			t.Errorf("ADMIN's member actions: %d buttons", len(all(row, tag("button"))))
		}
		adm.mustPost(http.StatusSeeOther, fmt.Sprintf("%s/members/%d", teamPath, d.requester.ID()), url.Values{"isAdmin": {"true"}})
		adm.mustGet(200, teamPath).one("the new admin", tag("li", fmt.Sprintf("id=member-%d", d.requester.ID()), "data-admin=true"))
		// The team admin of Marketing adds a member but names no admin.
		ta := loginAs(t, d.env, d.teamAdmin)
		mktPath := fmt.Sprintf("/teams/%d", d.mkt)
		page = ta.mustGet(200, mktPath)
		if page.has(tag("input", "name=isAdmin", "type=checkbox")) || page.has(tag("button", "aria-label=Tornar Mário Membro administrador da equipe")) {
			t.Errorf("the team admin sees the ADMIN-only controls")
		}
		ta.mustPost(http.StatusSeeOther, mktPath+"/members", url.Values{"email": {d.env.Admin.User.Email}})
		if p := ta.post(fmt.Sprintf("%s/members/%d", mktPath, d.attendant.ID()), url.Values{"isAdmin": {"true"}}); p.Status != http.StatusForbidden {
			t.Errorf("team admin promoting: %d", p.Status)
		}
		// Users: search, role, delete.
		l := adm.mustGet(200, "/admin/users?q=cris")
		if len(l.find(tag("li", "class=row"))) != 1 {
			t.Errorf("user search found %d", len(l.find(tag("li", "class=row"))))
		}
		other := d.env.NewUser("Olga Outra")
		adm.mustPost(http.StatusSeeOther, fmt.Sprintf("/admin/users/%d/role", other.ID()), url.Values{"role": {"ATTENDANT"}})
		adm.mustGet(200, "/admin/users?role=ATTENDANT").one("Olga", tag("li", fmt.Sprintf("id=user-%d", other.ID()), "data-role=ATTENDANT"))
		adm.mustPost(http.StatusSeeOther, fmt.Sprintf("/admin/users/%d/delete", other.ID()), nil)
		if r := d.env.Do("", apitest.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": other.User.Email, "password": other.Password}}); r.Status != http.StatusUnauthorized {
			t.Errorf("a deleted user logs in: %d", r.Status)
		}
		if p := adm.post(fmt.Sprintf("/admin/users/%d/delete", d.env.Admin.ID()), nil); p.Status != http.StatusConflict {
			t.Errorf("deleting ADMIN: %d", p.Status)
		}
		// A team with open tickets is not deleted, and says why.
		p = adm.post(fmt.Sprintf("/admin/teams/%d/delete", d.mkt), nil)
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, "ainda tem 1 chamados") {
			t.Errorf("deleting a busy team: %d", p.Status)
		}
	})
}

func TestAccountPage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		u := env.NewUser("Ana Conta")
		c := loginAs(t, env, u)
		other := loginAs(t, env, u)
		page := c.mustGet(200, "/account")
		if n := len(page.find(tag("li", "class=row"))); n < 3 { // API login + two UI logins
			t.Errorf("sessions listed: %d", n)
		}
		p := c.post("/account", url.Values{"name": {"Ana Conta"}, "email": {u.User.Email}, "password": {"new password 1"}})
		if p.Status != http.StatusUnprocessableEntity || p.fieldError("currentPassword") == "" {
			t.Errorf("password without current: %d %q", p.Status, p.fieldError("currentPassword"))
		}
		p = c.post("/account", url.Values{"name": {"Ana Conta"}, "email": {u.User.Email}, "password": {"new password 1"}, "currentPassword": {"wrong"}})
		if p.Status != http.StatusForbidden || p.fieldError("currentPassword") != "A senha atual está incorreta." {
			t.Errorf("wrong current password: %d %q", p.Status, p.fieldError("currentPassword"))
		}
		c.mustPost(http.StatusSeeOther, "/account", url.Values{"name": {"Ana Nova"}, "email": {u.User.Email}, "password": {"new password 1"}, "currentPassword": {u.Password}})
		if h := text(c.mustGet(200, "/account").one("account name", tag("span", "class=account-name"))); h != "Ana Nova" {
			t.Errorf("name after change = %q", h)
		}
		// The password change revoked the other sessions.
		if p := other.get("/tickets"); p.Status != http.StatusSeeOther {
			t.Errorf("another session survived the password change: %d", p.Status)
		}
		// Revoking one's current session logs out.
		page = c.mustGet(200, "/account")
		var current string
		for _, row := range page.find(tag("li", "class=row")) {
			if strings.Contains(text(row), "Esta sessão") {
				current, _ = attr(row, "id")
			}
		}
		p = c.mustPost(http.StatusSeeOther, "/account/sessions/"+strings.TrimPrefix(current, "session-")+"/delete", nil)
		if p.Header.Get("Location") != "/login?notice=loggedout" {
			t.Errorf("revoking the current session: %q", p.Header.Get("Location"))
		}
	})
}

// TestUserListPages: the general admin walks /admin/users page by page,
// the search kept on every page.
func TestUserListPages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		for i := range 27 {
			env.NewUser(fmt.Sprintf("Pessoa Paginada %02d", i))
		}
		env.NewUser("Outra Gente")
		adm := loginAs(t, env, env.Admin)
		p := adm.mustGet(200, "/admin/users?q=paginada")
		if n := len(p.find(tag("li", "class=row"))); n != 25 {
			t.Errorf("first page: %d users, want 25", n)
		}
		var next string
		for _, a := range p.find(tag("a")) {
			if text(a) == "Próxima página" {
				next, _ = attr(a, "href")
			}
		}
		if !strings.HasPrefix(next, "/admin/users?") || !strings.Contains(next, "q=paginada") || !strings.Contains(next, "cursor=") {
			t.Fatalf("next page link = %q", next)
		}
		p = adm.mustGet(200, next)
		if n := len(p.find(tag("li", "class=row"))); n != 2 {
			t.Errorf("second page: %d users, want 2", n)
		}
		if !strings.Contains(p.Body, "Primeira página") || strings.Contains(p.Body, "Próxima página") {
			t.Errorf("second page links are wrong")
		}
	})
}
