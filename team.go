package ajudae

import "time"

// Team is a department that receives and works tickets.
type Team struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	Admin           *Ref      `json:"admin"`
	MemberCount     int       `json:"memberCount"`
	OpenTicketCount int       `json:"openTicketCount"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// DefaultTeams returns the teams created on the first start of an empty database.
func DefaultTeams() []string { return []string{"Marketing", "Produto", "Financeiro"} }

// TeamInput is the input of creating (Name required) or updating a team.
type TeamInput struct {
	Name        *string
	Description *string
}

// Validate returns EINVALID listing every bad field; creating requires a name.
func (t *TeamInput) Validate(creating bool) error {
	var p Problems
	switch {
	case t.Name != nil:
		p.checkName("name", *t.Name, MinTeamNameLen, MaxTeamNameLen)
	case creating:
		p.Add("name", "is required", nil)
	}
	if t.Description != nil {
		p.checkText("description", *t.Description, 0, MaxTeamDescLen)
	}
	return p.Err()
}

// MemberUser is the user part of a membership.
type MemberUser struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Member is one user's membership of a team.
type Member struct {
	User    MemberUser `json:"user"`
	IsAdmin bool       `json:"isAdmin"`
	Since   time.Time  `json:"since"`
}
