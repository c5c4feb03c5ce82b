package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestNoSecretInLogs runs the program as a user would, through every route
// that handles a password or a token (successes and failures), and greps
// its whole log: the random first-start password of the general
// administrator is on exactly one line (API.md: logged once), and no other
// password, no token and no password hash appears anywhere.
func TestNoSecretInLogs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := map[string]string{"AJUDAE_DATA_DIR": t.TempDir(), "AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1",
			"AJUDAE_LOG_LEVEL": "debug"}
		if e.Name == "postgres" {
			env["DATABASE_URL"] = dbtest.PostgresURL(t)
		}
		base, logs, stop := startRun(t, env)
		var adminPassword string
		for _, line := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["password"] != nil {
				adminPassword, _ = m["password"].(string)
			}
		}
		if len(adminPassword) < 16 {
			t.Fatalf("no random administrator password in the log:\n%s", logs)
		}
		secrets := []string{"ana-first-password", "ana-second-password", "admin-reset-password"}
		c := newClient(base)
		c.must(t, 201, "POST", "/user/register", map[string]string{"name": "Ana", "email": "ana@example.com", "password": secrets[0]}, nil)
		c.must(t, 401, "POST", "/auth/login", map[string]string{"email": "ana@example.com", "password": "a-wrong-password"}, nil)
		var tok struct {
			AccessToken, RefreshToken string
			User                      struct{ ID int64 }
		}
		c.must(t, 200, "POST", "/auth/login", map[string]string{"email": "ana@example.com", "password": secrets[0]}, &tok)
		tokens := []string{tok.AccessToken, tok.RefreshToken}
		c.must(t, 200, "POST", "/auth/refresh", map[string]string{"refreshToken": tok.RefreshToken}, &tok)
		tokens = append(tokens, tok.AccessToken, tok.RefreshToken)
		c.must(t, 401, "POST", "/auth/refresh", map[string]string{"refreshToken": tokens[1]}, nil) // reuse: session revoked
		c.must(t, 200, "POST", "/auth/login", map[string]string{"email": "ana@example.com", "password": secrets[0]}, &tok)
		tokens = append(tokens, tok.AccessToken, tok.RefreshToken)
		c.token = tok.AccessToken
		c.must(t, 403, "PUT", "/user/"+itoa(tok.User.ID), map[string]string{"password": secrets[1], "currentPassword": "not-the-password"}, nil)
		c.must(t, 200, "PUT", "/user/"+itoa(tok.User.ID), map[string]string{"password": secrets[1], "currentPassword": secrets[0]}, nil)
		c.must(t, 204, "POST", "/auth/logout", nil, nil)
		c.must(t, 401, "GET", "/user/me", nil, nil)
		admin := login(t, base, "admin@ajudae.local", adminPassword)
		tokens = append(tokens, admin.token)
		admin.must(t, 200, "PUT", "/user/"+itoa(tok.User.ID), map[string]string{"password": secrets[2]}, nil)
		stop()

		out := logs.String()
		if n := strings.Count(out, adminPassword); n != 1 {
			t.Errorf("the random administrator password appears %d times in the log, want once", n)
		}
		secretsIn(t, "the log", out, append(secrets, tokens...)...)
		if !strings.Contains(out, `"level":"DEBUG"`) && !strings.Contains(out, `"msg":"request"`) {
			t.Errorf("the log holds no request lines; the check proves nothing:\n%s", out)
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
