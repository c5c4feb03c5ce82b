package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

func TestRegister(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		anon := env.Anonymous()
		var u ajudae.User
		anon.Must(201, "POST", "/user/register", map[string]string{"name": "Ana <b>Souza</b> 🎉", "email": "Ana@Example.com", "password": "12345678"}, &u)
		if u.ID == 0 || u.Role != "USER" || u.Name != "Ana <b>Souza</b> 🎉" || u.Email != "Ana@Example.com" || u.Teams == nil {
			t.Errorf("registered user = %+v", u)
		}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"e-mail in use, other case", map[string]string{"name": "X", "email": "ana@EXAMPLE.com", "password": "12345678"}, 409, ""},
			{"password of 7", map[string]string{"name": "X", "email": "x1@example.com", "password": "1234567"}, 422, "body.password"},
			{"password of 129", map[string]string{"name": "X", "email": "x2@example.com", "password": strings.Repeat("p", 129)}, 422, "body.password"},
			{"name of 101", map[string]string{"name": strings.Repeat("n", 101), "email": "x3@example.com", "password": "12345678"}, 422, "body.name"},
			{"empty name", map[string]string{"name": "", "email": "x4@example.com", "password": "12345678"}, 422, "body.name"},
			{"name with NUL", map[string]string{"name": "a\x00b", "email": "x5@example.com", "password": "12345678"}, 422, "body.name"},
			{"not an e-mail", map[string]string{"name": "X", "email": "not-an-email", "password": "12345678"}, 422, "body.email"},
			{"e-mail of 255", map[string]string{"name": "X", "email": strings.Repeat("e", 243) + "@example.com", "password": "12345678"}, 422, "body.email"},
			{"missing password", map[string]string{"name": "X", "email": "x6@example.com"}, 422, ""},
			{"unknown field", map[string]any{"name": "X", "email": "x7@example.com", "password": "12345678", "role": "ADMIN"}, 422, "body.role"},
			{"malformed JSON", `{"name":`, 400, ""},
			{"body over 1 MiB", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := anon.Do("POST", "/user/register", tt.body)
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
				}
				p := r.Problem(t)
				if p.Status != tt.status || p.Title == "" || p.Type == "" {
					t.Errorf("problem = %+v", p)
				}
				if tt.field != "" && !slices.Contains(p.Locations(), tt.field) {
					t.Errorf("errors %v do not name %s", p.Locations(), tt.field)
				}
			})
		}
		// Nothing refused was created.
		var l ajudae.List[ajudae.User]
		env.Admin.Must(200, "GET", "/user?limit=100", nil, &l)
		if len(l.Items) != 2 {
			t.Errorf("%d users after refused registrations, want 2 (admin, Ana)", len(l.Items))
		}
	})
}

func TestUserList(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		att := env.NewAttendant("Carla Atendente")
		ana := env.NewUser("Ana Souza")
		for i := range 4 {
			env.NewUser(fmt.Sprintf("Pessoa %d", i))
		}
		env.Anonymous().Must(401, "GET", "/user", nil, nil)
		att.Must(403, "GET", "/user", nil, nil)
		ana.Must(403, "GET", "/user", nil, nil)

		var l ajudae.List[ajudae.User]
		env.Admin.Must(200, "GET", "/user?q=SOUZA", nil, &l)
		if len(l.Items) != 1 || l.Items[0].ID != ana.ID() {
			t.Errorf("q=SOUZA: %+v", l.Items)
		}
		env.Admin.Must(200, "GET", "/user?q=example.com&role=ATTENDANT", nil, &l)
		if len(l.Items) != 1 || l.Items[0].ID != att.ID() {
			t.Errorf("role=ATTENDANT: %+v", l.Items)
		}
		env.Admin.Must(200, "GET", "/user?q=%25", nil, &l) // a literal %, not a wildcard
		if len(l.Items) != 0 {
			t.Errorf("q=%%: %d users, want 0", len(l.Items))
		}
		env.Admin.Must(422, "GET", "/user?role=BOSS", nil, nil)
		env.Admin.Must(422, "GET", "/user?limit=101", nil, nil)
		env.Admin.Must(422, "GET", "/user?limit=0", nil, nil)
		env.Admin.Must(422, "GET", "/user?cursor=eyJ4IjoxfQ", nil, nil)

		// Walk every page of 2: 7 users, no duplicate, no gap.
		seen := map[int64]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			env.Admin.Must(200, "GET", "/user?limit=2&cursor="+cursor, nil, &l)
			for _, u := range l.Items {
				if seen[u.ID] {
					t.Errorf("user %d on two pages", u.ID)
				}
				seen[u.ID] = true
			}
			if l.NextCursor == nil {
				break
			}
			cursor = *l.NextCursor
		}
		if len(seen) != 7 {
			t.Errorf("walked %d users, want 7", len(seen))
		}
	})
}

