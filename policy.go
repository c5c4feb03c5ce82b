package ajudae

// This file is the policy of API.md: who may see and do what. Every handler
// of the API and of the web UI reaches these functions through the store, so
// a rule holds the same way everywhere. Each function reads like the
// sentence of the contract it implements.

// CanSeeTicket: a ticket is visible to its creator, to the members of its
// current team, and to ADMIN. To anyone else it does not exist.
func CanSeeTicket(a *Actor, t *Ticket) bool {
	return a.IsAdmin() || t.CreatedBy.ID == a.UserID || a.MemberOf(t.Team.ID)
}

// IsTicketStaff: the staff of a ticket are the members of its current team
// and ADMIN. They see internal notes and may write them.
func IsTicketStaff(a *Actor, t *Ticket) bool {
	return a.IsAdmin() || a.MemberOf(t.Team.ID)
}

// CanManageTicket: the admin of the ticket's team and ADMIN may change every
// field and redirect the ticket.
func CanManageTicket(a *Actor, t *Ticket) bool {
	return a.IsAdmin() || a.AdminOf(t.Team.ID)
}

// CanRedirectTicket: the admin of the ticket's current team and ADMIN.
func CanRedirectTicket(a *Actor, t *Ticket) error {
	if !CanManageTicket(a, t) {
		return Errorf(EFORBIDDEN, "Only the administrator of the ticket's team or the general administrator may redirect it.")
	}
	return nil
}

// CanPostMessage: whoever sees the ticket may reply; only its staff may
// write an internal note.
func CanPostMessage(a *Actor, t *Ticket, internal bool) error {
	if internal && !IsTicketStaff(a, t) {
		return Errorf(EFORBIDDEN, "Only the ticket's team and the general administrator may write internal notes.")
	}
	return nil
}

// ReplyReopens: a requester's public reply to a closed ticket reopens it; a
// staff reply never changes the status.
func ReplyReopens(a *Actor, t *Ticket, internal bool) bool {
	return t.Status == StatusClosed && !internal && t.CreatedBy.ID == a.UserID && !IsTicketStaff(a, t)
}

// CheckTicketUpdate says whether a may apply u to t. u must hold only the
// fields that change (see TicketUpdate.Effective). It returns EFORBIDDEN for
// a field a may not change and ECONFLICT when the creator edits a ticket
// that already left Aberto.
//
//   - the creator: title and description while the ticket is Aberto; status
//     to Fechado (close) or from Fechado to Aberto (reopen);
//   - an ATTENDANT member of the team: status; assignedToId to itself, or to
//     null when the ticket is assigned to itself;
//   - the team's admin and ADMIN: everything.
func CheckTicketUpdate(a *Actor, t *Ticket, u *TicketUpdate) error {
	if CanManageTicket(a, t) {
		return nil
	}
	creator := t.CreatedBy.ID == a.UserID
	member := a.MemberOf(t.Team.ID)
	if u.Title != nil || u.Description != nil {
		if !creator {
			return Errorf(EFORBIDDEN, "Only the creator or the team's administrator may edit the title and description.")
		}
		if t.Status != StatusOpen {
			return Errorf(ECONFLICT, "The title and description can only be edited while the ticket is Aberto.")
		}
	}
	if u.Status != nil && !member {
		closing := *u.Status == StatusClosed
		reopening := t.Status == StatusClosed && *u.Status == StatusOpen
		if !creator || !(closing || reopening) {
			return Errorf(EFORBIDDEN, "The creator may only close the ticket or reopen it.")
		}
	}
	if u.Priority != nil {
		return Errorf(EFORBIDDEN, "Only the team's administrator may change the priority.")
	}
	if u.AssignedTo {
		toSelf := u.AssignedToID != nil && *u.AssignedToID == a.UserID
		releaseOwn := u.AssignedToID == nil && t.AssignedTo != nil && t.AssignedTo.ID == a.UserID
		if !member || !(toSelf || releaseOwn) {
			return Errorf(EFORBIDDEN, "An attendant may only take the ticket or release it; the team's administrator assigns it to others.")
		}
	}
	return nil
}

// Effective returns the part of u that changes t: fields equal to the
// current values are dropped, so a no-op is allowed to anyone who sees t.
func (u TicketUpdate) Effective(t *Ticket) TicketUpdate {
	if u.Title != nil && *u.Title == t.Title {
		u.Title = nil
	}
	if u.Description != nil && *u.Description == t.Description {
		u.Description = nil
	}
	if u.Status != nil && *u.Status == t.Status {
		u.Status = nil
	}
	if u.Priority != nil && *u.Priority == t.Priority {
		u.Priority = nil
	}
	if u.AssignedTo {
		same := (u.AssignedToID == nil && t.AssignedTo == nil) ||
			(u.AssignedToID != nil && t.AssignedTo != nil && *u.AssignedToID == t.AssignedTo.ID)
		if same {
			u.AssignedTo, u.AssignedToID = false, nil
		}
	}
	return u
}

