package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/api"
)

// SessionCookie is the name of the cookie that carries the UI's session:
// the access token of a web session of the API's session store. The API's
// cookie-authenticated routes (GET /events, attachment downloads) read the
// same cookie, so the name is theirs.
const SessionCookie = api.SessionCookie

// langCookie remembers the language a user picked.
const langCookie = "lang"

// handlerFunc is a UI handler: it gets the view of the request already
// holding the language and, when logged in, the actor.
type handlerFunc func(w http.ResponseWriter, r *http.Request, v *view)

// page runs h for anyone, with the actor when the session cookie is valid.
func (s *Server) page(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.newView(r)
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			a, err := s.store.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				v.Actor = a
			case ajudae.ErrorCode(err) == ajudae.EUNAUTHORIZED:
				clearCookie(w, r, SessionCookie)
			default:
				s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
				return
			}
		}
		h(w, r, v)
	}
}

// user runs h for a logged-in user; others go to the login page and come
// back after it.
func (s *Server) user(h handlerFunc) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request, v *view) {
		if v.Actor == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = r.Header.Get("Referer")
				if u, err := url.Parse(next); err == nil {
					next = u.RequestURI()
				}
			}
			s.redirect(w, r, "/login?next="+url.QueryEscape(safeNext(next)))
			return
		}
		h(w, r, v)
	})
}

// safeNext keeps a local path only, so the login form cannot send a user
// to another site.
func safeNext(next string) string {
	if !localPath(next) || strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/register") {
		return "/tickets"
	}
	return next
}

// localPath reports whether p is a path of this site (not //host or
// /\host). A browser drops tabs and newlines from a URL, so "/\t/host" is
// //host too: no control character is allowed.
func localPath(p string) bool {
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}

// redirect sends the browser to path after a form: 303 for a plain
// request, HX-Redirect for htmx (which then loads the page in full).
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, path string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", path)
		w.WriteHeader(http.StatusOK)
		return
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// isHTMX reports whether htmx asked for a part of a page (not a boosted
// link, nor the restoring of a page from history, which want it whole).
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" &&
		r.Header.Get("HX-History-Restore-Request") != "true"
}

// liveRefresh reports whether app.js fetches a part again after a live
// update (it marks those requests with X-Ajudae-Live).
func liveRefresh(r *http.Request) bool {
	return isHTMX(r) && r.Header.Get("X-Ajudae-Live") == "true"
}

// secure reports whether the browser reached us over TLS.
func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

func setSession(w http.ResponseWriter, r *http.Request, token string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r),
	})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r),
	})
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = v.T("login.title")
	v.Form = url.Values{"next": {safeNext(r.URL.Query().Get("next"))}}
	s.render(w, r, http.StatusOK, "login", v)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = v.T("login.title")
	v.Form = formValues(r, "email", "next")
	next := safeNext(r.PostFormValue("next"))
	creds := ajudae.Credentials{Email: strings.TrimSpace(r.PostFormValue("email")), Password: r.PostFormValue("password")}
	var p ajudae.Problems
	if creds.Email == "" {
		p.Add("email", "must not be empty", "")
	}
	if creds.Password == "" {
		p.Add("password", "must not be empty", nil)
	}
	if err := p.Err(); err != nil {
		s.formError(w, r, v, "login", err)
		return
	}
	tokens, err := s.store.Login(r.Context(), creds, s.client(r), true)
	if err != nil {
		s.formError(w, r, v, "login", err)
		return
	}
	if v.Actor != nil {
		// Logging in again replaces the session the cookie held.
		if err := s.store.Logout(r.Context(), v.Actor); err != nil {
			s.log.WarnContext(r.Context(), "revoke the replaced session", "err", err)
		}
	}
	setSession(w, r, tokens.AccessToken, tokens.ExpiresIn)
	s.redirect(w, r, next)
}

func (s *Server) handleRegisterForm(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = v.T("register.title")
	s.render(w, r, http.StatusOK, "register", v)
}

// handleRegister creates the account and logs it in at once.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = v.T("register.title")
	v.Form = formValues(r, "name", "email")
	nu := ajudae.NewUser{Name: r.PostFormValue("name"), Email: strings.TrimSpace(r.PostFormValue("email")), Password: r.PostFormValue("password")}
	if _, err := s.store.CreateUser(r.Context(), nu); err != nil {
		s.formError(w, r, v, "register", err)
		return
	}
	tokens, err := s.store.Login(r.Context(), ajudae.Credentials{Email: nu.Email, Password: nu.Password}, s.client(r), true)
	if err != nil {
		s.formError(w, r, v, "register", err)
		return
	}
	setSession(w, r, tokens.AccessToken, tokens.ExpiresIn)
	s.redirect(w, r, "/tickets?notice=welcome")
}

// handleLogout revokes the session like the API's logout and clears the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, v *view) {
	if err := s.store.Logout(r.Context(), v.Actor); err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	clearCookie(w, r, SessionCookie)
	s.redirect(w, r, "/login?notice=loggedout")
}

// handleLang remembers the language picked in the footer for a year.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request, v *view) {
	lang := r.PostFormValue("lang")
	if lang != langEN {
		lang = langPT
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r)})
	next := r.PostFormValue("next")
	if !localPath(next) {
		next = "/"
	}
	s.redirect(w, r, next)
}
