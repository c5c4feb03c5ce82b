package ajudae

import (
	"fmt"
	"strings"
	"time"
)

// Status is where a ticket is in its life.
type Status string

// Statuses of API.md.
const (
	StatusOpen       Status = "Aberto"
	StatusInProgress Status = "Em_andamento"
	StatusClosed     Status = "Fechado"
)

// Statuses returns every status in their natural order.
func Statuses() []Status { return []Status{StatusOpen, StatusInProgress, StatusClosed} }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	return s == StatusOpen || s == StatusInProgress || s == StatusClosed
}

// Priority is how urgent a ticket is. It sorts by meaning: Baixa < Média < Alta.
type Priority string

// Priorities of API.md.
const (
	PriorityLow    Priority = "Baixa"
	PriorityMedium Priority = "Média"
	PriorityHigh   Priority = "Alta"
)

// Priorities returns every priority from the lowest.
func Priorities() []Priority { return []Priority{PriorityLow, PriorityMedium, PriorityHigh} }

// Rank returns 1, 2 or 3 for a valid priority (the stored form) and 0 otherwise.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 1
	case PriorityMedium:
		return 2
	case PriorityHigh:
		return 3
	}
	return 0
}

// PriorityOfRank is the inverse of Rank.
func PriorityOfRank(r int) Priority {
	if r < 1 || r > 3 {
		return ""
	}
	return Priorities()[r-1]
}

// Valid reports whether p is one of the priorities.
func (p Priority) Valid() bool { return p.Rank() != 0 }

// Ticket is a request for help addressed to one team.
type Ticket struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Status      Status     `json:"status"`
	Priority    Priority   `json:"priority"`
	Team        Ref        `json:"team"`
	CreatedBy   Ref        `json:"createdBy"`
	AssignedTo  *Ref       `json:"assignedTo"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	ClosedAt    *time.Time `json:"closedAt"`
	Version     int        `json:"version"`
}

// NewTicket is the input of opening a ticket.
type NewTicket struct {
	Title          string
	Description    string
	TeamID         int64
	Priority       Priority // "" means Média
	IdempotencyKey string
}

// MaxIdempotencyKeyLen bounds the Idempotency-Key header.
const MaxIdempotencyKeyLen = 200

// Validate fills the default priority and returns EINVALID listing every bad field.
func (t *NewTicket) Validate() error {
	if t.Priority == "" {
		t.Priority = PriorityMedium
	}
	var p Problems
	p.checkText("title", t.Title, MinTitleLen, MaxTitleLen)
	p.checkText("description", t.Description, 1, MaxDescriptionLen)
	if t.TeamID <= 0 {
		p.Add("teamId", "must be the id of a team", t.TeamID)
	}
	if !t.Priority.Valid() {
		p.Add("priority", "must be one of Baixa, Média, Alta", string(t.Priority))
	}
	if len(t.IdempotencyKey) > MaxIdempotencyKeyLen || strings.ContainsRune(t.IdempotencyKey, 0) {
		p = append(p, FieldError{Field: "Idempotency-Key", In: "header", Value: t.IdempotencyKey,
			Message: fmt.Sprintf("must be at most %d characters, without NUL", MaxIdempotencyKeyLen)})
	}
	return p.Err()
}

// TicketUpdate is the input of PATCH /ticket/{id}; nil fields are left alone.
// AssignedTo set with AssignedToID nil unassigns.
type TicketUpdate struct {
	Title        *string
	Description  *string
	Status       *Status
	Priority     *Priority
	AssignedTo   bool   // assignedToId was present
	AssignedToID *int64 // its value; nil unassigns
	IfMatch      *int   // the version the caller last saw
}

// Validate returns EINVALID listing every bad field.
func (u *TicketUpdate) Validate() error {
	var p Problems
	if u.Title != nil {
		p.checkText("title", *u.Title, MinTitleLen, MaxTitleLen)
	}
	if u.Description != nil {
		p.checkText("description", *u.Description, 1, MaxDescriptionLen)
	}
	if u.Status != nil && !u.Status.Valid() {
		p.Add("status", "must be one of Aberto, Em_andamento, Fechado", string(*u.Status))
	}
	if u.Priority != nil && !u.Priority.Valid() {
		p.Add("priority", "must be one of Baixa, Média, Alta", string(*u.Priority))
	}
	if u.AssignedToID != nil && *u.AssignedToID <= 0 {
		p.Add("assignedToId", "must be the id of a member of the ticket's team, or null", *u.AssignedToID)
	}
	return p.Err()
}

// Empty reports whether u asks for no change at all.
func (u *TicketUpdate) Empty() bool {
	return u.Title == nil && u.Description == nil && u.Status == nil && u.Priority == nil && !u.AssignedTo
}

// Redirect is the input of moving a ticket to another team.
type Redirect struct {
	TeamID int64
	Reason string
}

// Validate returns EINVALID listing every bad field.
func (r *Redirect) Validate() error {
	var p Problems
	if r.TeamID <= 0 {
		p.Add("teamId", "must be the id of a team", r.TeamID)
	}
	p.checkText("reason", r.Reason, 0, MaxReasonLen)
	return p.Err()
}

// TicketSort is the order of a ticket list: a field, descending when prefixed by "-".
type TicketSort string

// ParseTicketSort returns EINVALID for an unknown sort; "" is -createdAt.
func ParseTicketSort(s string) (TicketSort, error) {
	switch s {
	case "":
		return "-createdAt", nil
	case "createdAt", "-createdAt", "updatedAt", "-updatedAt", "priority", "-priority":
		return TicketSort(s), nil
	}
	var p Problems
	p.Add("sort", "must be one of createdAt, updatedAt, priority, optionally prefixed by -", s)
	return "", p.Err()
}

// Field returns the sort field without its direction.
func (s TicketSort) Field() string { return strings.TrimPrefix(string(s), "-") }

// Desc reports whether s sorts in descending order.
func (s TicketSort) Desc() bool { return strings.HasPrefix(string(s), "-") }

// TicketFilter selects the visible tickets of GET /ticket.
type TicketFilter struct {
	Status       []Status
	Priority     *Priority
	TeamID       *int64
	Unassigned   bool   // assignedTo=none
	AssignedToID *int64 // assignedTo=me or an id
	CreatedByID  *int64
	Q            string
	Sort         TicketSort
	Page         Page
}

// Stats counts the visible tickets.
type Stats struct {
	Total      int              `json:"total"`
	ByStatus   map[Status]int   `json:"byStatus"`
	ByPriority map[Priority]int `json:"byPriority"`
	ByTeam     []TeamCount      `json:"byTeam"`
}

// TeamCount is the number of visible tickets of one team.
type TeamCount struct {
	Team  Ref `json:"team"`
	Count int `json:"count"`
}
