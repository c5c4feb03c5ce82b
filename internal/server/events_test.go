package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestHostileLastEventID: GET /events with any Last-Event-ID (header or
// query) opens the stream or answers a 422 problem; never a 5xx.
func TestHostileLastEventID(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		ana := env.NewUser("Ana")
		for _, v := range []string{"0", "1", "-1", "abc", "9223372036854775807", "9223372036854775808", " 1", "1e3", "0x10", "+5", "１"} {
			for _, inQuery := range []bool{false, true} {
				ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
				path := "/events"
				if inQuery {
					path += "?lastEventId=" + url.QueryEscape(v)
				}
				req, _ := http.NewRequestWithContext(ctx, "GET", env.Server.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+ana.Token)
				if !inQuery {
					req.Header.Set("Last-Event-ID", v)
				}
				res, err := env.Server.Client().Do(req)
				if err != nil {
					cancel()
					t.Fatalf("Last-Event-ID %q: %v", v, err)
				}
				ct := res.Header.Get("Content-Type")
				ok := (res.StatusCode == 200 && ct == "text/event-stream") ||
					(res.StatusCode == http.StatusUnprocessableEntity && ct == "application/problem+json")
				if !ok {
					t.Errorf("Last-Event-ID %q (query %v): %d %s", v, inQuery, res.StatusCode, ct)
				}
				cancel() // ends the stream
				res.Body.Close()
			}
		}
	})
}
