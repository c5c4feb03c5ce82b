package api

import (
	"errors"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
)

// FuzzTicketFilter: the parser of GET /ticket's query never panics,
// refuses with one EINVALID naming query fields, and what it accepts is a
// filter the store can run (valid enums, positive ids, a known sort).
func FuzzTicketFilter(f *testing.F) {
	f.Add("Aberto", "Média", int64(1), "me", "me", "aplicacao", "-priority", 20, "")
	f.Add("Aberto,Fechado,,", "Alta", int64(0), "none", "7", "", "", 1, ajudae.Cursor{Sort: "-createdAt", Key: "x", ID: 1}.Encode())
	f.Add("Foo", "Urgente", int64(-3), "-1", "0", "\x00", "title", 0, "garbage")
	f.Add("Em_andamento", "", int64(1<<62), "99999999999999999999", "me ", "\"a\" OR 1=1 --", "--createdAt", 101, "eyJ4IjoxfQ")
	f.Fuzz(func(t *testing.T, status, priority string, teamID int64, assignedTo, createdBy, q, sort string, limit int, cursor string) {
		a := &ajudae.Actor{UserID: 5, Role: ajudae.RoleUser, Teams: map[int64]bool{}}
		in := &ticketListInput{PageParams: PageParams{Limit: limit, Cursor: cursor}, Status: strings.Split(status, "&"),
			Priority: priority, TeamID: teamID, AssignedTo: assignedTo, CreatedBy: createdBy, Q: q, Sort: sort}
		fl, err := ticketFilter(a, in)
		if err != nil {
			e, ok := errors.AsType[*ajudae.Error](err)
			if !ok || e.Code != ajudae.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("error %v is not EINVALID with fields", err)
			}
			for _, fe := range e.Fields {
				switch fe.Field {
				case "status", "priority", "assignedTo", "createdBy", "sort":
				default:
					t.Fatalf("error names %q, not a query parameter", fe.Field)
				}
			}
			return
		}
		for _, s := range fl.Status {
			if !s.Valid() {
				t.Fatalf("accepted status %q", s)
			}
		}
		if fl.Priority != nil && !fl.Priority.Valid() {
			t.Fatalf("accepted priority %q", *fl.Priority)
		}
		if (fl.AssignedToID != nil && *fl.AssignedToID <= 0) || (fl.CreatedByID != nil && *fl.CreatedByID <= 0) {
			t.Fatalf("accepted a user id <= 0: %+v", fl)
		}
		if fl.Unassigned && fl.AssignedToID != nil {
			t.Fatalf("both unassigned and assigned to %d", *fl.AssignedToID)
		}
		if _, err := ajudae.ParseTicketSort(string(fl.Sort)); err != nil || fl.Sort == "" {
			t.Fatalf("accepted sort %q", fl.Sort)
		}
	})
}
