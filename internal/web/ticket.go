package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/ajudae/ajudae"
)

// ticketPage is the data of /tickets/{id}. Every Can… field comes from the
// domain's policy, so a control is rendered only for whom may use it.
type ticketPage struct {
	T             *ajudae.Ticket
	Timeline      []entry
	Staff         bool            // may write internal notes
	StatusOptions []ajudae.Status // statuses the actor may move the ticket to
	CanPriority   bool
	CanAssign     bool // any member (team admin, ADMIN)
	Members       []ajudae.Member
	CanTake       bool // assign to itself
	CanRelease    bool // unassign itself
	CanRedirect   bool
	Teams         []ajudae.Team // where it may be redirected
	ReplyReopens  bool          // a reply by the actor reopens it
	CanEdit       bool          // title and description
}

// Priorities returns every priority, for the priority control.
func (p *ticketPage) Priorities() []ajudae.Priority { return ajudae.Priorities() }

// IsCreatorOnly reports whether the actor sees the ticket only as its
// requester: it closes and reopens with buttons, not a select.
func (p *ticketPage) IsCreatorOnly() bool { return !p.Staff }

// entry is one line of the conversation and timeline, oldest first.
type entry struct {
	Message *ajudae.Message
	Event   *ajudae.Event
	Text    string // what the event says
	Reason  string // of a redirect
}

func (s *Server) loadTicket(ctx context.Context, v *view, id int64) (*ticketPage, error) {
	a := v.Actor
	t, err := s.store.FindTicket(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := &ticketPage{T: t, Staff: ajudae.IsTicketStaff(a, t), ReplyReopens: ajudae.ReplyReopens(a, t, false)}
	for _, st := range ajudae.Statuses() {
		if allowed(a, t, ajudae.TicketUpdate{Status: &st}) {
			p.StatusOptions = append(p.StatusOptions, st)
		}
	}
	for _, pr := range ajudae.Priorities() {
		if allowed(a, t, ajudae.TicketUpdate{Priority: &pr}) {
			p.CanPriority = true
		}
	}
	edit := t.Title + " "
	p.CanEdit = allowed(a, t, ajudae.TicketUpdate{Title: &edit})
	p.CanAssign = ajudae.CanManageTicket(a, t)
	if p.CanAssign {
		if p.Members, err = s.members(ctx, a, t.Team.ID); err != nil {
			return nil, err
		}
	} else if a.MemberOf(t.Team.ID) {
		me := a.UserID
		p.CanTake = (t.AssignedTo == nil || t.AssignedTo.ID != me) && allowed(a, t, ajudae.TicketUpdate{AssignedTo: true, AssignedToID: &me})
		p.CanRelease = t.AssignedTo != nil && t.AssignedTo.ID == me && allowed(a, t, ajudae.TicketUpdate{AssignedTo: true})
	}
	if ajudae.CanRedirectTicket(a, t) == nil {
		p.CanRedirect = true
		teams, err := s.allTeams(ctx)
		if err != nil {
			return nil, err
		}
		for _, tm := range teams {
			if tm.ID != t.Team.ID {
				p.Teams = append(p.Teams, tm)
			}
		}
	}
	if p.Timeline, err = s.timeline(ctx, v, t); err != nil {
		return nil, err
	}
	return p, nil
}

// allowed asks the policy whether a may apply u (a change of t) to t.
func allowed(a *ajudae.Actor, t *ajudae.Ticket, u ajudae.TicketUpdate) bool {
	e := u.Effective(t)
	if e.Empty() {
		return false
	}
	return ajudae.CheckTicketUpdate(a, t, &e) == nil
}

func (s *Server) members(ctx context.Context, a *ajudae.Actor, team int64) ([]ajudae.Member, error) {
	var out []ajudae.Member
	page := ajudae.Page{Limit: ajudae.MaxPageLimit}
	for range 100 {
		l, err := s.store.FindMembers(ctx, a, team, page)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == nil {
			break
		}
		page.Cursor = *l.NextCursor
	}
	return out, nil
}

// allTeams returns every team, walking the pages.
func (s *Server) allTeams(ctx context.Context) ([]ajudae.Team, error) {
	var out []ajudae.Team
	page := ajudae.Page{Limit: ajudae.MaxPageLimit}
	for range 100 {
		l, err := s.store.FindTeams(ctx, page)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == nil {
			break
		}
		page.Cursor = *l.NextCursor
	}
	return out, nil
}

// timeline merges the conversation the actor may see with the events of
// the ticket, oldest first. A message_added event is its message.
func (s *Server) timeline(ctx context.Context, v *view, t *ajudae.Ticket) ([]entry, error) {
	var out []entry
	page := ajudae.Page{Limit: ajudae.MaxPageLimit}
	for range 100 {
		l, err := s.store.FindMessages(ctx, v.Actor, t.ID, page)
		if err != nil {
			return nil, err
		}
		for i := range l.Items {
			out = append(out, entry{Message: &l.Items[i]})
		}
		if l.NextCursor == nil {
			break
		}
		page.Cursor = *l.NextCursor
	}
	page = ajudae.Page{Limit: ajudae.MaxPageLimit}
	for range 100 {
		l, err := s.store.FindEvents(ctx, v.Actor, t.ID, page)
		if err != nil {
			return nil, err
		}
		for i := range l.Items {
			e := &l.Items[i]
			if e.Type == ajudae.EventMessageAdded || e.Type == ajudae.EventCreated {
				// Shown as the message itself, or as the ticket's first card.
				continue
			}
			text, reason := eventText(v, e)
			out = append(out, entry{Event: e, Text: text, Reason: reason})
		}
		if l.NextCursor == nil {
			break
		}
		page.Cursor = *l.NextCursor
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at().Before(out[j].at()) })
	return out, nil
}

