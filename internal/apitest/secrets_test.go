package apitest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// recorder is a testing.TB that keeps the errors instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.errs
	r.errs = nil
	return e
}

// TestCheckLogsCatchesSecrets: the log check that every Env runs at
// cleanup sees a password, a token, a hash and a secret-named attribute.
func TestCheckLogsCatchesSecrets(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		rec := &recorder{TB: t}
		env := New(rec, e)
		ana := env.NewUser("Ana")
		if strings.Contains(string(env.Do(ana.Token, Request{Method: "GET", Path: "/user/me"}).Body), hashMarker) {
			t.Error("GET /user/me holds a hash")
		}
		env.Server.Close() // every log line is written; none is being written
		env.checkLogs()
		if errs := rec.take(); len(errs) > 0 {
			t.Fatalf("clean logs reported: %v", errs)
		}
		for _, leak := range []string{
			`{"msg":"oops","body":"` + ana.Password + `"}`,
			`{"msg":"oops","header":"Bearer ` + ana.Token + `"}`,
			`{"msg":"oops","x":"` + ana.RefreshToken + `"}`,
			`{"msg":"oops","x":"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$a2V5"}`,
			`{"msg":"oops","user_password":"x"}`,
			`{"msg":"oops","AccessToken":"x"}`,
		} {
			before := env.Logs.Len()
			env.Logs.WriteString(leak + "\n")
			env.checkLogs()
			if errs := rec.take(); len(errs) == 0 {
				t.Errorf("leak not caught: %s", leak)
			}
			env.Logs.Truncate(before)
		}
	})
}
