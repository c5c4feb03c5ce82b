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
		live, floor uint64
		want        int
	}{
		{0, 16 * mib, 100},        // nothing measured yet
		{4 * mib, 16 * mib, 300},  // goal 4 × 4 MiB
		{3 * mib, 16 * mib, 433},  // goal just under 16 MiB
		{8 * mib, 16 * mib, 100},  // half the floor: the default's goal is the floor
		{40 * mib, 16 * mib, 100}, // a login storm's hashes
		{1024, 16 * mib, maxPercent},
	} {
		if got := Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.floor, got, c.want)
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
