package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
)

type tokenBody struct {
	AccessToken  string       `json:"accessToken" example:"kV1nq3c6v1m9Jf1eGq9l2xJw8d0t5rB4sY7uZ2aH3cE"`
	RefreshToken string       `json:"refreshToken" example:"Zr8Yk2pQ0wL4cT7nB1vM5xS9dF3gH6jK8lA2qW4eR6t"`
	TokenType    string       `json:"tokenType" example:"Bearer"`
	ExpiresIn    int          `json:"expiresIn" example:"900" doc:"Seconds until the access token expires."`
	User         *ajudae.User `json:"user"`
}

type tokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         tokenBody
}

func tokenResponse(t *ajudae.Tokens) *tokenOutput {
	return &tokenOutput{CacheControl: "no-store", Body: tokenBody{
		AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int(t.ExpiresIn.Seconds()), User: t.User,
	}}
}

type loginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" example:"ana@example.com"`
		Password string `json:"password" maxLength:"128" example:"uma senha longa"`
	}
}

type refreshInput struct {
	Body struct {
		RefreshToken string `json:"refreshToken" maxLength:"200" example:"Zr8Yk2pQ0wL4cT7nB1vM5xS9dF3gH6jK8lA2qW4eR6t"`
	}
}

type sessionsOutput struct {
	Body *ajudae.List[ajudae.Session]
}

func (s *Server) registerAuth(a huma.API) {
	huma.Register(a, public(operation("login", http.MethodPost, "/auth/login", "Auth",
		"Log in with e-mail and password", http.StatusOK, http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests)),
		s.handleLogin)
	huma.Register(a, public(operation("refresh", http.MethodPost, "/auth/refresh", "Auth",
		"Exchange a refresh token for a new pair", http.StatusOK, http.StatusUnauthorized, http.StatusUnprocessableEntity)),
		s.handleRefresh)
	huma.Register(a, operation("logout", http.MethodPost, "/auth/logout", "Auth",
		"Revoke the current session", http.StatusNoContent), s.handleLogout)
	huma.Register(a, operation("logoutAll", http.MethodPost, "/auth/logout/all", "Auth",
		"Revoke every session of the caller", http.StatusNoContent), s.handleLogoutAll)
	huma.Register(a, operation("listSessions", http.MethodGet, "/auth/sessions", "Auth",
		"List the caller's active sessions", http.StatusOK, http.StatusUnprocessableEntity), s.handleSessionList)
	huma.Register(a, operation("revokeSession", http.MethodDelete, "/auth/sessions/{id}", "Auth",
		"Revoke one of the caller's sessions", http.StatusNoContent, http.StatusNotFound), s.handleSessionRevoke)
}

func (s *Server) handleLogin(ctx context.Context, in *loginInput) (*tokenOutput, error) {
	t, err := s.store.Login(ctx, ajudae.Credentials{Email: in.Body.Email, Password: in.Body.Password}, clientFrom(ctx), false)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return tokenResponse(t), nil
}

func (s *Server) handleRefresh(ctx context.Context, in *refreshInput) (*tokenOutput, error) {
	t, err := s.store.Refresh(ctx, in.Body.RefreshToken, clientFrom(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return tokenResponse(t), nil
}

func (s *Server) handleLogout(ctx context.Context, _ *struct{}) (*noContent, error) {
	if err := s.store.Logout(ctx, ajudae.ActorFrom(ctx)); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}

func (s *Server) handleLogoutAll(ctx context.Context, _ *struct{}) (*noContent, error) {
	if err := s.store.LogoutAll(ctx, ajudae.ActorFrom(ctx)); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}

func (s *Server) handleSessionList(ctx context.Context, in *PageParams) (*sessionsOutput, error) {
	l, err := s.store.FindSessions(ctx, ajudae.ActorFrom(ctx), in.page())
	if err != nil {
		return nil, s.failQuery(ctx, err)
	}
	return &sessionsOutput{Body: l}, nil
}

func (s *Server) handleSessionRevoke(ctx context.Context, in *IDPath) (*noContent, error) {
	if err := s.store.RevokeSession(ctx, ajudae.ActorFrom(ctx), in.ID); err != nil {
		return nil, s.fail(ctx, err)
	}
	return nil, nil
}
