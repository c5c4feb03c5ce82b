package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/web"
)

// browserClient is a cookie-keeping HTTP client that does not follow
// redirects, so that tests see them.
type browserClient struct {
	t    *testing.T
	env  *apitest.Env
	http *http.Client
	// header is sent with every request (Accept-Language, HX-Request…).
	header http.Header
}

func newClient(t *testing.T, env *apitest.Env) *browserClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browserClient{t: t, env: env, header: http.Header{"Accept": {"text/html"}}, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its parsed HTML.
type page struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   string
	Doc    *html.Node
}

func (c *browserClient) do(method, path string, form url.Values, header ...string) *page {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.env.Server.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := &page{t: c.t, Status: res.StatusCode, Header: res.Header, Body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if p.Doc, err = html.Parse(strings.NewReader(p.Body)); err != nil {
			c.t.Fatalf("parse %s: %v", path, err)
		}
	}
	return p
}

func (c *browserClient) get(path string, header ...string) *page {
	c.t.Helper()
	return c.do("GET", path, nil, header...)
}

func (c *browserClient) post(path string, form url.Values, header ...string) *page {
	c.t.Helper()
	return c.do("POST", path, form, header...)
}

// mustGet gets path and fails unless it answers status.
func (c *browserClient) mustGet(status int, path string) *page {
	c.t.Helper()
	p := c.get(path)
	if p.Status != status {
		c.t.Fatalf("GET %s: %d, want %d\n%s", path, p.Status, status, p.Body)
	}
	return p
}

// mustPost posts and fails unless it answers status.
func (c *browserClient) mustPost(status int, path string, form url.Values, header ...string) *page {
	c.t.Helper()
	p := c.post(path, form, header...)
	if p.Status != status {
		c.t.Fatalf("POST %s: %d, want %d\n%s", path, p.Status, status, p.Body)
	}
	return p
}

// login logs in through the form.
func (c *browserClient) login(email, password string) {
	c.t.Helper()
	p := c.post("/login", url.Values{"email": {email}, "password": {password}, "next": {"/tickets"}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/tickets" {
		c.t.Fatalf("login %s: %d %s\n%s", email, p.Status, p.Header.Get("Location"), p.Body)
	}
}

// loginAs returns a client logged in as the API client u.
func loginAs(t *testing.T, env *apitest.Env, u *apitest.Client) *browserClient {
	t.Helper()
	c := newClient(t, env)
	c.login(u.User.Email, u.Password)
	return c
}

// session returns the session cookie the client holds.
func (c *browserClient) session() string {
	u, _ := url.Parse(c.env.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == web.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// all returns the elements under n for which match is true.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// tag matches elements named name with every attribute of attrs
// ("name=value", or "name" for presence).
func tag(name string, attrs ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if name != "" && n.Data != name {
			return false
		}
		for _, a := range attrs {
			k, v, hasValue := strings.Cut(a, "=")
			got, ok := attr(n, k)
			if !ok || (hasValue && got != v) {
				return false
			}
		}
		return true
	}
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// text is the text content of n, spaces collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// find returns the elements of the page that match.
func (p *page) find(match func(*html.Node) bool) []*html.Node {
	p.t.Helper()
	if p.Doc == nil {
		p.t.Fatalf("not an HTML page: %s", p.Body)
	}
	return all(p.Doc, match)
}

// has reports whether any element matches.
func (p *page) has(match func(*html.Node) bool) bool { return len(p.find(match)) > 0 }

// one returns the only element that matches, failing otherwise.
func (p *page) one(what string, match func(*html.Node) bool) *html.Node {
	p.t.Helper()
	l := p.find(match)
	if len(l) != 1 {
		p.t.Fatalf("%d elements are %s, want 1\n%s", len(l), what, p.Body)
	}
	return l[0]
}

// fieldError returns the problem shown next to the field with that id.
func (p *page) fieldError(id string) string {
	p.t.Helper()
	l := p.find(tag("", "id="+id+"-error"))
	if len(l) == 0 {
		return ""
	}
	return text(l[0])
}
