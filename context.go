package ajudae

import "context"

// Actor is the authenticated caller of a request: who it is and, for the
// policy, which teams it belongs to.
type Actor struct {
	UserID    int64
	Name      string
	Email     string
	Role      Role
	SessionID int64
	Teams     map[int64]bool // team id → isAdmin
}

// IsAdmin reports whether a is the general administrator.
func (a *Actor) IsAdmin() bool { return a != nil && a.Role == RoleAdmin }

// MemberOf reports whether a is a member of team.
func (a *Actor) MemberOf(team int64) bool {
	_, ok := a.Teams[team]
	return ok
}

// AdminOf reports whether a is the administrator of team.
func (a *Actor) AdminOf(team int64) bool { return a.Teams[team] }

// TeamIDs returns the teams a belongs to, in no order.
func (a *Actor) TeamIDs() []int64 {
	ids := make([]int64, 0, len(a.Teams))
	for id := range a.Teams {
		ids = append(ids, id)
	}
	return ids
}

type actorKey struct{}
type requestIDKey struct{}

// WithActor returns a context carrying the authenticated caller.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the caller stored by WithActor, or nil.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// WithRequestID returns a context carrying the request id used in logs.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id stored by WithRequestID, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