func (e entry) at() time.Time {
	if e.Message != nil {
		return e.Message.CreatedAt
	}
	return e.Event.CreatedAt
}

// eventText says what an event of the timeline did, in the view's language.
func eventText(v *view, e *ajudae.Event) (text, reason string) {
	who := v.T("event.system")
	if e.Actor != nil {
		who = e.Actor.Name
	}
	ref := func(r *ajudae.Ref) string {
		if r == nil {
			return v.T("ticket.nobody")
		}
		return r.Name
	}
	switch e.Type {
	case ajudae.EventCreated:
		return v.T("event.created", who), ""
	case ajudae.EventReopened:
		return v.T("event.reopened", who), ""
	case ajudae.EventEdited:
		return v.T("event.edited", who), ""
	case ajudae.EventStatusChanged:
		var c ajudae.Change[ajudae.Status]
		json.Unmarshal(e.Data, &c)
		return v.T("event.status", who, v.StatusLabel(c.From), v.StatusLabel(c.To)), ""
	case ajudae.EventPriorityChanged:
		var c ajudae.Change[ajudae.Priority]
		json.Unmarshal(e.Data, &c)
		return v.T("event.priority", who, v.PriorityLabel(c.From), v.PriorityLabel(c.To)), ""
	case ajudae.EventAssigned:
		var c ajudae.Change[*ajudae.Ref]
		json.Unmarshal(e.Data, &c)
		switch {
		case c.To == nil:
			return v.T("event.unassigned", who, ref(c.From)), ""
		case e.Actor != nil && c.To.ID == e.Actor.ID:
			return v.T("event.took", who), ""
		}
		return v.T("event.assigned", who, ref(c.To)), ""
	case ajudae.EventRedirected:
		var d ajudae.RedirectData
		json.Unmarshal(e.Data, &d)
		return v.T("event.redirected", who, d.FromTeam.Name, d.ToTeam.Name), d.Reason
	}
	return string(e.Type), ""
}

func (s *Server) handleTicketShow(w http.ResponseWriter, r *http.Request, v *view) {
	s.showTicket(w, r, v, http.StatusOK)
}

// showTicket renders the ticket page (the #ticket part for htmx) with
// status; a ticket the actor no longer sees is a 404 page.
func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, v *view, status int) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.ticket.notfound"))
		return
	}
	s.liveAfter(r, v)
	d, err := s.loadTicket(r.Context(), v, id)
	if ajudae.ErrorCode(err) == ajudae.ENOTFOUND && isHTMX(r) {
		// A live refresh of a ticket that just left the actor's sight.
		s.redirect(w, r, "/tickets?notice=gone")
		return
	}
	if ajudae.ErrorCode(err) == ajudae.ENOTFOUND {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.ticket.notfound"))
		return
	}
	if err != nil {
		s.renderError(w, r, v, statusOf(err), s.errorText(v, err))
		return
	}
	v.Title = "#" + strconv.FormatInt(d.T.ID, 10) + " " + d.T.Title
	v.D = d
	s.render(w, r, status, "tickets/show", v)
}

