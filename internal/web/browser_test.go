package web_test

// Browser tests: Debian's Chromium, headless, driven by chromedp against
// the real server on each engine. One browser serves the whole package;
// each user gets a tab in a browser context of its own (its own cookies).
//
// Screenshots for the README: AJUDAE_SCREENSHOTS=docs/screenshots go test ./internal/web -run TestBrowser
// (the path is relative to the repository root).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ajudae/ajudae/internal/apitest"
)

// browser is the one Chromium of the package, started by the first test
// that needs it and stopped by TestMain.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel []context.CancelFunc
	dir    string
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(browser.cancel) - 1; i >= 0; i-- {
		browser.cancel[i]()
	}
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
	os.Exit(code)
}

// chromiumPath finds Chromium: AJUDAE_CHROMIUM, then the usual names.
func chromiumPath() string {
	if p := os.Getenv("AJUDAE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserContext returns the package's browser. Without Chromium the test
// is skipped loudly, or fails under AJUDAE_REQUIRE_POSTGRES=1 (CI), where
// the browser tests must run.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		msg := "Chromium not found (apt-get install chromium, or set AJUDAE_CHROMIUM): the browser tests did NOT run"
		if os.Getenv("AJUDAE_REQUIRE_POSTGRES") == "1" {
			t.Fatal(msg)
		}
		fmt.Fprintln(os.Stderr, "\n*** WARNING: "+msg+" ***")
		t.Skip(msg)
	}
	browser.once.Do(func() {
		browser.dir, browser.err = os.MkdirTemp("", "ajudae-chromium-")
		if browser.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.UserDataDir(browser.dir),
			chromedp.WindowSize(1280, 900),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		browser.cancel = append(browser.cancel, cancelAlloc, cancelCtx)
		browser.ctx = ctx
		browser.err = chromedp.Do(ctx)
	})
	if browser.err != nil {
		t.Fatalf("start chromium %s: %v", path, browser.err)
	}
	return browser.ctx
}

// tab is one user's tab, with its own cookies, on the server of env.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context
	base string

	mu         sync.Mutex
	requests   []string // every URL the tab asked for
	exceptions []string // uncaught JavaScript exceptions
}

// newTab opens a tab whose browser prefers Brazilian Portuguese.
func newTab(t *testing.T, env *apitest.Env, name string) *tab {
	t.Helper()
	return newTabLang(t, env, name, "pt-BR,pt;q=0.9")
}

// newTabLang opens a tab that sends acceptLanguage as Accept-Language.
func newTabLang(t *testing.T, env *apitest.Env, name, acceptLanguage string) *tab {
	t.Helper()
	return openTab(t, env.Server.URL, name, acceptLanguage)
}

// openTab opens a tab on the server at base.
func openTab(t *testing.T, base, name, acceptLanguage string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserContext(t), chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute) // a bound, not an assertion
	t.Cleanup(func() { cancelTimeout(); cancel() })
	tb := &tab{t: t, name: name, ctx: ctx, base: base}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": acceptLanguage}})
		return err
	})); err != nil {
		t.Fatalf("%s: open tab: %v", name, err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tb.requests = append(tb.requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			tb.exceptions = append(tb.exceptions, e.ExceptionDetails.Text)
		}
	}); err != nil {
		t.Fatalf("%s: listen: %v", name, err)
	}
	return tb
}

func (b *tab) fail(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf(b.name+": "+format, args...)
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// visit loads path and waits until sel shows.
func (b *tab) visit(path, sel string) {
	b.t.Helper()
	b.do("visit "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do("fill "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SetValue(chromedp.CSS(sel), value))
}

// click clicks sel and waits until then shows.
func (b *tab) click(sel, then string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(then)))
}

// tick clicks a checkbox or a control that changes nothing else.
func (b *tab) tick(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fail("text of %s: %v", sel, err)
	}
	return s
}

func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.fail("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// count returns how many elements match sel now.
func (b *tab) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		b.fail("count %s: %v", sel, err)
	}
	return n
}

// pageText is the visible text of the page.
func (b *tab) pageText() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		b.fail("page text: %v", err)
	}
	return s
}

