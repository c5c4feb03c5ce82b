// Package password hashes and verifies passwords with argon2id, stored as
// PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are OWASP's argon2id minimum: m=19 MiB, t=2, p=1.
func DefaultParams() Params { return Params{Memory: 19 * 1024, Time: 2, Threads: 1} }

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes passwords with one set of parameters. At most a fixed number
// of hashes run at once, so a storm of logins queues instead of exhausting
// memory (each hash holds Params.Memory).
//
// Once no hash has run for a second, the Hasher hands their memory back
// to the system. A hash's block is garbage when it returns, but Go frees
// it at its next collection, whose goal was set while the blocks were
// live: after a burst of logins the rest of the server would keep running
// in a heap of that size. Within a burst the hasher is never idle that
// long, and the next hash reuses the blocks instead of faulting new ones.
type Hasher struct {
	params Params
	sem    chan struct{}
	dummy  string // a hash to verify against when the user does not exist

	mu        sync.Mutex
	running   int         // hashes in progress
	idle      *time.Timer // armed when the last one ends
	idleAfter time.Duration
	free      func() // debug.FreeOSMemory
}

// NewHasher returns a Hasher running at most concurrency hashes at a time
// (runtime.NumCPU when concurrency <= 0).
func NewHasher(p Params, concurrency int) *Hasher {
	return newHasher(p, concurrency, time.Second, debug.FreeOSMemory)
}

// newHasher is NewHasher calling free once no hash has run for idleAfter.
func newHasher(p Params, concurrency int, idleAfter time.Duration, free func()) *Hasher {
	if concurrency <= 0 {
		concurrency = runtime.NumCPU()
	}
	h := &Hasher{params: p, sem: make(chan struct{}, concurrency), idleAfter: idleAfter, free: free}
	h.dummy = h.hash([]byte("ajudae-dummy-password"), make([]byte, saltLen))
	h.idle = time.AfterFunc(idleAfter, h.quiet) // the dummy's memory too
	return h
}

// Hash returns the PHC string of password with a fresh salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hash([]byte(password), salt), nil
}

// Verify reports whether password matches encoded, and whether encoded
// should be replaced because it was made with other parameters. An empty
// encoded (no such user, or a removed one) is checked against a dummy hash
// so that the answer takes as long as for a real account, and never matches.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	real := encoded != ""
	if !real {
		encoded = h.dummy
	}
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1 && real
	return ok, ok && p != h.params, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.mu.Lock()
	h.running++
	h.idle.Stop()
	h.mu.Unlock()
	return nil
}

func (h *Hasher) release() {
	h.mu.Lock()
	if h.running--; h.running == 0 {
		h.idle.Reset(h.idleAfter)
	}
	h.mu.Unlock()
	<-h.sem
}

// quiet runs when no hash has run for idleAfter: it hands the memory of
// the hashes back, unless one has started since.
func (h *Hasher) quiet() {
	h.mu.Lock()
	idle := h.running == 0
	h.mu.Unlock()
	if idle {
		h.free()
	}
}

func (h *Hasher) hash(password, salt []byte) string {
	p := h.params
	key := argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errFormat = errors.New("password: not an argon2id PHC string")

func decode(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errFormat
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errFormat
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errFormat
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, errFormat
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errFormat
	}
	return p, salt, key, nil
}
