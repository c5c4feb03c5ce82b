package password

import (
	"strings"
	"testing"
	"time"
)

func TestHashVerify(t *testing.T) {
	h := NewHasher(Params{Memory: 1024, Time: 1, Threads: 1}, 2)
	enc, err := h.Hash(t.Context(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", enc)
	}
	tests := []struct {
		name, password, encoded string
		ok                      bool
	}{
		{"right password", "correct horse", enc, true},
		{"wrong password", "correct horsE", enc, false},
		{"no account", "correct horse", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(t.Context(), tt.password, tt.encoded)
			if err != nil || ok != tt.ok || rehash {
				t.Errorf("Verify = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.ok)
			}
		})
	}
	if _, _, err := h.Verify(t.Context(), "x", "$bcrypt$nope"); err == nil {
		t.Error("Verify of a foreign hash succeeded")
	}
}

func TestVerifyAsksRehashWhenParamsChange(t *testing.T) {
	old := NewHasher(Params{Memory: 1024, Time: 1, Threads: 1}, 1)
	enc, _ := old.Hash(t.Context(), "secret-password")
	cur := NewHasher(Params{Memory: 2048, Time: 1, Threads: 1}, 1)
	ok, rehash, err := cur.Verify(t.Context(), "secret-password", enc)
	if !ok || !rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := NewHasher(DefaultParams(), 0)
	for b.Loop() {
		h.Hash(b.Context(), "correct horse battery")
	}
}

func TestMemoryHandedBackWhenIdle(t *testing.T) {
	const idleAfter = 100 * time.Millisecond
	freed := make(chan struct{}, 10)
	h := newHasher(Params{Memory: 64, Time: 1, Threads: 1}, 2, idleAfter, func() { freed <- struct{}{} })
	handedBack := func(after string) {
		t.Helper()
		select {
		case <-freed:
		case <-time.After(5 * time.Second):
			t.Fatalf("memory not handed back after %s", after)
		}
	}
	kept := func(while string) {
		t.Helper()
		select {
		case <-freed:
			t.Fatalf("memory handed back while %s", while)
		case <-time.After(3 * idleAfter):
		}
	}
	handedBack("the dummy hash")
	kept("nothing ran since")

	if _, err := h.Hash(t.Context(), "correct horse"); err != nil {
		t.Fatal(err)
	}
	handedBack("a hash")
	kept("nothing ran since")

	// Two hashes at once: the end of one is not the end of the burst.
	for range 2 {
		if err := h.acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	h.release()
	kept("a hash runs")
	h.release()
	handedBack("the last hash")

	// One that starts within idleAfter of the last keeps the memory.
	if err := h.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.release()
	ended := time.Now()
	if err := h.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	if gap := time.Since(ended); gap >= idleAfter/2 {
		t.Skipf("the process stood still for %v between two hashes: nothing to check", gap)
	}
	kept("a hash runs")
	h.release()
	handedBack("the burst")
}
