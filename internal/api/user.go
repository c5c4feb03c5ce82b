package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
)

type userOutput struct {
	Body *ajudae.User
}

type usersOutput struct {
	Body *ajudae.List[ajudae.User]
}

type registerInput struct {
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"100" example:"Ana Souza"`
		Email    string `json:"email" maxLength:"254" example:"ana@example.com"`
		Password string `json:"password" minLength:"8" maxLength:"128" example:"uma senha longa"`
	}
}

type userListInput struct {
	PageParams
	Q      string `query:"q" maxLength:"200" doc:"Name or e-mail contains (case-insensitive)."`
	Role   string `query:"role" enum:"ADMIN,ATTENDANT,USER"`
	TeamID int64  `query:"teamId" minimum:"1" doc:"Members of this team."`
}

type userUpdateInput struct {
	IDPath
	Body struct {
		Name            *string `json:"name,omitempty" minLength:"1" maxLength:"100" example:"Ana Souza"`
		Email           *string `json:"email,omitempty" maxLength:"254" example:"ana@example.com"`
		Password        *string `json:"password,omitempty" minLength:"8" maxLength:"128"`
		CurrentPassword *string `json:"currentPassword,omitempty" maxLength:"128" doc:"Required to change one's own e-mail or password."`
		Role            *string `json:"role,omitempty" maxLength:"20" example:"ATTENDANT" doc:"USER or ATTENDANT; ADMIN only, never on oneself."`
	}
}

func (s *Server) registerUsers(a huma.API) {
	huma.Register(a, public(operation("register", http.MethodPost, "/user/register", "User",
		"Create an account (role USER)", http.StatusCreated, http.StatusUnprocessableEntity, http.StatusConflict)), s.handleRegister)
	huma.Register(a, operation("listUsers", http.MethodGet, "/user", "User",
		"List users (ADMIN)", http.StatusOK, http.StatusForbidden, http.StatusUnprocessableEntity), s.handleUserList)
	huma.Register(a, operation("me", http.MethodGet, "/user/me", "User",
		"The caller", http.StatusOK), s.handleMe)
	huma.Register(a, operation("getUser", http.MethodGet, "/user/{id}", "User",
		"One user (self, ADMIN, any ATTENDANT)", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity), s.handleUserGet)
	huma.Register(a, operation("updateUser", http.MethodPut, "/user/{id}", "User",
		"Change name, e-mail, password or role", http.StatusOK, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), s.handleUserUpdate)
	huma.Register(a, operation("deleteUser", http.MethodDelete, "/user/{id}", "User",
		"Delete a user: erase its personal data, keep its tickets (ADMIN)", http.StatusNoContent, http.StatusForbidden, http.StatusNotFound, http.StatusConflict), s.handleUserDelete)
	huma.Register(a, operation("transferAdmin", http.MethodPost, "/user/{id}/transfer-admin", "User",
		"Hand the ADMIN role to another user; the caller becomes ATTENDANT", http.StatusNoContent, http.StatusForbidden, http.StatusNotFound, http.StatusConflict), s.handleTransferAdmin)
}

func (s *Server) handleRegister(ctx context.Context, in *registerInput) (*userOutput, error) {
	u, err := s.store.CreateUser(ctx, ajudae.NewUser{Name: in.Body.Name, Email: in.Body.Email, Password: in.Body.Password})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

func (s *Server) handleUserList(ctx context.Context, in *userListInput) (*usersOutput, error) {
	f := ajudae.UserFilter{Q: in.Q, Page: in.page()}
	if in.Role != "" {
		r := ajudae.Role(in.Role)
		f.Role = &r
	}
	if in.TeamID != 0 {
		f.TeamID = &in.TeamID
	}
	l, err := s.store.FindUsers(ctx, ajudae.ActorFrom(ctx), f)
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &usersOutput{Body: l}, nil
}

func (s *Server) handleMe(ctx context.Context, _ *struct{}) (*userOutput, error) {
	a := ajudae.ActorFrom(ctx)
	u, err := s.store.FindUser(ctx, a, a.UserID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

func (s *Server) handleUserGet(ctx context.Context, in *IDPath) (*userOutput, error) {
	u, err := s.store.FindUser(ctx, ajudae.ActorFrom(ctx), in.ID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

func (s *Server) handleUserUpdate(ctx context.Context, in *userUpdateInput) (*userOutput, error) {
	b := in.Body
	upd := ajudae.UserUpdate{Name: b.Name, Email: b.Email, Password: b.Password, CurrentPassword: b.CurrentPassword}
	if b.Role != nil {
		r := ajudae.Role(*b.Role)
		upd.Role = &r
	}
	u, err := s.store.UpdateUser(ctx, ajudae.ActorFrom(ctx), in.ID, upd)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

func (s *Server) handleUserDelete(ctx context.Context, in *IDPath) (*noContent, error) {
	if err := s.store.DeleteUser(ctx, ajudae.ActorFrom(ctx), in.ID); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}

func (s *Server) handleTransferAdmin(ctx context.Context, in *IDPath) (*noContent, error) {
	if err := s.store.TransferAdmin(ctx, ajudae.ActorFrom(ctx), in.ID); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}
