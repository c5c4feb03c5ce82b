package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/problem"
)

// view is what every template receives: the language, the caller, the
// page's title and messages, the submitted form, and D, the page's own data.
type view struct {
	Lang   string
	Title  string
	Actor  *ajudae.Actor
	Path   string
	Notice string
	Error  string
	Fields map[string]string // field name → problem, shown next to the field
	Form   url.Values
	D      any
	// LiveAfter is the newest change when a page with live parts was
	// rendered: app.js asks GET /events for what came after it.
	LiveAfter int64
}

func (s *Server) newView(r *http.Request) *view {
	v := &view{Lang: pickLang(r), Path: r.URL.RequestURI(), Form: url.Values{}}
	if n := r.URL.Query().Get("notice"); n != "" {
		if _, ok := messages["notice."+n]; ok {
			v.Notice = v.T("notice." + n)
		}
	}
	return v
}

// T returns the text of key in the view's language, formatted with args.
func (v *view) T(key string, args ...any) string { return translate(v.Lang, key, args...) }

// Tn is T for a count: key+".one" when n is 1.
func (v *view) Tn(key string, n int) string {
	if n == 1 {
		key += ".one"
	}
	return v.T(key, n)
}

// Value returns the submitted value of a form field, to show it again.
func (v *view) Value(name string) string { return v.Form.Get(name) }

// FieldError returns the problem with a field, or "".
func (v *view) FieldError(name string) string { return v.Fields[name] }

// StatusLabel, PriorityLabel and RoleLabel name an enum value for people.
func (v *view) StatusLabel(s ajudae.Status) string     { return v.T("status." + string(s)) }
func (v *view) PriorityLabel(p ajudae.Priority) string { return v.T("priority." + string(p)) }
func (v *view) RoleLabel(r ajudae.Role) string         { return v.T("role." + string(r)) }

// StatusBadge is the badge of a status, marked with data-status.
func (v *view) StatusBadge(s ajudae.Status) template.HTML {
	cls := strings.ToLower(strings.ReplaceAll(string(s), "_", "-"))
	return template.HTML(`<span class="badge badge-status badge-` + html.EscapeString(cls) + `" data-status="` +
		html.EscapeString(string(s)) + `">` + html.EscapeString(v.StatusLabel(s)) + `</span>`)
}

// PriorityBadge is the badge of a priority, marked with data-priority.
func (v *view) PriorityBadge(p ajudae.Priority) template.HTML {
	cls := map[ajudae.Priority]string{ajudae.PriorityLow: "low", ajudae.PriorityMedium: "medium", ajudae.PriorityHigh: "high"}[p]
	return template.HTML(`<span class="badge badge-priority badge-` + cls + `" data-priority="` +
		html.EscapeString(string(p)) + `"><span class="prio-bars" aria-hidden="true"><i></i><i></i><i></i></span>` +
		html.EscapeString(v.PriorityLabel(p)) + `</span>`)
}

// Time formats t (UTC) for the view's language.
func (v *view) Time(t time.Time) string {
	if v.Lang == langEN {
		return t.UTC().Format("Jan 2, 2006 15:04 UTC")
	}
	return t.UTC().Format("02/01/2006 15:04 UTC")
}

// IsStaff reports whether the actor works tickets (ATTENDANT or ADMIN).
func (v *view) IsStaff() bool {
	return v.Actor != nil && (v.Actor.Role == ajudae.RoleAdmin || v.Actor.Role == ajudae.RoleAttendant)
}

// AdminTeams returns the ids of the teams the actor administers.
func (v *view) AdminTeams() []int64 {
	var ids []int64
	if v.Actor == nil {
		return nil
	}
	for id, admin := range v.Actor.Teams {
		if admin {
			ids = append(ids, id)
		}
	}
	return ids
}

