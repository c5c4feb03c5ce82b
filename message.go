package ajudae

import "time"

// Message is one entry of a ticket's conversation: a public reply or,
// when IsInternal, a note only the team's staff and the general admin see.
type Message struct {
	ID         int64     `json:"id"`
	TicketID   int64     `json:"ticketId"`
	Author     Ref       `json:"author"`
	Message    string    `json:"message"`
	IsInternal bool      `json:"isInternal"`
	CreatedAt  time.Time `json:"createdAt"`
}

// NewMessage is the input of posting to a ticket.
type NewMessage struct {
	Message    string
	IsInternal bool
}

// Validate returns EINVALID listing every bad field.
func (m *NewMessage) Validate() error {
	var p Problems
	p.checkText("message", m.Message, 1, MaxMessageLen)
	return p.Err()
}
