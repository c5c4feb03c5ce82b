package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ajudae/ajudae"
)

// teamPage is the data of /teams/{id}: the team, its members and what the
// actor may do to them.
type teamPage struct {
	Team      *ajudae.Team
	Members   []memberRow
	CanAdd    bool // add members (ADMIN, the team's admin)
	CanAdmin  bool // name the team's admin (ADMIN)
	CanManage bool // rename and delete (ADMIN)
}

// memberRow is one member with the actions the actor may take on it.
type memberRow struct {
	ajudae.Member
	CanPromote bool
	CanDemote  bool
	CanRemove  bool
}

func (s *Server) handleTeamShow(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	s.showTeam(w, r, v, id, http.StatusOK)
}

func (s *Server) showTeam(w http.ResponseWriter, r *http.Request, v *view, id int64, status int) {
	ctx, a := r.Context(), v.Actor
	t, err := s.store.FindTeam(ctx, id)
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	v.Title = t.Name
	members, err := s.members(ctx, a, id)
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	yes, no := true, false
	d := &teamPage{Team: t, CanAdd: ajudae.CanSetMember(a, id, nil) == nil,
		CanAdmin: ajudae.CanSetMember(a, id, &yes) == nil, CanManage: ajudae.CanManageTeams(a) == nil}
	for _, m := range members {
		d.Members = append(d.Members, memberRow{Member: m,
			CanPromote: !m.IsAdmin && ajudae.CanSetMember(a, id, &yes) == nil,
			CanDemote:  m.IsAdmin && ajudae.CanSetMember(a, id, &no) == nil,
			CanRemove:  ajudae.CanRemoveMember(a, id, m.User.ID) == nil,
		})
	}
	if v.Form.Get("name") == "" {
		v.Form.Set("name", t.Name)
		v.Form.Set("description", t.Description)
	}
	v.D = d
	s.render(w, r, status, "teams/show", v)
}

// handleMemberAdd adds the user with the given e-mail to the team.
func (s *Server) handleMemberAdd(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	var isAdmin *bool
	if checked(r.PostFormValue("isAdmin")) {
		yes := true
		isAdmin = &yes
	}
	if email == "" {
		var p ajudae.Problems
		p.Add("email", "must not be empty", "")
		s.teamError(w, r, v, id, p.Err())
		return
	}
	u, err := s.store.FindUserByEmail(r.Context(), v.Actor, email)
	if ajudae.ErrorCode(err) == ajudae.ENOTFOUND {
		var p ajudae.Problems
		p.Add("email", "no account has this e-mail", email)
		err = p.Err()
	}
	if err == nil {
		_, _, err = s.store.SetMember(r.Context(), v.Actor, id, u.ID, isAdmin)
	}
	if err != nil {
		s.teamError(w, r, v, id, err)
		return
	}
	s.redirect(w, r, "/teams/"+strconv.FormatInt(id, 10)+"?notice=memberadded")
}

// handleMemberSet makes a member the team's admin or takes the flag away.
func (s *Server) handleMemberSet(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok1 := pathID(r, "id")
	uid, ok2 := pathID(r, "userId")
	if !ok1 || !ok2 {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	isAdmin := checked(r.PostFormValue("isAdmin"))
	if _, _, err := s.store.SetMember(r.Context(), v.Actor, id, uid, &isAdmin); err != nil {
		s.teamError(w, r, v, id, err)
		return
	}
	s.redirect(w, r, "/teams/"+strconv.FormatInt(id, 10)+"?notice=memberupdated")
}

func (s *Server) handleMemberRemove(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok1 := pathID(r, "id")
	uid, ok2 := pathID(r, "userId")
	if !ok1 || !ok2 {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	if err := s.store.RemoveMember(r.Context(), v.Actor, id, uid); err != nil {
		s.teamError(w, r, v, id, err)
		return
	}
	if uid == v.Actor.UserID && !v.Actor.IsAdmin() {
		s.redirect(w, r, "/tickets?notice=memberremoved")
		return
	}
	s.redirect(w, r, "/teams/"+strconv.FormatInt(id, 10)+"?notice=memberremoved")
}
