package web

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogueIsComplete: every key the templates and the handlers use
// has a pt-BR and an English text with the same verbs.
func TestCatalogueIsComplete(t *testing.T) {
	used := map[string]string{} // key → where
	tkeys := regexp.MustCompile(`\.(Tn?) "([^"]+)"`)
	err := fs.WalkDir(files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		for _, m := range tkeys.FindAllStringSubmatch(string(b), -1) {
			used[m[2]] = p
			if m[1] == "Tn" {
				used[m[2]+".one"] = p
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	gokeys := regexp.MustCompile(`v\.T\("([^"]+)"|notice=([a-z]+)|notice := "([a-z]+)"|notice = "([a-z]+)"|afterChange\([^)]*"([a-z]+)"\)`)
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range gokeys.FindAllStringSubmatch(string(b), -1) {
			switch {
			case m[1] != "":
				if !strings.HasSuffix(m[1], ".") {
					used[m[1]] = f
				}
			default:
				used["notice."+m[2]+m[3]+m[4]+m[5]] = f
			}
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(used))
	}
	for k, where := range used {
		if _, ok := messages[k]; !ok {
			t.Errorf("%s uses %q, which the catalogue lacks", where, k)
		}
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s lacks a translation: %q", k, m)
		}
		if a, b := verbs.FindAllString(m[0], -1), verbs.FindAllString(m[1], -1); strings.Join(a, "") != strings.Join(b, "") {
			t.Errorf("%s: pt-BR has %v, en has %v", k, a, b)
		}
	}
}

func TestPickLang(t *testing.T) {
	for _, c := range []struct{ accept, cookie, want string }{
		{"", "", langPT},
		{"en", "", langEN},
		{"en-US,en;q=0.9", "", langEN},
		{"pt-BR,pt;q=0.9,en;q=0.8", "", langPT},
		{"fr-FR,en;q=0.5,pt;q=0.8", "", langPT},
		{"de;q=1,en;q=0.2", "", langEN},
		{"en;q=0", "", langPT},
		{"en", "pt-BR", langPT},
		{"pt", "en", langEN},
		{"en", "xx", langEN},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", c.accept)
		if c.cookie != "" {
			r.Header.Set("Cookie", "lang="+c.cookie)
		}
		if got := pickLang(r); got != c.want {
			t.Errorf("Accept-Language %q, cookie %q: %s, want %s", c.accept, c.cookie, got, c.want)
		}
	}
}

func TestTranslateServer(t *testing.T) {
	for in, want := range map[string]string{
		"must be at least 3 characters long":     "precisa ter pelo menos 3 caracteres",
		"The e-mail a@b.co is already in use.":   "O e-mail a@b.co já está em uso.",
		"Wrong e-mail or password.":              "E-mail ou senha incorretos.",
		"Something the catalogue does not know.": "Something the catalogue does not know.",
	} {
		if got := translateServer(langPT, in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
		if got := translateServer(langEN, in); got != in {
			t.Errorf("English %q → %q", in, got)
		}
	}
}

func TestTemplatesParse(t *testing.T) {
	pages, err := parseTemplates(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "register", "error", "account", "tickets/list", "tickets/new", "tickets/show",
		"admin/teams", "admin/users", "teams/show"} {
		if pages[name] == nil {
			t.Errorf("no page %s", name)
		}
	}
	if !pages["tickets/list"].partial || !pages["tickets/show"].partial {
		t.Errorf("the list and the ticket must have an htmx partial")
	}
}
