package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestObservability: /metrics exposes requests by route pattern, the pool,
// SSE subscribers and tickets created (behind its token when one is set);
// every log line of a request carries its request id once; pprof listens
// only where asked and only on loopback.
func TestObservability(t *testing.T) {
	env := map[string]string{
		"AJUDAE_DATA_DIR": t.TempDir(), "AJUDAE_ADMIN_EMAIL": "root@example.com", "AJUDAE_ADMIN_PASSWORD": "root-password",
		"AJUDAE_ARGON2_MEMORY": "64", "AJUDAE_ARGON2_TIME": "1", "AJUDAE_METRICS_TOKEN": "scrape-token",
		"AJUDAE_PPROF_ADDR": freeAddr(t),
	}
	base, logs, stop := startRun(t, env)
	status, tok := call(t, "POST", base+"/auth/login", "", map[string]string{"email": "root@example.com", "password": "root-password"})
	if status != 200 {
		t.Fatalf("login: %d", status)
	}
	root := tok["accessToken"].(string)
	_, teams := call(t, "GET", base+"/team", root, nil)
	team := teams["items"].([]any)[0].(map[string]any)["id"]
	if status, _ := call(t, "POST", base+"/ticket", root, map[string]any{"title": "Métricas", "description": "d", "teamId": team}); status != 201 {
		t.Fatalf("create: %d", status)
	}
	call(t, "GET", base+"/ticket/999999", root, nil)

	get := func(url, token string) (int, string) {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, _ := get(base+"/metrics", ""); status != 401 {
		t.Errorf("/metrics without the token: %d, want 401", status)
	}
	status, body := get(base+"/metrics", "scrape-token")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`ajudae_http_requests_total{route="POST /ticket",status="201"} 1`,
		`ajudae_http_requests_total{route="GET /ticket/{id}",status="404"} 1`,
		`ajudae_http_request_duration_seconds_count{route="POST /auth/login"} 1`,
		`ajudae_tickets_created_total 1`,
		`ajudae_sse_subscribers 0`,
		`ajudae_db_open_connections`,
		`ajudae_db_max_open_connections 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if status, _ := get("http://"+env["AJUDAE_PPROF_ADDR"]+"/debug/pprof/", ""); status != 200 {
		t.Errorf("pprof on %s: %d", env["AJUDAE_PPROF_ADDR"], status)
	}
	if status, _ := get(base+"/debug/pprof/", ""); status != 404 {
		t.Errorf("pprof on the public address: %d, want 404", status)
	}
	stop()

	// Every line logged while serving a request names it, once.
	requests := 0
	for _, line := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["msg"] == "request" {
			requests++
			if id, _ := m["request_id"].(string); id == "" || strings.Count(line, `"request_id"`) != 1 {
				t.Errorf("request line without exactly one request_id: %s", line)
			}
		}
	}
	if requests < 5 {
		t.Errorf("only %d request lines logged", requests)
	}

	// pprof is refused anywhere but loopback.
	var out syncBuffer
	getenv := func(k string) string { return map[string]string{"AJUDAE_PPROF_ADDR": "0.0.0.0:6060"}[k] }
	if err := run(t.Context(), nil, getenv, &out, &out); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("pprof on 0.0.0.0: %v", err)
	}
}
