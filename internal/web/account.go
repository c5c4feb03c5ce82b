package web

import (
	"net/http"
	"strings"

	"github.com/ajudae/ajudae"
)

// accountPage is the data of /account.
type accountPage struct {
	User     *ajudae.User
	Sessions []ajudae.Session
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, v *view) {
	s.showAccount(w, r, v, http.StatusOK)
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, v *view, status int) {
	ctx, a := r.Context(), v.Actor
	v.Title = v.T("account.title")
	u, err := s.store.FindUser(ctx, a, a.UserID)
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	d := &accountPage{User: u}
	page := ajudae.Page{Limit: ajudae.MaxPageLimit}
	for range 10 {
		l, err := s.store.FindSessions(ctx, a, page)
		if err != nil {
			s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
			return
		}
		d.Sessions = append(d.Sessions, l.Items...)
		if l.NextCursor == nil {
			break
		}
		page.Cursor = *l.NextCursor
	}
	if v.Form.Get("name") == "" && v.Form.Get("email") == "" {
		v.Form.Set("name", u.Name)
		v.Form.Set("email", u.Email)
	}
	v.D = d
	s.render(w, r, status, "account", v)
}

// handleAccountUpdate changes what differs of name, e-mail and password;
// the e-mail and the password need the current password.
func (s *Server) handleAccountUpdate(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, a := r.Context(), v.Actor
	v.Form = formValues(r, "name", "email")
	u, err := s.store.FindUser(ctx, a, a.UserID)
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	var upd ajudae.UserUpdate
	if name := r.PostFormValue("name"); name != u.Name {
		upd.Name = &name
	}
	if email := strings.TrimSpace(r.PostFormValue("email")); email != u.Email {
		upd.Email = &email
	}
	if pw := r.PostFormValue("password"); pw != "" {
		upd.Password = &pw
	}
	if cur := r.PostFormValue("currentPassword"); cur != "" {
		upd.CurrentPassword = &cur
	}
	if upd.Name == nil && upd.Email == nil && upd.Password == nil {
		s.redirect(w, r, "/account")
		return
	}
	if _, err := s.store.UpdateUser(ctx, a, a.UserID, upd); err != nil {
		if ajudae.ErrorCode(err) == ajudae.EFORBIDDEN && upd.CurrentPassword != nil {
			// The only refusal of one's own change: a wrong password.
			v.Fields = map[string]string{"currentPassword": translateServer(v.Lang, ajudae.ErrorMessage(err))}
			v.Error = v.T("error.fields")
			s.showAccount(w, r, v, statusOf(err))
			return
		}
		v.setError(s, err)
		s.showAccount(w, r, v, statusOf(err))
		return
	}
	s.redirect(w, r, "/account?notice=accountupdated")
}

func (s *Server) handleSessionRevoke(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.notfound"))
		return
	}
	if err := s.store.RevokeSession(r.Context(), v.Actor, id); err != nil {
		v.setError(s, err)
		s.showAccount(w, r, v, statusOf(err))
		return
	}
	if id == v.Actor.SessionID {
		clearCookie(w, r, SessionCookie)
		s.redirect(w, r, "/login?notice=loggedout")
		return
	}
	s.redirect(w, r, "/account?notice=sessionrevoked")
}
