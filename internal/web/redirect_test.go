package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/web"
)

// offSite reports whether a browser would leave the site for loc.
func offSite(loc string) bool { return apitest.OffSite(loc) }

// TestRedirectsStayOnSite: the "next" of the login form, the language
// switch and the admin forms' "back" never send the browser to another
// site, whatever a crafted link puts in them; plain and htmx requests alike.
func TestRedirectsStayOnSite(t *testing.T) {
	hostile := []string{
		"//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example", "/\n/evil.example",
		"/\r\n/evil.example", "\t//evil.example", "/\\\t/evil.example", "/\t\\evil.example", " //evil.example",
		"javascript:alert(1)", "/%09/evil.example", "/./\t/evil.example", "/%2F%2Fevil.example", "/%2F/evil.example",
		"/%5C%5Cevil.example", "/%5Cevil.example", "/.//evil.example", "/%0a/evil.example", "/admin/users?x=%09//evil.example",
	}
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		_, _, adminCookie := post(t, env, "/login", url.Values{"email": {apitest.AdminEmail}, "password": {apitest.AdminPassword}}, false, "")
		if adminCookie == "" {
			t.Fatal("no session cookie after the admin's login")
		}
		for _, back := range hostile {
			status, loc, _ := post(t, env, "/admin/users/"+strconv.FormatInt(ana.ID(), 10)+"/role",
				url.Values{"role": {"USER"}, "back": {back}}, false, adminCookie)
			if loc == "" || offSite(loc) {
				t.Errorf("role form back=%q: %d, redirects to %q", back, status, loc)
			}
		}
		for _, next := range hostile {
			for _, htmx := range []bool{false, true} {
				checks := map[string]url.Values{
					"/login": {"email": {ana.User.Email}, "password": {ana.Password}, "next": {next}},
					"/lang":  {"lang": {"en"}, "next": {next}},
				}
				for path, form := range checks {
					status, loc, _ := post(t, env, path, form, htmx, "")
					if loc == "" {
						t.Errorf("%s next=%q (htmx %v): no redirect (%d)", path, next, htmx, status)
					} else if offSite(loc) {
						t.Errorf("%s next=%q (htmx %v): redirects off the site to %q", path, next, htmx, loc)
					}
				}
			}
		}
	})
}

// post sends a form (with the session cookie, when not empty) and returns
// the status, where it redirects (Location, or HX-Redirect for htmx), and
// the session cookie it sets. The answer is read raw: Go's client refuses
// to parse a Location that a browser would follow.
func post(t *testing.T, env *apitest.Env, path string, form url.Values, htmx bool, cookie string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", env.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
	}
	res, err := env.Server.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	session := ""
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie {
			session = c.Value
		}
	}
	return res.StatusCode, res.Header.Get("Location") + res.Header.Get("HX-Redirect"), session
}
