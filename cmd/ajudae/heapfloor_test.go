package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func gogcPercent() int64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// The server holds a floor under the collector's goal (internal/heapfloor)
// unless GOGC is set or the floor is 0, and puts GOGC back when it stops.
func TestHeapFloor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, c := range []struct {
		name string
		env  map[string]string
		kept bool
	}{
		// 256 MiB: far above this test's live heap, whatever ran before.
		{"floor set", map[string]string{"AJUDAE_HEAP_FLOOR": "256"}, true},
		{"GOGC set", map[string]string{"AJUDAE_HEAP_FLOOR": "256", "GOGC": "100"}, false},
		{"floor 0", map[string]string{"AJUDAE_HEAP_FLOOR": "0"}, false},
	} {
		c.env["AJUDAE_DATA_DIR"] = t.TempDir()
		_, logs, stop := startRun(t, c.env)
		raised := false
		for range 30 {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
			if raised = gogcPercent() > 100; raised {
				break
			}
		}
		if raised != c.kept {
			t.Errorf("%s: GOGC %d while the server runs\n%s", c.name, gogcPercent(), logs)
		}
		stop()
		if got := gogcPercent(); got != 100 {
			t.Errorf("%s: GOGC %d after the server stopped, want the 100 before", c.name, got)
		}
	}
	cfg, err := parseConfig("ajudae", nil, func(string) string { return "" }, &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HeapFloorMiB != 12 {
		t.Errorf("default heap floor %d MiB, want 12", cfg.HeapFloorMiB)
	}
	for _, v := range []string{"-1", "70000", "lots"} {
		env := map[string]string{"AJUDAE_DATA_DIR": t.TempDir(), "AJUDAE_ADDR": freeAddr(t), "AJUDAE_HEAP_FLOOR": v}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // should it serve
		err := run(ctx, nil, func(k string) string { return env[k] }, &syncBuffer{}, &syncBuffer{})
		cancel()
		if err == nil {
			t.Errorf("AJUDAE_HEAP_FLOOR=%s: the server started", v)
		}
	}
}
