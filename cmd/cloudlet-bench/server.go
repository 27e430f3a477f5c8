package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a running `cloudlet serve`: the real binary, a process of its
// own, on a free loopback port with its own data directory.
type server struct {
	URL, Addr string
	Port      int
	cmd       *exec.Cmd
	logPath   string
	done      chan error
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer executes the binary (`serve`, with extra flags) and waits
// until /_cloudlet/health answers 200; it returns the time from exec to
// that answer. The server's output goes to a log file in dir.
func startServer(ctx context.Context, binary, dir string, extra ...string) (*server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	dataDir := filepath.Join(dir, "data")
	s := &server{Port: port, Addr: fmt.Sprintf("127.0.0.1:%d", port), logPath: filepath.Join(dir, "cloudlet.log"), done: make(chan error, 1)}
	s.URL = "http://" + s.Addr
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, 0, err
	}
	defer logFile.Close()
	s.cmd = exec.Command(binary, append([]string{"serve", "--port", strconv.Itoa(port), "--data-dir", dataDir}, extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// The server dies with the suite, however the suite ends.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	hc := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start %s: %w", binary, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	deadline := start.Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(s.URL + "/_cloudlet/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(start), nil
			}
		}
		select {
		case err := <-s.done:
			return nil, 0, fmt.Errorf("cloudlet serve exited before it was healthy (%v); its log: %s", err, s.logPath)
		case <-ctx.Done():
			s.stop()
			return nil, 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	s.stop()
	return nil, 0, fmt.Errorf("cloudlet serve not healthy within 60 s; its log: %s", s.logPath)
}

// stop sends SIGTERM and waits for the server to drain and exit; after
// 20 s it is killed.
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// PID is the server's process ID.
func (s *server) PID() int { return s.cmd.Process.Pid }

// rssMB is a process's resident set (VmRSS) in MB.
func rssMB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS %q: %w", v, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// descendants lists the processes below pid (children, grandchildren…).
func descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		s := string(raw)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 1 {
				pp, _ := strconv.Atoi(f[1])
				parent[p] = pp
			}
		}
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// isolated reports whether some process below pid runs in another PID
// namespace than pid itself: how cloudlet confined its functions.
func isolated(pid int) (mode string) {
	own, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return "unknown"
	}
	kids := descendants(pid)
	if len(kids) == 0 {
		return "unknown (no function process to look at)"
	}
	for _, k := range kids {
		if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", k)); err == nil && ns != own {
			return "isolated (functions in their own PID namespace)"
		}
	}
	return "plain processes (functions share the server's namespaces)"
}

// clockTick is the unit of /proc/PID/stat's CPU times (USER_HZ), 100 on
// every Linux the suite runs on.
const clockTick = 10 * time.Millisecond

// cpuTime is the CPU time (user and system) pid has used; 0 when it is
// gone.
func cpuTime(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	// After "pid (comm)": state is field 3, utime 14 and stime 15.
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * clockTick
}

// cpuProbe measures the CPU a server and the processes below it (function
// runtimes, the floor's interpreter) spend during a throughput window.
type cpuProbe struct {
	pid      int
	server   [2]time.Duration
	kids     [2]map[int]time.Duration
	requests float64
}

func newCPUProbe(pid int) *cpuProbe { return &cpuProbe{pid: pid} }

func (p *cpuProbe) sample(i int) {
	if p == nil {
		return
	}
	p.server[i] = cpuTime(p.pid)
	p.kids[i] = map[int]time.Duration{}
	for _, k := range descendants(p.pid) {
		p.kids[i][k] = cpuTime(k)
	}
}

// count records how many requests the window served.
func (p *cpuProbe) count(n int64) {
	if p != nil {
		p.requests = float64(n)
	}
}

// totals returns the CPU time the server and the processes below it spent
// between the two samples.
func (p *cpuProbe) totals() (server, kids time.Duration) {
	for pid, end := range p.kids[1] {
		kids += end - p.kids[0][pid]
	}
	return p.server[1] - p.server[0], kids
}

// perRequest returns the server's and its processes' CPU per request in
// the window, in µs. Processes that started within the window count from
// zero; those that ended within it do not count.
func (p *cpuProbe) perRequest() (server, kids float64) {
	if p.requests == 0 {
		return 0, 0
	}
	sv, k := p.totals()
	return micros(sv) / p.requests, micros(k) / p.requests
}
