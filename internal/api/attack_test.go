package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestDeletedUserTokens: once a user is deleted, every token of every one
// of its sessions stops working at once, and its e-mail logs in no more
// than an unknown one.
func TestDeletedUserTokens(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Antes de sair")
		laptop := w.env.Login(w.creator.User.Email, w.creator.Password)
		w.admin.Must(204, "DELETE", fmt.Sprintf("/user/%d", w.creator.ID()), nil, nil)
		for _, c := range []*apitest.Client{w.creator, laptop} {
			c.Must(401, "GET", "/user/me", nil, nil)
			c.Must(401, "GET", "/ticket", nil, nil)
			c.Must(401, "GET", fmt.Sprintf("/ticket/%d", tk.ID), nil, nil)
			c.Must(401, "POST", "/ticket", map[string]any{"title": "Depois", "description": "x", "teamId": w.mkt}, nil)
			r := w.env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh", Body: map[string]string{"refreshToken": c.RefreshToken}})
			if r.Status != 401 {
				t.Errorf("refresh of a deleted user: %d, want 401", r.Status)
			}
		}
		deleted := login(w.env, w.creator.User.Email, w.creator.Password)
		unknown := login(w.env, "ninguem@example.com", w.creator.Password)
		sameShape(t, "login of a deleted user", deleted, "login of an unknown e-mail", unknown)
		// The ticket stays, from a removed user.
		var got ajudae.Ticket
		w.admin.Must(200, "GET", fmt.Sprintf("/ticket/%d", tk.ID), nil, &got)
		if got.CreatedBy.Name != ajudae.RemovedUserName {
			t.Errorf("creator of a deleted user's ticket = %+v", got.CreatedBy)
		}
	})
}

// TestDemotedUserLosesRights: a change of role or membership holds from
// the very next request of a token issued before it.
func TestDemotedUserLosesRights(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		tk := w.open(t, "Direitos")
		path := fmt.Sprintf("/ticket/%d", tk.ID)

		// An ATTENDANT demoted to USER leaves its teams and sees no more of them.
		w.member.Must(200, "GET", path, nil, nil)
		w.member.Must(200, "GET", fmt.Sprintf("/user/%d", w.creator.ID()), nil, nil)
		w.admin.Must(200, "PUT", fmt.Sprintf("/user/%d", w.member.ID()), map[string]string{"role": "USER"}, nil)
		w.member.Must(404, "GET", path, nil, nil)
		w.member.Must(404, "PATCH", path, map[string]any{"status": "Em_andamento"}, nil)
		w.member.Must(403, "GET", fmt.Sprintf("/user/%d", w.creator.ID()), nil, nil)
		w.member.Must(403, "GET", fmt.Sprintf("/team/%d/members", w.mkt), nil, nil)

		// A team admin whose flag is taken loses the admin's rights.
		w.teamAdmin.Must(200, "PATCH", path, map[string]any{"priority": "Alta"}, nil)
		newAdmin := w.addMember(t, w.env.NewUser("Nova Admin"), w.mkt, false)
		w.admin.Must(200, "PUT", fmt.Sprintf("/team/%d/members/%d", w.mkt, newAdmin.ID()), map[string]bool{"isAdmin": true}, nil)
		w.teamAdmin.Must(403, "PATCH", path, map[string]any{"priority": "Baixa"}, nil)
		w.teamAdmin.Must(403, "POST", path+"/redirect", map[string]any{"teamId": w.prod}, nil)
		w.teamAdmin.Must(403, "DELETE", fmt.Sprintf("/team/%d/members/%d", w.mkt, newAdmin.ID()), nil, nil)
		w.teamAdmin.Must(200, "GET", path, nil, nil) // still a member

		// A member removed from the team no longer sees its tickets.
		w.admin.Must(204, "DELETE", fmt.Sprintf("/team/%d/members/%d", w.mkt, w.teamAdmin.ID()), nil, nil)
		w.teamAdmin.Must(404, "GET", path, nil, nil)
		var l ajudae.List[ajudae.Ticket]
		w.teamAdmin.Must(200, "GET", "/ticket", nil, &l)
		if len(l.Items) != 0 {
			t.Errorf("a removed member still lists %d tickets", len(l.Items))
		}

		// The general administrator who hands the role over loses it at once.
		w.admin.Must(204, "POST", fmt.Sprintf("/user/%d/transfer-admin", newAdmin.ID()), nil, nil)
		w.admin.Must(403, "GET", "/user", nil, nil)
		w.admin.Must(403, "GET", "/audit", nil, nil)
		w.admin.Must(403, "POST", "/team", map[string]string{"name": "Novo"}, nil)
		w.admin.Must(404, "GET", path, nil, nil)
		newAdmin.Must(200, "GET", "/audit", nil, nil)
	})
}

