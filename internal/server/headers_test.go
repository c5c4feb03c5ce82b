package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/server"
)

// headerCase is one response whose security headers are checked.
type headerCase struct {
	name, method, path, body string
	token                    bool
}

// headerCases cover every kind of response: API successes and problems,
// probes, the OpenAPI document, the docs page and its assets, the UI pages
// (once the UI is merged; a 404 problem before), and the catch-all 404.
var headerCases = []headerCase{
	{name: "API 200", method: "GET", path: "/team", token: true},
	{name: "API 401", method: "GET", path: "/user/me"},
	{name: "API 422", method: "POST", path: "/user/register", body: `{"name":""}`},
	{name: "API 400", method: "POST", path: "/user/register", body: `{"name":`},
	{name: "API 413", method: "POST", path: "/user/register", body: `{"name":"` + strings.Repeat("a", 1<<20) + `"}`},
	{name: "API 404", method: "GET", path: "/ticket/999999", token: true},
	{name: "healthz", method: "GET", path: "/healthz"},
	{name: "readyz", method: "GET", path: "/readyz"},
	{name: "openapi", method: "GET", path: "/openapi.json"},
	{name: "docs page", method: "GET", path: "/docs"},
	{name: "docs script", method: "GET", path: "/docs/init.js"},
	{name: "docs missing asset", method: "GET", path: "/docs/nope.js"},
	{name: "UI root", method: "GET", path: "/"},
	{name: "UI login", method: "GET", path: "/login"},
	{name: "UI tickets", method: "GET", path: "/tickets"},
	{name: "no route", method: "DELETE", path: "/nothing/here"},
}

// TestSecurityHeaders: every response carries the headers of SECURITY.md,
// and the CSP allows no inline script or style and no framing.
func TestSecurityHeaders(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		var tk struct{ ID int64 }
		env.Admin.Must(201, "POST", "/ticket", map[string]any{"title": "Com anexo", "description": "x", "teamId": 1}, &tk)
		res := upload(t, env, env.Admin.Token, tk.ID, "nota.html", "<script>alert(1)</script>")
		if res.StatusCode != 201 {
			t.Fatalf("upload: %d", res.StatusCode)
		}
		checkSecurityHeaders(t, res.Header)
		var at struct{ ID int64 }
		json.NewDecoder(res.Body).Decode(&at)
		res.Body.Close()
		cases := append(headerCases,
			headerCase{name: "attachment download", method: "GET", path: fmt.Sprintf("/attachment/%d", at.ID), token: true},
			headerCase{name: "attachment list", method: "GET", path: fmt.Sprintf("/ticket/%d/attachments", tk.ID), token: true},
			headerCase{name: "attachment 404", method: "GET", path: "/attachment/999999", token: true},
		)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				token := ""
				if c.token {
					token = env.Admin.Token
				}
				req := apitest.Request{Method: c.method, Path: c.path}
				if c.body != "" {
					req.Body = c.body
				}
				r := env.Do(token, req)
				if r.Status >= 500 {
					t.Errorf("status %d: %s", r.Status, r.Body)
				}
				checkSecurityHeaders(t, r.Header)
			})
		}
	})
}

func checkSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", csp)
	}
	if !strings.Contains(csp, "default-src 'self'") && !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q lacks default-src 'self' or 'none'", csp)
	}
	if strings.Contains(csp, "default-src 'self'") {
		for _, need := range []string{"script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'self'"} {
			if !strings.Contains(csp, need) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, need)
			}
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("Content-Security-Policy %q allows %s", csp, bad)
		}
	}
}

// TestHSTS: Strict-Transport-Security only when the request came over TLS:
// our own TLS, or X-Forwarded-Proto: https from a trusted proxy. Without
// trust, anyone could send the header over plain HTTP.
func TestHSTS(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		tests := []struct {
			name       string
			trustProxy bool
			tls        bool
			proto      string
			want       bool
		}{
			{"plain HTTP", false, false, "", false},
			{"untrusted X-Forwarded-Proto", false, false, "https", false},
			{"trusted X-Forwarded-Proto https", true, false, "https", true},
			{"trusted X-Forwarded-Proto http", true, false, "http", false},
			{"trusted proxy, no header", true, false, "", false},
			{"own TLS", false, true, "", true},
			{"own TLS behind a trusted proxy", true, true, "", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := server.New(server.Deps{Store: db, Log: discardLogger(), Version: "test", TrustProxy: tt.trustProxy})
				var srv *httptest.Server
				if tt.tls {
					srv = httptest.NewTLSServer(h)
				} else {
					srv = httptest.NewServer(h)
				}
				defer srv.Close()
				for _, path := range []string{"/healthz", "/team", "/docs"} {
					req, _ := http.NewRequest("GET", srv.URL+path, nil)
					if tt.proto != "" {
						req.Header.Set("X-Forwarded-Proto", tt.proto)
					}
					res, err := srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					hsts := res.Header.Get("Strict-Transport-Security")
					if got := hsts != ""; got != tt.want {
						t.Errorf("%s: Strict-Transport-Security = %q, want present %v", path, hsts, tt.want)
					}
					if tt.want && !strings.Contains(hsts, "max-age=") {
						t.Errorf("%s: Strict-Transport-Security = %q lacks max-age", path, hsts)
					}
					checkSecurityHeaders(t, res.Header)
				}
			})
		}
	})
}

// upload attaches a file to a ticket as a client would (multipart).
func upload(t *testing.T, env *apitest.Env, token string, ticket int64, filename, content string) *http.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", filename)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/ticket/%d/attachments", env.Server.URL, ticket), &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := env.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
