package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestOpenAPIDocument: /openapi.json is OpenAPI 3.1 and describes every
// route of API.md, each with its errors and a bearer requirement where
// API.md asks for one.
func TestOpenAPIDocument(t *testing.T) {
	env := apitest.New(t, dbtest.Engines()[0])
	r := env.Do("", apitest.Request{Method: "GET", Path: "/openapi.json"})
	if r.Status != 200 {
		t.Fatalf("/openapi.json: %d", r.Status)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Security  []map[string][]string `json:"security"`
			Responses map[string]any        `json:"responses"`
		} `json:"paths"`
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	r.JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	public := map[string]bool{"POST /auth/login": true, "POST /auth/refresh": true, "POST /user/register": true}
	routes := []string{
		"POST /auth/login", "POST /auth/refresh", "POST /auth/logout", "POST /auth/logout/all", "GET /auth/sessions", "DELETE /auth/sessions/{id}",
		"POST /user/register", "GET /user", "GET /user/me", "GET /user/{id}", "PUT /user/{id}", "DELETE /user/{id}", "POST /user/{id}/transfer-admin",
		"GET /team", "GET /team/{id}", "POST /team", "PUT /team/{id}", "DELETE /team/{id}", "GET /team/{id}/members",
		"PUT /team/{id}/members/{userId}", "DELETE /team/{id}/members/{userId}",
		"POST /ticket", "GET /ticket", "GET /ticket/{id}", "PATCH /ticket/{id}", "POST /ticket/{id}/redirect",
		"GET /ticket/{id}/messages", "POST /ticket/{id}/messages", "GET /ticket/{id}/events", "GET /ticket/stats",
		"GET /audit",
	}
	for _, route := range routes {
		method, path, _ := strings.Cut(route, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s is not in the OpenAPI document", route)
			continue
		}
		if secured := len(op.Security) > 0; secured == public[route] {
			t.Errorf("%s: security %v, want bearer=%v", route, op.Security, !public[route])
		}
		hasError := false
		for code := range op.Responses {
			hasError = hasError || code[0] == '4'
		}
		if !hasError {
			t.Errorf("%s documents no 4xx response", route)
		}
	}
	if _, ok := doc.Components.SecuritySchemes["bearer"]; !ok {
		t.Error("no bearer security scheme")
	}
	if !strings.Contains(string(r.Body), `"examples"`) {
		t.Error("the document carries no examples")
	}
}

// TestDocsAreOffline: /docs and its assets come from the binary and name
// no other origin.
func TestDocsAreOffline(t *testing.T) {
	env := apitest.New(t, dbtest.Engines()[0])
	page := env.Do("", apitest.Request{Method: "GET", Path: "/docs"})
	if page.Status != 200 || !strings.Contains(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	if m := regexp.MustCompile(`(?i)(src|href)="https?://`).Find(page.Body); m != nil {
		t.Errorf("/docs loads from another origin: %s", m)
	}
	for _, asset := range regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllSubmatch(page.Body, -1) {
		r := env.Do("", apitest.Request{Method: "GET", Path: string(asset[1])})
		if r.Status != http.StatusOK || len(r.Body) < 100 {
			t.Errorf("%s: %d, %d bytes", asset[1], r.Status, len(r.Body))
		}
	}
	init := env.Do("", apitest.Request{Method: "GET", Path: "/docs/init.js"})
	if !strings.Contains(string(init.Body), "/openapi.json") || !strings.Contains(string(init.Body), "validatorUrl: null") {
		t.Errorf("init.js = %s", init.Body)
	}
	var m map[string]any
	json.Unmarshal(env.Do("", apitest.Request{Method: "GET", Path: "/openapi.json"}).Body, &m)
	if m["info"] == nil {
		t.Error("no info in the document")
	}
}
