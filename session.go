package ajudae

import "time"

// Session is one login of a user, as the user sees it in GET /auth/sessions.
type Session struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"createdAt"`
	LastUsedAt time.Time `json:"lastUsedAt"`
	IPAddress  string    `json:"ipAddress"`
	UserAgent  string    `json:"userAgent"`
	Current    bool      `json:"current"`
}

// Client describes where a login comes from.
type Client struct {
	IPAddress string
	UserAgent string
}

// Tokens is a fresh pair of opaque tokens for one session. Only their
// SHA-256 is stored.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration // of the access token
	User         *User
}

// Credentials is the input of a login.
type Credentials struct {
	Email    string
	Password string
}
