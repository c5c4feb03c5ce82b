// Package heapfloor keeps the collector's heap goal from falling below a
// floor while the live heap is small.
//
// A server's live heap is a few megabytes, so with Go's default (GOGC=100)
// the collector runs every few megabytes of allocation: dozens of times a
// second under load, a tenth or more of the CPU of a read. A higher GOGC
// would run it less often but multiplies every goal, a login storm's too
// (each password hash holds 19 MiB). Keeping the goal at a floor spends a
// fixed amount of memory instead: after each collection, the GOGC that
// puts the next goal at the floor while the live heap is under half of it,
// Go's default above.
package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// maxPercent bounds the GOGC set for a nearly empty heap.
const maxPercent = 2000

// Percent returns the GOGC that puts the next heap goal, about live ×
// (1 + GOGC/100), at floor: 100 (Go's default) once live is half of floor
// or more.
func Percent(live, floor uint64) int {
	if live == 0 || 2*live >= floor {
		return 100
	}
	return int(min(floor*100/live-100, maxPercent))
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
	live    [1]metrics.Sample
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
	k.live[0].Name = "/gc/heap/live:bytes"
	metrics.Read(k.live[:])
	if k.live[0].Value.Kind() == metrics.KindUint64 {
		debug.SetGCPercent(Percent(k.live[0].Value.Uint64(), k.floor))
	}
	return true
}
