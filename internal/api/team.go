package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
)

type teamOutput struct {
	Body *ajudae.Team
}

type teamsOutput struct {
	Body *ajudae.List[ajudae.Team]
}

type teamCreateInput struct {
	Body struct {
		Name        string  `json:"name" minLength:"2" maxLength:"60" example:"Suporte Técnico"`
		Description *string `json:"description,omitempty" maxLength:"500" example:"Problemas de acesso e equipamentos"`
	}
}

type teamUpdateInput struct {
	IDPath
	Body struct {
		Name        *string `json:"name,omitempty" minLength:"2" maxLength:"60" example:"Suporte"`
		Description *string `json:"description,omitempty" maxLength:"500"`
	}
}

type membersInput struct {
	IDPath
	PageParams
}

type membersOutput struct {
	Body *ajudae.List[ajudae.Member]
}

type MemberPath struct {
	ID     int64 `path:"id" minimum:"1" doc:"The team's id."`
	UserID int64 `path:"userId" minimum:"1" doc:"The user's id."`
}

type memberSetInput struct {
	MemberPath
	Body *struct {
		IsAdmin *bool `json:"isAdmin,omitempty" doc:"Make the member the team's administrator (ADMIN only); false on add when absent, unchanged on update."`
	}
}

type memberOutput struct {
	Status int
	Body   *ajudae.Member
}

func (s *Server) registerTeams(a huma.API) {
	huma.Register(a, operation("listTeams", http.MethodGet, "/team", "Team",
		"List the teams", http.StatusOK, http.StatusUnprocessableEntity), s.handleTeamList)
	huma.Register(a, operation("getTeam", http.MethodGet, "/team/{id}", "Team",
		"One team", http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleTeamGet)
	huma.Register(a, operation("createTeam", http.MethodPost, "/team", "Team",
		"Create a team (ADMIN)", http.StatusCreated, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity), s.handleTeamCreate)
	huma.Register(a, operation("updateTeam", http.MethodPut, "/team/{id}", "Team",
		"Rename a team or change its description (ADMIN)", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), s.handleTeamUpdate)
	huma.Register(a, operation("deleteTeam", http.MethodDelete, "/team/{id}", "Team",
		"Delete a team without open tickets (ADMIN)", http.StatusNoContent, http.StatusForbidden, http.StatusNotFound, http.StatusConflict), s.handleTeamDelete)
	huma.Register(a, operation("listMembers", http.MethodGet, "/team/{id}/members", "Team",
		"A team's members (ADMIN, members)", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleMemberList)
	op := operation("setMember", http.MethodPut, "/team/{id}/members/{userId}", "Team",
		"Add or update a member (ADMIN; the team admin for isAdmin:false)", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity)
	op.Description = "Answers 201 when the user was added, 200 when its membership was updated. A USER added becomes ATTENDANT. " +
		"Making a member admin takes the flag from the previous admin."
	op.Responses = map[string]*huma.Response{"201": {Description: "Added"}}
	huma.Register(a, op, s.handleMemberSet)
	huma.Register(a, operation("removeMember", http.MethodDelete, "/team/{id}/members/{userId}", "Team",
		"Remove a member (ADMIN; the team admin for others)", http.StatusNoContent, http.StatusForbidden, http.StatusNotFound), s.handleMemberRemove)
}

func (s *Server) handleTeamList(ctx context.Context, in *PageParams) (*teamsOutput, error) {
	l, err := s.store.FindTeams(ctx, in.page())
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &teamsOutput{Body: l}, nil
}

func (s *Server) handleTeamGet(ctx context.Context, in *IDPath) (*teamOutput, error) {
	t, err := s.store.FindTeam(ctx, in.ID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &teamOutput{Body: t}, nil
}

func (s *Server) handleTeamCreate(ctx context.Context, in *teamCreateInput) (*teamOutput, error) {
	t, err := s.store.CreateTeam(ctx, ajudae.ActorFrom(ctx), ajudae.TeamInput{Name: &in.Body.Name, Description: in.Body.Description})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &teamOutput{Body: t}, nil
}

func (s *Server) handleTeamUpdate(ctx context.Context, in *teamUpdateInput) (*teamOutput, error) {
	t, err := s.store.UpdateTeam(ctx, ajudae.ActorFrom(ctx), in.ID, ajudae.TeamInput{Name: in.Body.Name, Description: in.Body.Description})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &teamOutput{Body: t}, nil
}

func (s *Server) handleTeamDelete(ctx context.Context, in *IDPath) (*noContent, error) {
	if err := s.store.DeleteTeam(ctx, ajudae.ActorFrom(ctx), in.ID); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}

func (s *Server) handleMemberList(ctx context.Context, in *membersInput) (*membersOutput, error) {
	l, err := s.store.FindMembers(ctx, ajudae.ActorFrom(ctx), in.ID, in.page())
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &membersOutput{Body: l}, nil
}

func (s *Server) handleMemberSet(ctx context.Context, in *memberSetInput) (*memberOutput, error) {
	var isAdmin *bool
	if in.Body != nil {
		isAdmin = in.Body.IsAdmin
	}
	m, added, err := s.store.SetMember(ctx, ajudae.ActorFrom(ctx), in.ID, in.UserID, isAdmin)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &memberOutput{Status: http.StatusOK, Body: m}
	if added {
		out.Status = http.StatusCreated
	}
	return out, nil
}

func (s *Server) handleMemberRemove(ctx context.Context, in *MemberPath) (*noContent, error) {
	if err := s.store.RemoveMember(ctx, ajudae.ActorFrom(ctx), in.ID, in.UserID); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}
