package api_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

const mib = 1 << 20

// padded returns a JSON object of exactly n bytes: {"message":"aaa…"}.
func padded(n int) []byte {
	const head, tail = `{"message":"`, `"}`
	return []byte(head + strings.Repeat("a", n-len(head)-len(tail)) + tail)
}

// TestBodyLimit: on every route that takes a JSON body, a body over 1 MiB
// is a 413 problem that changes nothing, sent with a length or chunked;
// a body of exactly 1 MiB is read (and refused for its field, 422).
func TestBodyLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		fx := newFuzzFixture(t, e)
		for _, rt := range fx.bodyRoutes() {
			t.Run(rt[0]+" "+rt[1], func(t *testing.T) {
				a := fx.Actors[actorAdmin]
				r := fx.do(t, call{actor: a, method: rt[0], path: rt[1], body: padded(mib + 1)})
				if r.status != http.StatusRequestEntityTooLarge {
					t.Errorf("1 MiB + 1 byte: status %d, want 413: %s", r.status, r.body)
				}
				r = fx.do(t, call{actor: a, method: rt[0], path: rt[1], body: padded(mib)})
				if r.status == http.StatusRequestEntityTooLarge || r.status < 400 {
					t.Errorf("exactly 1 MiB: status %d, want it read and refused for its content: %s", r.status, r.body)
				}
				// Chunked, with no length announced: the limit holds while reading.
				res := sendChunked(t, fx, a.Token, rt[0], rt[1], io.MultiReader(strings.NewReader(`{"message":"`), infiniteA{}))
				if res.StatusCode != http.StatusRequestEntityTooLarge || res.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("endless chunked body: status %d %s, want a 413 problem", res.StatusCode, res.Header.Get("Content-Type"))
				}
			})
		}
	})
}

// infiniteA is an endless stream of 'a'.
type infiniteA struct{}

func (infiniteA) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func sendChunked(t *testing.T, fx *fuzzFixture, token, method, path string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, fx.Env.Server.URL+path, io.NopCloser(body))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := fx.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// TestBrokenBody: a body that breaks off or is malformed on the wire
// (bad chunked encoding) is the client's fault: a 400 problem, not a 500.
func TestBrokenBody(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		addr := strings.TrimPrefix(env.Server.URL, "http://")
		for name, raw := range map[string]string{
			"bad chunk size": "POST /user/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"zz\r\n{}\r\n0\r\n\r\n",
			"chunk longer than announced": "POST /user/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"2\r\n{\"name\":\"x\"}\r\n0\r\n\r\n",
		} {
			t.Run(name, func(t *testing.T) {
				status, ct, body := rawRequest(t, addr, raw)
				if status != http.StatusBadRequest || ct != "application/problem+json" {
					t.Errorf("status %d %s, want a 400 problem: %s", status, ct, body)
				}
			})
		}
		var l ajudae.List[ajudae.User]
		env.Admin.Must(200, "GET", "/user", nil, &l)
		if len(l.Items) != 1 {
			t.Errorf("%d users after broken registrations, want only the admin", len(l.Items))
		}
	})
}

// rawRequest writes raw on a new connection and reads one response.
func rawRequest(t *testing.T, addr, raw string) (int, string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // a hang detector, not a timing assertion
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

// fieldLimit is one text field of API.md's "Sizes" and where it is sent.
type fieldLimit struct {
	name     string // field location, e.g. body.title
	min, max int    // characters
	// send sends value in the field (other fields valid) and returns the response.
	send func(t *testing.T, w *world, value string) *apitest.Response
}

func fieldLimits() []fieldLimit {
	seq := 0
	email := func() string { seq++; return fmt.Sprintf("limite%d@example.com", seq) }
	return []fieldLimit{
		{"body.name", 1, ajudae.MaxNameLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.anon.Do("POST", "/user/register", map[string]string{"name": v, "email": email(), "password": "12345678"})
		}},
		{"body.password", ajudae.MinPasswordLen, ajudae.MaxPasswordLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.anon.Do("POST", "/user/register", map[string]string{"name": "Limite", "email": email(), "password": v})
		}},
		{"body.name", 1, ajudae.MaxNameLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.other.Do("PUT", fmt.Sprintf("/user/%d", w.other.ID()), map[string]string{"name": v})
		}},
		{"body.name", ajudae.MinTeamNameLen, ajudae.MaxTeamNameLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.admin.Do("POST", "/team", map[string]string{"name": v})
		}},
		{"body.description", 0, ajudae.MaxTeamDescLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.admin.Do("PUT", fmt.Sprintf("/team/%d", w.fin), map[string]string{"description": v})
		}},
		{"body.title", ajudae.MinTitleLen, ajudae.MaxTitleLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.creator.Do("POST", "/ticket", map[string]any{"title": v, "description": "x", "teamId": w.mkt})
		}},
		{"body.description", 1, ajudae.MaxDescriptionLen, func(t *testing.T, w *world, v string) *apitest.Response {
			return w.creator.Do("POST", "/ticket", map[string]any{"title": "Limites", "description": v, "teamId": w.mkt})
		}},
		{"body.title", ajudae.MinTitleLen, ajudae.MaxTitleLen, func(t *testing.T, w *world, v string) *apitest.Response {
			tk := w.open(t, "Para editar")
			return w.creator.Do("PATCH", fmt.Sprintf("/ticket/%d", tk.ID), map[string]any{"title": v})
		}},
		{"body.message", 1, ajudae.MaxMessageLen, func(t *testing.T, w *world, v string) *apitest.Response {
			tk := w.open(t, "Para responder")
			return w.creator.Do("POST", fmt.Sprintf("/ticket/%d/messages", tk.ID), map[string]any{"message": v})
		}},
		{"body.reason", 0, ajudae.MaxReasonLen, func(t *testing.T, w *world, v string) *apitest.Response {
			tk := w.open(t, "Para redirecionar")
			return w.admin.Do("POST", fmt.Sprintf("/ticket/%d/redirect", tk.ID), map[string]any{"teamId": w.prod, "reason": v})
		}},
	}
}

