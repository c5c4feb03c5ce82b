package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ajudae/ajudae"
)

// teamsPage is the data of /admin/teams.
type teamsPage struct {
	Teams []ajudae.Team
}

func (s *Server) handleAdminTeams(w http.ResponseWriter, r *http.Request, v *view) {
	s.showAdminTeams(w, r, v, http.StatusOK)
}

func (s *Server) showAdminTeams(w http.ResponseWriter, r *http.Request, v *view, status int) {
	v.Title = v.T("teams.title")
	if err := ajudae.CanManageTeams(v.Actor); err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	teams, err := s.allTeams(r.Context())
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	v.D = &teamsPage{Teams: teams}
	s.render(w, r, status, "admin/teams", v)
}

func (s *Server) handleTeamCreate(w http.ResponseWriter, r *http.Request, v *view) {
	v.Form = formValues(r, "name", "description")
	name, desc := r.PostFormValue("name"), r.PostFormValue("description")
	t, err := s.store.CreateTeam(r.Context(), v.Actor, ajudae.TeamInput{Name: &name, Description: &desc})
	if err != nil {
		v.setError(s, err)
		s.showAdminTeams(w, r, v, statusOf(err))
		return
	}
	s.redirect(w, r, "/teams/"+strconv.FormatInt(t.ID, 10)+"?notice=teamcreated")
}

func (s *Server) handleTeamUpdate(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	name, desc := r.PostFormValue("name"), r.PostFormValue("description")
	if _, err := s.store.UpdateTeam(r.Context(), v.Actor, id, ajudae.TeamInput{Name: &name, Description: &desc}); err != nil {
		s.teamError(w, r, v, id, err)
		return
	}
	s.redirect(w, r, "/teams/"+strconv.FormatInt(id, 10)+"?notice=teamupdated")
}

// teamError shows the team page again with what went wrong; the form
// values and field problems are those of the rename form.
func (s *Server) teamError(w http.ResponseWriter, r *http.Request, v *view, id int64, err error) {
	v.Form = formValues(r, "name", "description", "email")
	v.setError(s, err)
	s.showTeam(w, r, v, id, statusOf(err))
}

func (s *Server) handleTeamDelete(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	if err := s.store.DeleteTeam(r.Context(), v.Actor, id); err != nil {
		v.setError(s, err)
		s.showAdminTeams(w, r, v, statusOf(err))
		return
	}
	s.redirect(w, r, "/admin/teams?notice=teamdeleted")
}

// usersPage is the data of /admin/users.
type usersPage struct {
	Users    []ajudae.User
	Q        string
	Role     string
	NextURL  string
	FirstURL string
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request, v *view) {
	s.showAdminUsers(w, r, v, http.StatusOK)
}

func (s *Server) showAdminUsers(w http.ResponseWriter, r *http.Request, v *view, status int) {
	v.Title = v.T("users.title")
	if err := ajudae.CanListUsers(v.Actor); err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	q := r.URL.Query()
	d := &usersPage{Q: strings.TrimSpace(q.Get("q")), Role: q.Get("role")}
	v.D = d
	f := ajudae.UserFilter{Q: d.Q, Page: ajudae.Page{Limit: 25, Cursor: q.Get("cursor")}}
	if d.Role != "" {
		role := ajudae.Role(d.Role)
		if !role.Valid() {
			var p ajudae.Problems
			p.Add("role", "must be USER, ATTENDANT or ADMIN", d.Role)
			s.formError(w, r, v, "admin/users", p.Err())
			return
		}
		f.Role = &role
	}
	l, err := s.store.FindUsers(r.Context(), v.Actor, f)
	if err != nil {
		s.formError(w, r, v, "admin/users", err)
		return
	}
	d.Users = l.Items
	keep := url.Values{}
	if d.Q != "" {
		keep.Set("q", d.Q)
	}
	if d.Role != "" {
		keep.Set("role", d.Role)
	}
	if l.NextCursor != nil {
		n := cloneValues(keep)
		n.Set("cursor", *l.NextCursor)
		d.NextURL = "/admin/users?" + n.Encode()
	}
	if f.Page.Cursor != "" {
		d.FirstURL = "/admin/users?" + keep.Encode()
	}
	s.render(w, r, status, "admin/users", v)
}

func (s *Server) handleUserRole(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	role := ajudae.Role(r.PostFormValue("role"))
	if _, err := s.store.UpdateUser(r.Context(), v.Actor, id, ajudae.UserUpdate{Role: &role}); err != nil {
		v.setError(s, err)
		s.showAdminUsers(w, r, v, statusOf(err))
		return
	}
	s.redirect(w, r, backTo(r, "/admin/users")+"notice=roleupdated")
}

func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	if err := s.store.DeleteUser(r.Context(), v.Actor, id); err != nil {
		v.setError(s, err)
		s.showAdminUsers(w, r, v, statusOf(err))
		return
	}
	s.redirect(w, r, "/admin/users?notice=userdeleted")
}

// backTo returns the page the form was on (its "back" field, when local)
// or def, ready for one more query parameter.
func backTo(r *http.Request, def string) string {
	back := r.PostFormValue("back")
	u, err := url.Parse(back)
	// The path stays escaped: decoded, "/%09/host" or "/%2F%2Fhost" would
	// send the browser to another site.
	if err != nil || !localPath(back) || !localPath(u.EscapedPath()) {
		return def + "?"
	}
	q := u.Query()
	q.Del("notice")
	if len(q) == 0 {
		return u.EscapedPath() + "?"
	}
	return u.EscapedPath() + "?" + q.Encode() + "&"
}
