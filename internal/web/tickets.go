package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ajudae/ajudae"
)

// listPage is the data of /tickets.
type listPage struct {
	Items    []ajudae.Ticket
	Stats    *ajudae.Stats
	Teams    []ajudae.Team
	Filter   url.Values // the filters in force, to fill the form
	Filtered bool       // any filter or search applied
	NextURL  string     // the next page, "" on the last
	FirstURL string     // the first page, when not on it
	Self     string     // this list's URL, for live refreshes
}

// StatusURL returns the list filtered on status s ("" for all), keeping
// the other filters.
func (p *listPage) StatusURL(s string) string {
	q := cloneValues(p.Filter)
	q.Del("cursor")
	q.Del("status")
	if s != "" {
		q.Set("status", s)
	}
	return listURL(q)
}

// Count returns the number of visible tickets with status s.
func (p *listPage) Count(s ajudae.Status) int { return p.Stats.ByStatus[s] }

func listURL(q url.Values) string {
	for k, v := range q {
		if len(v) == 0 || v[0] == "" {
			q.Del(k)
		}
	}
	if len(q) == 0 {
		return "/tickets"
	}
	return "/tickets?" + q.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// listFilter reads the query of /tickets, naming every bad value.
func listFilter(a *ajudae.Actor, q url.Values) (ajudae.TicketFilter, url.Values, error) {
	kept := url.Values{}
	f := ajudae.TicketFilter{Q: strings.TrimSpace(q.Get("q")), Page: ajudae.Page{Limit: 20, Cursor: q.Get("cursor")}}
	var p ajudae.Problems
	for _, v := range q["status"] {
		if v == "" {
			continue
		}
		st := ajudae.Status(v)
		if !st.Valid() {
			p.Add("status", "must be one of Aberto, Em_andamento, Fechado", v)
			continue
		}
		f.Status = append(f.Status, st)
		kept.Add("status", v)
	}
	if v := q.Get("priority"); v != "" {
		pr := ajudae.Priority(v)
		if !pr.Valid() {
			p.Add("priority", "must be one of Baixa, Média, Alta", v)
		}
		f.Priority = &pr
		kept.Set("priority", v)
	}
	if v := q.Get("teamId"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			p.Add("teamId", "must be the id of a team", v)
		}
		f.TeamID = &id
		kept.Set("teamId", v)
	}
	switch v := q.Get("assignedTo"); v {
	case "":
	case "me":
		f.AssignedToID = &a.UserID
		kept.Set("assignedTo", v)
	case "none":
		f.Unassigned = true
		kept.Set("assignedTo", v)
	default:
		p.Add("assignedTo", "must be me, none or a user id", v)
	}
	if len(f.Q) > 200 {
		p.Add("q", "must be at most 200 characters long", f.Q)
	}
	kept.Set("q", f.Q)
	sort, err := ajudae.ParseTicketSort(q.Get("sort"))
	if err != nil {
		p.Add("sort", "must be one of createdAt, updatedAt, priority, optionally prefixed by -", q.Get("sort"))
	}
	f.Sort = sort
	kept.Set("sort", q.Get("sort"))
	return f, kept, p.Err()
}

func (s *Server) handleTicketList(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, a := r.Context(), v.Actor
	v.Title = v.T("tickets.title")
	f, kept, ferr := listFilter(a, r.URL.Query())
	self := cloneValues(kept)
	self.Set("cursor", f.Page.Cursor)
	d := &listPage{Filter: kept, Self: listURL(self)}
	if isHTMX(r) && !liveRefresh(r) {
		// Without the empty filters. A live refresh stays where it is:
		// htmx would push a history entry for each.
		w.Header().Set("HX-Push-Url", d.Self)
	}
	v.D = d
	d.Filtered = len(f.Status) > 0 || f.Priority != nil || f.TeamID != nil || f.AssignedToID != nil || f.Unassigned || f.Q != ""
	s.liveAfter(r, v)
	var err error
	if d.Stats, err = s.store.Stats(ctx, a); err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	if d.Teams, err = s.allTeams(r.Context()); err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	if ferr != nil {
		s.formError(w, r, v, "tickets/list", ferr)
		return
	}
	l, err := s.store.FindTickets(ctx, a, f)
	if err != nil {
		s.formError(w, r, v, "tickets/list", err)
		return
	}
	d.Items = l.Items
	if l.NextCursor != nil {
		q := cloneValues(kept)
		q.Set("cursor", *l.NextCursor)
		d.NextURL = listURL(q)
	}
	if f.Page.Cursor != "" {
		d.FirstURL = listURL(cloneValues(kept))
	}
	s.render(w, r, http.StatusOK, "tickets/list", v)
}

// newPage is the data of /tickets/new.
type newPage struct {
	Teams      []ajudae.Team
	Priorities []ajudae.Priority
}

func (s *Server) handleTicketNewForm(w http.ResponseWriter, r *http.Request, v *view) {
	v.Form.Set("priority", string(ajudae.PriorityMedium))
	v.Form.Set("teamId", r.URL.Query().Get("teamId"))
	s.showNewForm(w, r, v, http.StatusOK)
}

func (s *Server) showNewForm(w http.ResponseWriter, r *http.Request, v *view, status int) {
	v.Title = v.T("new.title")
	teams, err := s.allTeams(r.Context())
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	if v.Form.Get("idempotencyKey") == "" {
		// A double submit of the same form opens one ticket.
		b := make([]byte, 16)
		rand.Read(b)
		v.Form.Set("idempotencyKey", base64.RawURLEncoding.EncodeToString(b))
	}
	v.D = &newPage{Teams: teams, Priorities: ajudae.Priorities()}
	s.render(w, r, status, "tickets/new", v)
}

func (s *Server) handleTicketCreate(w http.ResponseWriter, r *http.Request, v *view) {
	v.Form = formValues(r, "title", "description", "teamId", "priority", "idempotencyKey")
	nt := ajudae.NewTicket{
		Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Priority: ajudae.Priority(r.PostFormValue("priority")), IdempotencyKey: r.PostFormValue("idempotencyKey"),
	}
	if raw := r.PostFormValue("teamId"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			var p ajudae.Problems
			p.Add("teamId", "must be the id of a team", raw)
			v.setError(s, p.Err())
			s.showNewForm(w, r, v, http.StatusUnprocessableEntity)
			return
		}
		nt.TeamID = id
	}
	t, _, err := s.store.CreateTicket(r.Context(), v.Actor, nt)
	if err != nil {
		v.setError(s, err)
		s.showNewForm(w, r, v, statusOf(err))
		return
	}
	s.redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10)+"?notice=created")
}

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// Statuses and Priorities are the choices of the filters.
func (p *listPage) Statuses() []ajudae.Status     { return ajudae.Statuses() }
func (p *listPage) Priorities() []ajudae.Priority { return ajudae.Priorities() }
