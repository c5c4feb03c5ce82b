package ajudae

// Notice is a committed change that calls for e-mail, with the people to
// tell (see the rules of Notify in internal/sqlstore: the team on a new or
// redirected ticket, the requester on a staff reply or a status change;
// never the actor, never a removed user).
type Notice struct {
	Change  TicketChange
	Title   string      // the ticket's title
	Team    string      // the ticket's team after the change
	Message string      // the reply, for message_added
	To      []Recipient // who gets the mail
}

// Recipient is someone a notice is mailed to.
type Recipient struct {
	ID    int64
	Name  string
	Email string
}
