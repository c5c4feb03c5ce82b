package apitest

import (
	"encoding/json"
	"strings"
	"sync"
)

// hashMarker starts every stored password hash (a PHC string).
const hashMarker = "$argon2id$"

// secrets collects what must never appear in a log: every password a test
// sent and every token the server handed out.
type secrets struct {
	mu  sync.Mutex
	set map[string]bool
}

func (s *secrets) add(v string) {
	// Shorter strings are refused passwords, and could occur by chance in
	// a request id or a duration.
	if len(v) < 8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set = map[string]bool{}
	}
	s.set[v] = true
}

func (s *secrets) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := make([]string, 0, len(s.set))
	for v := range s.set {
		l = append(l, v)
	}
	return l
}

// fromRequest records the passwords of a JSON request body.
func (s *secrets) fromRequest(body []byte) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return
	}
	for _, k := range []string{"password", "currentPassword", "refreshToken"} {
		if v, ok := m[k].(string); ok {
			s.add(v)
		}
	}
}

// fromResponse records the tokens of a login or refresh answer.
func (s *secrets) fromResponse(body []byte) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return
	}
	for _, k := range []string{"accessToken", "refreshToken"} {
		if v, ok := m[k].(string); ok {
			s.add(v)
		}
	}
}

// checkLogs fails the test when a server log line holds a password or a
// token the test used, a password hash, or an attribute named like one.
func (env *Env) checkLogs() {
	logs := env.Logs.String()
	if strings.Contains(logs, hashMarker) {
		env.T.Errorf("a password hash appears in the server log")
	}
	for _, v := range env.secrets.list() {
		if strings.Contains(logs, v) {
			env.T.Errorf("a password or token the test used appears in the server log: %.12s…", v)
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		for k := range m {
			if k := strings.ToLower(k); strings.Contains(k, "password") || strings.Contains(k, "token") || k == "authorization" {
				env.T.Errorf("server log line has a %q attribute: %s", k, line)
			}
		}
	}
}
