package ajudae

import "time"

// Role is a user's role across the whole help-desk.
type Role string

// Roles of API.md.
const (
	RoleAdmin     Role = "ADMIN"     // the one general administrator
	RoleAttendant Role = "ATTENDANT" // staff, works its teams' tickets
	RoleUser      Role = "USER"      // a requester
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleAttendant || r == RoleUser
}

// RemovedUserName is shown in place of a deleted user's name.
const RemovedUserName = "Usuário removido"

// Ref is a short reference to another object: an id and a display name.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// UserTeam is one membership of a user, as shown on the user.
type UserTeam struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	IsAdmin bool   `json:"isAdmin"`
}

// User is an account. It never carries the password hash out of the store.
type User struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Role      Role       `json:"role"`
	Teams     []UserTeam `json:"teams"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	LastLogin *time.Time `json:"lastLogin"`
}

// NewUser is the input of registration and of the first general administrator.
type NewUser struct {
	Name     string
	Email    string
	Password string
	Role     Role
}

// Validate returns EINVALID listing every bad field.
func (u *NewUser) Validate() error {
	var p Problems
	p.checkName("name", u.Name, 1, MaxNameLen)
	p.checkEmail("email", u.Email)
	p.checkPassword("password", u.Password)
	return p.Err()
}

// UserUpdate is the input of PUT /user/{id}; nil fields are left alone.
type UserUpdate struct {
	Name            *string
	Email           *string
	Password        *string
	CurrentPassword *string
	Role            *Role
}

// Validate returns EINVALID listing every bad field. ADMIN is not a role
// that can be set here: it moves only through a transfer.
func (u *UserUpdate) Validate() error {
	var p Problems
	if u.Name != nil {
		p.checkName("name", *u.Name, 1, MaxNameLen)
	}
	if u.Email != nil {
		p.checkEmail("email", *u.Email)
	}
	if u.Password != nil {
		p.checkPassword("password", *u.Password)
	}
	if u.Role != nil && *u.Role != RoleUser && *u.Role != RoleAttendant {
		p.Add("role", "must be USER or ATTENDANT (the ADMIN role moves only through transfer-admin)", string(*u.Role))
	}
	return p.Err()
}

// UserFilter selects users for GET /user.
type UserFilter struct {
	Q      string
	Role   *Role
	TeamID *int64
	Page   Page
}
