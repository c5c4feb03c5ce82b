package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
)

type ticketOutput struct {
	ETag string `header:"ETag" doc:"The ticket's version, quoted."`
	Body *ajudae.Ticket
}

func ticketResponse(t *ajudae.Ticket) *ticketOutput {
	return &ticketOutput{ETag: etag(t.Version), Body: t}
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

type ticketCreatedOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *ajudae.Ticket
}

type ticketsOutput struct {
	Body *ajudae.List[ajudae.Ticket]
}

type ticketCreateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"A retry with the same key by the same user within 24 h creates nothing and answers as the first time."`
	Body           struct {
		Title       string `json:"title" minLength:"3" maxLength:"200" example:"Não consigo acessar a aplicação"`
		Description string `json:"description" minLength:"1" maxLength:"20000" example:"Desde ontem a tela de login mostra erro 500."`
		TeamID      int64  `json:"teamId" example:"2"`
		Priority    string `json:"priority,omitempty" enum:"Baixa,Média,Alta" doc:"Default Média."`
	}
}

type ticketListInput struct {
	PageParams
	Status     []string `query:"status,explode" doc:"Aberto, Em_andamento or Fechado; repeat for several."`
	Priority   string   `query:"priority" doc:"Baixa, Média or Alta."`
	TeamID     int64    `query:"teamId" minimum:"1"`
	AssignedTo string   `query:"assignedTo" maxLength:"20" doc:"me, none or a user id."`
	CreatedBy  string   `query:"createdBy" maxLength:"20" doc:"me or a user id."`
	Q          string   `query:"q" maxLength:"200" doc:"Full text over title, description and the messages the caller sees; accents and case ignored."`
	Sort       string   `query:"sort" doc:"createdAt, updatedAt or priority; prefix - for descending. Default -createdAt."`
}

// nullableID is a JSON integer that may be null, remembering whether it was
// present at all: PATCH distinguishes "assignedToId": null from no field.
type nullableID struct {
	Set   bool
	Value *int64
}

func (n *nullableID) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var v int64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// Schema describes nullableID in the OpenAPI document.
func (nullableID) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: "integer", Nullable: true, Format: "int64",
		Description: "A member of the ticket's team, or null to unassign.", Examples: []any{7}}
}

type ticketPatchInput struct {
	IDPath
	IfMatch string `header:"If-Match" maxLength:"50" doc:"The ETag (or bare version) last seen; a stale one gets 412."`
	Body    struct {
		Title        *string    `json:"title,omitempty" minLength:"3" maxLength:"200"`
		Description  *string    `json:"description,omitempty" minLength:"1" maxLength:"20000"`
		Status       *string    `json:"status,omitempty" example:"Em_andamento" doc:"Aberto, Em_andamento or Fechado."`
		Priority     *string    `json:"priority,omitempty" example:"Alta" doc:"Baixa, Média or Alta."`
		AssignedToID nullableID `json:"assignedToId,omitzero" required:"false"`
	}
}

type redirectInput struct {
	IDPath
	Body struct {
		TeamID int64  `json:"teamId" example:"3"`
		Reason string `json:"reason,omitempty" maxLength:"500" example:"Assunto de cobrança"`
	}
}

type messagesInput struct {
	IDPath
	PageParams
}

type messagesOutput struct {
	Body *ajudae.List[ajudae.Message]
}

type messageCreateInput struct {
	IDPath
	Body struct {
		Message    string `json:"message" minLength:"1" maxLength:"20000" example:"Pode tentar limpar o cache?"`
		IsInternal bool   `json:"isInternal,omitempty" doc:"An internal note, seen only by the ticket's team and ADMIN."`
	}
}

type messageOutput struct {
	Body *ajudae.Message
}

type eventsOutput struct {
	Body *ajudae.List[ajudae.Event]
}

type statsOutput struct {
	Body *ajudae.Stats
}

func (s *Server) registerTickets(a huma.API) {
	huma.Register(a, operation("createTicket", http.MethodPost, "/ticket", "Ticket",
		"Open a ticket", http.StatusCreated, http.StatusUnprocessableEntity), s.handleTicketCreate)
	huma.Register(a, operation("listTickets", http.MethodGet, "/ticket", "Ticket",
		"List the visible tickets", http.StatusOK, http.StatusUnprocessableEntity), s.handleTicketList)
	huma.Register(a, operation("ticketStats", http.MethodGet, "/ticket/stats", "Ticket",
		"Count the visible tickets by status, priority and team", http.StatusOK), s.handleTicketStats)
	huma.Register(a, operation("getTicket", http.MethodGet, "/ticket/{id}", "Ticket",
		"One ticket; the ETag carries its version", http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleTicketGet)
	op := operation("updateTicket", http.MethodPatch, "/ticket/{id}", "Ticket",
		"Change a ticket", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed, http.StatusUnprocessableEntity)
	op.Description = "The creator: title and description while Aberto; status to Fechado or from Fechado to Aberto. " +
		"An ATTENDANT member of the team: status; assignedToId to itself, or null when assigned to itself. " +
		"The team's admin and ADMIN: everything. Each change writes its event and bumps version in one transaction."
	huma.Register(a, op, s.handleTicketPatch)
	huma.Register(a, operation("redirectTicket", http.MethodPost, "/ticket/{id}/redirect", "Ticket",
		"Move a ticket to another team (its team admin, ADMIN)", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), s.handleTicketRedirect)
	huma.Register(a, operation("listMessages", http.MethodGet, "/ticket/{id}/messages", "Ticket",
		"The conversation, oldest first", http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleMessageList)
	huma.Register(a, operation("createMessage", http.MethodPost, "/ticket/{id}/messages", "Ticket",
		"Reply, or write an internal note (staff)", http.StatusCreated, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleMessageCreate)
	huma.Register(a, operation("listEvents", http.MethodGet, "/ticket/{id}/events", "Ticket",
		"The timeline, oldest first", http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleEventList)
}

func (s *Server) handleTicketCreate(ctx context.Context, in *ticketCreateInput) (*ticketCreatedOutput, error) {
	b := in.Body
	t, created, err := s.store.CreateTicket(ctx, ajudae.ActorFrom(ctx), ajudae.NewTicket{
		Title: b.Title, Description: b.Description, TeamID: b.TeamID, Priority: ajudae.Priority(b.Priority), IdempotencyKey: in.IdempotencyKey,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if created && s.created != nil {
		s.created()
	}
	return &ticketCreatedOutput{ETag: etag(t.Version), Location: fmt.Sprintf("/ticket/%d", t.ID), Body: t}, nil
}

func (s *Server) handleTicketList(ctx context.Context, in *ticketListInput) (*ticketsOutput, error) {
	a := ajudae.ActorFrom(ctx)
	f, err := ticketFilter(a, in)
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	l, err := s.store.FindTickets(ctx, a, f)
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &ticketsOutput{Body: l}, nil
}

// ticketFilter parses the query of GET /ticket; every unknown value is
// named in one EINVALID.
func ticketFilter(a *ajudae.Actor, in *ticketListInput) (ajudae.TicketFilter, error) {
	f := ajudae.TicketFilter{Q: in.Q, Page: in.page()}
	var p ajudae.Problems
	for _, s := range in.Status {
		for _, v := range strings.Split(s, ",") {
			st := ajudae.Status(v)
			if !st.Valid() {
				p.Add("status", "must be Aberto, Em_andamento or Fechado", v)
				continue
			}
			f.Status = append(f.Status, st)
		}
	}
	if in.Priority != "" {
		pr := ajudae.Priority(in.Priority)
		if !pr.Valid() {
			p.Add("priority", "must be Baixa, Média or Alta", in.Priority)
		}
		f.Priority = &pr
	}
	if in.TeamID != 0 {
		f.TeamID = &in.TeamID
	}
	switch in.AssignedTo {
	case "":
	case "none":
		f.Unassigned = true
	default:
		if id, ok := userRef(a, in.AssignedTo); ok {
			f.AssignedToID = &id
		} else {
			p.Add("assignedTo", "must be me, none or a user id", in.AssignedTo)
		}
	}
	if in.CreatedBy != "" {
		if id, ok := userRef(a, in.CreatedBy); ok {
			f.CreatedByID = &id
		} else {
			p.Add("createdBy", "must be me or a user id", in.CreatedBy)
		}
	}
	sort, err := ajudae.ParseTicketSort(in.Sort)
	if err != nil {
		p.Add("sort", "must be createdAt, updatedAt or priority, optionally prefixed by -", in.Sort)
	}
	f.Sort = sort
	return f, p.Err()
}

// userRef reads "me" or a positive user id.
func userRef(a *ajudae.Actor, s string) (int64, bool) {
	if s == "me" {
		return a.UserID, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) handleTicketStats(ctx context.Context, _ *struct{}) (*statsOutput, error) {
	st, err := s.store.Stats(ctx, ajudae.ActorFrom(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &statsOutput{Body: st}, nil
}

func (s *Server) handleTicketGet(ctx context.Context, in *IDPath) (*ticketOutput, error) {
	t, err := s.store.FindTicket(ctx, ajudae.ActorFrom(ctx), in.ID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return ticketResponse(t), nil
}

func (s *Server) handleTicketPatch(ctx context.Context, in *ticketPatchInput) (*ticketOutput, error) {
	b := in.Body
	u := ajudae.TicketUpdate{Title: b.Title, Description: b.Description, AssignedTo: b.AssignedToID.Set, AssignedToID: b.AssignedToID.Value}
	if b.Status != nil {
		st := ajudae.Status(*b.Status)
		u.Status = &st
	}
	if b.Priority != nil {
		pr := ajudae.Priority(*b.Priority)
		u.Priority = &pr
	}
	if in.IfMatch != "" && in.IfMatch != "*" {
		v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(in.IfMatch, "W/"), `"`))
		if err != nil {
			v = -1 // matches no version
		}
		u.IfMatch = &v
	}
	t, err := s.store.UpdateTicket(ctx, ajudae.ActorFrom(ctx), in.ID, u)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return ticketResponse(t), nil
}

func (s *Server) handleTicketRedirect(ctx context.Context, in *redirectInput) (*ticketOutput, error) {
	t, err := s.store.RedirectTicket(ctx, ajudae.ActorFrom(ctx), in.ID, ajudae.Redirect{TeamID: in.Body.TeamID, Reason: in.Body.Reason})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return ticketResponse(t), nil
}

func (s *Server) handleMessageList(ctx context.Context, in *messagesInput) (*messagesOutput, error) {
	l, err := s.store.FindMessages(ctx, ajudae.ActorFrom(ctx), in.ID, in.page())
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &messagesOutput{Body: l}, nil
}

func (s *Server) handleMessageCreate(ctx context.Context, in *messageCreateInput) (*messageOutput, error) {
	m, err := s.store.CreateMessage(ctx, ajudae.ActorFrom(ctx), in.ID, ajudae.NewMessage{Message: in.Body.Message, IsInternal: in.Body.IsInternal})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &messageOutput{Body: m}, nil
}

func (s *Server) handleEventList(ctx context.Context, in *messagesInput) (*eventsOutput, error) {
	l, err := s.store.FindEvents(ctx, ajudae.ActorFrom(ctx), in.ID, in.page())
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &eventsOutput{Body: l}, nil
}