func TestUserGet(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		att := env.NewAttendant("Carla")
		ana := env.NewUser("Ana")
		bia := env.NewUser("Bia")
		path := fmt.Sprintf("/user/%d", ana.ID())

		var u ajudae.User
		ana.Must(200, "GET", "/user/me", nil, &u)
		if u.ID != ana.ID() || u.Email != ana.User.Email {
			t.Errorf("me = %+v", u)
		}
		env.Anonymous().Must(401, "GET", "/user/me", nil, nil)
		ana.Must(200, "GET", path, nil, nil)
		env.Admin.Must(200, "GET", path, nil, nil)
		att.Must(200, "GET", path, nil, nil)
		bia.Must(403, "GET", path, nil, nil)
		env.Anonymous().Must(401, "GET", path, nil, nil)
		env.Admin.Must(404, "GET", "/user/999999", nil, nil)
		env.Admin.Must(422, "GET", "/user/abc", nil, nil)
	})
}

func TestUserUpdate(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		bia := env.NewUser("Bia")
		path := fmt.Sprintf("/user/%d", ana.ID())
		var u ajudae.User

		ana.Must(200, "PUT", path, map[string]string{"name": "Ana Maria"}, &u)
		if u.Name != "Ana Maria" {
			t.Errorf("name = %q", u.Name)
		}
		bia.Must(403, "PUT", path, map[string]string{"name": "hacked"}, nil)
		env.Anonymous().Must(401, "PUT", path, map[string]string{"name": "hacked"}, nil)

		// E-mail and password need the current password.
		r := ana.Must(422, "PUT", path, map[string]string{"email": "ana.new@example.com"}, nil)
		if p := r.Problem(t); !slices.Contains(p.Locations(), "body.currentPassword") {
			t.Errorf("missing currentPassword: errors %v", p.Locations())
		}
		ana.Must(403, "PUT", path, map[string]string{"email": "ana.new@example.com", "currentPassword": "wrong-password"}, nil)
		ana.Must(409, "PUT", path, map[string]string{"email": strings.ToUpper(bia.User.Email), "currentPassword": ana.Password}, nil)
		ana.Must(200, "PUT", path, map[string]string{"email": "ana.new@example.com", "currentPassword": ana.Password}, &u)
		if u.Email != "ana.new@example.com" {
			t.Errorf("email = %q", u.Email)
		}

		// A password change revokes the other sessions, not the current one.
		laptop := env.Login("ana.new@example.com", ana.Password)
		ana.Must(200, "PUT", path, map[string]string{"password": "a-brand-new-pass", "currentPassword": ana.Password}, nil)
		ana.Must(200, "GET", "/user/me", nil, nil)
		laptop.Must(401, "GET", "/user/me", nil, nil)
		env.Login("ana.new@example.com", "a-brand-new-pass")

		// Roles: ADMIN sets USER or ATTENDANT; never ADMIN; nobody its own.
		ana.Must(403, "PUT", path, map[string]string{"role": "ATTENDANT"}, nil)
		env.Admin.Must(422, "PUT", path, map[string]string{"role": "ADMIN"}, nil)
		env.Admin.Must(403, "PUT", fmt.Sprintf("/user/%d", env.Admin.ID()), map[string]string{"role": "USER"}, nil)
		env.Admin.Must(200, "PUT", path, map[string]string{"role": "ATTENDANT"}, &u)
		if u.Role != "ATTENDANT" {
			t.Errorf("role = %q", u.Role)
		}
		ana.Must(403, "PUT", fmt.Sprintf("/user/%d", bia.ID()), map[string]string{"role": "ATTENDANT"}, nil)

		// ADMIN sets another's password without currentPassword.
		env.Admin.Must(200, "PUT", fmt.Sprintf("/user/%d", bia.ID()), map[string]string{"password": "reset-by-admin"}, nil)
		bia.Must(401, "GET", "/user/me", nil, nil)
		env.Login(bia.User.Email, "reset-by-admin")

		env.Admin.Must(404, "PUT", "/user/999999", map[string]string{"name": "x"}, nil)
		env.Admin.Must(422, "PUT", path, map[string]string{"name": strings.Repeat("n", 101)}, nil)
		env.Admin.Must(422, "PUT", path, map[string]string{"name": "x\x00"}, nil)
	})
}

func TestUserDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		bia := env.NewUser("Bia")
		path := fmt.Sprintf("/user/%d", ana.ID())

		bia.Must(403, "DELETE", path, nil, nil)
		env.Anonymous().Must(401, "DELETE", path, nil, nil)
		ana.Must(403, "DELETE", path, nil, nil)
		env.Admin.Must(409, "DELETE", fmt.Sprintf("/user/%d", env.Admin.ID()), nil, nil)
		env.Admin.Must(404, "DELETE", "/user/999999", nil, nil)

		env.Admin.Must(204, "DELETE", path, nil, nil)
		ana.Must(401, "GET", "/user/me", nil, nil)
		r := env.Do("", apitest.Request{Method: "POST", Path: "/auth/login", Body: map[string]string{"email": ana.User.Email, "password": ana.Password}})
		if r.Status != 401 {
			t.Errorf("login of a deleted user: %d, want 401", r.Status)
		}
		env.Admin.Must(404, "GET", path, nil, nil)
		env.Admin.Must(404, "DELETE", path, nil, nil)
		var l ajudae.List[ajudae.User]
		env.Admin.Must(200, "GET", "/user?q="+ana.User.Email, nil, &l)
		if len(l.Items) != 0 {
			t.Errorf("deleted user still listed: %+v", l.Items)
		}
		// The e-mail can register again.
		env.Anonymous().Must(201, "POST", "/user/register", map[string]string{"name": "Ana de novo", "email": ana.User.Email, "password": "12345678"}, nil)
	})
}

func TestTransferAdmin(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		att := env.NewAttendant("Carla")
		ana := env.NewUser("Ana")
		path := fmt.Sprintf("/user/%d/transfer-admin", ana.ID())

		att.Must(403, "POST", path, nil, nil)
		ana.Must(403, "POST", path, nil, nil)
		env.Anonymous().Must(401, "POST", path, nil, nil)
		env.Admin.Must(404, "POST", "/user/999999/transfer-admin", nil, nil)
		env.Admin.Must(204, "POST", path, nil, nil)

		var u ajudae.User
		ana.Must(200, "GET", "/user/me", nil, &u)
		if u.Role != "ADMIN" {
			t.Errorf("new admin's role = %q", u.Role)
		}
		env.Admin.Must(200, "GET", "/user/me", nil, &u)
		if u.Role != "ATTENDANT" {
			t.Errorf("old admin's role = %q, want ATTENDANT", u.Role)
		}
		env.Admin.Must(403, "GET", "/user", nil, nil)
		ana.Must(200, "GET", "/user", nil, nil)
		var l ajudae.List[ajudae.User]
		ana.Must(200, "GET", "/user?role=ADMIN", nil, &l)
		if len(l.Items) != 1 {
			t.Errorf("%d ADMINs, want exactly 1", len(l.Items))
		}
		var audit ajudae.List[ajudae.AuditEntry]
		env.Admin.Must(403, "GET", "/audit", nil, nil)
		ana.Must(200, "GET", "/audit", nil, &audit)
		var actions []string
		for _, a := range audit.Items {
			actions = append(actions, a.Action)
		}
		// Newest first: the transfer, then Carla's promotion.
		if want := []string{"admin.transferred", "user.role_changed"}; !slices.Equal(actions, want) {
			t.Errorf("audit actions = %v, want %v", actions, want)
		}
		if a := audit.Items[0]; a.Actor == nil || a.Actor.ID != env.Admin.ID() || a.Target.Type != "user" || a.Target.ID != ana.ID() {
			t.Errorf("transfer entry = %+v", a)
		}
	})
}

// TestProblemsDoNotEchoSecrets: a refused request never sends the
// password, or the whole body, back in the problem's values.
func TestProblemsDoNotEchoSecrets(t *testing.T) {
	env := apitest.New(t, dbtest.Engines()[0])
	const secret = "s3cret-Passw0rd-zz"
	for _, body := range []any{
		map[string]any{"email": "a@example.com", "password": secret, "extra": 1},
		`{"email":"a@example.com","password":"` + secret + `"`,
		map[string]any{"email": "a@example.com", "password": 12345},
		map[string]any{"name": "A", "email": "bad", "password": secret + strings.Repeat("x", 200)},
	} {
		for _, path := range []string{"/auth/login", "/user/register"} {
			r := env.Anonymous().Do("POST", path, body)
			if r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s: %d", path, r.Status)
			}
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("%s echoes the password: %s", path, r.Body)
			}
		}
	}
}
