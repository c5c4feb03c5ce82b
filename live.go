package ajudae

// TicketChange is a committed timeline event as live updates carry it: the event
// and what deciding its audience needs (see CanSeeChange).
type TicketChange struct {
	Event
	TeamID     int64 // the ticket's team after the event
	FromTeamID int64 // of a redirect, the team the ticket left; 0 otherwise
	CreatedBy  int64 // the ticket's requester
}

// LiveType is the Server-Sent Events name of a change: ticket.created,
// ticket.redirected, message.added, or ticket.updated for the rest.
func (c *TicketChange) LiveType() string {
	switch c.Type {
	case EventCreated:
		return "ticket.created"
	case EventRedirected:
		return "ticket.redirected"
	case EventMessageAdded:
		return "message.added"
	}
	return "ticket.updated"
}
