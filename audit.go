package ajudae

import (
	"encoding/json"
	"time"
)

// Audit actions of API.md.
const (
	AuditRoleChanged      = "user.role_changed"
	AuditUserDeleted      = "user.deleted"
	AuditAdminTransferred = "admin.transferred"
	AuditTeamCreated      = "team.created"
	AuditTeamUpdated      = "team.updated"
	AuditTeamDeleted      = "team.deleted"
	AuditMemberAdded      = "team.member_added"
	AuditMemberUpdated    = "team.member_updated"
	AuditMemberRemoved    = "team.member_removed"
	AuditTicketRedirected = "ticket.redirected"
)

// AuditTarget names the object an administrative action was about.
type AuditTarget struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// AuditEntry is one administrative action.
type AuditEntry struct {
	ID        int64           `json:"id"`
	Actor     *Ref            `json:"actor"`
	Action    string          `json:"action"`
	Target    AuditTarget     `json:"target"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"createdAt"`
}