// CanManageTeams: only ADMIN creates, renames and deletes teams.
func CanManageTeams(a *Actor) error {
	if !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "Only the general administrator manages teams.")
	}
	return nil
}

// CanSeeMembers: ADMIN and the members of the team.
func CanSeeMembers(a *Actor, team int64) error {
	if !a.IsAdmin() && !a.MemberOf(team) {
		return Errorf(EFORBIDDEN, "Only the team's members and the general administrator see its members.")
	}
	return nil
}

// CanSetMember: ADMIN adds and updates members freely; the team's admin
// only with isAdmin false (absent on add means false).
func CanSetMember(a *Actor, team int64, isAdmin *bool) error {
	if a.IsAdmin() || (a.AdminOf(team) && (isAdmin == nil || !*isAdmin)) {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only the general administrator names a team's administrator; the team's administrator may add members.")
}

// CanRemoveMember: ADMIN; the team's admin for other members (not itself).
func CanRemoveMember(a *Actor, team, user int64) error {
	if a.IsAdmin() || (a.AdminOf(team) && user != a.UserID) {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only the general administrator or the team's administrator (for other members) may remove a member.")
}

// CanListUsers: ADMIN only.
func CanListUsers(a *Actor) error {
	if !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "Only the general administrator lists users.")
	}
	return nil
}

// CanSeeUser: the user itself, ADMIN and any ATTENDANT.
func CanSeeUser(a *Actor, user int64) error {
	if a.UserID == user || a.IsAdmin() || a.Role == RoleAttendant {
		return nil
	}
	return Errorf(EFORBIDDEN, "You may only see your own account.")
}

// CheckUserUpdate: a user changes its own name, e-mail and password (the
// last two with its current password, checked by the store); ADMIN also
// sets the role of others and their passwords. Nobody changes its own role.
func CheckUserUpdate(a *Actor, user int64, u *UserUpdate) error {
	self := a.UserID == user
	if !self && !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "You may only change your own account.")
	}
	if u.Role != nil && self {
		return Errorf(EFORBIDDEN, "You cannot change your own role.")
	}
	if u.Role != nil && !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "Only the general administrator sets roles.")
	}
	if self && (u.Email != nil || u.Password != nil) && u.CurrentPassword == nil {
		var p Problems
		p.Add("currentPassword", "is required to change the e-mail or the password", nil)
		return p.Err()
	}
	return nil
}

// CanDeleteUser and CanTransferAdmin: ADMIN only.
func CanDeleteUser(a *Actor) error {
	if !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "Only the general administrator deletes users.")
	}
	return nil
}

// CanTransferAdmin: only ADMIN hands its role over.
func CanTransferAdmin(a *Actor) error {
	if !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "Only the general administrator can transfer the role.")
	}
	return nil
}

// CanReadAudit: only ADMIN reads the audit log.
func CanReadAudit(a *Actor) error {
	if !a.IsAdmin() {
		return Errorf(EFORBIDDEN, "Only the general administrator reads the audit log.")
	}
	return nil
}

// CanSeeChange: a live update goes to whoever sees the ticket after the
// change (so the team a ticket is redirected to hears of it, and the old
// team no longer does); a change about an internal note only to the
// ticket's staff.
func CanSeeChange(a *Actor, c *TicketChange) bool {
	t := &Ticket{Team: Ref{ID: c.TeamID}, CreatedBy: Ref{ID: c.CreatedBy}}
	if !CanSeeTicket(a, t) {
		return false
	}
	return !c.Internal || IsTicketStaff(a, t)
}

// LostSightOf: the change took its ticket out of a's sight, a redirect
// away from a team a is a member of (a being neither its requester nor
// ADMIN, who still see it). Live updates tell such an actor only that
// the ticket went away, so that an open page of it can leave, and nothing
// of where it went.
func LostSightOf(a *Actor, c *TicketChange) bool {
	if c.Type != EventRedirected || c.FromTeamID == 0 {
		return false
	}
	before := &Ticket{Team: Ref{ID: c.FromTeamID}, CreatedBy: Ref{ID: c.CreatedBy}}
	after := &Ticket{Team: Ref{ID: c.TeamID}, CreatedBy: Ref{ID: c.CreatedBy}}
	return CanSeeTicket(a, before) && !CanSeeTicket(a, after)
}