// TestNoEnumeration: nothing an outsider can call tells a known e-mail
// or account from an unknown one (registration's 409 aside, as API.md
// allows): the answers have the same status, body and headers.
func TestNoEnumeration(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		bia := env.NewUser("Bia")
		gone := env.NewUser("Gone")
		env.Admin.Must(204, "DELETE", fmt.Sprintf("/user/%d", gone.ID()), nil, nil)

		// Login: wrong password, unknown e-mail, deleted account, other case.
		known := login(env, ana.User.Email, "wrong-password")
		sameShape(t, "wrong password", known, "unknown e-mail", login(env, "nobody@example.com", "wrong-password"))
		sameShape(t, "wrong password", known, "deleted account", login(env, gone.User.Email, gone.Password))
		sameShape(t, "wrong password", known, "upper-case unknown", login(env, "NOBODY2@EXAMPLE.COM", "wrong-password"))

		// Throttling: a known and an unknown account are locked alike.
		for range 10 {
			login(env, bia.User.Email, "wrong-password")
			login(env, "ghost@example.com", "wrong-password")
		}
		lockedKnown := login(env, bia.User.Email, bia.Password)
		lockedUnknown := login(env, "ghost@example.com", bia.Password)
		if lockedKnown.Status != http.StatusTooManyRequests {
			t.Fatalf("locked account: %d, want 429", lockedKnown.Status)
		}
		sameShape(t, "locked account", lockedKnown, "locked unknown e-mail", lockedUnknown)

		// Refresh: unknown, rotated (of another session) and logged-out tokens.
		refresh := func(tok string) *apitest.Response {
			return env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh", Body: map[string]string{"refreshToken": tok}})
		}
		out := env.Login(ana.User.Email, ana.Password)
		out.Must(204, "POST", "/auth/logout", nil, nil)
		unknown := refresh("aW52ZW50ZWQtdG9rZW4tb2YtMzItYnl0ZXMtbG9uZyE")
		sameShape(t, "unknown refresh token", unknown, "logged-out refresh token", refresh(out.RefreshToken))
		sameShape(t, "unknown refresh token", unknown, "deleted user's refresh token", refresh(gone.RefreshToken))

		// Another user's account, existing, deleted or never made: the same 403.
		for _, m := range []struct{ method, body string }{{"GET", ""}, {"PUT", `{"name":"x"}`}, {"DELETE", ""}} {
			var body any
			if m.body != "" {
				body = m.body
			}
			exists := bia.Do(m.method, fmt.Sprintf("/user/%d", ana.ID()), body)
			for what, id := range map[string]int64{"deleted": gone.ID(), "never made": 999999} {
				sameShape(t, m.method+" existing user", exists, m.method+" "+what+" user", bia.Do(m.method, fmt.Sprintf("/user/%d", id), body))
			}
			if exists.Status != http.StatusForbidden {
				t.Errorf("%s another user: %d, want 403", m.method, exists.Status)
			}
		}
	})
}

func login(env *apitest.Env, email, password string) *apitest.Response {
	return env.Do("", apitest.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": email, "password": password}})
}

// sameShape fails unless a and b have the same status, body and header
// names (the values of Date, X-Request-Id and Retry-After may differ).
func sameShape(t *testing.T, aName string, a *apitest.Response, bName string, b *apitest.Response) {
	t.Helper()
	if a.Status != b.Status || string(a.Body) != string(b.Body) {
		t.Errorf("%s: %d %s\n%s: %d %s\nwant the same answer", aName, a.Status, a.Body, bName, b.Status, b.Body)
	}
	names := func(h http.Header) []string {
		var n []string
		for k := range h {
			n = append(n, k)
		}
		slices.Sort(n)
		return n
	}
	if an, bn := names(a.Header), names(b.Header); !slices.Equal(an, bn) {
		t.Errorf("%s headers %v; %s headers %v", aName, an, bName, bn)
	}
	for k, v := range a.Header {
		switch k {
		case "Date", "X-Request-Id", "Retry-After":
			continue
		}
		if strings.Join(v, ",") != strings.Join(b.Header[k], ",") {
			t.Errorf("header %s: %s %q, %s %q", k, aName, v, bName, b.Header[k])
		}
	}
}