// waitText waits until the page shows s.
func (b *tab) waitText(s string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf("document.body.innerText.includes(%q)", s))); err != nil {
		b.fail("wait for text %q: %v (page: %s)", s, err, b.pageText())
	}
}

// waitAttr waits until sel has attribute name equal to value.
func (b *tab) waitAttr(sel, name, value string) {
	b.t.Helper()
	js := fmt.Sprintf("(function(){var e=document.querySelector(%q);return !!e && e.getAttribute(%q)===%q})()", sel, name, value)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js)); err != nil {
		b.fail("wait for %s[%s=%q]: %v", sel, name, value, err)
	}
}

func (b *tab) login(email, password string) {
	b.t.Helper()
	b.visit("/login", "#email")
	b.fill("#email", email)
	b.fill("#password", password)
	b.click(`form[action="/login"] button[type=submit]`, "#ticket-results")
}

// path is the current path of the tab.
func (b *tab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// assertSameOrigin checks that the tab asked for nothing outside the
// server and that no script of the pages threw.
func (b *tab) assertSameOrigin() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.exceptions {
		b.fail("uncaught JavaScript exception: %s", e)
	}
	if len(b.requests) == 0 {
		b.fail("no requests were seen: the network listener is not working")
	}
	for _, u := range b.requests {
		if !strings.HasPrefix(u, b.base+"/") && u != b.base && !strings.HasPrefix(u, "data:") && u != "about:blank" {
			b.fail("a request left the origin: %s", u)
		}
	}
}

// screenshot saves the page as name.png under AJUDAE_SCREENSHOTS, when set.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("AJUDAE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // relative to the repository root
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.fail("screenshot dir: %v", err)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
}

func waitVisible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

func waitNotPresent(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitNotPresent(chromedp.CSS(sel))
}

func typeKeys(sel, keys string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), keys)
}

// mark leaves a mark in the page's window, which a full load erases.
func (b *tab) mark() {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("window.ajudaeTestMark = 42")); err != nil {
		b.fail("mark: %v", err)
	}
}

// marked reports whether the mark is still there.
func (b *tab) marked() bool {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("window.ajudaeTestMark === 42"))
	if err != nil {
		b.fail("marked: %v", err)
	}
	return ok
}

// waitTextIn waits until the element sel shows s.
func (b *tab) waitTextIn(sel, s string) {
	b.t.Helper()
	js := fmt.Sprintf("(function(){var e=document.querySelector(%q);return !!e && e.innerText.includes(%q)})()", sel, s)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js)); err != nil {
		b.fail("wait for %q in %s: %v (page: %s)", s, sel, err, b.pageText())
	}
}

// waitPath waits until the tab's path and query start with prefix. It
// survives the page being replaced by a navigation while it waits.
func (b *tab) waitPath(prefix string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a bound, not an assertion
	last := ""
	for time.Now().Before(deadline) {
		loc, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("location.pathname + location.search"))
		if err == nil && strings.HasPrefix(loc, prefix) {
			return
		}
		last = loc
		time.Sleep(50 * time.Millisecond)
	}
	b.fail("the tab stayed at %s, want %s…", last, prefix)
}

// waitSeen waits until the page's live updates have handled the event
// with that id, or a later one (app.js marks <html data-live-seen>).
func (b *tab) waitSeen(id int64) {
	b.t.Helper()
	js := fmt.Sprintf("Number(document.documentElement.getAttribute('data-live-seen') || 0) >= %d", id)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](js)); err != nil {
		b.fail("wait until event %d is handled: %v", id, err)
	}
}

// clear empties the field sel as a user deleting its text would.
func (b *tab) clear(sel string) {
	b.t.Helper()
	js := fmt.Sprintf("(function(){var e=document.querySelector(%q);e.value='';e.dispatchEvent(new Event('input',{bubbles:true}));return e.value===''})()", sel)
	if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err != nil || !ok {
		b.fail("clear %s: %v", sel, err)
	}
}

// historyLength is the number of entries of the tab's session history.
func (b *tab) historyLength() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("history.length"))
	if err != nil {
		b.fail("history length: %v", err)
	}
	return n
}
