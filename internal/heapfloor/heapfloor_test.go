package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, roots, floor uint64
		want               int
	}{
		{0, 0, 12 * mib, 100},                  // nothing measured yet
		{3 * mib, mib / 2, 12 * mib, 257},      // goal 3 + 3.5 × 2.57 MiB
		{5 * mib, 0, 12 * mib, 140},            // goal 5 + 5 × 1.4 MiB
		{mib / 2, 0, 12 * mib, 300},            // Go's minimum, 4 MiB × 3, is the floor
		{4 * mib, 4 * mib, 12 * mib, 100},      // the default's goal is the floor
		{40 * mib, mib, 12 * mib, 100},         // a login storm's hashes
		{1024, 0, 256 * mib, maxPercent},       // a nearly empty heap
		{2 * mib, 30 * mib, 12 * mib, 100},     // many goroutines: stacks
		{2 * mib, mib, 1024 * mib, maxPercent}, // a floor far above
	} {
		if got := Percent(c.live, c.roots, c.floor); got != c.want {
			t.Errorf("Percent(%d, %d, %d) = %d, want %d", c.live, c.roots, c.floor, got, c.want)
		}
	}
	// Whatever the heap, the goal Go derives from the percent stays at or
	// under the floor, unless the default's is above it.
	for live := uint64(64 << 10); live < 16*mib; live += 192 << 10 {
		for _, roots := range []uint64{0, 256 << 10, 2 * mib} {
			p := uint64(Percent(live, roots, 12*mib))
			goal := max(live+(live+roots)*p/100, heapMinimum*p/100)
			if p > 100 && goal > 12*mib {
				t.Errorf("live %d, roots %d: GOGC %d sets a goal of %d", live, roots, p, goal)
			}
		}
	}
}

func gogc() int64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// collectUntil runs collections until ok holds, for at most 5 s (the
// keeper tunes from a cleanup, after the collection).
func collectUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: GOGC is %d", what, gogc())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKeep(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(123))
	const floor = 256 << 20 // far above this test's heap
	stop := Keep(floor)
	collectUntil(t, "small heap", func() bool { return gogc() > 100 })

	big := make([]byte, floor/2) // the live heap reaches half the floor
	collectUntil(t, "heap of half the floor", func() bool { return gogc() == 100 })
	runtime.KeepAlive(big)
	collectUntil(t, "small heap again", func() bool { return gogc() > 100 })

	stop()
	if got := gogc(); got != 123 {
		t.Fatalf("GOGC after stop is %d, want the 123 before", got)
	}
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := gogc(); got != 123 {
		t.Fatalf("GOGC changed to %d after stop", got)
	}
	stop() // twice is harmless
}