// afterChange shows the ticket after a change with a notice, or goes back
// to the list when the actor lost sight of it.
func (s *Server) afterChange(w http.ResponseWriter, r *http.Request, v *view, id int64, notice string) {
	if _, err := s.store.FindTicket(r.Context(), v.Actor, id); ajudae.ErrorCode(err) == ajudae.ENOTFOUND {
		s.redirect(w, r, "/tickets?notice=moved")
		return
	}
	if isHTMX(r) {
		v.Notice = v.T("notice." + notice)
		s.showTicket(w, r, v, http.StatusOK)
		return
	}
	s.redirect(w, r, "/tickets/"+strconv.FormatInt(id, 10)+"?notice="+notice)
}

// failChange shows the ticket again with what went wrong, keeping what
// the user typed; a ticket out of sight sends the user back to the list.
func (s *Server) failChange(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if ajudae.ErrorCode(err) == ajudae.ENOTFOUND {
		s.redirect(w, r, "/tickets?notice=gone")
		return
	}
	v.setError(s, err)
	s.showTicket(w, r, v, statusOf(err))
}

// handleTicketUpdate applies the fields present in the form, as PATCH
// /ticket/{id} does; version, when sent, guards against a stale page.
func (s *Server) handleTicketUpdate(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.ticket.notfound"))
		return
	}
	r.ParseForm()
	var (
		u ajudae.TicketUpdate
		p ajudae.Problems
	)
	if f, ok := r.PostForm["title"]; ok {
		u.Title = &f[0]
	}
	if f, ok := r.PostForm["description"]; ok {
		u.Description = &f[0]
	}
	if u.Title != nil || u.Description != nil {
		v.Form = formValues(r, "title", "description")
	}
	if f, ok := r.PostForm["status"]; ok {
		st := ajudae.Status(f[0])
		u.Status = &st
	}
	if f, ok := r.PostForm["priority"]; ok {
		pr := ajudae.Priority(f[0])
		u.Priority = &pr
	}
	if f, ok := r.PostForm["assignedToId"]; ok {
		u.AssignedTo = true
		if f[0] != "" {
			uid, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				p.Add("assignedToId", "must be the id of a member of the ticket's team, or null", f[0])
			}
			u.AssignedToID = &uid
		}
	}
	if f, ok := r.PostForm["version"]; ok && f[0] != "" {
		ver, err := strconv.Atoi(f[0])
		if err != nil {
			ver = -1
		}
		u.IfMatch = &ver
	}
	if err := p.Err(); err != nil {
		s.failChange(w, r, v, err)
		return
	}
	if _, err := s.store.UpdateTicket(r.Context(), v.Actor, id, u); err != nil {
		s.failChange(w, r, v, err)
		return
	}
	s.afterChange(w, r, v, id, "updated")
}

func (s *Server) handleTicketReply(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.ticket.notfound"))
		return
	}
	v.Form = formValues(r, "message", "isInternal")
	nm := ajudae.NewMessage{Message: r.PostFormValue("message"), IsInternal: checked(r.PostFormValue("isInternal"))}
	if _, err := s.store.CreateMessage(r.Context(), v.Actor, id, nm); err != nil {
		s.failChange(w, r, v, err)
		return
	}
	v.Form = nil
	notice := "replied"
	if nm.IsInternal {
		notice = "noted"
	}
	s.afterChange(w, r, v, id, notice)
}

func (s *Server) handleTicketRedirect(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := pathID(r, "id")
	if !ok {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.ticket.notfound"))
		return
	}
	v.Form = formValues(r, "teamId", "reason")
	rd := ajudae.Redirect{Reason: r.PostFormValue("reason")}
	if raw := r.PostFormValue("teamId"); raw != "" {
		tid, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			tid = -1
		}
		rd.TeamID = tid
	}
	if _, err := s.store.RedirectTicket(r.Context(), v.Actor, id, rd); err != nil {
		s.failChange(w, r, v, err)
		return
	}
	v.Form = nil
	s.afterChange(w, r, v, id, "redirected")
}

// checked reads a checkbox: present with on, true or 1.
func checked(v string) bool { return v == "on" || v == "true" || v == "1" }
