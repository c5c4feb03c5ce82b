package ajudae

import (
	"encoding/json"
	"time"
)

// EventType names one kind of entry of a ticket's timeline.
type EventType string

// Event types of API.md, plus edited for changes of title or description.
const (
	EventCreated         EventType = "created"
	EventStatusChanged   EventType = "status_changed"
	EventPriorityChanged EventType = "priority_changed"
	EventAssigned        EventType = "assigned"
	EventRedirected      EventType = "redirected"
	EventMessageAdded    EventType = "message_added"
	EventReopened        EventType = "reopened"
	EventEdited          EventType = "edited"
)

// Event is one entry of a ticket's timeline. Data depends on Type:
// status_changed and priority_changed {from,to}; assigned {from,to} (each
// {id,name} or null); redirected {fromTeam,toTeam,reason}; message_added
// {messageId,isInternal}; edited {fields}; created and reopened {}.
type Event struct {
	ID        int64           `json:"id"`
	Type      EventType       `json:"type"`
	Actor     *Ref            `json:"actor"`
	CreatedAt time.Time       `json:"createdAt"`
	Data      json.RawMessage `json:"data"`
	TicketID  int64           `json:"-"`
	Internal  bool            `json:"-"` // about an internal note
}

// Change is the data of a status or priority change.
type Change[T any] struct {
	From T `json:"from"`
	To   T `json:"to"`
}

// RedirectData is the data of a redirected event.
type RedirectData struct {
	FromTeam Ref    `json:"fromTeam"`
	ToTeam   Ref    `json:"toTeam"`
	Reason   string `json:"reason"`
}

// MessageData is the data of a message_added event.
type MessageData struct {
	MessageID  int64 `json:"messageId"`
	IsInternal bool  `json:"isInternal"`
}

// EditData is the data of an edited event.
type EditData struct {
	Fields []string `json:"fields"`
}
