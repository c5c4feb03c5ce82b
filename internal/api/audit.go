package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
)

type auditOutput struct {
	Body *ajudae.List[ajudae.AuditEntry]
}

func (s *Server) registerAudit(a huma.API) {
	huma.Register(a, operation("listAudit", http.MethodGet, "/audit", "Audit",
		"Administrative actions, newest first (ADMIN)", http.StatusOK, http.StatusForbidden, http.StatusUnprocessableEntity), s.handleAuditList)
}

func (s *Server) handleAuditList(ctx context.Context, in *PageParams) (*auditOutput, error) {
	l, err := s.store.FindAudit(ctx, ajudae.ActorFrom(ctx), in.page())
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &auditOutput{Body: l}, nil
}