// Active reports whether the current page is under prefix, for the navigation.
func (v *view) Active(prefix string) bool {
	p := strings.SplitN(v.Path, "?", 2)[0]
	if prefix == "/tickets" {
		return p == "/tickets" || (strings.HasPrefix(p, "/tickets/") && p != "/tickets/new")
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// pageTemplate is one page: the layout, the shared partials and the page.
type pageTemplate struct {
	*template.Template
	partial bool // defines "partial", what htmx gets
}

var funcs = template.FuncMap{
	"lower":    strings.ToLower,
	"initials": initials,
	"add":      func(a, b int) int { return a + b },
}

// parseTemplates parses layout.html and every _partial.html with each page
// of templates/, once; the page's name is its path without .html.
func parseTemplates(fsys fs.FS) (map[string]*pageTemplate, error) {
	shared := template.New("").Funcs(funcs)
	var pages []string
	err := fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		if base := path.Base(p); base == "layout.html" || strings.HasPrefix(base, "_") {
			_, err := shared.ParseFS(fsys, p)
			return err
		}
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]*pageTemplate{}
	for _, p := range pages {
		t, err := shared.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(fsys, p); err != nil {
			return nil, err
		}
		if t.Lookup("layout") == nil || t.Lookup("content") == nil {
			return nil, fmt.Errorf("%s: needs the layout and a content block", p)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		out[name] = &pageTemplate{Template: t, partial: t.Lookup("partial") != nil}
	}
	return out, nil
}

// render writes page name with status: the partial alone for htmx,
// otherwise the whole page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	pt, ok := s.pages[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "no such template", "template", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	which := "layout"
	if isHTMX(r) && pt.partial {
		which = "partial"
	}
	var buf bytes.Buffer
	if err := pt.ExecuteTemplate(&buf, which, v); err != nil {
		s.log.ErrorContext(r.Context(), "render", "template", name, "err", err, "request_id", ajudae.RequestIDFrom(r.Context()))
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "HX-Request, Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderError shows a page that says what went wrong.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, v *view, status int, msg string) {
	v.Title = v.T("error.title")
	if status == http.StatusNotFound {
		v.Title = v.T("error.notfound.title")
	}
	v.Error = msg
	s.render(w, r, status, "error", v)
}

// statusOf is the HTTP status of err, from the program's one table.
func statusOf(err error) int { return problem.Status(err) }

// errorText returns what to tell the user about err, in its language. A
// 5xx is logged here, once, without showing its internals.
func (s *Server) errorText(v *view, err error) string {
	if errors.Is(err, context.Canceled) {
		// The browser went away (a page left while it loaded): no failure.
		s.log.Debug("ui request canceled", "err", err)
		return v.T("error.internal")
	}
	switch ajudae.ErrorCode(err) {
	case ajudae.EINTERNAL:
		s.log.Error("ui request failed", "err", err)
		return v.T("error.internal")
	case ajudae.EUNAVAILABLE:
		s.log.Warn("database unavailable", "err", err)
		return v.T("error.unavailable")
	}
	return translateServer(v.Lang, ajudae.ErrorMessage(err))
}

// formError shows page again with status of err: field problems next to
// their fields, anything else as a message at the top.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, v *view, page string, err error) {
	v.setError(s, err)
	if e, ok := errors.AsType[*ajudae.Error](err); ok && e.Code == ajudae.ETHROTTLED && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(e.RetryAfter.Seconds())))
	}
	s.render(w, r, statusOf(err), page, v)
}

// setError fills the view's messages from err.
func (v *view) setError(s *Server, err error) {
	e, ok := errors.AsType[*ajudae.Error](err)
	if ok && len(e.Fields) > 0 {
		v.Fields = map[string]string{}
		for _, f := range e.Fields {
			v.Fields[f.Field] = translateServer(v.Lang, f.Message)
		}
		v.Error = v.T("error.fields")
		return
	}
	v.Error = s.errorText(v, err)
}

// formValues keeps the submitted values of names, to show them again.
func formValues(r *http.Request, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		out.Set(n, r.PostFormValue(n))
	}
	return out
}

func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		out = append(out, []rune(w)[0])
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return strings.ToUpper(string(out))
}
