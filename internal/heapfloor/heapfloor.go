// Package heapfloor keeps the collector's heap goal from falling below a
// floor while the live heap is small.
//
// A server's live heap is a few megabytes, so with Go's default (GOGC=100)
// the collector runs every few megabytes of allocation: dozens of times a
// second under load, a tenth or more of the CPU of a read. A higher GOGC
// would run it less often but multiplies every goal, a login storm's too
// (each password hash holds 19 MiB). Keeping the goal at a floor spends a
// fixed amount of memory instead: after each collection, the GOGC that
// puts the next goal at the floor while Go's default goal would be under
// it, and Go's default above.
package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// maxPercent bounds the GOGC set for a nearly empty heap.
const maxPercent = 2000

// heapMinimum is Go's smallest heap goal at GOGC=100; it scales with GOGC.
const heapMinimum = 4 << 20

// Percent returns the GOGC that puts the next heap goal at floor. Go sets
// the goal at live + (live + roots) × GOGC/100, where roots are the
// goroutine stacks and globals the collector scans, and never under
// 4 MiB × GOGC/100; so the GOGC is capped where that minimum reaches the
// floor. It is 100 (Go's default) when the default goal already reaches
// the floor.
func Percent(live, roots, floor uint64) int {
	scan := live + roots
	if scan == 0 || live+scan >= floor {
		return 100
	}
	p := min((floor-live)*100/scan, floor*100/heapMinimum, maxPercent)
	return max(int(p), 100)
}

// Keep holds the heap goal at floor bytes at least, from now until stop is
// called, which puts back the GOGC in force before.
func Keep(floor uint64) (stop func()) {
	k := &keeper{floor: floor, before: debug.SetGCPercent(100)}
	debug.SetGCPercent(k.before)
	k.tune()
	k.watch()
	return func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if !k.stopped {
			k.stopped = true
			debug.SetGCPercent(k.before)
		}
	}
}

type keeper struct {
	floor  uint64
	before int

	mu      sync.Mutex
	stopped bool
	sample  [3]metrics.Sample // the live heap, stacks and globals
}

// sentinel is allocated to be collected: its cleanup marks the end of a
// collection. It holds a pointer, so the allocator never batches it with
// other objects (a batched one may never be collected).
type sentinel struct{ _ *int }

// watch runs tune after the next collection, and so on after each one.
func (k *keeper) watch() {
	runtime.AddCleanup(&sentinel{}, func(k *keeper) {
		if k.tune() {
			k.watch()
		}
	}, k)
}

// tune sets the GOGC for the live heap the last collection measured, and
// reports whether to go on.
func (k *keeper) tune() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped {
		return false
	}
	k.sample[0].Name = "/gc/heap/live:bytes"
	k.sample[1].Name = "/gc/scan/stack:bytes"
	k.sample[2].Name = "/gc/scan/globals:bytes"
	metrics.Read(k.sample[:])
	var v [3]uint64
	for i, s := range k.sample {
		if s.Value.Kind() != metrics.KindUint64 {
			return true // not measured by this runtime: leave GOGC
		}
		v[i] = s.Value.Uint64()
	}
	debug.SetGCPercent(Percent(v[0], v[1]+v[2], k.floor))
	return true
}
