package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a server started by the benchmark.
type process struct {
	cmd    *exec.Cmd
	base   string
	exited chan struct{}
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs bin with args (the listen address appended as -addr) and
// waits until path answers 200.
func start(ctx context.Context, bin string, args, env []string, log io.Writer, path string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append(args, "-addr", addr)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, base: "http://" + addr, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited before answering (see its log)", bin)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		res, err := http.Get(p.base + path)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p, nil
			}
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer %s within 60 s", bin, path)
}

// stop ends the process (SIGTERM, then SIGKILL after 10 s).
func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// resetPeak resets the process's VmHWM to its current resident set
// (Linux 4.0+, /proc/PID/clear_refs), so that the next reading is the peak
// of what ran in between. Reading VmRSS often instead slowed a login storm
// by a fifth.
func (p *process) resetPeak() error {
	if p == nil || p.cmd.Process == nil {
		return nil
	}
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// memory returns the resident set (VmRSS) and its peak (VmHWM) in KiB.
func (p *process) memory() (rss, peak int64) {
	if p == nil || p.cmd.Process == nil {
		return 0, 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak
}

// settle waits, up to limit, until the process (and the PostgreSQL cluster
// in pgData, when set) is idle: under 5 % of a core over half a second.
// The work an operation leaves behind (the e-mail jobs of the tickets W1
// created) is then not charged to the next one. It returns how long it
// waited.
func (p *process) settle(ctx context.Context, pgData string, limit time.Duration) time.Duration {
	const window = 500 * time.Millisecond
	busy := func() time.Duration {
		d := p.cpu()
		if pgData != "" {
			d += postgresCPU(pgData)
		}
		return d
	}
	start := time.Now()
	for time.Since(start) < limit && ctx.Err() == nil {
		before := busy()
		time.Sleep(window)
		if busy()-before < window/20 {
			break
		}
	}
	return time.Since(start)
}

// cpu returns the CPU time the process used so far (user + system).
func (p *process) cpu() time.Duration {
	if p == nil || p.cmd.Process == nil {
		return 0
	}
	return procCPU(p.cmd.Process.Pid)
}

// procCPU returns the CPU time (user + system) of process pid.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// postgresCPU returns the CPU time used so far by the PostgreSQL cluster
// whose data directory is dir: the postmaster and its children (the
// backends, including the ones that exited, whose time the postmaster
// collects as cutime/cstime).
func postgresCPU(dir string) time.Duration {
	b, err := os.ReadFile(dir + "/postmaster.pid")
	if err != nil {
		return 0
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0
	}
	total := procCPU(pm) + childrenCPU(pm)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(st), ')')
		f := strings.Fields(string(st[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pm) {
			total += procCPU(pid)
		}
	}
	return total
}

// childrenCPU returns the CPU time of the exited, waited-for children of pid.
func childrenCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0
	}
	cu, _ := strconv.ParseInt(f[13], 10, 64)
	cs, _ := strconv.ParseInt(f[14], 10, 64)
	return time.Duration(cu+cs) * time.Second / 100
}

// serveL1 is the L1 baseline: a minimal net/http handler answering
// {"ok":true}, run as its own process like the server it is compared to.
func serveL1(ctx context.Context, args []string) error {
	addr := "127.0.0.1:0"
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-addr" {
			addr = args[i+1]
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