// TestFieldLimits: every text field of API.md accepts its longest value
// counted in characters (two-byte ones included), and refuses one more, one
// less than its minimum and a NUL with a 422 that names it. An e-mail of 254
// characters is accepted, of 255 refused.
func TestFieldLimits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		for _, f := range fieldLimits() {
			t.Run(f.name, func(t *testing.T) {
				if r := f.send(t, w, strings.Repeat("ç", f.max)); r.Status >= 300 {
					t.Errorf("%d characters: status %d, want success: %s", f.max, r.Status, r.Body)
				}
				refused := map[string]string{
					"one too many": strings.Repeat("ç", f.max+1),
					"NUL":          strings.Repeat("a", max(f.min, 3)-1) + "\x00",
				}
				if f.min > 1 {
					refused["one too few"] = strings.Repeat("a", f.min-1)
				}
				if f.min == 1 {
					refused["empty"] = ""
				}
				for what, v := range refused {
					r := f.send(t, w, v)
					if r.Status != http.StatusUnprocessableEntity {
						t.Errorf("%s: status %d, want 422: %s", what, r.Status, r.Body)
						continue
					}
					if p := r.Problem(t); !slices.Contains(p.Locations(), f.name) {
						t.Errorf("%s: errors %v do not name %s", what, p.Locations(), f.name)
					}
				}
			})
		}
		local := func(n int) string { return strings.Repeat("e", n-len("@example.com")) + "@example.com" }
		w.anon.Must(201, "POST", "/user/register", map[string]string{"name": "E", "email": local(254), "password": "12345678"}, nil)
		w.anon.Must(422, "POST", "/user/register", map[string]string{"name": "E", "email": local(255), "password": "12345678"}, nil)
	})
}

// TestTextKeptExactly: HTML, quotes, emoji, SQL-looking text and CRLF are
// stored and returned exactly as sent.
func TestTextKeptExactly(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		w := newWorld(t, e)
		texts := []string{
			`<script>alert("x")</script><img src=x onerror=alert(1)>`,
			`'; DROP TABLE tickets; -- "quoted" \backslash\ ?1 $1 %s`,
			"linha 1\r\nlinha 2\r\n\ttab  dois espaços  ",
			"🎉 emoji, ação, naïve, 日本語, \u200b zero-width, \u202e right-to-left",
		}
		for _, s := range texts {
			var tk ajudae.Ticket
			w.creator.Must(201, "POST", "/ticket", map[string]any{"title": "T " + s, "description": s, "teamId": w.mkt}, &tk)
			var m ajudae.Message
			w.creator.Must(201, "POST", fmt.Sprintf("/ticket/%d/messages", tk.ID), map[string]any{"message": s}, &m)
			var got ajudae.Ticket
			w.creator.Must(200, "GET", fmt.Sprintf("/ticket/%d", tk.ID), nil, &got)
			var msgs ajudae.List[ajudae.Message]
			w.creator.Must(200, "GET", fmt.Sprintf("/ticket/%d/messages", tk.ID), nil, &msgs)
			if got.Title != "T "+s || got.Description != s || len(msgs.Items) != 1 || msgs.Items[0].Message != s {
				t.Errorf("sent %q; got title %q description %q messages %+v", s, got.Title, got.Description, msgs.Items)
			}
		}
	})
}
