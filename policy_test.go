package ajudae

import "testing"

// BenchmarkCanSeeTicket is the visibility check of every ticket read.
func BenchmarkCanSeeTicket(b *testing.B) {
	a := &Actor{UserID: 7, Role: RoleAttendant, Teams: map[int64]bool{1: false, 2: true, 3: false}}
	t := &Ticket{Team: Ref{ID: 3}, CreatedBy: Ref{ID: 9}}
	for b.Loop() {
		if !CanSeeTicket(a, t) {
			b.Fatal("a member must see its team's ticket")
		}
	}
}

// BenchmarkCheckTicketUpdate is the permission check of PATCH /ticket/{id}.
func BenchmarkCheckTicketUpdate(b *testing.B) {
	a := &Actor{UserID: 7, Role: RoleAttendant, Teams: map[int64]bool{3: false}}
	t := &Ticket{Status: StatusOpen, Team: Ref{ID: 3}, CreatedBy: Ref{ID: 9}}
	s, me := StatusInProgress, int64(7)
	u := TicketUpdate{Status: &s, AssignedTo: true, AssignedToID: &me}
	for b.Loop() {
		eff := u.Effective(t)
		if err := CheckTicketUpdate(a, t, &eff); err != nil {
			b.Fatal(err)
		}
	}
}
