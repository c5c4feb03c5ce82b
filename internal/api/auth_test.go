package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

func TestLogin(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana Souza")

		r := env.Do("", apitest.Request{Method: "POST", Path: "/auth/login",
			Body: map[string]string{"email": ana.User.Email, "password": ana.Password}})
		if r.Status != http.StatusOK {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		var tr apitest.TokenResponse
		r.JSON(t, &tr)
		if tr.TokenType != "Bearer" || tr.ExpiresIn != 900 || tr.AccessToken == "" || tr.RefreshToken == "" ||
			tr.User.Email != ana.User.Email || tr.User.Role != "USER" || tr.User.LastLogin == nil {
			t.Errorf("login body = %+v", tr)
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", got)
		}
		for _, bad := range []string{"password", "hash", "argon2"} {
			if containsFold(string(r.Body), bad) {
				t.Errorf("login body mentions %q: %s", bad, r.Body)
			}
		}

		// Unknown e-mail and wrong password: the same 401.
		wrong := env.Do("", apitest.Request{Method: "POST", Path: "/auth/login",
			Body: map[string]string{"email": ana.User.Email, "password": "not-her-password"}})
		unknown := env.Do("", apitest.Request{Method: "POST", Path: "/auth/login",
			Body: map[string]string{"email": "nobody@example.com", "password": "not-her-password"}})
		if wrong.Status != 401 || unknown.Status != 401 || string(wrong.Body) != string(unknown.Body) {
			t.Errorf("wrong password %d %s; unknown e-mail %d %s: want the same 401", wrong.Status, wrong.Body, unknown.Status, unknown.Body)
		}
		// The e-mail is case-insensitive.
		env.Login(upper(ana.User.Email), ana.Password)
	})
}

func TestLoginThrottle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		bia := env.NewUser("Bia")
		login := func(email, password, ip string) *apitest.Response {
			return env.Do("", apitest.Request{Method: "POST", Path: "/auth/login",
				Body:   map[string]string{"email": email, "password": password},
				Header: http.Header{"X-Forwarded-For": {ip}}})
		}
		// Successful logins do not count.
		for range 3 {
			if r := login(ana.User.Email, ana.Password, "10.0.0.1"); r.Status != 200 {
				t.Fatalf("login: %d", r.Status)
			}
		}
		for i := range 10 {
			if r := login(ana.User.Email, "wrong-password", fmt.Sprintf("10.0.1.%d", i)); r.Status != 401 {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.Status)
			}
		}
		// The 11th attempt, even with the right password and from a new
		// address, is throttled until the window passes.
		r := login(ana.User.Email, ana.Password, "10.0.2.1")
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("after 10 failures: %d, want 429", r.Status)
		}
		r.Problem(t)
		ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || ra < 1 || ra > 15*60 {
			t.Errorf("Retry-After = %q, want 1..900 seconds", r.Header.Get("Retry-After"))
		}
		// Another account is not affected.
		if r := login(bia.User.Email, bia.Password, "10.0.2.1"); r.Status != 200 {
			t.Errorf("other account: %d, want 200", r.Status)
		}
		env.Clock.Advance(15*time.Minute + time.Second)
		if r := login(ana.User.Email, ana.Password, "10.0.2.1"); r.Status != 200 {
			t.Errorf("after the window: %d, want 200", r.Status)
		}

		// 30 failures from one address, over many accounts, throttle the address.
		for i := range 30 {
			if r := login(fmt.Sprintf("ghost%d@example.com", i), "whatever-pass", "10.9.9.9"); r.Status != 401 {
				t.Fatalf("address failure %d: %d, want 401", i+1, r.Status)
			}
		}
		if r := login(bia.User.Email, bia.Password, "10.9.9.9"); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Errorf("throttled address: %d Retry-After %q, want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"))
		}
		if r := login(bia.User.Email, bia.Password, "10.9.9.8"); r.Status != 200 {
			t.Errorf("other address: %d, want 200", r.Status)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		refresh := func(token string) *apitest.Response {
			return env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh", Body: map[string]string{"refreshToken": token}})
		}
		r := refresh(ana.RefreshToken)
		if r.Status != 200 {
			t.Fatalf("refresh: %d %s", r.Status, r.Body)
		}
		var next apitest.TokenResponse
		r.JSON(t, &next)
		if next.AccessToken == ana.Token || next.RefreshToken == ana.RefreshToken || next.User.ID != ana.ID() {
			t.Fatalf("refresh did not rotate: %+v", next)
		}
		if r := env.Do(next.AccessToken, apitest.Request{Method: "GET", Path: "/user/me"}); r.Status != 200 {
			t.Errorf("new access token: %d", r.Status)
		}
		if r := env.Do(ana.Token, apitest.Request{Method: "GET", Path: "/user/me"}); r.Status != 401 {
			t.Errorf("old access token after refresh: %d, want 401", r.Status)
		}
		// The old refresh token again: refused, and the session is revoked.
		if r := refresh(ana.RefreshToken); r.Status != 401 {
			t.Errorf("reused refresh token: %d, want 401", r.Status)
		}
		if r := env.Do(next.AccessToken, apitest.Request{Method: "GET", Path: "/user/me"}); r.Status != 401 {
			t.Errorf("access token of a session whose refresh token was reused: %d, want 401", r.Status)
		}
		if r := refresh(next.RefreshToken); r.Status != 401 {
			t.Errorf("latest refresh token of the revoked session: %d, want 401", r.Status)
		}
		if r := refresh("not-a-token"); r.Status != 401 {
			t.Errorf("unknown refresh token: %d, want 401", r.Status)
		}
		if r := refresh(""); r.Status != 401 && r.Status != 422 {
			t.Errorf("empty refresh token: %d, want 401 or 422", r.Status)
		}
	})
}

func TestConcurrentRefreshWithOneToken(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		const n = 8
		var wg sync.WaitGroup
		results := make([]*apitest.Response, n)
		for i := range n {
			wg.Go(func() {
				results[i] = env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh",
					Body: map[string]string{"refreshToken": ana.RefreshToken}})
			})
		}
		wg.Wait()
		ok := 0
		for _, r := range results {
			switch r.Status {
			case 200:
				ok++
			case 401:
			default:
				t.Errorf("concurrent refresh: %d %s", r.Status, r.Body)
			}
		}
		if ok > 1 {
			t.Errorf("%d concurrent refreshes with one token succeeded, want at most 1", ok)
		}
	})
}

func TestAccessTokenExpires(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		env.Clock.Advance(16 * time.Minute)
		ana.Must(401, "GET", "/user/me", nil, nil)
		r := env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh", Body: map[string]string{"refreshToken": ana.RefreshToken}})
		if r.Status != 200 {
			t.Errorf("refresh after the access token expired: %d", r.Status)
		}
		env.Clock.Advance(31 * 24 * time.Hour)
		var tr apitest.TokenResponse
		r.JSON(t, &tr)
		r = env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh", Body: map[string]string{"refreshToken": tr.RefreshToken}})
		if r.Status != 401 {
			t.Errorf("refresh after 31 days: %d, want 401", r.Status)
		}
	})
}

func TestLogout(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		other := env.Login(ana.User.Email, ana.Password)

		env.Anonymous().Must(401, "POST", "/auth/logout", nil, nil)
		ana.Must(204, "POST", "/auth/logout", nil, nil)
		ana.Must(401, "GET", "/user/me", nil, nil)
		r := env.Do("", apitest.Request{Method: "POST", Path: "/auth/refresh", Body: map[string]string{"refreshToken": ana.RefreshToken}})
		if r.Status != 401 {
			t.Errorf("refresh after logout: %d, want 401", r.Status)
		}
		other.Must(200, "GET", "/user/me", nil, nil) // the other session lives

		third := env.Login(ana.User.Email, ana.Password)
		env.Anonymous().Must(401, "POST", "/auth/logout/all", nil, nil)
		third.Must(204, "POST", "/auth/logout/all", nil, nil)
		other.Must(401, "GET", "/user/me", nil, nil)
		third.Must(401, "GET", "/user/me", nil, nil)
	})
}

func TestSessions(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		phone := env.Login(ana.User.Email, ana.Password)
		bia := env.NewUser("Bia")

		env.Anonymous().Must(401, "GET", "/auth/sessions", nil, nil)
		var list struct {
			Items []struct {
				ID         int64     `json:"id"`
				CreatedAt  time.Time `json:"createdAt"`
				LastUsedAt time.Time `json:"lastUsedAt"`
				IPAddress  string    `json:"ipAddress"`
				UserAgent  string    `json:"userAgent"`
				Current    bool      `json:"current"`
			} `json:"items"`
			NextCursor *string `json:"nextCursor"`
		}
		ana.Must(200, "GET", "/auth/sessions", nil, &list)
		if len(list.Items) != 2 || list.NextCursor != nil {
			t.Fatalf("sessions = %+v, want 2 and no next page", list)
		}
		current := 0
		var phoneSession int64
		for _, s := range list.Items {
			if s.Current {
				current++
			} else {
				phoneSession = s.ID
			}
			if s.IPAddress == "" || s.UserAgent == "" || s.CreatedAt.IsZero() {
				t.Errorf("session %+v lacks a field", s)
			}
		}
		if current != 1 {
			t.Errorf("%d sessions marked current, want 1", current)
		}
		ana.Must(200, "GET", "/auth/sessions?limit=1", nil, &list)
		if len(list.Items) != 1 || list.NextCursor == nil {
			t.Errorf("limit=1: %+v, want one item and a next cursor", list)
		}
		ana.Must(422, "GET", "/auth/sessions?limit=0", nil, nil)
		ana.Must(422, "GET", "/auth/sessions?cursor=garbage", nil, nil)

		// Another user's session is not found, and stays alive.
		bia.Must(404, "DELETE", fmt.Sprintf("/auth/sessions/%d", phoneSession), nil, nil)
		phone.Must(200, "GET", "/user/me", nil, nil)
		ana.Must(204, "DELETE", fmt.Sprintf("/auth/sessions/%d", phoneSession), nil, nil)
		phone.Must(401, "GET", "/user/me", nil, nil)
		ana.Must(404, "DELETE", fmt.Sprintf("/auth/sessions/%d", phoneSession), nil, nil)
	})
}
